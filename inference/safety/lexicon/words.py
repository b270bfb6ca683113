"""Word sets the patterns share: `{chest}` in a pattern means any word listed here under
"chest". Lay, British and American words side by side; plurals spelled out where a prefix
(`hurt*`) would also catch unrelated words."""

from __future__ import annotations

# fmt: off
WORD_SETS: dict[str, tuple[str, ...]] = {
    "chest": (
        "chest", "chests", "breastbone", "sternum", "ribcage", "heart", "chesty", "chess", "ribs",
        "breast bone", "pecho",
    ),
    # How pain is described, including the pressure words typical of cardiac pain.
    "pain": (
        "pain", "pains", "painful", "hurt", "hurts", "hurting", "ache", "aches", "aching", "achy",
        "sore", "soreness", "pressure", "tight", "tightness", "tightening", "heavy", "heaviness",
        "crushing", "crushed", "crush", "squeezing", "squeezed", "squeeze", "squeezes",
        "stabbing", "discomfort", "weight", "band", "vice", "vise", "gripping", "grip", "clamp",
        "clamped", "clamping", "pushing", "pressing", "agony", "burning", "twinge", "twinges",
        "pane", "paine", "painin", "killing", "throbbing", "sharp", "knife",
    ),
    "limb1": ("arm", "leg", "hand", "foot", "fingers", "hands"),
    "limb": (
        "arm", "arms", "leg", "legs", "hand", "hands", "foot", "feet", "fingers", "toes", "calf",
        "thigh", "limb", "limbs",
    ),
    "side": ("side", "left", "right", "half"),
    "face": ("face", "mouth", "smile", "lip", "lips", "cheek", "eye", "eyelid", "eyebrow"),
    "relative": (
        "mum", "mom", "mother", "mam", "mummy", "mommy", "ma", "dad", "father", "daddy", "papa",
        "pa", "brother", "sister", "bro", "sis", "grandma", "grandmother", "gran", "granny",
        "grandmum", "grandmom", "nan", "nana", "nanna", "nanny", "grandad", "granddad",
        "grandpa", "grandfather", "grandparents", "grandparent", "uncle", "aunt", "auntie",
        "aunty", "cousin", "cousins", "parents", "parent", "son", "daughter", "husband", "wife",
        "partner", "boyfriend", "girlfriend", "stepdad", "stepmum", "stepmom", "brothers",
        "sisters", "siblings", "sibling", "niece", "nephew", "grandson", "granddaughter",
        "da", "mammy", "granda", "grandda", "gramps",
    ),
    "infant": (
        "baby", "babys", "babies", "infant", "newborn", "newborns", "bub", "bubba", "babe",
        "little", "son", "daughter", "he", "she", "hes", "shes", "him", "her",
    ),
    "vomit": (
        "vomit", "vomits", "vomited", "vomiting", "vomitting", "throwing", "threw", "throw",
        "throws", "sick", "puke", "puked", "puking", "spewing", "spewed", "retching", "heaving",
        "spewin", "spew", "spews", "boaking", "boaked", "boak",
    ),
    "breathe": (
        "breathe", "breath", "breathing", "breathes", "breathed", "breth", "breathe", "breed",
        "brief", "breeze", "breathin", "air", "breed", "breathed", "bread", "breaths",
    ),
    "drug": (
        "pills", "pill", "tablets", "tablet", "tabs", "meds", "medicine", "medicines",
        "medication", "medications", "capsules", "paracetamol", "paracetamols", "tylenol",
        "acetaminophen", "ibuprofen", "advil", "nurofen", "motrin", "aspirin", "codeine",
        "cocodamol", "tramadol", "oxycodone", "oxy", "oxys", "morphine", "fentanyl", "heroin",
        "methadone", "opioids", "opiates", "painkillers", "painkiller", "xanax", "diazepam",
        "valium", "benzos", "antidepressants", "sertraline", "citalopram", "fluoxetine",
        "amitriptyline", "quetiapine", "lithium", "insulin", "gummies", "edibles",
        "pregabalin", "gabapentin", "zopiclone", "propranolol", "warfarin", "digoxin",
        "metformin", "sleepers", "uppers", "downers", "percocet", "vicodin", "oxycontin",
        "benadryl", "antihistamines", "nytol", "lorazepam", "clonazepam", "ambien",
        "zolpidem", "amlodipine", "atenolol", "iron",
    ),
    "poison": (
        "bleach", "antifreeze", "anti", "weedkiller", "weed", "paraquat", "pesticide",
        "pesticides", "insecticide", "rat", "methanol", "petrol", "gasoline", "gas", "kerosene",
        "paraffin", "turps", "turpentine", "spirit", "spirits", "cleaner", "cleaning",
        "detergent", "chemical", "chemicals", "lighter", "mouthwash", "perfume", "acetone",
        "varnish", "liquid", "juice", "disinfectant", "dettol", "lysol", "ammonia", "poison",
        "toilet", "descaler", "fluid", "solvent", "glue", "slug", "pellets", "screenwash",
    ),
    "crash_vehicle": (
        "car", "cars", "motorway", "highway", "freeway", "motorbike", "motorcycle", "bike",
        "scooter", "moped", "van", "truck", "lorry", "bus", "vehicle", "taxi", "cab", "road",
        "traffic", "quad", "atv", "tractor", "pedestrian", "ute", "4wd", "pickup", "suv",
        "jeep", "lorry", "bakkie", "combine", "quadbike", "utv", "buggy", "dune buggy", "semi",
        "forklift", "fork lift", "digger", "semi truck", "eighteen wheeler",
        "four wheeler", "fourwheeler", "side by side", "golf cart", "snowmobile", "jet ski",
    ),
    "height": (
        "roof", "ladder", "scaffold", "scaffolding", "balcony", "window", "height", "heights",
        "tree", "cliff", "building", "storey", "story", "stories", "storeys", "floors", "wall",
        "horse", "loft", "attic", "bridge", "platform", "mezzanine", "bunk", "rooftop",
    ),
    "testicle": (
        "testicle", "testicles", "testical", "testicals", "testes", "testis", "testicular",
        "ical", "icle", "icles",
        "scrotum", "scrotal", "bollock", "bollocks", "nads", "goolies", "nutsack", "scrote",
    ),
    "blue": (
        "blue", "bluish", "blueish", "grey", "gray", "greyish", "grayish", "purple", "dusky",
        "ashen",
    ),
    "thinner": (
        "anticoagulant", "anticoagulants", "anticoagulated", "thinner", "thinners", "thinning",
        "warfarin", "warfin", "coumadin", "apixaban", "eliquis", "rivaroxaban", "xarelto",
        "dabigatran", "pradaxa", "edoxaban", "lixiana", "clopidogrel", "plavix", "heparin",
        "clexane", "enoxaparin", "ticagrelor", "brilinta", "warfare", "apixa", "saban", "finners",
        "pixaban", "apixiban", "eloquence", "eloquis", "elequis", "eliquiss",
    ),
    "stool": (
        "poo", "poos", "poop", "poops", "pooping", "pooed", "stool", "stools", "bowel",
        "bowels", "bm", "bms", "diarrhoea", "diarrhea", "feces", "faeces", "crap", "shit",
        "nappy", "nappies", "diaper", "diapers",
    ),
    "sugar": (
        "sugar", "sugars", "glucose", "bg", "bgs", "bm", "bms", "reading", "readings", "meter",
        "monitor", "sensor", "libre", "dexcom", "cgm", "levels", "level",
    ),
}
# fmt: on
