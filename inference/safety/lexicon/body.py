"""Diabetes emergencies, a limb losing its blood supply, testicular torsion, severe pain and
anaphylaxis."""

from __future__ import annotations

# fmt: off
CONCEPTS: dict[str, tuple[str, ...]] = {
    "diabetes": (
        "diabet*", "diabetic", "diabeetus", "type ~ (1|one|2|two|i) ~ (diabetes|diabetic)",
        "type one", "type 1", "insulin", "blood sugar*", "sugars", "glucose", "hypo", "hypos",
        "hypoglyc*", "hyperglyc*", "ketone*", "key tones", "dka", "metformin", "{sugar} ~ "
        "(reading|level|levels|meter|monitor|sensor)", "libre", "dexcom",
    ),
    # New thirst and weeing, as a child with undiagnosed diabetes shows it: with vomiting,
    # fast breathing or drowsiness a possible diabetic ketoacidosis.
    "diabetes symptoms": (
        "(drinking|drinks|drink|thirsty) ~ (loads|lots|constantly|all the time|so much|non stop|"
        "gallons|like a fish) ~ (weeing|peeing|wee|wees|pee|pees|toilet|loo|urinating|bed)",
        "(weeing|peeing|wee|wees|pee|pees|urinating) ~ (loads|lots|constantly|all the time|so "
        "much|non stop) ~ (drinking|drinks|thirsty)",
    ),
    "high sugar": (
        "{sugar} ~ (high|sky high|through the roof|off the chart|off the charts|off the scale|"
        "hi|wont come down|not coming down|keeps going up|over|above|in the 20s|in the 30s|"
        "in the twenties|in the thirties|500|600|huge|massive|really high|very high|crazy high)",
        "(meter|monitor|sensor|machine|reading) ~ (hi|says hi|reads hi|high|error|just says)",
        "just says hi", "says hi", "reading hi", "(ketone|ketones|key tones) ~ (high|positive|"
        "#|moderate|large|big|really|up|purple|dark)", "(high|positive|large) ~ ketone*",
        "dka", "ketoacidosis", "keto acidosis", "diabetic ketoacidosis",
        "(fruity|pear drop|pear drops|peardrop|peardrops|nail polish|nail varnish|acetone|"
        "sweet|fruit) ~ (breath|smell*|smelling)", "breath ~ (smell*|smells) ~ (fruity|sweet|"
        "pear|acetone|nail|funny|weird|like)", "hyperglyc*",
        "(really|very|so|super|extremely) ~ thirsty ~ (peeing|weeing|urinating|drinking)",
    ),
    "low sugar": (
        "{sugar} ~ (low|crashed|crashing|dropped|dropping|plummeted|plummeting|tanked|"
        "wont come up|not coming up|keeps dropping|under|below|lo|in the 2s|in the 1s|"
        "really low|very low|super low)", "(meter|monitor) ~ (lo|says lo|low)", "hypo",
        "hypos", "hypoglyc*", "going hypo", "gone hypo", "(low|dropping) ~ blood sugar*",
        "(took|gave|given|injected) ~ (too much|double|wrong|extra|twice) ~ insulin",
        "insulin ~ (overdose|too much|twice|double)",
    ),
    "diabetic danger": (
        "{vomit}", "vomit*", "being sick", "cant keep ~ (anything|fluids|water) ~ down",
        "(breathing|breaths|breath) ~ (fast|deep|heavy|deeply|quickly|rapid|really|funny|"
        "weird|big|gasping)", "kussmaul", "confus*", "drowsy", "sleepy", "not making sense",
        "(tummy|stomach|belly|abdominal) ~ (pain|ache|hurts|hurting)", "dehydrat*",
        "(wont|doesnt|not|cant) ~ (come up|go up|respond|wake)", "shaky", "shaking",
        "sweaty", "sweating", "clammy", "slurr*", "fit", "seizure*", "collapsed",
        "passed out", "unconscious", "unresponsive", "aggressive", "drunk", "not himself",
        "not herself", "weird", "strange",
    ),
    "limb ischaemia": (
        "{limb} ~ (cold|freezing|icy|ice cold|stone cold|white|pale|no pulse|like ice|waxy|"
        "marble|cold and blue|blue and cold)", "(cold|freezing|icy|white|pale|waxy) ~ {limb}",
        "(cant|cannot|couldnt|no one can|nobody can|they cant) ~ (feel|find) "
        "~ (pulse|a pulse|the pulse)", "no pulse ~ {limb}|foot|ankle|wrist",
        "pulse ~ (gone|missing|cant find|not there)", "(cold|white|pale) ~ and ~ (numb|"
        "painful|dead|tingly)", "ischaemi*", "ischemi*", "clot ~ (leg|arm|artery)",
    ),
    # Colour and cold said of a limb further away ("my leg suddenly got really painful and
    # it's gone a bluey pale colour and it's cold to touch").
    "limb": ("{limb}",),
    "limb cold": (
        "cold to ~ touch", "ice cold", "freezing", "icy", "stone cold", "like ice",
        "(bluey|bluish|blue|pale|white|grey|gray|mottled|waxy|purple|dusky) ~ (colour|color)",
        "(gone|going|turned|turning) ~ (white|pale|blue|bluey|grey|dusky|purple|dark|black)",
    ),
    "limb ischaemia danger": (
        "sudden*", "cold and (white|pale|blue)", "(white|pale) and cold",
        "(cant|cannot|couldnt) feel ~ (toes|fingers|foot|feet|hand)",
        "(going|gone|turning|turned) ~ (dark|black|blue|purple)",
        "worse and worse", "getting worse", "(cast|plaster|bandage|splint) ~ (tight|too tight|"
        "on)",
        "heart flutter", "atrial fibrillation", "afib", "a fib", "irregular heart*",
        "(pain|pains|agony|hurts|hurting|painful|killing|excruciating|severe)",
        "numb*", "tingl*", "pins and needles", "cant move", "cant feel", "no pulse",
        "weak*", "paralys*", "dead", "out of nowhere", "all of a sudden",
        "(cant|cannot|couldnt) ~ (find|feel|get) ~ (pulse|a pulse|the pulse|pules|a pules)",
    ),
    "testicle": (
        "{testicle}", "privates", "private", "private parts", "manhood", "down there",
        "his you know",
        "down below",
        "(one|his|my|me|left|right) (ball|balls|nut|nuts|sack|sac)",
        "side of (his|my) (ball|balls|nut|nuts|sack|sac)", "(test ickle|test ickles|testickle)",
        "(scroll term|scrotum)",
        "family jewels", "crown jewels",
        # A blow there: "took a knee to the groin" (a groin strain is not a blow).
        "(knee*|kick*|kicked|hit|struck|whacked|kneed|ball) ~ (to|in|into) ~ "
        "(the|his|my|me) groin",
        "(sitting|riding|sits|pulled|drawn|sat) (high|higher|up high|high up|right up)",
        "test tickle", "test tickles",
    ),
    "testicle danger": (
        "sudden*", "(pain|pains|agony|hurts|hurting|painful|killing|excruciating|severe|"
        "throbbing|screaming|crying)", "swell*", "swollen", "high up", "higher", "twisted",
        "(big|swollen|huge|red) and (red|swollen|hot|hard)", "one side ~ (big|bigger|swollen|red)",
        "twist*", "torsion", "{vomit}", "being sick", "woke ~ (pain|up)", "cant walk",
        "red and|& ~ swollen",
    ),
    "severe pain words": (
        "worst pain", "worst ~ (pain|ever|of my life|in my life|ive ever|he has ever|"
        "she has ever|ever had|ever felt)", "pain ~ worst", "unbearable", "excruciating",
        "agony", "agonising", "agonizing", "screaming ~ (pain|in pain|with pain|the place)",
        "like nothing (ive|i have|hes|shes|he has|she has|theyve|id|hed|shed) ever (had|felt)",
        "worse pain ~ (ever|in my life|of my life)", "pain ~ (too much|too bad) ~ (crying|cry|"
        "cannot|cant|screaming|unbearable)",
        "sickle (crisis|cell crisis)", "pain ~ (is|was|its|getting) (too much|unbearable)",
        "(crying|cry|sobbing|howling|screaming) ~ (with|in|from|because of) ~ (pain|the pain)",
        "(cant|cannot|couldnt) ~ stop ~ (crying|screaming|moaning)", "writhing",
        "doubled over", "double over", "(cant|couldnt|cannot) ~ (stand|bear|take|cope with|"
        "handle) ~ (the pain|it|this pain|pain)", "pain ~ (cant|couldnt|cannot) ~ (stand|bear|"
        "take|cope|handle|move|walk|talk|think|sleep|breathe)",
        "off the scale", "off the charts", "off the chart",
        "worse than ~ (childbirth|labour|labor|giving birth|having a baby|breaking|broken|"
        "kidney stone|being stabbed)", "never ~ (pain|felt pain|had pain) ~ (like|this bad|so bad)",
        "never ~ (felt|had) anything ~ (like this|this bad|so bad|like it)",
        "(screaming|crying|howling|wailing) ~ (with|in|from) ~ (her|his|my|the) ~ (belly|tummy|"
        "head|back|chest|ear|side|stomach)", "rolling ~ (about|around) ~ (floor|bed|ground)",
        "(intense|severe|horrendous|horrific|crippling|incredible|extreme|insane|"
        "unimaginable|blinding|searing|immense) ~ (pain|pains|agony)",
        "pain ~ (severe|intense|horrendous|horrific|crippling|extreme|insane)",
        "climbing the walls", "rolling around", "passed out from the pain",
        "(screaming|crying|howling|moaning|writhing|wailing) ~ (holding|clutching|grabbing|"
        "rolling|rubbing) ~ (belly|tummy|stomach|head|chest|side|back|ear|leg|arm)",
        "never ~ seen ~ (him|her|them) ~ like this", "never seen him|her in so much pain",
        "(crying|sobbing|screaming|in tears) ~ (with it|from it|with the pain|because of it)",
        "(killing me|agony|hurts|pain|painful) ~ (cant cope|can not cope|cannot cope)",
        "(cant|cannot) cope ~ (pain|the pain|it hurts)",
    ),
    "throat swelling": (
        "throat ~ (swell*|swollen|closing|tight*|thick|closed|shut|narrow*|funny|scratchy and)",
        "swell* ~ (throat|tongue|lips|lip|mouth|face|eyes|eyelids)", "tongue ~ (swell*|swollen|"
        "huge|massive|thick|big|fat|puffy|tingl*)",
        "(lips|lip|mouth|face|tongue|eyes) ~ (blowing up|blown up|ballooning|puffing up|puffed up|"
        "going big|gone big|fat)", "(lips|lip|mouth) ~ (swell*|swollen|huge|"
        "massive|puffy|puffed|blown up|like a)", "throat is closing", "closing up",
        "(cant|cannot|hard to|struggling to|trouble|difficulty) ~ swallow",
        "face ~ (swell*|swollen|puffed|blown up|ballooned|puffy)", "angioedema",
        "(puffy|swollen|puffed up|puffing up) ~ (face|lips|eyes|mouth|tongue)",
        "angio oedema", "angio edema",
    ),
    "allergy trigger": (
        "(ate|eating|eaten|had|tried|bit|tasted|touched|after) ~ (peanut*|nut|nuts|cashew*|"
        "almond*|walnut*|pistachio*|hazelnut*|shellfish|prawn*|shrimp|lobster|crab|mussels|"
        "fish|egg|eggs|sesame|kiwi|satay|pesto|a takeaway|takeaway)",
        "peanut*", "(bee|bees|wasp|wasps|hornet|hornets|jellyfish) ~ (sting*|stung)",
        "(sting|stung|stinging|bitten|bite|bit) ~ (bee|bees|wasp|wasps|hornet|insect|by)",
        "stung", "new ~ (medicine|medication|pill|pills|tablet|tablets|drug|antibiotic*|"
        "prescription)", "(took|taken|started|first dose|given|had) ~ (antibiotic*|"
        "penicillin|amoxicillin|amoxil|augmentin|ibuprofen|aspirin|injection|jab|contrast|"
        "dye|vaccine)", "injection", "contrast", "latex", "allergic reaction",
        "anaphyla*", "anna flactic", "epipen*", "epi pen", "happy pen", "adrenaline",
        "auto injector", "allergen",
    ),
    # A voice gone hoarse counts only after a trigger or with hives (the throat swelling).
    "voice change": ("(voice|voices) ~ (hoarse|croaky|gone funny|changed|gone all|husky)",),
    # Saying one has an allergy is usually history ("I'm allergic to penicillin"), not an
    # exposure: with breathing trouble it fires as possible, for a nurse to ask.
    "allergy mention": (
        "allerg*", "penicillin", "antibiotic*", "reaction",
    ),
    "hives": (
        "hives", "welts", "all blotchy", "blotchy all over",
        "(rash|blotchy|blotches|lumps|bumps|welts|red) ~ head to toe",
        "(itchy|itching|itch) ~ (everywhere|all over|head to toe)", "wheals",
        "weals", "nettle rash", "urticaria",
        "itchy ~ (lumps|bumps|blotches|rash all over|welts)", "rash ~ (all over|everywhere|"
        "spreading|spread)", "(red|blotchy|covered) ~ all over", "covered in ~ (rash|spots|"
        "hives|welts|blotches|lumps|bumps|red)", "(blotches|lumps|bumps) ~ all over",
        "flushed ~ all over", "covered in ~ highs|hides|hive",
    ),
}
EXCEPTIONS: dict[str, tuple[str, ...]] = {
    "low sugar": ("(a bit|a little|slightly|bit|little) ~ low", "low ish", "lowish"),
    "high sugar": ("(a bit|a little|slightly|bit|little) ~ high", "high ish", "highish"),
}
# Used as `unless` (same sentence) on the limb rule: cold, white fingers in the cold.
CONCEPTS["cold triggered"] = (
    "in the cold", "when its cold", "when it is cold", "cold weather", "raynaud*", "reynaud*",
    "always cold", "always get cold", "every winter", "in winter", "chilblain*",
    "from the cold", "outside in the cold", "in the snow", "warm them up|up",
)
# fmt: on
