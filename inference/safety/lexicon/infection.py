"""Fever and infection: meningitis and sepsis signs, and how parents say a baby is hot."""

from __future__ import annotations

# fmt: off
CONCEPTS: dict[str, tuple[str, ...]] = {
    # A fever *claim*; measured temperatures are read as numbers (inference.safety.vitals).
    "fever": (
        "fever*", "febrile", "feverish", "pyrexi*", "hot to the touch", "hot to touch",
        "burning up", "high temp*", "running a ~ temperature|temp|fever",
        "has|had|got|have|with|spiked|spiking ~ a ~ temperature|temp|fever",
        "temperature|temp ~ (high|up|went up|spiked|keeps going up|sky high|through the roof|"
        "wont come down|not coming down|keeps coming back)", "roasting", "boiling ~ hot|up",
        "on fire", "hot and|& ~ cold",
        "(feels|felt|feel|is|was|so|really|very|been|boiling|red|quite) hot", "hot head",
        "chills", "rigors", "shivery", "shivering",
    ),
    "stiff neck": (
        "stiff ~ neck", "neck ~ (stiff*|rigid|cant bend|wont bend|cannot bend|hurts to bend|"
        "sore to move|cant move|wont move|hurts to move|is sore|really sore|so sore)",
        "(cant|cannot|unable to|wont|not able to) ~ (bend|move|put|touch|get) ~ (neck|chin|"
        "head forward|head down)", "chin ~ (to|on|onto|touch) ~ chest", "stiff next",
        "neck stiffness", "meningism*",
    ),
    "photophobia": (
        "light ~ (hurt*|bother*|sensitive|cant stand|painful|too bright|killing)",
        "(hurt*|cant stand|cant bear|sensitive to|hates|hate|bothered by) ~ (the light|light|"
        "lights|brightness|bright)", "photophob*", "keeps|keep ~ (eyes shut|eyes closed)",
        "curtains ~ (closed|shut|drawn)", "(in the dark|dark room)",
    ),
    "non blanching rash": (
        "rash|spots ~ (doesnt go|didnt go|wont go|dont go|doesnt go away|didnt go away) ~ "
        "(glass|press|pressed|push|pushed|tumbler)",
        "rash|spots ~ (doesnt fade|does not fade|not fading|wont fade|didnt fade|dont fade|"
        "doesnt blanch|not blanch*|didnt blanch|wont blanch|doesnt go white|didnt go white|"
        "still there under|still see it through|stayed under)",
        "(glass|tumbler|cup|glass text|glass test) ~ (doesnt fade|does not fade|didnt fade|"
        "not fade|wont fade|dont fade|still see|still there|can see it through|didnt go|"
        "doesnt go|stayed|still showing|not fading|doesnt disappear|didnt disappear)",
        "(doesnt fade|didnt fade|not fading|wont fade|dont fade|still see|still there) ~ "
        "(glass|tumbler)",
        "(purple|purply|dark red|maroon|purplish) ~ (spots|rash|blotches|marks|dots|bruise*|"
        "patches|pinpricks)", "pin ~ prick*", "pinprick*", "pinpoint", "petechia*",
        "purpura", "purpuric", "tiny ~ (red|purple|dark) ~ (spots|dots|marks)",
        "spots ~ (dont|doesnt|not|wont|didnt) ~ fade|blanch|go", "non blanching",
        "nonblanching", "bruis* ~ (everywhere|all over|for no reason|appearing|from nowhere|"
        "out of nowhere)", "blood spots", "spots like bruises",
    ),
    "mottled skin": (
        "mottl*", "blotchy ~ (skin|blue|purple|legs|arms|all over)", "skin ~ (blotchy|mottled|"
        "blue|grey|gray|patchy|marbled|lacy|lace|like marble|funny colour|funny color|pale and)",
        "marbled", "(pale|white|grey|gray) and|& ~ (floppy|clammy|blotchy)",
        "cold ~ (hands and feet|hands|feet) ~ (but|and) ~ (hot|fever|temperature)",
    ),
    "rigors": (
        "rigors", "rigours", "(shaking|shivering|shakes|shivers) ~ (uncontrollab*|cant stop|"
        "couldnt stop|violent*|whole bed|teeth chattering|so bad|badly)",
        "uncontrollab* ~ (shak*|shiver*)", "teeth|teet ~ chatter*", "shaking chills",
        "(freezing|cold) and (shaking|shivering)",
        "(shaking|shivering|shivers|shakes|freezing) ~ (under|with|in) ~ (blankets|duvet|covers|"
        "quilt|coats|bed)",
    ),
    "very unwell": (
        "very|really|so|extremely|seriously|desperately ~ (unwell|ill|poorly|sick)",
        "never ~ (been|seen|felt) ~ (this|so) ~ (ill|poorly|sick|unwell)",
        "something ~ (very wrong|really wrong|seriously wrong)", "feel like ~ dying",
        "(going to|gonna|fixing to|about to) ~ die", "feel like ~ (im dying|dying|i am dying|"
        "im going to die|death)", "worst ~ (ever felt|ive felt|i have felt)",
        "not (peed|weed|urinated|passed urine|wee) ~ (all day|hours|since|today|for)",
        "(no|hasnt had a|havent had a|not had a|hasnt done a) ~ (wee|pee|wet nappy|"
        "wet diaper|urine) ~ (all day|hours|since|today|for)",
        "(dry|no wet) ~ (nappy|nappies|diaper|diapers)",
        "(breathing|heart) ~ (fast|racing|really fast|very fast)",
        "going downhill fast", "deteriorat*", "getting worse ~ by the hour|fast|quickly",
        "high pitched ~ (cry|crying|scream|screaming)", "(cry|crying) ~ (high pitched|not like "
        "him|not like her|weird|strange)",
    ),
    # A baby's soft spot bulging: meningitis until shown otherwise.
    "bulging fontanelle": (
        "(soft spot|fontanelle|fontanel|fontanelles) ~ (bulging|bulge|bulges|swollen|raised|"
        "sticking up|tense|tight|puffed up|pushing out)",
    ),
    "sepsis risk": (
        "sepsis", "septic", "blood poison*", "neutropeni*", "chemo", "chemotherapy", "kemo",
        "immunosuppress*", "immunocompromis*", "transplant", "no spleen", "spleen removed",
        "on steroids", "low white|immune ~ count|system", "cancer treatment",
    ),
    # How parents describe a baby's fever without a number.
    # Only read for a baby under 3 months: "hot" alone is enough there (exceptions below).
    "infant hot": (
        "hot", "warm", "burning up", "roasting", "boiling", "on fire", "clammy",
    ),
}
EXCEPTIONS: dict[str, tuple[str, ...]] = {
    "infant hot": (
        "hot|warm ~ (weather|day|water|drink|tea|bath|shower|room|car|summer|milk|bottle|"
        "flat|house|pack|compress|food)", "(too|the|a) ~ (hot|warm) ~ (in here|outside)",
        "not hot", "isnt hot", "warm enough", "keep ~ warm", "wrapped ~ warm",
    ),
    "fever": (
        "hot ~ (weather|day|water|drink|tea|bath|shower|flush*|flash*|room|car|summer)",
        "(temperature|temp) ~ (normal|fine|ok|okay|went down|came down|settled|is down)",
        "hay fever", "hayfever", "glandular fever", "scarlet fever",
    ),
}
# fmt: on
