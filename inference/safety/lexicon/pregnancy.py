"""Pregnancy and its emergencies: bleeding, ectopic signs, pre-eclampsia, fewer movements."""

from __future__ import annotations

# fmt: off
CONCEPTS: dict[str, tuple[str, ...]] = {
    "pregnancy": (
        "pregnan*", "preggers", "preggo", "expecting ~ (a baby|baby|twins|our first|my first|"
        "her first)", "# ~ weeks ~ (pregnant|gone|along)", "(baby|babys) ~ due", "due date",
        "trimester", "antenatal", "prenatal", "midwife", "positive ~ (test|pregnancy test)",
        "(missed|late) ~ period", "period ~ (late|overdue|missed|is late|hasnt come|didnt come|"
        "not come)", "no period", "(havent|hasnt|not) ~ had ~ (a period|my period|her period)",
        "(im|i am) # ... weeks|wks", "with child", "# weeks gone", "baby bump", "my bump",
        "her bump",
        "ivf", "gestation*",
    ),
    "after birth": (
        "(just|recently) ~ (had a baby|had the baby|gave birth|delivered)",
        "(gave|given) birth", "postpartum", "post partum", "after ~ (the birth|giving birth|"
        "delivery|my c section|the c section|the section)", "c section ~ (days|week|weeks)",
        "new mum|new mom", "# ~ (days|weeks) ~ (after|since) ~ (birth|delivery|having)",
    ),
    # Not plain "blood": "my blood pressure" is not bleeding.
    "bleeding": (
        "bleed*", "bled", "spotting", "passing clots", "clots ~ (pad|toilet|down there|knickers)",
        "passing blood",
        "blood ~ (in|on) ~ (underwear|knickers|pants|pad|pads|toilet|tissue|sheets)",
        "blood ~ down ~ (leg|legs|there)", "losing blood", "lot of blood", "lots of blood",
        "blood ~ (coming|coming out|pouring|everywhere|a lot|gushing)",
    ),
    "pelvic pain": (
        "(belly|tummy|stomach|bump|womb) ~ (hard|rock|rigid|tight like)",
        "(pain|pains|hurts|hurting|ache|aching|cramp|cramps|cramping|stabbing|sharp|agony|"
        "paining) ~ (one side|left side|right side|lower|low down|down low|pelvis|pelvic|groin|"
        "belly|stomach|tummy|abdomen|womb|side|down below)",
        "(belly|stomach|tummy|abdomen|abdominal|pelvic|pelvis|womb|side) ~ (pain|pains|hurt|"
        "hurts|hurting|ache|aching|cramp|cramps|cramping|agony|killing|sore)",
        "cramp*", "contraction*", "abdom* pain*", "period pain ~ (but|worse|much worse)",
    ),
    "shoulder tip pain": (
        "shoulder tip", "tip of ~ shoulder", "(pain|pains|hurts|ache) ~ shoulder",
        "shoulder ~ (pain|hurts|hurting|aching)",
    ),
    "preeclampsia signs": (
        "(blurr*|blurry|spots|flashing|flashes|stars|sparkles|zigzags|zig zags|sparkly|floaters) "
        "~ (vision|eyes|lights|in front|before my eyes)",
        "seeing ~ (spots|stars|flashes|flashing|lights|sparkles|zigzags|zig zags|floaters)",
        "(see|seeing|seein|saw) ~ (spot|spots|stars|flashes|sparkles|floaters) ~ (front|before|eye|"
        "eyes)",
        "flashing lights", "(vision|eyesight|eyes) ~ (blurr*|blurry|funny|weird|fuzzy|"
        "spotty|sparkly|gone funny)",
        "(swell*|swollen|puffy|puffed up|bloated) ~ (face|hands|fingers|feet|ankles|legs|eyes)",
        "(face|hands|fingers|feet|ankles|legs) ~ (swell*|swollen|puffy|puffed up|blown up)",
        "(rings|ring) ~ (wont|dont|doesnt|cant|tight)",
        "(pain|pains|ache) ~ (under|below) ~ (ribs|rib|breastbone)",
        "(blood pressure|bp) ~ (high|up|sky high|raised|through the roof)",
        "(bad|severe|terrible|awful|pounding|thumping|worst|splitting|really bad|cant shift|"
        "wont shift|wont go) ~ headache", "headache ~ (wont go|wont shift|not going|"
        "paracetamol didnt|bad|severe|pounding|awful|terrible)",
        "protein ~ (urine|wee|pee)", "pre eclampsia", "preeclampsia", "eclampsia",
    ),
    "reduced fetal movement": (
        "(baby|babys|bump) ~ (not moving|isnt moving|hasnt moved|havent felt|not kicking|"
        "isnt kicking|hasnt kicked|stopped moving|stopped kicking|moving less|kicking less|"
        "moving much less|not as much|less than usual|quiet|quieter|quieter than usual|still|"
        "very still|gone quiet|not felt|no movement|fewer)",
        "baby ~ (not|hasnt|isnt|wasnt|havent|barely|hardly) ~ (moving|moved|kicking|kicked)",
        "(hardly|barely) ~ (moved|moving|kicked|kicking|felt him|felt her|felt it)",
        "(hardly|barely) (felt|feel|feeling) ~ (nothing|anything|her|him|it|kick*|move*)",
        "(moving|kicking|movements) ~ (way less|much less|less than normal|less than usual|"
        "not much|not as much|hardly|barely|quieter)",
        "(havent felt|not felt|cant feel|cannot feel|hasnt felt|didnt feel|not feeling|"
        "havent been feeling) ~ (baby|babys|him|her|it|the baby|this one|the little one|bump|"
        "them|the twins) ~ (move|moving|kick|kicking|"
        "movements|wriggl*)",
        "(movements|movement|kicks|kicking) ~ (reduced|less|slowed|stopped|fewer|not as|"
        "different|changed|gone quiet)", "(no|less|fewer|reduced|not many) ~ (movements|"
        "kicks|movement)", "reduced fetal|foetal movement*",
    ),
    # Labour emergencies that need no other sign.
    "obstetric emergency": (
        "cord ~ (coming|come|out|down|hanging|showing)", "(feel|see|can see) ~ the cord",
        "(baby|babys) ~ (head|feet|legs|bum) ~ (coming|out|showing|there)",
        "waters ~ (green|brown|meconium)",
    ),
    "waters broken": (
        "waters ~ (broke|broken|gone|leaking|went|burst|breaking)",
        "(my|her|the) water (broke|broken|burst|went|breaking)",
        "(my|her|the) water (just|has|had|have|already) (broke|broken|burst|went|gone)",
        "(fluid|water|liquid) ~ (leaking|"
        "gushing|trickling|coming) ~ (down there|from down below|vagina)",
    ),
}
# fmt: on
