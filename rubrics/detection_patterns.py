"""Phrase patterns behind the rule-based technique detector.

Must stay true: patterns run on ``detection_text.normalise``-d text (lowercase, straight
apostrophes, no stutter hyphens) and never depend on punctuation, so they work on speech-recognition
output.  Each pattern list is named after the label it evidences; keep them small and exact, and
leave fuzzy cases to the trained classifier.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


BACKCHANNEL_WORDS: frozenset[str] = _words(
    "mm hmm mhm uh huh um yeah yes yep okay ok right sure i see oh ah wow great good "
    "alright no nope gotcha cool fine"
)

PERMISSION = _any(
    r"\b(would|will|could) it be (ok|okay|alright|all right|helpful|useful) (if|for me to|to)\b",
    r"\bwould it help (if i|to hear|if we)\b",
    r"\b(can|could|may|might) i (share|offer|suggest|tell you|give you|mention|add|ask you|make a "
    r"suggestion|run something|throw|make an observation|give some)\b",
    r"\bdo you mind if i\b",
    r"\bwould you (like|want) (me to|to hear|some (information|ideas|suggestions|feedback))\b",
    r"\bis it (ok|okay|alright|all right)( with you)? if (i|we)\b",
    r"\bwould you be (open|interested) (to|in) (hearing|some|me)\b",
    r"\bwith your permission\b",
)
STRUCTURING = _any(
    r"^(so |okay |ok |well )?(hi|hello|hey|good (morning|afternoon|evening)|welcome)\b",
    r"\bnice to (meet|see) you\b",
    r"\bthanks? (you )?(so much )?for (coming|meeting|joining|being here)\b",
    r"\bwe have (about |only |just )?(\w+|\d+) minutes\b",
    r"\bminutes (left|remaining)\b",
    r"\b(our|the) time (today|together|is up|is almost)\b",
    r"\blet's (start|begin|move on|come back|go back|take a look|talk about|turn to|wrap up|recap|"
    r"pause|look at|spend|focus on)\b",
    r"\bbefore we (finish|end|wrap up|close|start|begin|go)\b",
    r"\b(next session|our next meeting|next time we)\b",
    r"\bagenda\b",
    r"\bto wrap (up|things up)\b",
    r"\b(see you|goodbye|bye|take care)\b",
    r"\bshall we (start|begin|move)\b",
)
ADVICE = _any(
    r"\byou (really |just |definitely |probably )?(should|shouldn't|need to|have to|must|ought to|"
    r"gotta|got to|'d better|had better)\b",
    r"\bi(('d)| would)? (strongly )?(suggest|recommend|advise|encourage you)\b",
    r"\bmy (advice|suggestion|recommendation)\b",
    r"\bif i were you\b",
    r"\bwhy don't you\b",
    r"\byou (might|may|could) want to\b",
    r"\bthe best (thing|way|option)( for you)? (is|would be|to)\b",
    r"\bit (would|might) be (better|best|good|wise|a good idea) (if you|to|for you)\b",
    r"\bwouldn't it be (better|best|easier|good)\b",
    r"\bmake sure (you|to)\b",
    r"\bdon't (forget|worry)\b",
    r"\bhow about (you|trying)\b",
    r"\byou (can|could) (just|always|simply)\b",
    r"\bjust (do|try|tell|say|stop|go|start|call|ask|block|put)\b",
)
IMPERATIVE_VERBS: frozenset[str] = _words(
    "try make stop start block call go take get keep avoid remember consider write put cut "
    "quit set schedule use join find focus delegate prioritise prioritize plan book limit "
    "turn switch give drink eat exercise walk ask speak leave cancel protect"
)
INFORMATION = _any(
    r"\b(research|studies|a study|evidence|statistics|guidelines?|on average|percent|per cent)\b",
    r"\b\d+ ?%",
    r"\b(per|a|each) (week|day|month)\b.*\b(units?|drinks?|cigarettes?|hours?)\b",
    r"\bmost people\b",
    r"\bwe (do )?know that\b",
    r"\b(is|are) (associated|linked) with\b",
    r"\b(increases?|raises?|reduces?|lowers?) (the|your) (risk|chance)\b",
    r"\bthe (policy|law|rule|recommendation|recommended)\b",
    r"\bit (is|has been) (known|shown)\b",
    r"\bcan (cause|lead to)\b",
)
AFFIRMATION = _any(
    r"\bit (took|takes) (a lot of )?(courage|guts|strength|determination)\b",
    r"\byou('ve| have) (worked|done|put|made|come|achieved|managed)\b.{0,30}"
    r"\b(hard|a lot|so much|well|great|progress|effort|far)\b",
    r"\byou('re| are) (clearly |really |very |so )?(determined|resourceful|committed|strong|brave|"
    r"persistent|dedicated|thoughtful|caring|capable|honest|motivated)\b",
    r"\byou (clearly |really )?(care|value)\b",
    r"\b(well done|good for you|congratulations|kudos)\b",
    r"\bthat('s| is| was) (really |very |so )?(brave|courageous|impressive|a big step|admirable|"
    r"a great step|a real achievement)\b",
    r"\bi (really )?(appreciate|admire|respect) (your|you|how|that you)\b",
    r"\byou (should|can|must) be (really |very )?proud\b",
    r"\bthank you for (sharing|being (so )?(honest|open))\b",
    r"\b(says|shows|tells me) (a lot|something|so much) about (you|your)\b",
    r"\b(shows|showed|took) (real |a lot of |your |such )?(commitment|courage|determination|"
    r"persistence|resilience|care|dedication|initiative)\b",
)
REFLECTION_START = _any(
    r"^(you're|you are|you feel|you've|you have been|you were|you want|you don't|you'd|"
    r"you really|you sound|you seem|you think|you wish|you just|you still|you kind of|you also|"
    r"you know that)\b",
    r"^(it )?(sounds|seems|feels|looks) (like|as if|as though)\b",
    r"^(it )?(sounds|seems) (that|really|pretty|quite|very)\b",
    r"^what i('m| am)? hear(ing)?\b",
    r"^i('m| am)? hear(ing)? (you|that)\b",
    r"^(part of you|on (the )?one hand)\b",
    r"^(for you|so for you)\b",
    r"^(it's|it is|it's been|that's|that must be|must be|this is) "
    r"(really |so |very |pretty |quite )?"
    r"(hard|difficult|tough|frustrating|a struggle|important|scary|confusing|painful|exhausting|"
    r"overwhelming|a lot)\b",
)
COMPLEX_MARKERS = _any(
    r"\bpart of you\b",
    r"\bon (the )?one hand\b",
    r"\bon the other( hand)?\b",
    r"\b(and|but) at the same time\b",
    r"\b(and|but) yet\b",
    r"\beven though\b",
    r"\b(important|matters) to you\b",
    r"\byou (value|care about|really care)\b",
    r"\b(afraid|scared|worried|frustrated|torn|proud|hopeful|ashamed|guilty|angry|sad|lonely)\b",
    r"\bsounds like\b",
    r"\bit's (like|as if)\b",
    r"\bi (wonder|imagine|guess) (if|whether|that)?\b",
)
SUMMARY = _any(
    r"\bso far\b",
    r"\bto sum (it )?up\b",
    r"\bin summary\b",
    r"\blet me (summari[sz]e|see if i|recap|pull)\b",
    r"\bif i (can |could |might )?(summari[sz]e|recap|pull)\b",
    r"\blet me (check|make sure) (that )?i\b",
    r"\bdid i (get|miss|leave out) (that|it|everything|anything)\b",
    r"\bwhat i('ve| have) heard\b",
    r"\byou('ve| have) told me\b",
    r"\bpull (this|that|it|things) together\b",
)
LEADING = _any(
    r"\bdon't you (think|agree|feel|want|see)\b",
    r"\bwouldn't (it|you|that) be\b",
    r"\bwouldn't you (agree|say|like)\b",
    r"\bisn't (it|that) (true|better|obvious|clear|a good idea)\b",
    r"\bshouldn't you\b",
    r"\bsurely you\b",
    r"\bcan't you (just|see)\b",
    r"\baren't you (worried|concerned|afraid)\b",
    r"\bwhy don't you\b",
    r"\byou (do )?(agree|see that), (right|don't you)\b",
)
JUDGEMENTAL_WHY = _any(
    r"\bwhy (didn't|haven't|hadn't|can't|won't|wouldn't|couldn't|aren't|weren't|don't) you\b"
    r"(?! try)",
    r"\bwhy would you\b",
    r"\bwhy did you (not|ever|even|even bother)\b",
    r"\bwhy do you (always|keep|still|even)\b",
    r"\bwhy on earth\b",
    r"\bwhat were you thinking\b",
)
SELF_FOCUS = _any(
    r"\bwhen i was\b",
    r"\bi always\b",
    r"\bin my (own )?(experience|life|day|career|job)\b",
    r"\bi remember (when|once)\b",
    r"\bi used to\b",
    r"\bwhen i had\b",
    r"\bi had (the )?(same|similar)\b",
    r"\bi('ve| have) been there\b",
    r"\b(me too|same here|same with me)\b",
    r"\bthat happened to me\b",
    r"\bpersonally,? i\b",
    r"\bmy (wife|husband|partner|kids|son|daughter|boss|mum|mom|dad|own)\b",
    r"\bwhat i (did|do) (was|is)\b",
)
GROW = {
    "will": _any(
        r"\b(what|when|how) will you\b",
        r"\bwill you\b",
        r"\b(first|next) step\b",
        r"\bcommit(ted|ment)?\b",
        r"\bon a scale\b",
        r"\b(1|one) to (10|ten)\b",
        r"\bby when\b",
        r"\bwho (can|could|will) (support|help)\b",
        r"\bwhat support\b",
        r"\baccountab",
        r"\b(your|a|the) plan\b",
        r"\bwhen (exactly|specifically)\b",
        r"\bwhat might get in the way\b",
    ),
    "options": _any(
        r"\bwhat else\b",
        r"\boptions?\b",
        r"\b(what|how) (could|might) you\b",
        r"\bideas?\b",
        r"\bpossibilit",
        r"\balternatives?\b",
        r"\bwhat would happen if\b",
        r"\bif you could\b",
        r"\bbrainstorm\b",
        r"\bother ways?\b",
        r"\bwhat (are|were) (some|the) ways\b",
    ),
    "goal": _any(
        r"\bwant (to get )?(out of|from) (this|today|our|the session)\b",
        r"\bgoals?\b",
        r"\bsuccess\b",
        r"\bachieve\b",
        r"\bhop(e|ing) (to|for)\b",
        r"\bby the end of (this|our|the|today)\b",
        r"\bideal(ly)?\b",
        r"\bwhat would you like\b",
        r"\bhow will you know\b",
        r"\bwhy (does|is) (this|that|it) (matter|important)\b",
        r"\bwhat matters\b",
        r"\b(focus on|work on) today\b",
        r"\bwhat do you want\b",
    ),
    "reality": _any(
        r"\bwhat's happening\b",
        r"\bcurrently\b",
        r"\bright now\b",
        r"\btried\b",
        r"\bwhat have you\b",
        r"\bwhat's (stopping|getting in the way)\b",
        r"\bobstacles?\b",
        r"\bhow often\b",
        r"\bwhat happened\b",
        r"\btell me (about|more)\b",
        r"\bhow long\b",
        r"\bat the moment\b",
        r"\bthese days\b",
        r"\bhow (are|is) (it|things)\b",
    ),
}
