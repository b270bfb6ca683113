"""Bleeding (external and from the gut), overdoses, poisons and dangerous things swallowed."""

from __future__ import annotations

# fmt: off
CONCEPTS: dict[str, tuple[str, ...]] = {
    "severe bleeding": (
        "bleed*|blood ~ (wont|cant|will not|doesnt|not|isnt|hasnt|wouldnt|didnt|cannot) ~ "
        "stop*|quit|ease|slow",
        "(full of|soaked with|covered in|filled with|pool of) blood",
        "(wont|cant|cannot|not|doesnt|couldnt|hasnt|havent|wouldnt|didnt|nothing) ... stop* ... "
        "bleed*|blood",
        "still bleeding ~ (hour|hours|ages|half an hour|minutes|20|thirty|forty)",
        "bleeding ~ for ~ (hour|hours|an hour|ages|over an hour)",
        "bleed*|bled ~ (through|everywhere|badly|heavily|heavy|loads|a lot|lots|profusely|like mad|"
        "like crazy|non stop|nonstop|all over|like a tap|buckets)",
        "blood ~ (everywhere|spurting|pumping|pouring|gushing|squirting|pulsing|all over|"
        "dripping everywhere|coming out fast|wont stop|keeps coming)",
        "spurt*|pump*|pour*|gush*|squirt*|pulsing|pulsating ~ blood",
        "(dripping|pouring|running|pissing|streaming) ~ (all over|everywhere) ~ "
        "(wont|doesnt|isnt|not) stop*",
        "(blood|bleeding|bleed) ~ (like a fountain|like a tap|fountain)",
        "(vein|varicose vein|varicose) ~ (burst|popped|pouring|spurting|gushing)",
        "(can see|you can see|could see|you could see) ~ (fat|bone|meat|muscle|tendon|"
        "the inside)", "gaping",
        "(blood|bleeding) ~ (not|isnt|wont|doesnt|aint) (stopping|stop)",
        "(towel|towels|cloth|rag|rags|dressing|bandage|tshirt|t shirt|shirt|tea towel) ~ "
        "(soak*|soaked|drenched) ~ (through|right through)",
        "(gush*|spurt*|pump*|pour*|squirt*) ~ (every time|each time|whenever|soon as|when) ~ "
        "(take|lift|move|let go|pull|off)",
        "blood ~ spurt*|pump*|pour*|gush*|squirt*|puls*|drip*",
        "(cut|gashed|sliced|slashed) ~ (it|and it|blood) ~ (wont|will not|cant|cannot|isnt|not) "
        "(stop|stopping)",
        "nosebleed*|(nose bleed*) ~ (wont|cant|will not|doesnt|not|isnt|hasnt|wouldnt|didnt) ~ "
        "stop*", "nosebleed*|(nose bleed*) ~ (hour|hours|ages|forever|pouring|gushing)",
        "spurting", "spurts", "spurted", "(pumping|pulsing|squirting|gushing|pouring) out",
        "tourniquet", "(clots of blood|big clots|lumps of blood)", "gushing", "pouring out",
        "(spitting|coughing|bringing) ~ (clots|big clots|lots of blood|mouthfuls of blood)",
        "(mouthful|mouthfuls|cupful|cupfuls) ~ blood", "squirting", "pulsing out",
        "every time ~ heart ~ (beats|beat|pumps)",
        "nose ~ (pouring|gushing|streaming|pumping|bleeding) ~ (hour|hours|ages|an hour|solid|"
        "wont stop|minutes|#)", "(filling|filled|fills|full) ~ (with|up with) ~ blood",
        "(cup|mug|bowl|bucket|glass|bag) ~ (of|with) ~ blood", "half a (mug|cup|bowl|bucket)",
        "blood ~ (coming through|seeping through|soaking through|through the|through his|"
        "through her|through my) ~ (bandage|towel|dressing|jeans|trousers|shirt|clothes|sock)",
        "(belt|tie|tea towel|scarf|strap) ~ (round|around) ~ (it|arm|leg|his|her|my)",
        "(soaked|soaking|soaks|drenched|gone through|went through|going through|bled through) "
        "~ (towel|towels|tea towel|tea towels|bandage|bandages|cloth|cloths|shirt|dressing|"
        "dressings|pad|pads|pat|blood|tissues|sheets|nappy|t shirt|sanitary|maxi)",
        "(pool|puddle|lots|loads|lot|so much|too much|litres|liters|pints|cups) ~ of ~ blood",
        "so much blood", "cant stop the bleeding", "severed", "amputat*",
        "(cut|chopped|sliced) ~ off ~ finger|fingers|toe|thumb|hand",
        "(cut|hit|severed|nicked|sliced|caught) ~ (an artery|the artery|artery)",
        "hemorrhag*", "haemorrhag*", "bleeding out", "massive bleed*", "blood loss",
        "(hem or rage|hemo rage|hemmer rage|hemmer age|hem rage|hemorr age)",
        "(cough*|coughed) ~ (up blood|blood|up clots)",
    ),
    "gi bleeding": (
        "(vomit*|vomiting|throwing up|threw up|throw up|throws up|being sick|been sick|was sick|"
        "puking|puked|spewing|spewed|retching|bringing up|brought up) ~ blood|bloody|clots",
        "blood ~ (in|on) ~ vomit|sick|puke|bowl|bucket", "bloody ~ vomit|sick",
        "coffee ~ grounds|grinds|granules|ground", "like ~ (coffee|tea leaves|coffee grounds)",
        "(threw up|throwing up|vomit*|sick|puked) ~ (red in it|blood in it|bright red)",
        "(sick|vomit|puke|throw up|threw up|came up|brought up) ~ (bright red|bowlful|bucketful|"
        "cafetiere|dark gritty|gritty)", "(dark|black|brown) ~ (gritty|grainy) ~ (bits|stuff)",
        "(sick|vomit|puke|throw up|threw up) ~ (black bits|dark bits|black stuff|brown bits|"
        "black specks|dark brown)",
        "(gritty|grainy|grainy brown|gritty brown|dark brown|brown bits) ~ (sick|vomit|stuff)",
        "black ~ (poo|poos|poop|stool|stools|bowel|bowels|bm|motion|motions|tarry|tar|sticky|"
        "like tar|diarrhoea|diarrhea|runny|shit|nappy|and sticky)",
        "tarry", "tar like", "{stool} ~ (black|tar|tarry|like tar|blood|bloody|maroon|"
        "jet black|pure blood|bright red)",
        "blood ~ (poo|poos|poop|stool|stools|bowel|bum|bottom|back passage|rectum|rectal|"
        "behind|nappy)", "bleeding ~ (from his bum|from her bum|from my bum|from the bottom|"
        "back passage|rectum|from behind|from his bottom|from her bottom|from my bottom)",
        "rectal bleed*", "melena", "melaena", "hematemesis", "haematemesis", "hematochezia",
        "passing blood ~ (bum|bottom|back passage|behind)",
        "blood ~ (back side|backside|bum|bottom|behind|rear end|butt)",
        "toilet|bowl|pan ~ (full of|all|filled with|filled up with) ~ (blood|red)",
        "(toilet|bowl|pan) ~ (was|is|went) ~ (red blood|all red|pure red|bright red|full of blood)",
        "(toilet|bowl|pan) ~ (was|is|went|turned) (red|all red|bright red|pure red)",
        "(thrown up|threw up|throwing up|vomited|sick) ~ (load|lot|lots|loads|bowl|cup|pint) of ~ "
        "(red|blood|bright red)",
    ),
    # Swallowing a poison, or too much medicine.
    "overdose": (
        "overdos*", "over dose*", "od", "oded",
        "(took|taken|swallowed|ate|eaten|necked|downed|popped|gulped) ~ (too many|handful|"
        "whole|all my|all his|all her|all of|all the|a load of|loads of|lots of|a bunch of|"
        "double|triple|twice|extra|a lot of|bottle|packet|box|strip|#many) ~ {drug}",
        "(took|swallowed|taken|necked|downed) the ~ lot",
        "(took|swallowed|taken|necked|downed|had) ~ (a whole bunch|whole bunch|a whole load|"
        "whole load|whole handful)", "(took|swallowed|taken|had) ~ #many ~ (of them|of her|"
        "of his|of my|of mine)",
        "(took|swallowed|taken|necked|downed|ate) ~ (whole packet|whole box|whole bottle|"
        "whole strip|whole pack|whole tub|whole blister|entire packet|entire bottle|all of them|"
        "all my pills|all my tablets|all her pills|all his pills)",
        "(too many|too much|handful of|whole bottle of|whole packet of|whole box of) ~ {drug}",
        "(double|triple|extra|second) ~ dose ~ {drug}", "{drug} ~ (double|triple) ~ dose",
        "(got into|found|was into|into the|into my|into his|into her|into our|into their|into "
        "grandmas|into nanas|been into|got hold of|got at) ~ (pills|tablets|"
        "medicine|medicines|meds|pill bottle|medicine cabinet|cupboard|handbag|purse|gummies|"
        "edibles|stash|pill organizer|pill organiser|pill box|pillbox|dosette|dossett|"
        "blister pack|blister packs|pill case|pill tray|{drug})",
        "ate ~ pills|tablets|gummies|edibles|{drug}", "chewed ~ pills|tablets|{drug}",
        "(tablets|pills|loads|lots|some|few|several|bunch) ~ missing",
        "(had|took|taken|swallowed) ~ (whole pack|whole packet|whole box|whole bottle|whole tub|"
        "whole strip)", "(two|three|four|couple|#) at a time ~ every ~ (hour|hours|couple)",
        "missing ~ (from the|from her|from his|from my) ~ (strip|strips|packet|packets|bottle|"
        "box|blister|pack|tub)", "dont know how many ~ (had|taken|took|swallowed|ate)",
        "(accidentally|mistake|mistakenly|by accident) ~ (took|gave|given|had|taken) ~ "
        "(twice|double|extra|two doses|his|her|my|wrong|someone elses)",
        "mixed ~ pills|tablets|{drug} ~ alcohol|drink|booze|vodka|wine",
        "(party|club|festival|rave|night out|pub|gig) ~ (took|taken|had|dropped|swallowed|necked) "
        "~ (something|some pill|a pill|pills|tablets|drugs|ket|mdma|molly|ecstasy|pingers|gear)",
        "(doubling|doubled|double dosing|double dosed|taking double|taking twice) ~ (it|them|dose|"
        "doses|{drug})", "{drug} ~ (doubling|doubled|double dosing|twice as much)",
        # Alcohol poisoning: a whole bottle of spirits.
        "(whole|entire|full|litre of|liter of|fifth of|bottle of|half a bottle of) ~ (vodka|"
        "whisky|whiskey|rum|gin|tequila|brandy|spirits|everclear|moonshine|jager|jaegermeister)",
        "(took|taken|swallowed|had) ~ (many many|so many|lots of|loads of|whole lot of|bunch of) ~ "
        "{drug}", "(two|three|four|#) (strips|strip|blister|blisters|packs|packets) ~ (full|whole|"
        "of {drug}|of pills|of tablets)",
        "pills|tablets|{drug} ~ (with|and) ~ alcohol|vodka|wine|booze|whisky|whiskey|beer|gin",
        "poison*",
        "(drank|swallowed|ate|drunk|drinking|drink|drinks|took|gulped|sipped|licked|chewed|eaten|"
        "had a sip|"
        "had a drink|had a mouthful|mouthful of|swig|sip of) ~ (bleach|antifreeze|anti freeze|"
        "weed killer|weedkiller|paraquat|pesticide|rat poison|methanol|petrol|gasoline|"
        "kerosene|paraffin|lamp oil|turps|white spirit|cleaning product|cleaning fluid|"
        "cleaning spray|cleaning liquid|cleaner|detergent|chemical|chemicals|lighter fluid|"
        "mouthwash|perfume|nail polish remover|e liquid|vape juice|vape liquid|disinfectant|"
        "dettol|lysol|descaler|screenwash|slug pellets|wild mushrooms|toadstools|poisonous|"
        "washing up liquid|fabric softener|hand sanitiser|hand sanitizer|alcohol gel|"
        "window cleaner|toilet cleaner|ammonia|acid|lye|caustic|drain cleaner|oven cleaner)",
        "carbon monoxide", "too many of my",
        "(taken|took|had|given|gave) ~ {drug} ~ (twice|three times|two times|double|again by "
        "mistake)", "thought it was ~ (squash|juice|water|lemonade|pop|drink|sweets|candy|milk)",
        "(drank|drunk|swallowed|drinking|had a swig) ~ (out of|from) ~ (bottle|bottles|a bottle) ~ "
        "(under the sink|shed|cupboard|garage|in the shed)",
        "(drain clean|drain cleaner|drano)",
        "(took|taken|had|dropped|swallowed|necked) ~ (something|some pills|a pill|some tablets|"
        "drugs|pills|some stuff|ket|mdma|molly|ecstasy|spice|pingers|gear) ~ (party|club|"
        "festival|rave|night out|pub|mates)",
    ),
    "hazardous object": (
        "(button|coin|watch|lithium|hearing aid|remote|key fob|calculator|round|flat|small|"
        "silver|tiny|little|disc|disk) ~ battery|batteries|buttery|cell",
        "battery", "batteries", "magnet*", "magnate|magnates", "magnetic balls|beads",
        "(button|coin|watch|remote|hearing aid) ~ (bat|bats|bat trees|batt|batts|batter|"
        "batteries|battery|cell|cells)",
        "drain|drained|drano ~ cleaner|unblocker|opener", "drano", "oven cleaner", "caustic", "lye",
        "battery acid",
        "(cap sools|cap sules|capsool|capsools|liquid tab|liquid tabs)",
        "(dishwasher|laundry|washing|washing machine|detergent|tide) ~ tablet|tablets|pod|pods|"
        "pot|pots|capsule|capsules|liquid|powder|liquitab|liquitabs|packet|packets|tab|tabs",
        "pod", "pods",
        "liquitab*",
        "nicotine ~ liquid|pouch|pouches|gum|patch|juice", "liquid nicotine", "e liquid",
        "vape ~ liquid|juice", "bleach", "needle", "safety pin", "screw", "razor", "blade",
        "toilet cleaner", "descaler", "super glue", "superglue",
        "drawing pin|pins", "thumb tack|tacks", "thumbtack*", "push pin|pins", "pushpin*",
        "fish hook|hooks", "fishhook*",
        "fish bone", "fishbone", "chicken bone", "toothpick", "cocktail stick", "earring",
        "(piece|bit|shard) of glass",
        "(partial plate|denture|dentures|false teeth|plate with|bridge with|dental plate|"
        "retainer|brace wire)",
        # What holds a button battery, when the battery itself is not named ("something
        # shiny from the remote", "a bit off the car key").
        "(something|thing|bit|piece|part|round thing|shiny thing|one) ~ (out of|from|off|of) ~ "
        "(remote|remote control|key fob|car key|car keys|hearing aid|calculator|thermometer|"
        "kitchen scales|bathroom scales|tea light|tealight|flashing toy|light up toy|"
        "musical card|birthday card|singing card|greeting card)",
    ),
    "swallowed": (
        "swallow*", "ate", "eaten", "eating", "ingest*",
        "sucking|sucked|chewing|chewed ~ on|into|it|one|a|the",
        "bit|bitten on|into|it|one|through", "bite|bites|biting on|into|in|it|one|through",
        "in his|her|the|their ~ mouth",
        "put ~ mouth", "gulped", "drank", "drunk", "drinking", "down his|her ~ throat",
        "choked on", "cant find ~ the|one|a", "missing from", "one is missing",
    ),
}

# Tablets that do no harm taken twice (used as `unless` on the overdose rule).
CONCEPTS["harmless pills"] = (
    "(only|just) ~ (my|his|her|the|a) ~ (vitamin|vitamins|vit|multivitamin|multivitamins|"
    "fish oil|cod liver|probiotic|probiotics|supplement|supplements|folic acid)",
)

# Hits of a concept overlapping one of these are not that concept.
EXCEPTIONS: dict[str, tuple[str, ...]] = {
    "severe bleeding": (
        "(tiny|little|small|slight|bit of|touch of) ~ (fleck*|speck*|bit|amount|spot*|streak*|"
        "tinge|blood)", "fleck*", "speck*", "streak*", "tinge*",
    ),
    "overdose": (
        "food poison*", "poison ivy|oak", "blood poison*", "number for ~ poison*",
        "(overdose|od) ~ (no sorry|sorry|i mean)",
        "poison* ~ (line|centre|center|helpline|number|information|unit|control)",
        "overdose ~ (awareness|training|course|prevention|kit|kits|leaflet|talk|session|team)",
    ),
    "gi bleeding": (
        "bit of blood", "little blood", "spot of blood", "spots of blood", "tiny bit",
        "streak*", "on the (paper|tissue|toilet paper)", "fleck*", "speck*", "smear*",
    ),
}
# fmt: on
