"""Cue words that put a finding out of scope for a definite firing: denied, hypothetical,
someone else's history, or long past. Patterns use the lexicon syntax (inference.safety.match);
how each list is applied is in inference.safety.scope.

When in doubt a cue is left out: a missed cue over-fires (a nurse looks), a wrong cue hides.
"""

from __future__ import annotations

# fmt: off
# Negation cues: the finding after them (same clause, within NEGATION_WINDOW words, no new
# subject in between) is denied. "can't" and "won't" are not cues: "I can't breathe".
NEGATION_CUES: tuple[str, ...] = (
    "no", "not", "never", "denies", "denied", "deny", "denying", "without", "none", "nor",
    "neither", "dont", "doesnt", "didnt", "havent", "hasnt", "hadnt", "isnt", "wasnt", "arent",
    "werent", "aint", "negative for", "free of", "absence of", "ruled out", "no sign|signs of",
    "nothing like", "no more", "nothing",
)
# Too weak for the meaning match, which drops a whole window on any cue: "it's probably
# nothing but...", "I shook him and nothing".
WEAK_NEGATIONS: frozenset[str] = frozenset(("nothing",))
# Phrases that start like a cue but affirm, or only hedge ("not sure if it's chest pain",
# "it won't stop bleeding", "I've never had pain like this"). Uncertainty is not negation.
PSEUDO_NEGATIONS: tuple[str, ...] = (
    "not sure", "not certain", "no idea", "dont know", "didnt know", "not know", "dont think",
    "didnt think", "not think", "no better", "not better", "not getting better", "no worse",
    "not only", "not just", "not go away", "not going away", "not gone away",
    "not stop*", "dont stop*", "doesnt stop*", "didnt stop*", "hasnt stop*", "havent stop*",
    "isnt stop*", "wasnt stop*", "not able", "not improving", "not helping", "doesnt help*",
    "didnt help*", "not work*", "isnt work*", "hasnt work*", "didnt work*", "not easing",
    "not settling", "not settled", "no relief", "not relieved", "never ~ like this|that|before",
    "never been this|so", "never felt|had ~ like|worse|bad", "not normal", "no reason",
    "not care", "dont care",
    "not have a clue", "no clue", "not making ~ sense", "not make sense", "doesnt make sense",
    "isnt|wasnt himself|herself", "not feeding", "wont feed", "isnt feeding",
    "not why", "not the reason", "not what",
    "not respond*", "not answer*", "not wak*", "not breath*", "not moving", "not move",
    "didnt move",
    "not kick*", "hasnt moved", "havent felt", "not felt ~ move*|kick*",
    "no pulse", "not feel ~ {limb}|{side}|{face}", "cant feel", "not look* right",
    "not acting right", "not himself|herself|themselves", "not fad*", "doesnt fade",
    "not really ~ moving|kicking", "not been ~ moving|kicking",
    "didnt fade", "wont fade", "not blanch*", "doesnt go away", "not go down", "wont go down",
    "not coming|come down", "wont come down", "not eat* or drink*", "not drinking",
    "no longer",
    # "nothing" denies what follows ("nothing swollen", "nothing going down my arm"), except
    # where it is about treatment or food ("nothing helps the pain", "nothing stays down").
    "nothing (help*|work*|touch*|shift*|ease*|eased|easing|stop*|settle*|will|seems|seem|"
    "makes|made|brings|brought|can|could|stays|stayed|staying|kept|keeps|stay|is helping|"
    "else|at all helps|to eat|to drink|since|compared|in)", "from|of|over|for|like nothing",
    "nothing ~ (ive|i have|i had|she has|he has|they have) ~ (ever|before)",
    "(probably|prob|maybe|hopefully|likely|surely) nothing", "and nothing",
    "(see|hear|feel|drink|drunk|drank|eat|eaten|ate|taken|took|give|gave|him|her|them) nothing",
    "not right", "isnt right", "not quite right", "never right",
)
# Words between a cue and a finding that end the cue's reach: a new subject or a turn.
NEGATION_TERMINATORS: frozenset[str] = frozenset((
    "but", "however", "although", "though", "except", "yet", "just", "only", "apart", "besides",
    "aside", "now", "then", "still", "which", "who", "because", "cause", "cos", "since", "so",
    "and", "i", "im", "ive", "id", "ill", "he", "hes", "she", "shes", "they", "theyre", "theyve",
    "we", "its", "theres", "you", "youre", "instead", "until", "till", "after", "when",
    "while", "although", "whereas", "plus", "also", "anymore",
))
NEGATION_WINDOW = 6  # words from a cue to the first word of a finding
# Said right after a finding: "chest pain? no", "any bleeding, none".
POST_NEGATIONS: frozenset[str] = frozenset(("no", "none", "nope", "nah", "negative"))
# The whole clause after a finding that denies it ("trouble breathing, none of that").
POST_DENIALS: tuple[list[str], ...] = tuple(
    phrase.split()
    for phrase in (
        "no", "none", "nope", "nah", "negative", "no no", "none of that", "none of those",
        "none of it", "none of them", "not really", "not at all", "no not at all",
        "no thanks", "no thank you", "nope none", "i dont", "i do not", "i havent", "not me",
        "i dont have that", "i dont have it", "thats not it", "no thats not it",
        "no no thats not it", "no thats not what", "not that", "he doesnt", "she doesnt",
        "no no not at all", "definitely not", "no never", "never", "not that", "nothing like that",
        "i havent had any", "havent had any", "i havent had it", "never had any", "not had any",
        "i havent had that", "none of that here", "no sorry", "sorry no", "i mean",
    )
)

# Said right after a finding in the same breath, these deny it whatever follows ("pain in the
# chest nope", "any bleeding no none of that").
POST_DENIAL_STARTS: tuple[list[str], ...] = tuple(
    phrase.split()
    for phrase in (
        "nope", "nah", "no none", "none of that", "none of those", "no nothing like that",
        "nothing like that", "no not at all", "not at all", "no never", "no no",
    )
)
# A finding asked about ("they asked if I'd had any chest pain", "they always ask is it the
# worst headache") and then answered no ("and I said no", "honestly no") is denied.
QUESTION_CUES: tuple[str, ...] = (
    "ask|asks|asked|asking ~ (if|whether|about|is it|was it|do you|did you|have you|are you|"
    "any)", "(want|wants|wanted) to know (if|whether|about)",
    "(checked|check|checking) (if|whether)",
)
QUESTION_REACH = 10  # words from the question cue to the finding
REPLY_REACH = 8  # words from the finding to the answer
REPLY_DENIALS: frozenset[str] = frozenset(("no", "nope", "nah", "never", "none"))
# Before an answer word: a reply. "said no", "and honestly no", "so no none of that".
REPLY_LEADS: frozenset[str] = frozenset((
    "said", "says", "say", "answered", "replied", "honestly", "and", "so", "well", "um", "uh",
    "er", "just", "mum", "mom", "dad", "she", "he", "they", "i", "told", "me", "really",
))
# An answer about something else, or a yes, ends the search: "asked if the pain was normal
# and he said no", "asked if she had a rash and she said yes".
REPLY_STOPS: frozenset[str] = frozenset((
    "yes", "yeah", "yep", "yea", "aye", "but", "now", "still", "normal", "serious", "worry",
    "worried", "fine", "ok", "okay", "bad", "dangerous", "something", "anything", "go",
))

# Hypothetical: a finding after these in the same clause is a question, a plan or a fear of
# the future, not a symptom now. "if" after "not sure / don't know / wonder" is uncertainty
# about now and does not count ("I don't know if he's breathing").
HYPOTHETICAL_CUES: tuple[str, ...] = (
    "if", "in case", "incase", "unless", "suppose", "supposing", "imagine", "hypothetically",
    "(whats|what is) the worst ~ (in the world|ever|you can)",
    "should i|he|she|they|we get|have|develop|start",
    "in the event", "one day", "someday", "some day", "in future", "in the future",
    "risk of", "risk for", "chance of", "chances of", "prevent*", "avoid", "warning sign*",
    "signs of", "symptoms of", "look out for", "looking out for", "watch for",
    "watch out for", "keep an eye", "worried|worrying|worry|worries|scared|afraid|terrified|"
    "frightened|nervous|anxious|paranoid|panicking|petrified|fretting|fear|fearing "
    "about|of getting|having|developing|another",
    "(thought|think|thinking|worried|scared|afraid|feared|panicked) (hed|shed|theyd|id|youd|wed)",
    "what (number|temperature|temp|reading|level|sugar) ~ (is|counts|means|should)",
    "what counts as", "what should make me",
    "(would|does|do|will|could) (that|it|this) (count|be classed|be counted) as",
    "(count|counts|be classed|be counted) as (a|an)",
    "(when|how) (should|do) i (worry|panic)",
    "worried|scared|afraid|terrified|frightened|nervous ill|hell|shell|theyll|i|he|she|they "
    "might|could|will|would|may get|have|go",
    "what do i|we do", "what should i|we do", "what to do", "how do i know",
    "how would i know", "how will i know", "could i get", "can i get", "would i get",
    "would|will|could i|you|we|he|she ~ (know|notice|tell|be able to tell)", "what happens",
    "what does|do|would ~ feel|look|sound|feels|looks like",
    "is it|that|this normal|usual|ok|okay|common|expected", "next week|month|year|time",
    "(worried|scared|afraid|terrified|frightened|nervous|anxious) ~ (im going to|i am going to|"
    "im gonna|ill|i will|i might|i could|going to|gonna)",
    "thought ~ (might have|may have|could have|had|might be|may be)",
    "how do you know", "how can i tell", "how would you know", "what are the signs",
    "test* for", "screen* for", "check* for", "checked out for", "vaccin*", "jab|jabs for",
    "information about", "leaflet", "advice about|on",
)
# Right before the finding: a question about the condition ("would a heart attack feel like
# heartburn?", "can stress cause a stroke?"), not "can a nurse see him, he's not breathing".
HYPOTHETICAL_NEXT: tuple[str, ...] = (
    "(would|could|does|do|can|might|will) (a|an)", "(cause|causes|give|gives|lead to) (a|an)",
    "(could|can|would|do|does|might) (you|i|someone|people|anyone) (have|get) (a|an)",
    # A question opening its clause: "would chest pain from anxiety feel different?" (not
    # "I can feel the cord").
    "^ would|does|could|can|might|do|is|are",
    "(can|could) (someone|somebody|you|a person) be",
)
# Opening a clause, these make the whole clause a supposition: "say nan fell and banged her
# head, would she need to go in".
HYPOTHETICAL_OPENERS: tuple[str, ...] = ("say", "suppose", "supposing", "imagine", "what if")
# Never a present danger, even for rules that fire on an "if" (suicidal): "if my teenager
# ever said she was thinking about hurting herself, what would I do".
HYPOTHETICAL_STRONG: tuple[str, ...] = (
    "(if|in case) ... ever", "what would i ~ do", "what should i ~ do", "how would i know",
)
# ...but not before words that start a finding themselves: "I can barely breathe".
HYPOTHETICAL_NEXT_SKIP: frozenset[str] = frozenset(
    "not no never hardly barely really just still keep keeps only even".split()  # noqa: SIM905
)
# Anywhere in the sentence: a question about risk in the family.
HYPOTHETICAL_SENTENCE: tuple[str, ...] = (
    "(is it|is that|does it|can it|could it|do they|is this) ~ (hereditary|genetic|run in|"
    "in families|inherited|passed down|catching|contagious)",
    "(if|whether) ~ (it|they|that|this|these|those|fits|seizures) ~ (is|are|can be|runs|run) ~ "
    "(hereditary|genetic|in families|in the family|inherited|passed down)",
    "(am i|are we|are my kids|is my son|is my daughter) ~ (at risk|more likely|likely to get)",
    "just curious", "out of curiosity", "asking for a friend", "just asking",
    "(only|purely|im|i was|was just|just) curious",
    "(is|are|does|do) ~ (always|usually|necessarily) (a|an|mean|be)",
    "(form|questionnaire) ~ (says|asks|said|asked|ask) ~ (do you|have you|are you|any)",
    "(put|ticked|ticking|said|answered) no to", "first aid ~ (course|training|class)",
    "(health|biology|pshe|science) (class|lesson|project)", "(did|doing|gave) a talk",
    "(for|in|about|with) (my|his|her|a|the|our) (homework|school project)",
    "something that can happen", "can happen to",
    "(can|could) you ~ (die|get|have) ~ from",
    "(can|could) (a|an|kids|children|babies|people|someone|somebody|adults|teenagers) ~ "
    "(die|get|have|be) ~ (from|without)",
    "is it true", "(can|could) (you|people|someone) (have|get) ~ without",
    "(i|we) (read|saw|heard) (about|that|something|an article|a story|online|on the news)",
)
UNCERTAIN_BEFORE_IF: frozenset[str] = frozenset((
    "sure", "know", "knows", "wonder", "wondering", "see", "check", "checking", "tell", "ask",
    "asking", "unsure", "idea", "clue", "even", "remember", "certain",
))

# Someone else's history: a relative or acquaintance with a history word in the same
# clause ("my dad died of a stroke", "heart attacks run in the family"). A relative with no
# history word is a carer speaking about the patient ("my husband is having a fit"): fires.
OTHER_PEOPLE: tuple[str, ...] = (
    "{relative}", "friend", "friends", "neighbour", "neighbor", "colleague", "coworker",
    "family", "relatives", "relative", "someone", "somebody", "people",
)
_CONDITIONS = (
    "(diabetes|the sugar|sugar diabetes|cancer|heart disease|dementia|alzheimers|epilepsy|"
    "high blood pressure|cholesterol|copd|emphysema|kidney disease|heart failure|arthritis|"
    "preeclampsia|pre eclampsia|eclampsia|torsion|testicular torsion|seizures|fits|"
    "colon cancer|bowel cancer|glaucoma|macular degeneration|cataracts|seizure disorder)"
)
# A relative who "has" a condition may be the patient a carer speaks for ("my dad with
# dementia drank bleach"), or family history when the speaker asks for themself ("my father
# has the sugar, so I want a test for me"): these count only with a SELF_CUES line.
OTHER_CONDITION_CUES: tuple[str, ...] = (f"(has|have|with|got|gets) ~ {_CONDITIONS}",)
SELF_CUES: tuple[str, ...] = (
    "(test|tested|check|checked|scan|checking|testing|worry|worried|worrying) for me",
    "(want|need|like|wanted|wants|here for|come for|came for|after) ~ (a|my|the) ~ (health check|"
    "check up|checkup|mot|physical|cholesterol|bloods|blood test|screening|heart check)",
    "(worry|worried|worrying) about me", "(is it|its|it is) for me", "for myself", "myself",
    "my own", "me too", "check|test|checking|testing|screen|scan me",
    "should i be ~ (worried|concerned)", "(something|it) i (could|might|can) get",
    "(could|can|might|will|would) i ~ get ~ (it|that|them|as well|too|also)",
    "do i need ~ (anything|a test|checking|to worry)",
    "(should|do|will|would|can) i (get|need|have|be) (checked|tested|screened|a test|an ecg|"
    "the ecg|a scan|checking|testing|screening|a check)",
    "i (should|need to|want to|have to|ought to) ~ (get|be|have) ~ (checked|tested|screened|"
    "the ecg|an ecg|a scan|checking|testing|screening|the e c g|an e c g|the ekg|an ekg|"
    "an echo|a heart scan)",
    "am i at risk",
    "i (want|need|would like|wanna|wanted) (the works|everything|the lot|a full|a mot|an mot) ~ "
    "(checked|check|checkup|tested|tests|done|looked at)",
)
# Someone who cannot be the patient whatever the tense: "a cousin collapsed", "her brothers
# had heart attacks" (the patient is not their own relative).
OTHER_PERSON_CUES: tuple[str, ...] = (
    "a|an|another|his|her|their {relative}",
    "a|an|another|his|her|their older|younger|big|little|eldest|oldest|youngest|twin|late "
    "{relative}", "a friend", "friend of mine|ours",
    # Someone else's child: "my sister's boy", "my cousin's baby", "my mate's kid".
    "my|me (sister|brother|cousin|cousins|friend|mate|mates|neighbour|neighbor|colleague|"
    "aunt|auntie|uncle|sisters|brothers) (boy|girl|lad|lass|baby|kid|kids|little one|son|"
    "daughter|toddler|bairn|wee one)",
    # A relative's friend: "my daughter's best friend swallowed a battery".
    "my|me|our (sons|daughters|sisters|brothers|cousins|kids|childs|husbands|wifes|partners|"
    "mums|moms|dads|nephews|nieces|grandsons|granddaughters) ~ (friend|friends|mate|mates|pal|"
    "pals|classmate|classmates|schoolfriend|teammate|teammates|girlfriend|boyfriend)",
    "a neighbour|neighbor|colleague|coworker|classmate|teammate", "someone at|in",
    "people at|in", "lots of people", "a lady|man|woman|guy|kid|boy|girl at|in|on",
    "(if|when|what if|say) (someone|somebody|anyone|a person|people|you|a friend|they|theyre)",
    # Someone else's relative: "the student's dad had a heart attack back home".
    "(student|students|patient|patients|resident|residents|pupil|pupils|client|clients|"
    "inmate|inmates|prisoner|prisoners|detainee|detainees|player|players|worker|workers|"
    "colleague|colleagues|friend|friends|mate|mates|lad|lads|girl|girls|boy|boys) {relative}",
)
# A receptionist's or carer's summary names the patient in the third person: in "caller says
# her mother cant lift her arm" the caller's mother is the patient, not someone else.
REPORTED_PATIENT_CUES: tuple[str, ...] = (
    "caller ~ (says|said|reports|reported|states|stated|reporting|saying|explains|explained|"
    "tells me|told me|worried|concerned|is worried|is concerned) ~ (that|about)",
    "caller ~ (says|said|reports|reported|states|stated|reporting|saying|explains|explained|"
    "tells me|told me)",
    "(ringing|calling|phoning|rang|called|phoned|rung) (about|for|on behalf of)",
)
# The speaker saying who they are: "this is her mom", "I'm his daughter calling".
SPEAKER_INTRO_CUES: tuple[str, ...] = (
    "(this is|its|it is|im|i am|i m) (her|his|their) {relative}",
    "(her|his|their) {relative} (here|speaking|calling|ringing|phoning)",
)
# A relative a child patient cannot be: with a known age under 14, a finding said of them
# ("my husband has epilepsy and had a fit on Sunday") is not the patient's.
ADULT_RELATIVE_CUES: tuple[str, ...] = (
    "my|me|our (husband|wife|partner|boyfriend|girlfriend|fiance|fiancee|grandad|granddad|"
    "grandpa|grandma|gran|granny|nan|nana|nanny|grandfather|grandmother|grandparents|"
    "mother in law|father in law)",
)
# Between such a relative and the finding, these name someone the finding may be said of
# ("my husband found him fitting").
CHILD_WORDS: frozenset[str] = frozenset(
    "him her them he she baby son daughter kid kids child boy girl little toddler it".split()  # noqa: SIM905
)
OTHER_HISTORY_CUES: tuple[str, ...] = (
    "died", "dead", "death", "passed away", "passed on", "lost him|her|them", "runs in",
    "run in", "running in", "family history", "history", "hereditary", "genetic",
    "inherited", "in the family", "in my|our|his|her family", "at age", "at the age",
    "when he|she|they was|were", "in his|her|their fifties|sixties|seventies|forties|thirties",
    "before he|she|they died", "both of them", "side of the family", "years ago",
    "at #adult", "at age|aged #", "was diagnosed", "got diagnosed", "had one years", "all had",
    "both had",
    f"(had|got) ~ {_CONDITIONS}",
    "with ... (all of us|me|my brother|my sister|us|her pregnancies|each pregnancy)",
    "when she was pregnant|expecting", "when she had me|us",
)

# Long past or resolved: the nearest time cue to the finding (same clause) decides.
PAST_CUES: tuple[str, ...] = (
    "year|years|yr|yrs|decade|decades ago|back|before", "month|months ago|back",
    "week|weeks ago|back", "last year|month|summer|winter|spring|autumn|fall|christmas|easter|week",
    "ages ago", "long time ago", "long ago", "while back", "years back", "as a child|kid|teen|"
    "teenager|baby|boy|girl|toddler|youngster|student", "when i|he|she|they|we was|were a|little|"
    "young|younger|small|kid|kids|child|children|teenager|teenagers|baby|babies|pregnant|"
    "at|in|#", "when i|he|she|they|we was|were like|about|around|only|just #", "aged #",
    "age #", "at # years|months|weeks|days",
    "(was|were|been) (in hospital|admitted|in the hospital|in icu|in intensive care) ~ "
    "(in|back in|last|over) (january|february|march|april|may|june|july|august|september|"
    "october|november|december|the summer|the spring|the winter|the autumn)",
    "in my|his|her|their teens|twenties|thirties|forties|fifties|sixties|20s|30s|40s|50s",
    "last season|term|semester", "at uni|university|college", "when ~ diagnosed",
    "diagnosed at #", "at diagnosis", "(for|in) (his|her|my|the|your) (notes|records|file)",
    "just letting you know", "for your records",
    "(form|forms|paperwork|records|notes) ~ (needs|need|wants|asks|asked) ~ (it|that|this) ~ "
    "(wrote|written|put|noted) down", "after (my|her|the) (baby|birth|delivery|"
    "labour|pregnancy|section|c section)",
    "after ~ (my|her|the) ~ (first|second|third|last|previous|"
    "other|youngest|eldest) ~ (baby|pregnancy|birth|child|operation|op|labour|delivery|son|"
    "daughter)",
    "back in ~ (#year|the day|school|uni|college|the eighties|the nineties|the seventies|"
    "those days|my day|my twenties|my teens)",
    # Not "hurt my back in the fall", nor "back in ... may".
    "back in the summer|winter|spring|autumn", "back in (january|february|april|june|july|"
    "august|september|october|november|december|march)", "in the past", "used to",
    "(back in|in) (oh|o|ought|aught) #", "back in (two thousand|nineteen|twenty) ~ #",
    "in ~ (nineteen|ninety|eighty|seventy|sixty) #", "in two thousand ~ #", "in twenty #",
    "in the (sixties|seventies|eighties|nineties|noughties)", "previous*", "prior", "history of",
    "hx of",
    "before ~ (found|diagnosed|caught|picked up|they found)",
    "had one before", "once before", "old injury",
    "since i|he|she was (a|little|young|younger|small|born|kid|child|teenager|teen|baby|#|in)",
    "in #year",
    # A year said in words: "that was nineteen ninety nine", "twenty twelve".
    "nineteen (fifty|sixty|seventy|eighty|ninety)", "twenty (ten|eleven|twelve|thirteen|"
    "fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)",
    "when (im|i am) #", "(same|the same) as (always|usual|ever)",
    "(been|its been|has been) like (that|this) (for years|for ages|forever|since)",
    "last (january|february|march|april|may|june|july|august|september|october|november|"
    "december|bank holiday|new year|new years)",
    "(was|were) in hospital at # (days|weeks|months)",
)
RESOLVED_CUES: tuple[str, ...] = (
    "recovered", "resolved", "went away", "gone away", "cleared up", "all clear", "all fine",
    "thats ~ fine", "thats all fine",
    "(coughed|spat|spit|threw|sicked|brought) it ~ (out|up)", "(came|come) straight ~ (out|up)",
    "got better", "all better", "fine now|since", "ok|okay|alright now|since", "all good",
    "no problems since", "none since", "not had one|any since", "havent had one|any since",
    "hasnt had one|any since", "(it|its|has|had|have|bleeding|pain|that|finally|eventually|"
    "which|they) stopped", "under control", "well controlled", "controlled",
    "sorted", "healed", "in remission", "in a good place", "doing well now", "much better now",
    "better now", "settled", "eased off", "calmed down", "dried up", "closed up",
    "(it|that|which|they|this) passed", "passed (after|on its own|off|quickly)",
    "stable now|since", "(fine|grand|good|great|well|ok|okay|alright|right as rain) ever since",
    "been grand since|now", "grand now",
    "(was|were|got|been) discharged",
    "(they|surgeon|surgeons|doctors|the hospital) (fixed it|sorted it|operated)",
    "(been|have been|has been|was|were) (lovely|good|fine|great|grand|brilliant|stable|normal) "
    "since",
    "now (she|he|i|they) (is|are|am|s) (well|fine|ok|okay|better|good|stable|recovered)",
    "now (hes|shes|im|theyre) (well|fine|ok|okay|better|good|stable|recovered)",
)
# Nearer than any past or resolved cue, these put the finding in the present.
RECENT_CUES: tuple[str, ...] = (
    "today", "tonight", "this morning|afternoon|evening|week", "right now", "just now", "now",
    "at the moment", "currently", "yesterday", "last night", "earlier",
    "#|a|an|few|couple|several minute|minutes|mins|hour|hours|hrs ago",
    "an hour", "half an hour", "since this|last|yesterday|lunch|breakfast|dinner",
    "started", "suddenly", "all of a sudden", "keeps", "keep", "still", "again", "since then",
    "for the last|past", "days ago", "day ago", "couple of days", "few days",
)
# fmt: on
