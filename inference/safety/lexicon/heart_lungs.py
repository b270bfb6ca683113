"""Heart, chest, breathing and airway: what patients say for chest pain, radiation,
breathlessness and an airway in trouble (lay, British/American, and common ASR slips)."""

from __future__ import annotations

# fmt: off
CONCEPTS: dict[str, tuple[str, ...]] = {
    "chest pain": (
        "{pain} ~ {chest}", "{chest} ... {pain}", "{chest} is|feels|feel|felt|went|was|gone ~ "
        "tight|heavy|tighter|crushed|squeezed|funny|weird|strange", "angina", "anginal",
        "elephant|elephants ~ {chest}|me", "someone|something|somebody ~ sitting|standing|"
        "stood|sat|kneeling ~ {chest}", "weight ~ on|across ~ {chest}|me",
        "band|belt|strap|vice|rope ~ around|round|across ~ {chest}|me", "{chest} ~ in a vice|vise",
        "heartache", "(holding|clutching|gripping|grabbing|rubbing|pressing on|hand on) ~ {chest}",
        "chest pane*", "chest pains", "chestpain*", "tight chested",
        "(pain|pressure|crushing|squeezing|heavy|heaviness|tight|tightness|feeling|ache) ~ "
        "behind ~ (breast bone|breastbone|sternum|breast)",
        "(dolor|apreton|apretón|presion|presión|pain|pressure) ~ (pecho|el pecho|mi pecho)",
        "(tight|tightness|pressure|heavy|heaviness|squeezing|crushing) ~ (across|in|round) ~ "
        "(the middle|her middle|my middle|his middle)",
        "(pressure|pressing|crushing|squeezing|heaviness|tightness|heavy|tight|squeeze) ~ "
        "(in the middle|middle of|centre of|center of|here in the)",
    ),
    "tearing pain": (
        "something (tear|tore|ripped|ripping|tearing|rip) ~ (inside|in) ~ ({chest}|back|belly)",
        "(tearing|ripping|ripped|rip|rips|tore|shredding|torn apart|being torn|ripped apart) ~ "
        "({chest}|back|shoulder blades|between my shoulders|through|abdomen|stomach|tummy|"
        "belly|spine)",
        "({chest}|back|belly|tummy|stomach) ~ (tearing|ripping|ripped apart|torn apart|"
        "being torn|being ripped|tore)",
        "like ~ (tearing|ripping|ripped|torn|tore|being torn|being ripped) ~ (inside|apart|open|"
        "in two|in half)",
        "(straight|right|goes|going|went|shot|shooting|cuts|cutting) through to ~ (back|my back|"
        "his back|her back|spine)",
        "(ripping|tearing|ripped|tore|knife) ~ (between the|between her|between his|between my) ~ "
        "(shoulders|shoulder blades)", "back ~ like a knife",
        "(front|chest) ~ (out the back|out of the back|through to "
        "the back|out my back|out his back|out her back|through my back)",
        "(knife|knives|sword|spear) ~ (through|going in|in the front|in my chest|in the back)",
        "front to back", "(pressure|bp|readings|numbers|blood pressure) ~ (different|difference)"
        " ~ (each arm|both arms|other arm|arms|two arms)",
    ),
    # Heartburn after food that settled with an antacid (used as `unless` on chest pain alone).
    "indigestion context": (
        "rennie|rennies|gaviscon|antacid*|tums|omeprazole|lansoprazole|ppi",
        "after ~ (eating|a meal|my tea|my dinner|a curry|a vindaloo|a takeaway|spicy|a big meal|"
        "a fry up|too much)", "vindaloo", "curry", "spicy food", "heartburn", "reflux",
        "indigestion",
    ),
    # A fast heart or breathing rate during exercise is not a danger sign (vitals check).
    "exercise context": (
        "running", "sprinting", "jogging", "exercising", "exercise", "working out", "workout",
        "at the gym", "on the treadmill", "cycling", "spin class", "my run", "a run",
        "training", "(football|rugby|netball|tennis|hockey|squash|badminton)", "hiit",
    ),
    # Pain the patient can reproduce by pressing: the chest wall, not the heart (`unless`).
    "reproducible chest pain": (
        "press on it", "when i press", "when i push on it", "pulled muscle", "pulled something",
        "strained a muscle", "tender to touch", "sore to touch", "when i touch it",
        "(bruised|cracked) ~ (rib|ribs)",
    ),
    # An abdominal aortic aneurysm the patient knows about.
    "aneurysm": (
        "aneurysm*", "annual rhythm", "anurism", "an your ism", "aneurism", "triple a", "aaa",
    ),
    "sudden severe pain": (
        "(sudden*|all at once|out of nowhere|out of the blue|came on quick) ~ (pain|agony|awful|"
        "terrible|severe)", "(pain|agony) ~ (sudden*|all at once|out of nowhere)",
    ),
    # Chest wall pain: a pulled muscle that hurts when pressed (used as `unless`).
    "chest wall context": (
        "pulled", "strained", "lifting", "lifted", "weights", "gym", "press on it",
        "when i press", "when i push", "tender", "bruised", "rib|ribs", "muscle", "coughing",
        "when i cough", "from coughing", "knocked", "fell on",
    ),
    # Carbon monoxide without the words: a faulty appliance and a household feeling ill.
    "co source": (
        "(boiler|heater|gas fire|stove|generator|gender|cooker|fireplace|log burner|flue|grill|"
        "bbq|barbecue) ~ (funny|noise|garage|indoors|inside|tent|caravan|yellow|soot|sooty|"
        "smell|smells|broken|faulty|not right|playing up|leak*|fumes|off)",
        # An indoor burner in a closed room: "the gas heater in the room with the window shut".
        "(gas|paraffin|kerosene|charcoal|coal|propane|calor) ~ (heater|fire|stove|burner|"
        "grill|bbq|brazier) ~ (window*|door*|room|tent|caravan|garage) ~ (shut|closed|sealed)",
        "(heater|gas fire|stove|generator|burner|paraffin heater|boiler) ~ (going|on|running|"
        "left on|burning) ~ (all night|overnight|all day|for hours|night and day)",
        "(charcoal|coal|bbq|barbecue|brazier|generator|grill) ~ (indoors|inside|in the room|"
        "in the tent|in the house|in the flat)",
        "(co|carbon|gas) ~ (alarm|detector) ~ (beep*|going off|went off|sounding|chirp*)",
        "alarm ~ (beeping|going off|went off) ~ (boiler|gas|carbon)",
        "(alarm thing|detector thing) ~ (beep*|going off|went off)",
    ),
    "household ill": (
        "(we|all|everyone|both|the kids|the whole family|all of us|the dog) ~ (headache*|sick|"
        "dizzy|drowsy|sleepy|off|poorly|unwell|ill)", "stinking headaches", "all got headaches",
    ),
    # Breathless only with effort or a cold: a weaker sign (used as `unless`).
    "exertion": (
        "stairs", "walking up", "walk up", "uphill", "hill", "exercise", "exercising",
        "exertion", "running", "gym", "climbing", "when i walk", "when i run", "after walking",
        "a bit", "a little", "slightly", "mild", "bit of", "with this cold", "with my cold",
        "with the cold", "when i lie flat",
    ),
    # How cardiac pain feels: with "chest" it is a definite ACS pattern.
    "cardiac quality": (
        "crushing", "crushed", "crush", "squeezing", "squeezed", "squeeze", "squeezes",
        "apreton", "apretón", "presion", "presión", "dolor",
        "pressure", "heavy", "heaviness", "weight", "elephant", "elephants", "vice", "vise",
        "band", "clamp", "clamped", "gripping", "tightness", "tight", "tightening",
        "constricting", "pressing",
    ),
    # Idioms: "the parking price nearly gave me a heart attack" (used in EXCEPTIONS).
    "figurative heart attack": (
        "heart attack waiting to happen",
        "(nearly|almost|practically) ~ (had|have|having) ~ a heart attack",
        "(nearly|almost|practically|gonna|going to|will|would|could) ~ (gave|give|giving|have) "
        "~ (me|him|her|us|them|you) ~ heart attack",
        "gave|give|giving ~ (me|him|her|us|them|you) ~ (a heart attack|heart attacks)",
    ),
    # A patient's own label for the pain; cardiac when it comes with radiation or sweating.
    "indigestion": (
        "indigestion", "heartburn", "heart burn", "reflux", "acid", "wind", "trapped wind",
        "gas pain*",
    ),
    "heart attack": (
        "heart attack", "heart attach", "hard attack", "heart a tack", "heart attacks",
        "my heart ~ (stopping|giving out|packing in)",
        "(stents|stints|stent|stint|bypass|angioplasty) ~ (again|same|squeez*|pressure|tight*|"
        "pain|heavy)", "(spray|sprays|gtn) ~ (isnt touching|not touching|doing nothing|"
        "isnt working|not helping|didnt touch|hasnt touched)",
        "(spray|sprays|gtn|nitro|nitroglycerin|angina spray|squirts|puffs) ~ (tongue|no better|"
        "not working|didnt help|hasnt helped|not helped|still there)",
    ),
    "radiation": (
        "radiat*", "spread* ~ arm|arms|jaw|neck|shoulder|shoulders|back|teeth|elbow",
        "goes|going|went|moves|moving|moved|shoots|shooting|shot|travels|travelling|traveling|"
        "runs|running|ran|spreading|spreads|spread ~ arm|arms|jaw|neck|shoulder|shoulders|"
        "back|teeth|elbow|wrist",
        "down ~ arm|arms", "into ~ arm|arms|jaw|neck|shoulder|shoulders|teeth",
        "up ~ (into|to) ~ jaw|neck|teeth",
        "arm|arms|jaw|shoulder|shoulders|elbow|wrist|teeth ~ hurt|hurts|hurting|pain|pains|"
        "aching|ache|aches|numb|numbness|heavy|tingling|tingly|dead|funny|weird|sore",
        "{pain}|numb|numbness|tingling|tingly|pins ~ arm|arms|jaw|shoulder|teeth|elbow",
        "left arm", "arm ~ numb*|tingl*|dead|heavy|weak*",
        "(rubbing|holding|clutching|gripping) ~ (jaw|arm|left arm|neck)",
    ),
    "sweating": (
        "sweating", "sweaty", "sweats", "sweated", "sweat", "diaphore*", "clammy", "drenched",
        "soaked in sweat", "pouring with sweat", "pouring sweat", "dripping with sweat",
        "cold sweat", "sweatin", "wringing wet", "wet through",
    ),
    "nausea": (
        "nause*", "sick to my stomach", "feel|feeling|felt|feels sick", "{vomit} ~ up",
        "vomit*", "queasy", "being sick", "been sick", "retching",
    ),
    "shortness of breath": (
        "short* of {breathe}", "short of breathe", "shortness of breadth", "breathless*",
        "out of breath", "cant|cannot|couldnt ~ {breathe}", "can not ~ {breathe}",
        "unable to ~ {breathe}",
        "not able to ~ {breathe}", "hard|harder|difficult|tough|struggle|struggling|trouble|"
        "difficulty|problem|problems|laboured|labored ~ {breathe}", "hard time ~ {breathe}",
        "catch ~ {breathe}", "get ~ breath|air", "getting ~ breath|air", "wheez*", "gasp*",
        "breathing ~ hard|heavy|heavily|fast|quick|quickly|rapid|funny|weird|noisy|laboured|"
        "labored|difficult|bad|awful|shallow|strange|rough", "air hunger", "winded", "puffed out",
        "puffing", "panting", "fighting for ~ breath|air", "no air", "suffocat*", "smother*",
        "inhaler|inhalers|puffer|pump|nebuliser|nebulizer ~ not|isnt|no|doesnt|"
        "didnt|arent|wont ~ help*|work*|touch*", "asthma ~ attack|bad|worse|flare|flared|"
        "playing", "chesty and|& ~ wheez*", "breathlessness", "dyspn*", "sob",
        "(inhaler|inhalers|puffer|blue one|pump|nebuliser) ~ (doing nothing|not doing anything|"
        "useless|no good|not working|isnt working)",
        "lungs ~ tight|closing|burning|wont", "cant get ~ breath|air|enough", "heavy breathing",
    ),
    # Breathing trouble a nurse must see first: effort, can't talk, colour, failing inhaler.
    "breathing distress": (
        "cant|cannot|couldnt ~ {breathe}", "can not ~ {breathe}", "unable to ~ {breathe}",
        "not able to ~ {breathe}", "struggling|fighting|battling ~ {breathe}",
        "gasping", "gasps", "gasped", "cant get ~ breath|air", "cant catch ~ breath",
        "(inhaler|inhalers|puffer|blue one|nebuliser) ~ (doing nothing|not doing anything|"
        "useless|no good|not working|isnt working|not touching it)", "cant get a breath",
        "(cant|cannot|couldnt|unable to) ~ speak|talk|say|finish ~ sentence|sentences|words|"
        "word|properly", "cant|cannot|couldnt ~ talk|speak ~ {breathe}",
        "one|two|few|couple|three word|words ~ at a time", "one|two|few word|words ~ then|between",
        "between ~ (breaths|each breath)", "{breathe} ~ really|very|so|super|too|extremely ~ "
        "fast|hard|heavy|quick|bad|rapid|shallow|noisy",
        "sucking in ~ ribs|neck|chest|stomach|tummy|belly|under",
        "ribs ~ sucking|pulling|showing|sinking", "tummy|belly|stomach ~ sucking|sinking|"
        "pulling", "using ~ stomach|tummy|neck|shoulder ~ muscles", "nostrils ~ flar*",
        "grunting", "head bobbing", "inhaler|inhalers|puffer|pump|nebuliser|nebulizer "
        "~ not|isnt|no|doesnt|didnt|arent|wont ~ help*|work*|touch*", "asthma attack",
        "worst asthma", "suffocat*", "can hardly ~ {breathe}",
        "barely ~ {breathe}", "short* of {breathe} ~ rest|sitting|lying|talking|nothing",
        "breathless ~ rest|sitting|lying|talking|nothing", "cant lie down ~ {breathe}",
        "tripod*", "leaning forward ~ {breathe}", "cant|cannot breed|brief|breeze|breath",
        "(cant|cannot|couldnt) get to the end of ~ (sentence|a sentence|what|my sentence)",
        "(stop|stopping|stops) ~ every ~ (couple|few|two|three|other) ~ words",
        "(suck|sucking|gasp|gasping) ~ (in air|for air|air in)", "#many puffs",
        "(in hailer|in hailers) ~ (doing nothing|not working|useless|no good)",
        "(cant|cannot|couldnt) finish ~ (saying|what im saying|talking|speaking|my sentence|"
        "sentences|a sentence|what)",
        "{breathe} ~ (like a|like he|like she) ~ ran|running|marathon|fish",
        "{breathe} ~ every|each ~ word",
    ),
    # An airway in danger: not breathing, choking, stridor, blue.
    "airway threat": (
        "not breathing", "stopped breathing", "stop breathing", "no longer breathing",
        "isnt breathing", "wasnt breathing", "arent breathing", "not breathin",
        "chok*", "something ~ stuck ~ throat|windpipe|airway|chest",
        "stuck in ~ throat|windpipe|airway", "stridor",
        "high pitched ~ noise|sound|breath|breathing|when", "whooping|crowing|"
        "squeaky|squeaking|noisy|seal|barking|whistling|rasping|raspy ~ noise|sound|breath|"
        "breathing|breathes|when|in",
        "(noise|sound|noises|sounds) ~ (when|as) ~ (breathes|breathing|breathe|breaths)",
        "(whistly|whistling|high|squeaky|crowing|rattly|rasping|barky) ~ (noise|sound) ~ "
        "(breathe|breathes|breathing|breath|breaths)",
        "(wants to|has to|needs to|will only|only wants to|keeps) ~ sit ~ (forward|up) ~ "
        "(drool*|dribbl*|breath*)", "(drool*|dribbl*) ~ (wont lie|cant lie|sit forward|"
        "sitting forward)",
        "{blue} ~ lips|face|mouth|around|tinge|colour|color|tongue",
        "lips|face|mouth|tongue ~ {blue}", "lips ~ white|pale",
        "turning|turned|going|went|gone|go|goes ~ {blue}",
        "cant|cannot|couldnt|wont ~ swallow ~ spit|saliva|drool*|own",
        "drool*|dribbl* ~ cant|wont|cannot ~ swallow", "throat ~ closing|closed|shut",
        "airway", "windpipe", "cyano*", "turning a funny colour|color",
    ),
    # Smoke, fumes and gases.
    "toxic inhalation": (
        "smoke inhalation", "in the smoke", "(coughing|coughed|spitting) ~ (black|soot|sooty)",
        "{breathe}|inhaled|inhaling|inhale|swallowed|took|sucked ~ in ~ "
        "smoke|fumes|gas|gases|chemical*|chlorine|ammonia|bleach|spray",
        "breathed|inhaled|inhaling|breathing ~ smoke|fumes|gas|chemical*|chlorine|ammonia|"
        "bleach", "carbon monoxide", "co alarm|detector", "carbon monoxide alarm|detector",
        "house fire", "fire ~ smoke", "smoke ~ fire|flat|house|room|kitchen|lungs",
        "fumes", "gas leak", "chlorine", "mixed ~ bleach ~ with|and", "bleach and ammonia",
        "boiler ~ leak*|broken|faulty|fumes", "generator ~ garage|inside|indoors",
        "exhaust fumes", "paint fumes",
    ),
}
# fmt: on
