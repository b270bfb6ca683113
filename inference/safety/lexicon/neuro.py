"""Brain and consciousness: stroke signs, sudden headache, seizures, fainting, not waking,
confusion."""

from __future__ import annotations

# fmt: off
CONCEPTS: dict[str, tuple[str, ...]] = {
    "face droop": (
        "{face} ~ (droop*|dropped|dropping|sag*|slump*|fallen|fell|falling|lopsided|crooked|wonky|"
        "uneven|twisted|slack|slanted|slanting|pulled|pulling|hanging|down on one side|numb*)",
        "droop*|drooping|saggy|sagging|fallen|dropped ~ {face}", "facial droop*",
        "facial weakness", "facial numbness", "facial palsy", "bells palsy", "bell palsy",
        "one side of ~ face|mouth|smile",
        "half|side ~ {face} ~ droop*|drop*|sag*|down|numb*|dead|gone|weak*|fallen|moving|move",
        "cant|cannot|couldnt ~ smile", "dribbl*|drool*|drink* ~ out|side ~ mouth",
        "smile ~ wonky|uneven|lopsided|crooked|odd|funny|weird|off|different",
    ),
    # One-sided: singular limbs, or plural with a side.
    "one sided weakness": (
        "weak*|floppy|heavy|dead|useless|numb*|limp|clumsy ~ {side} ~ {limb}",
        "{side} ~ {limb} ~ (weak*|floppy|heavy|dead|useless|numb*|limp|clumsy|tingl*|gave|"
        "giving|wont|not|doesnt|stopped|cant|isnt|wouldnt)",
        "{limb1} ~ (weak|weakness|floppy|dead|useless|limp|gave way|giving way|wont work|"
        "not working|doesnt work|stopped working|wouldnt work|isnt working|wont move|"
        "wouldnt move|wont lift|like jelly)",
        "(cant|cannot|couldnt|unable to|not able to|struggling to|hard to) ~ "
        "lift|move|raise|feel|grip|hold|use|squeeze ~ {limb1}|arm|leg|hand|cup|side",
        "dropping|dropped|drops ~ things|stuff|cup|mug|phone|drink|everything",
        "(one side|one half|half his|half her|half my|half of his|half of her|half of my) ~ "
        "(weak*|numb*|dead|heavy|floppy|not working|paraly*|gone|body)",
        "{side} side ~ (weak*|numb*|dead|heavy|floppy|not working|paraly*|gone|tingl*)",
        "paraly*", "hemipleg*", "hemipar*", "pins and needles ~ (one side|left side|right side)",
        "lost the use of", "leg ~ (gave way|went from under|buckled)",
        "walking ~ (drunk|funny|into things|sideways|lopsided)", "cant walk straight",
        "veering|leaning ~ one side", "numb* ~ (left side|right side|one side|half)",
        "{face} ~ and|& ~ arm|hand|leg ~ numb*|weak*|dead",
    ),
    "speech problem": (
        "slur*", "slurr*", "slured",
        "speech ~ (slur*|strange|funny|garbled|weird|off|wrong|jumbled|muddled|gone|thick|slow|"
        "messed|mumbl*|sloppy|drunk|different|not right|odd)",
        "talking|talks|talk|speaking|sounds|sounding ~ funny|strange|weird|gibberish|nonsense|"
        "slurred|drunk|odd|wrong|muddled|jumbled|garbled|mumbly",
        "(cant|cannot|couldnt|unable to|struggling to|trouble|hard to|difficulty) ... "
        "(speak|speaking|talk|talking|get words|get his words|get her words|get the words|"
        "find words|find the words|find his words|find her words|find my words|say words)",
        "words ~ (wrong|jumbled|mixed|muddled|coming out wrong|not coming|wont come|"
        "wouldnt come|came out wrong|all wrong|mixed up|muddled up|in the wrong order)",
        "wrong words", "gibberish", "jibberish", "garbled", "aphasia", "dysphasia",
        "lost ~ speech|words", "mumbling", "cant get ~ words ~ out", "couldnt get ~ words ~ out",
        "tongue ~ (thick|heavy|wont work)",
    ),
    "vision loss": (
        "(lost|gone|missing) ~ (half|left half|right half|side) ~ (seeing|vision|sight|see)",
        "lost ~ vision|sight|eyesight", "(sight|eyesight|vision) ~ (gone|went|going|disappeared|"
        "blacked out|went black|dark)", "blind ~ (pulled|down|coming down|over)",
        "(cant|cannot|couldnt) see ~ (out of|in|with|from) ~ eye|side|left|right",
        "blind ~ (one eye|suddenly|left|right|eye)", "went|gone|going ~ blind",
        "vision ~ (went|gone|black|dark|grey|gray|lost|blacked|disappeared|cut|curtain|shadow|"
        "half|missing)", "curtain ~ eye|vision|over|across|down", "double vision",
        "seeing double", "seeing two", "half ~ vision|sight",
        "everything ~ went|going ~ black|dark ~ eye",
        "black|dark|grey ~ (out of|in) ~ left|right|one ~ eye",
        "one eye ~ (black|dark|gone|blind|cant see|nothing)",
        "sudden* ~ (blind|vision|sight|cant see)",
    ),
    "thunderclap headache": (
        "worst headache", "worst ~ (headache|migraine|head pain|pain in my head|head)",
        "thunderclap", "thunder clap",
        "sudden* ~ (headache|head pain|pain in|head)",
        "headache|head ~ (sudden*|out of nowhere|out of the blue|came on fast|came on suddenly|"
        "came on instantly|came on like|in seconds|in a second|all at once)",
        "like ~ (hit|struck|kicked|bat|hammer|baseball|cricket bat|brick|bomb|explosion|"
        "exploded|exploding|gunshot|shot|lightning) ~ head|back",
        "head ~ (explod*|exploded|split open|going to burst|bursting)",
        "explod* ~ head|inside", "headache ~ (worst|like nothing|never had|never felt)",
        "never ~ (headache|head like this|head pain)",
        "back of ~ head ~ sudden*|exploded|snap|pop|bang|hit",
        "pop|snap|bang ~ in ~ head", "head ~ pop|snap|bang",
    ),
    "seizure": (
        "seizure*", "seizing", "seized", "seizer*", "seize her", "seas your", "seize yours",
        "seize your", "seesaw", "fitting",
        # Speech-to-text for "a seizure": "she had a sees your this morning".
        "(a|had a|having a|another|first) (sees your|sees yours|see sure|sea sure|seas your|"
        "siege her|seize sure)",
        "a|another|first|his|her|bad|big|the|having|had|have|has|little|massive|full ... fit|fits",
        "fit|fits ~ shaking|jerking|lasted|minutes|seconds|today|earlier|this",
        "convuls*",
        "jerking|shaking|twitching|juddering|thrashing ~ (all over|whole body|arms and legs|"
        "uncontrollab*|everywhere|violently|on the floor)",
        "eyes ~ (roll*|rolled|went back|back in|to the back|go up|went up|going up|rolled up)",
        "foaming|frothing|foam|froth ~ mouth",
        "(twitching|jerking|shaking) ~ (rhythm*|in a rhythm)",
        "(staring|stares|stared) ~ (not looking|not responding|blank|through me|wont answer)",
        "went|goes|gone|going ~ stiff ~ shak*|jerk*|twitch*|floor", "stiff and|& ~ shak*|jerk*",
        "tonic clonic", "grand mal", "epileptic fit|attack", "status epilepticus",
        "bit|bitten|biting ~ tongue", "wet himself|herself|themselves ~ shak*|jerk*|floor",
        "(was|were|is|started|kept) jerking", "(#|several|a few|multiple) in a row",
        "lip smacking|smacking", "(one|her|his|my) (arm|leg|side|hand) ~ (twitching|jerking)",
        "back to back", "(without|not|didnt|never) ~ (waking up|coming round|come round) ~ "
        "(between|in between|properly)",
        "shaking ~ couldnt|cant|wouldnt ~ stop|respond|answer",
    ),
    # "fit" is also fitness, paperwork and a figure of speech.
    "not a seizure": (
        "(hearing aid|glasses|wheelchair|dental|denture|dentures|crown|brace|pacemaker|kitchen|"
        "carpet|boiler|window|door|suit|dress|bra|shoe|coil|iud|implant|cap|diaphragm|lens|lenses|"
        "contact lens|contact lenses|stent|brace|braces|cast|splint|insoles|orthotics|stoma|"
        "prosthesis|prosthetic|catheter|pessary|ring|uniform|wedding dress) fitting",
        "fitting (appointment|appointments|session|room|service)",
        "fitting (for|of) ~ (hearing|glasses|lens|lenses|brace|braces|bra|dress|suit|shoes|coil|"
        "implant|wheelchair|denture|dentures|crown|splint|cast|insoles|uniform|new)",
        "seizure ~ (diary|chart|plan|medication|medications|meds|action plan|review|clinic|"
        "nurse|log|tracker)", "(epilepsy|seizure) medication review",
        # A diagnosis, not an event: "my sister's got a seizure disorder".
        "seizure disorder|disorders",
        "(nearly|almost|practically|would have|wouldve|gonna|going to|will) ~ (had|have|having) ~ "
        "(a fit|kittens|a heart attack)",
        "fit note|notes", "fit for|to ~ work|travel|fly|drive", "fit and|& ~ well|healthy",
        "fit (to|for) (box|boxing|spar|sparring|fight|play|train|training|compete|race|run|swim|"
        "dive|diving|exercise|return|go back|start|lift|sport|sports|school|duty|purpose|the gym)",
        "(letter|note|certificate|form|medical|paper|papers) ~ (saying|says|say|that|to say) ~ "
        "fit",
        "(bit|bitten|biting|bite) ~ tongue ~ (eating|eatin|chewing|dinner|lunch|breakfast|tea|"
        "food|sandwich|toast|meal)", "(eating|eatin|chewing) ~ (bit|bitten|bite) ~ tongue",
        "keep|keeping|get|getting|stay|staying ~ fit", "a fit of ~ coughing|laughing|rage|"
        "giggles|temper|pique", "fit in with|at", "fit into", "(hissy|coughing|sneezing) fit",
        "(dont|doesnt|didnt|cant) fit in", "fit as|enough", "fit as a fiddle",
        "(very|pretty|really|quite|super) fit", "fit lad|bloke|guy|girl|woman|man",
        "fit kind", "(kind|type|sort) of fit",
    ),
    "syncope": (
        "passed out", "passing out", "fainted", "fainting", "feinted",
        "(a|had a|having a|another) (sin cope|sing cope|sink ope|syn cope|sin copy|sincope)",
        "(took|had|taken|having|takes) ~ (a funny turn|a bad turn|a turn|a dizzy turn|a queer turn|"
        "a funny do|a bad do|a wobbly|funny turns)",
        "found ~ (on the|lying on the) ~ (floor|ground|"
        "lino|carpet|tiles|kitchen floor|bathroom floor|pavement)",
        "out for the count", "out like a light", "(just|she|he|i) (dropped|fell out)",
        "lights ~ (off|out|went out) ~ (wake|woke|floor|ground|remember)",
        "(fall|fell|falling) down ~ (wake up|woke up|no remember|dont remember|lights off)",
        "next thing ~ (people|everyone|someone|crowd|somebody|paramedics) ~ (looking|standing|"
        "round|over)", "(dizzy|woozy|lightheaded|light headed|faint) ~ (and|then) ~ (went down|"
        "fell|dropped|collapsed|hit the floor)",
        "(he|she|i|they) (pass|passes) out", "everything ~ (go|goes|went|going) ~ black",
        "(was|been|went) out for ~ (a minute|minutes|seconds|a second|a bit|a while|a few)",
        "(has|hes|shes|she|he|ive|i) (come|came) round",
        "(came to|come to|came round|come round|came around) ~ (after|a minute|minutes|seconds|"
        "later|on the floor)", "dropped to the floor|ground",
        "faint* ~ (floor|ground|went down|dropped|collapsed|came round|lost|woke)",
        "blacked out", "black out|blackout|blackouts", "collaps*", "keeled over",
        "blacking out", "blacks out",
        "hit the floor|deck|ground", "went down like|hard", "dropped like a",
        "dropped|fell ~ floor|ground ~ out", "lost consciousness", "lost conscious*",
        "loss of consciousness", "out cold", "went limp", "went floppy",
        "(came round|came around|came to) ~ (on the floor|on the ground|later)",
        "woke|came ~ (on the floor|on the ground|on the bathroom)",
        "found ~ (on the floor|on the ground|unconscious)", "went unconscious",
        "knocked out", "knocked himself|herself|myself ~ out",
        "(next thing|thing i knew|thing he knew|thing she knew) ~ floor|ground|ambulance",
        "(dont|doesnt|didnt|cant|cannot) remember ~ (falling|hitting the floor|going down|"
        "hitting the ground|collapsing)", "syncop*",
        "(fell|fall|go down|went down|goes down|collapsed|dropped) ~ (dont|cant|doesnt|didnt|"
        "couldnt) ~ remember",
        "faint* ~ (today|earlier|this morning|twice|again|at work)",
        "fainted|fainting ~ twice|again", "went out like a light", "flaked out",
        "zonked out", "conked out",
    ),
    # Words that describe NOT losing consciousness; used as `unless` on syncope.
    "near syncope": (
        "(funny|dizzy|bad) turn ~ (dizz*|spin*|spun|vertigo|room)",
        "(nearly|almost|about to|going to|gonna|like i|like he|like she|like im|felt|feel|feels|"
        "feeling|felt like|feel like|might) ~ pass|passed|faint|fainted|black|collapse|keel",
        "light headed|lightheaded|lightheadedness|dizzy|woozy", "didnt quite",
        "a wobbly (moment|moments|spell|few seconds|minute|bit)",
        "(bit of a|a little|a slight|a small) wobble",
    ),
    "unresponsive": (
        "unresponsive", "not responding", "non responsive", "nonresponsive", "unresponsiv*",
        "un responsive", "un responding", "not responsive",
        "(isnt|wasnt|not|hasnt been) (moving|responding|breathing|waking)",
        "(hardly|barely) (moving|responding|responds|respond|breathing|conscious|awake)",
        "(wont|cant|couldnt|can not|cannot|wouldnt) ~ wake|rouse|respond|answer",
        "(him|her|he|she|they|them) (not|nah|nuh) (answer*|respond*|wake*|move|moving)",
        "(shake|shook|shaking|shaked) ~ (him|her|them) ~ (and|but) (nothing|notting|nutten|"
        "nuttin|no response|no answer)",
        "not waking", "not wake", "hard|difficult|impossible ~ to ~ wake|rouse", "unrous*",
        "doesnt|didnt|isnt|wasnt|not ~ respond*|answer*|react*",
        "no response", "floppy", "limp", "lifeless*",
        "out cold", "unconscious", "unconcious", "unconscience", "comatose",
        "(in|into) ~ (a coma|coma)", "slumped ~ (over|in|against|on)",
        "(cant|cannot|couldnt) get ~ (anything|a word|any sense|nothing|a response) ~ out of ~ "
        "(her|him|them)",
        "out for the count", "(slapping|shaking|shouting at|calling|pinching) ~ (him|her|them) ~ "
        "(nothing|no response|wont wake|doesnt wake|not waking|no answer)",
        "just lying there", "wont|cant|not|doesnt ~ open ~ eyes",
        "not moving", "stopped moving", "lying ~ not moving",
        "cant get ~ (response|answer|him up|her up)", "dead weight", "wont come round",
        "not come round", "not coming round", "barely conscious", "semi conscious",
        "in and out of ~ consciousness|it", "drifting in and out", "no pulse",
    ),
    "altered mental status": (
        "confus*", "disorient*", "delirious", "delirium", "not making sense",
        "(thinks|thought|thinking) ~ (its|it is|it was) (nineteen|the year|#year)",
        "asking for ~ (who|whos|that) ~ (dead|died|passed)",
        "(come|came|gone|went|go) over all (strange|funny|confused|weird|odd|peculiar|queer)",
        "(answering|talking|speaking|saying|chatting) (rubbish|nonsense|gibberish|fool)",
        "(not|doesnt|dont|isnt|aint) (make|making) (no|any) sense",
        "(he|she|hes|shes|{relative}) ~ (making|makes|made) no sense",
        "(keeps|keep|kept|keeping) (dozing|nodding|drifting|dropping) off",
        "(dozing|nodding|drifting) off ~ (again|mid sentence|while talking|talking)",
        "doesnt|dont|didnt|isnt ~ make sense|making",
        # Of a person, not of a situation ("it doesn't make sense why my knee hurts").
        "(he|she|hes|shes|{relative}) (isnt|wasnt|is not|was not|not) making ~ sense",
        "(talking|talks|saying|says|speaking|speech|words) ~ (doesnt|dont|didnt|isnt|arent|"
        "not) ~ (make|making) ~ sense",
        "talking|speaking ~ (nonsense|rubbish|gibberish|jibberish|rot|to himself|to herself)",
        "talking|speaking ~ to ~ (people|someone|somebody|things) ~ (who|that) ~ (isnt|arent|"
        "wasnt|werent|not)",
        "seeing things", "hearing things", "hallucinat*",
        "(doesnt|didnt|cant|couldnt|wont|dont|not) ~ (recogni*|know me|know us|know where|"
        "know who|know what day|know his own|know her own|know anyone)",
        "not herself|himself|themselves", "not acting right",
        "acting|behaving ~ (strange*|weird*|odd*|funny|out of character|drunk|different|"
        "bizarre)",
        "very|so|really|extremely|too|unusually|super ~ drowsy|sleepy|lethargic|groggy|dopey|"
        "drowsey", "letharg*", "drowsy", "hard to keep ~ awake", "cant|wont|cannot ~ stay awake",
        "keeps|keep ~ (nodding off|falling asleep|drifting|dozing|dropping off)", "out of it",
        "spaced out", "dozy", "(dropping|nodding|drifting) off ~ (mid sentence|while talking|"
        "in the middle|mid conversation)",
        "vacant", "not with it", "away with the fairies", "muddled", "mixed up", "agitated",
        "wandering", "zoned out", "staring ~ (into space|blankly)", "glassy", "not all there",
        "forgetting ~ everything|who", "not right in the head", "not making any sense",
        "(not|doesnt|didnt|dont|cant|couldnt|cannot) ~ knowin|knowing|know|remember|tell|say"
        " ~ (own name|what year|what month|what day it is|where he is|where she is|where they are|"
        "where we are|where he was|where she was)",
        "dazed", "stupor", "lost track", "not knowing ~ where|who", "not making ~ sense",
        "(cant|cannot) think ~ (straight|properly|clearly)",
        "isnt|wasnt|not himself|herself|themselves", "(dead|proper|really|so|very) sleepy",
        "(sleeping|slept) ~ (through feeds|through her feeds|through his feeds)",
        # Not "she's not floppy, she's not hot, she's feeding": the "not" must be the feed's.
        "(not|wont|isnt|hasnt been|wasnt|hasnt|not been|not really|isnt really|wont really) "
        "(feeding|feed|waking for feeds|interested in feeds|taking feeds|taking her feeds|"
        "taking his feeds|taking any feeds|taking the bottle|taking her bottle|"
        "taking his bottle|latching)",
        "too sleepy to ~ feed|eat|drink", "(keeps|kept) asking ~ (same|again)",
    ),
}
# fmt: on
