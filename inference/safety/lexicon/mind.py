"""Suicidal or homicidal thoughts, said directly and indirectly, and voices that command."""

from __future__ import annotations

# fmt: off
_PEOPLE = (
    "(him|her|them|someone|somebody|people|everyone|anyone|myself|himself|herself|"
    "my wife|my husband|my partner|my kids|my kid|my children|my child|my baby|the baby|"
    "my son|my daughter|my mum|my mom|my dad|my boss|my family|my neighbour|my neighbor|"
    "my brother|my sister|the kids|the children|his wife|her husband|his family|her family)"
)
_HARM = "(kill|hurt|harm|stab|shoot|strangle|attack|smother|poison|drown)"

# A figure of speech, not a threat: "I'm gonna kill my husband if he doesn't stop snoring".
EXCEPTIONS: dict[str, tuple[str, ...]] = {
    "suicidal or homicidal ideation": (
        "(suicide|self harm|mental health) ~ (prevention|awareness|training|helpline|line|"
        "hotline|first aid|course|charity|walk|talk|leaflet|poster|team)",
        f"(kill|murder|strangle|throttle) ~ {_PEOPLE} ~ if ~ (doesnt|dont|does|keeps|carries on|"
        "leaves|eats|snores|forgets|touches my|uses my|takes my|finishes|wakes)",
        "(dying|killing) ~ (for|to) ~ (a|know|see|go|get)", "killing me",
        "cut|cutting (myself|himself|herself) (shaving|cooking|chopping|gardening|on a|on the|on "
        "some|on glass|on paper|by accident|accidentally)",
        "kill me if ~ (im|i am|i forget|i miss|i break|i lose|late|i eat)",
    ),
}

CONCEPTS: dict[str, tuple[str, ...]] = {
    "suicidal or homicidal ideation": (
        "suicid*", "sucidal", "kill myself", "killing myself", "kill himself|herself",
        "killing himself|herself", "end my|his|her|their life", "end it all", "ending it all",
        "end it", "ending it", "end things", "end everything", "ending my|his|her life",
        "take|taking ~ (my own life|his own life|her own life|my life|own life)",
        "want|wants|wanted|wanting|wanna ~ (to die|die|to be dead|to not be here|to not exist|"
        "to disappear|to go to sleep and not wake up|it to stop|it all to stop|it to end|"
        "it all to end|it all over|everything to stop|to end it|out of life|to be gone)",
        "wish|wishing|wished ~ (dead|die|died|was gone|wasnt here|wasnt born|never born|"
        "not wake|didnt wake|wouldnt wake|could sleep forever|wouldnt wake up|was dead|"
        "could disappear|were dead)",
        "better off ~ (dead|without me|without him|without her|if i|if he|if she|gone)",
        "no point ~ (living|going on|anymore|in anything|in life|in me|in being here|"
        "carrying on|to anything|any more|to life|in living|trying)",
        "(dont|doesnt|cant|cannot|not) ... see ~ (the point|any point|a point|a future|a way out)",
        "(giving|given|gave|give) ~ (things|stuff|belongings|possessions|everything|my things|"
        "my stuff|his stuff|her stuff) ~ away",
        "(cant|cannot|couldnt) ~ (go on|carry on|do this anymore|do this any more|cope anymore|"
        "take it anymore|take it any more|keep going|face another day|face tomorrow|"
        "do it anymore|live like this|be here anymore)",
        "(giving|given|gave) ~ away ~ (things|stuff|belongings|possessions|his things|"
        "her things|my things|everything|his stuff|her stuff|my stuff)",
        "(written|wrote|writing|write|left) ~ (letters|note|notes|goodbye|goodbyes|a will|"
        "my will|his will|her will) ~ (kids|family|everyone|children|mum|mom|goodbye|partner|"
        "wife|husband|son|daughter)", "(suicide|goodbye) note", "goodbye letter|letters",
        "said|saying ~ goodbye|goodbyes", "tying up loose ends", "put my affairs",
        "(cut|cutting|slash|slashing|slashed) ~ (myself|himself|herself|themselves)",
        "(slit|slash|slashed|slashing) ~ wrist|wrists", "self harm*", "selfharm*",
        "self injur*",
        "(harm|hurt|harming|hurting) ~ (myself|himself|herself|themselves)",
        "(jump|jumping|jumped|throw myself|throw himself|throw herself|step) ~ (off a bridge|"
        "off the bridge|in front of|off a building|off the roof|from the bridge|"
        "from a bridge|under a|off a cliff|off the car park)",
        "hang|hanging|hung ~ myself|himself|herself", "noose", "rope ~ garage|loft|tree|neck",
        "stockpil*", "(saving|saved|collecting|hoarding|stashing|saving up) ~ (pills|tablets|"
        "meds|{drug})",
        "(plan|plans|planned|planning) ~ (to die|to end|to kill|suicide|my death|his death|"
        "her death)", "no way out", "nothing to live for", "no reason to live",
        "rather be dead", "rather not be here", "tired of ~ (living|life|being alive)",
        "want to die", "wanna die", "(dont|doesnt|not) want to ~ (be here|be alive|live|"
        "wake up|exist|be around|go on|carry on)",
        "(voice|voices) ~ (tell*|told|telling|say*|said|want*|order*|command*|make|makes) ~ "
        f"{_HARM[:-1]}|die|jump|cut|punish|end)", "(voice|voices) ~ (tell*|told|telling|say*|said) "
        "~ (me|him|her) ~ to", "command hallucinat*",
        f"kill ~ {_PEOPLE}", f"(want to|going to|gonna|wanna|will|might|urge to|urges to|"
        f"thoughts of|thinking of|thinking about|thoughts about|afraid i will|scared i will|"
        f"scared i might|afraid i might|worried i will|worried i might|feel like) ~ {_HARM} ~ "
        f"{_PEOPLE}", f"{_HARM} ... (someone|somebody|people|everyone|anyone)",
        "homicid*", "snap and ~ hurt|kill", "take everyone with me",
        "(everyone|everybody|they|family|kids|world) ~ (better off without|be better without)",
        "(overdose|od|pills|tablets) ~ (on purpose|deliberately|intentionally)",
        "dark thoughts", "thoughts of ~ (dying|death|ending)", "sleep forever",
        "(thoughts|thinking|fantasising|fantasizing|picturing|imagining|dreaming) ~ (about|of) "
        "~ (hurting|killing|harming|stabbing|strangling|attacking|shooting|going round)",
        "(picturing|imagining|fantasising|fantasizing) ~ (knife|gun|hurting|killing|stabbing)",
        "(dont|do not|cant|cannot) trust myself",
        "(going to|gonna|will|wants to|plans to|planning to|hell|shell|ill) ~ take ~ (all|the lot|"
        "whole|every) ~ {drug}", "not a burden", "(be|being) a burden",
        "(threaten*|hell|he will|shell|she will|says hell|said hed|going to|gonna|wants to) ~ "
        "(kill|hurt|stab|strangle) ~ (me|us)",
        "(not|wont|never) (gonna|going to|be) ~ (be here|be around|be alive|exist|here) ~ (after|"
        "by|much longer|anymore|tomorrow|next|for long|when)",
        # "it doesn't matter, he won't be around next week anyway"
        "(wont|not|never|aint) (be|gonna be|going to be) (here|around|alive) ~ anyway",
        "(going|go|gone|walk|walking|drive|driving|heading) ~ (river|bridge|lake|sea|cliff|"
        "cliffs|woods|tracks|railway|train line|quarry|dam) ~ (not coming back|never coming back|"
        "wont come back|wont be back|not be back|for good|wont be coming back)",
        "better off ~ (insurance|life insurance|the payout|the pay out|my pension|without)",
        "(insurance|life insurance|payout) ~ better off",
        "(gun|rifle|shotgun|pistol|handgun|revolver) ~ (loaded|in my mouth|to my head|"
        "to his head|to her head)",
        "(take|taking|took) ~ (hammer|knife|bat|axe|machete|gun|crowbar) ~ to ~ (him|her|them)",
        "(voice|voices) ~ (told|tell*|say*|said|want*) ~ (devil|evil|demon|kill|hurt|harm|"
        "deal with|get rid of|punish|die|jump|poison|stab)",
        "not safe ~ (myself|around|with me|to be)",
        "(thinking|thought|think) ~ about ~ (jumping|going over|ending it|ending things|not being "
        "here|killing myself|dying|the bridge|the train|the pills|doing it)",
        # Suicide by vehicle, told as a thought: "I keep thinking about driving into a tree".
        "(thinking|thought|think|thoughts|urge|urges|tempted|picturing|imagining) ~ (about|of|"
        "to) ~ (driving|drive|crashing|crash|steering|steer|swerving|swerve|veering) ~ (into|"
        "off|in front of|under)",
        "(drive|driving|crash|crashing|steer|steering|swerve|swerving) ~ (my|the|his|her) ~ "
        "(car|van|truck|motorbike) ~ (into|off) ~ (a|the) ~ (tree|wall|bridge|lorry|truck|"
        "river|cliff|barrier|pillar|oncoming|traffic)",
        "(stood|standing|was|sat|sitting) ~ on the ~ (bridge|edge|ledge|roof|platform|cliff|"
        "railway)",
        "go to sleep and not wake", "burden", "cant see a way", "no future",
        "dont care if i die|live", "not worth living", "life isnt worth", "whats the point",
    ),
}
# fmt: on
