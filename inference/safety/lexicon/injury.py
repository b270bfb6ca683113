"""Injuries: head injuries with danger signs, and high-risk mechanisms of major trauma."""

from __future__ import annotations

# fmt: off
CONCEPTS: dict[str, tuple[str, ...]] = {
    "head injury": (
        "headbutt*", "head butt*", "got|been|was|were bottled|glassed",
        "(hit|banged|bumped|knocked|smacked|whacked|bashed|cracked|struck|bonked|clonked|"
        "landed on|fell on|smashed) ~ head|skull|forehead|temple|noggin",
        "head ~ (hit|injur*|trauma|knock*|bang*|bump*|wound|cut|gash|split|smacked|whacked|"
        "bashed|cracked|first|hitting|hit the)",
        "fell ~ (on|onto|and hit|and banged|and smacked) ~ head|face|forehead",
        "head injury", "head trauma", "concuss*", "headfirst", "head first",
        "kicked|punched|hit ~ (in the head|in the face|on the head)",
        "(knock|knocks|blow|whack|bang|bump|smack|thump|hit|kick|elbow|boot|knee|fist|punch|"
        "ball|stick|bat|headbutt|clash) ~ (to|on|in) ~ "
        "(the head|his head|her head|my head|head)",
        # A baby's fall: "rolled off the big bed onto the hardwood floor".
        "(rolled|fell|dropped|tumbled|slipped) (off|from|out of) ~ (bed|changing table|"
        "changing mat|couch|sofa|settee|high chair|highchair|bouncer|worktop|counter|arms|pram|"
        "buggy|stroller|car seat) ~ (onto|on|to|hit) ~ (floor|ground|hardwood|tiles|tile|concrete|"
        "laminate|wood|head)",
    ),
    "head injury danger": (
        "knocked out", "knocked unconscious", "knocked himself|herself|myself ~ out",
        "lost consciousness", "out cold", "passed out", "blacked out", "went out",
        "unconscious", "out for ~ (second|seconds|minute|minutes|a bit|a while|a few)",
        "out for the count",
        "sparked out", "spark out", "knocked spark out", "out like a light",
        "(keeps|kept) asking ~ (same|again)",
        "repeating himself|herself|themselves", "(head|heads) ~ (bleeding|pouring|gushing)",
        "(soft|squishy|squashy|boggy|spongy|mushy|squidgy) ~ (swelling|lump|bump|bit|spot)",
        "(big|huge|massive|large|egg|goose egg|golf ball) ~ (lump|bump|swelling)",
        "(vomit*|threw up|thrown up|throwing up|being sick|been sick|was sick|puked|puking|spew*|"
        "boak*|chunder*)",
        "{thinner}", "blood|bloods ~ thinner|thinners|thinning", "on aspirin",
        "(for my|for a|for the|for his|for her) ~ (clot|clots)", "thins my|his|her blood",
        "river rocks|rivaroxa*", "(river oxa|river oxa ban|river oxy ban|river ox a ban)",
        "(pixie|picks a|a picks a|a pick) ~ ban",
        "confus*", "drowsy", "sleepy", "seizure*", "fit", "fitting",
        "clear fluid", "fluid ~ (nose|ear|ears)", "blood ~ (from|out of|coming out of) ~ "
        "ear|ears|nose", "(cant|doesnt|dont|didnt|cannot) remember ~ (what happened|happening|"
        "accident|fall|falling|the fall|hitting|anything|it)", "memory", "amnesia",
        "worst headache", "pupils", "not making sense", "slurring", "dizzy and|& ~ sick",
        "haemophilia", "hemophilia", "bleeding disorder",
    ),
    "major trauma": (
        "{crash_vehicle} ~ (crash*|accident|collision|smash*|wreck|rta|rtc|rollover|rolled|"
        "hit|run over|knocked down|knocked off|thrown|flipped|ploughed|plowed|went into|"
        "smashed|wrote off|written off|t boned|head on)",
        "(crash*|collision|wreck|smash*|rolled|flipped|accident) ~ (car|motorway|highway|"
        "freeway|mph|kmh|speed|head on|truck|lorry|bus|motorbike|motorcycle|bike|van|tree|"
        "lamppost|wall)",
        "(hit|struck|knocked down|knocked over|run over|ran over) ~ by ~ (car|bus|van|truck|"
        "lorry|vehicle|train|bike|motorbike|motorcycle|taxi|cab|tram|scooter)",
        "run over", "ran over him|her|me", "knocked down by",
        "(reversed|backed|drove|driven|ran) ~ (over|into) ~ (legs|leg|him|her|foot|feet|toddler|"
        "child|son|daughter|baby|them|me)", "(kicked|trampled|gored|crushed|butted) ~ by ~ "
        "(horse|bull|cow|cattle|ram|steer)",
        "(pulled|caught|dragged|sucked|trapped|stuck) (into|in) ~ (machine|conveyor|veyor|"
        "roller|rollers|press|auger|mixer|machinery|belt|the gears)", "mangled", "degloved",
        "knocked off ~ (by|from) ~ {crash_vehicle}", "(bent|pointing|facing|twisted) the wrong way",
        "bone ~ (showing|sticking out|poking out|coming through|through the skin)",
        "(in|was in|been in|had) ~ (a crash|a car crash|a smash|an accident|a pile up|a collision)",
        "(came|fell|thrown|flew|knocked|flipped) off ~ (motorbike|motorcycle|horse|quad|"
        "dirt bike|moped|the bike at|his bike at|her bike at)",
        "(thrown|flew|ejected|catapulted|went flying) ~ (off|from|through|out of) ~ (car|bike|"
        "motorbike|motorcycle|windscreen|windshield|horse|scooter|quad|vehicle|window)",
        "# ~ (mph|miles an hour|miles per hour|kph|km an hour|kilometres an hour|ks|k|kays|"
        "clicks|kmh|kms)", "(rolled|flipped|wrapped|totalled|totaled|wrote off) ~ {crash_vehicle}",
        "{crash_vehicle} ~ (flipped|rolled|overturned|went over|tipped over|rolled over)",
        "{crash_vehicle} ~ (totalled|totaled|written off|wrote off|a write off|crumpled|wrecked)",
        "rear ended|t boned|tboned|head on collision|head on crash",
        "(pinned|trapped|crushed) (his|her|my|their|both) (legs|leg|chest|body|pelvis|arms)",
        "(a|the) {crash_vehicle} ~ (clipped|hit|struck|knocked|ran over|run over|mowed|"
        "went into|ploughed into|plowed into) ~ (him|her|me|them|us)",
        "(come|came|coming) off ~ {height}",
        "(went|gone|fell|came|thrown|jumped|tipped|toppled) over ~ (railing|railings|"
        "balcony|banister|bannister|barrier|balustrade|landing|edge|parapet)",
        "(flipped|rolled|tipped|overturned) it ~ (down|into|over|off) ~ (ravine|ditch|"
        "embankment|bank|gully|creek|cliff|canyon|gorge|drop|hill|slope)",
        "(fell|fall|fallen|falling|jumped|slipped|came) ~ (off|from|down|out of|through) ~ "
        "{height}",
        "(fell|fall|fallen|falling|dropped) ~ # ~ (feet|foot|ft|metres|meters|m|floors|"
        "storeys|stories|story|storey)", "(flight|flights) of stairs",
        "stab|stabs|stabbed|stabbing", "knifed", "knife ~ (wound|attack|stuck|in his|in her|in my)",
        "(got|been|was|were|got|is|has been) shot", "shot ~ (in the|with|by|at)",
        "gunshot", "gun shot", "gsw", "impaled", "crushed|trapped|pinned ~ (under|by|between|"
        "beneath)", "explosion", "blast", "electrocut*", "electric shock", "high voltage",
        "(assaulted|beaten up|attacked by|jumped by|glassed|mugged|set upon)",
        "kicked ~ (in the head|in the chest|in the stomach|repeatedly)",
        "hit ~ (with a|by a) ~ (bat|hammer|bottle|brick|pole|baseball bat|iron bar|crowbar|"
        "golf club)", "burns ~ (over|all over|face|chest|body)", "(house|car) fire",
        "(nearly|almost) ~ drowned", "drowned",
        "drowning in the|a ~ pool|sea|river|lake|bath|canal",
        "pulled ~ (from|out of) ~ water|pool|river|sea|lake",
    ),
}

# A weak or numb limb after an injury is not a stroke sign (used as `unless`).
CONCEPTS["injury context"] = (
    "fell", "fall", "fallen", "falling", "injur*", "sprain*", "broke", "broken", "twisted",
    "pulled", "dislocat*", "fractur*", "bruised", "trapped", "hurt it", "banged", "knocked",
    "jammed", "wrenched", "tendon", "lifting", "lifted", "slept on it", "slept funny",
    "carpal", "tennis elbow", "frozen shoulder", "rotator", "shoulder injury", "gym", "cast",
    "plaster", "sling", "operation", "surgery", "after my op",
)
CONCEPTS["throat or voice"] = (
    "sore throat", "throat ~ (sore|hurts|hurting|killing|painful|raw|swollen|infection)",
    "voice", "hoarse", "laryngitis", "tonsil*", "strep", "mouth ulcer*", "tooth", "teeth",
    "dental", "wisdom", "jaw", "swallow*", "cold sore", "sinus*", "blocked nose", "stammer*",
    "stutter*", "shy", "nervous", "anxious", "deaf", "hearing",
)

EXCEPTIONS: dict[str, tuple[str, ...]] = {
    "major trauma": (
        "(flu|tetanus|booster|covid|allergy|b12|hormone|cortisone|steroid|vitamin) shot",
        "shot of", "shot glass", "stab* ~ pain|pains|feeling", "stabbing ~ pain|pains",
        "like ~ (being|been) ~ stabbed", "like a knife", "down the stairs ~ (fine|ok|okay)",
        "crush ~ on", "crushing ~ pain|chest|pressure", "blast ~ of",
    ),
}
# fmt: on
