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


# Short social replies that are not coaching moves: thanks, apologies waved off, small talk.
SMALL_TALK = _any(
    r"^(ugh|aw|lovely|no problem|not at all|no worries|you'?re welcome|my pleasure|anytime|"
    r"any time|haha|ha|lol|oh no|fair enough|thanks|thank you|cheers)\b",
)
BACKCHANNEL_WORDS: frozenset[str] = _words(
    "mm hmm mhm uh huh um yeah yes yep okay ok right sure i see oh ah wow great good "
    "alright no nope gotcha cool fine"
)

PERMISSION = _any(
    r"\bif (that'?d|that would|it'?d|it would) (be )?(useful|helpful|help)\b",
    r"\bif you'?re (up for|ok with|okay with|happy with) (it|that)\b",
    r"\bwould it help (us )?to (stay|look|spend|go|talk|explore|start)\b",
    r"\b(want|wanna|would you like|do you want) me to (run|go|talk|take) (you )?(through|over)\b",
    r"\b(do|would) you mind if (i|we)\b",
    r"\b(can|could|shall|may) we (come back|go back|look|spend|talk|stay|pause|park|move)\b.{0,80}"
    r"\b(is that|if that'?s|would that be) (ok|okay|alright|all right|fine)\b",
    r"\b(would|will|could) it be (ok|okay|alright|all right|helpful|useful) (if|for me to|to)\b",
    r"\b(want|wanna|do you want|would you like) (to hear (it|them|some|my|a)|me to "
    r"(share|tell|suggest|say|offer|give|throw|walk))\b",
    r"\bshall i (share|tell|suggest|say|offer|give|throw|jump|put)\b",
    r"\b(mind|ok|okay|alright) if i\b",
    r"\bhappy to (share|throw|offer|suggest|give)\b.*\b(useful|helpful|help|like)\b",
    r"\b(would|will) (that|it|this) (help|be useful|be helpful)\W*$",
    r"\bcan i (name|point|share|offer|suggest|add|throw|make|reflect|float|put)\b",
    r"\b(is (now|this) a good time|if (that'?s|it'?s) (ok|okay|alright|all right|fine) with you|"
    r"or would you rather)\b",
    r"\b(would you like|do you want) (some |any |a bit of )?(input|ideas|suggestions|thoughts|"
    r"feedback|advice|my (view|take|thoughts|input|two cents))\b",
    r"\bi('ve got| have| might have| could (suggest|share|offer)| know)\b.{0,60}\b(would you "
    r"like|do you want|want to hear|shall i share|would (that|it) help)\b",
    r"\bwould it help (if i|to hear|if we)\b",
    r"\bwould you (like|rather|prefer|want) to (talk|look|spend|focus|go|explore|start|come|move|"
    r"stay|keep)\b.*\bor\b",
    r"\b(can|could|may|might) i (point you|share|offer|suggest|tell you|give you|mention|add|"
    r"ask you|make a suggestion|run something|throw|make an observation|give some)\b",
    r"\bdo you mind if i\b",
    r"\bwould you (like|want) (me to|to hear|some (information|ideas|suggestions|feedback))\b",
    r"\bis it (ok|okay|alright|all right)( with you)? if (i|we)\b",
    r"\bwould you be (open|interested) (to|in) (hearing|some|me)\b",
    r"\bwith your permission\b",
)
STRUCTURING = _any(
    r"\bshall we (do|move|go|start|wrap|stop|leave|take|switch|begin|get|pick|recap)\b",
    r"\b(we'?re|we are) (at|out of|nearly out of|almost out of) time\b",
    r"\bswitch(ing)? (over|roles|sides)\b|\bmoving on\b|\b(quick )?check.in\b",
    r"\b(about |nearly |almost )?(halfway|half way) through\b|\b(just )?flagging (it|that|the "
    r"time)\b",
    r"\bthanks? (you )?(so much )?for (making|finding) (the )?time\b",
    r"\b(we'?ve|we have) got the (full |whole )?(hour|session|morning|afternoon)\b",
    r"\bi thought we'?d (start|begin|kick off|look|spend|leave)\b",
    r"\b(\d+|five|ten|fifteen|twenty|thirty|forty|a few|couple of) (mins?|minutes) (left|to go|"
    r"remaining|from the end|before)\b",
    r"\b(we|i)('ve| have)? (still )?got (about |only |just |around )?(\d+|a few|five|ten|fifteen|"
    r"twenty|thirty|forty|half an hour|an hour)",
    r"\b(just )?a heads up\b|\bjust to flag\b",
    r"\b(plan|agenda) for (today|this session|the session)\b",
    r"\bnext (thing|item|up|topic) (on the list|is)\b",
    r"\b(let'?s|we'?ll|shall we) (pick (it|this|that) up|catch up|come back|park|step back|take "
    r"(them|it|these|those) one|start (there|with|by)|finish|stop there|call it|do that next|go "
    r"through|recap|check in|kick off|leave it there|switch|shift|turn to|get started|get going)\b",
    r"\bsame (time|slot|day)\b|\bwelcome back\b|\b(on|onto) to the\b|\bnow,? (onto|on to|the "
    r"(first|second|next|last))\b|\bmove on to\b|\bto (start|begin) with\b",
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
# Reassurance waves the problem away: advice about how to feel (docs/coding-manual.md).
REASSURANCE = _any(
    r"\b(you'?ll|you will|youll|it'?ll|it will|itll|everything'?ll|everything will) (be|all be) "
    r"(fine|ok|okay|great|grand|alright|all right|good)\b",
    r"\bdon'?t (worry|stress|panic|beat yourself up|be (so )?hard on yourself|overthink|fret|"
    r"sweat)",
    r"\b(it'?s|that'?s|its|thats) (no|not a|not that) big (deal|thing)\b",
    r"\bnothing to (worry|be (nervous|scared|afraid|anxious|ashamed|embarrassed|worried))"
    r"( about)?\b",
    r"\b(everyone|everybody|we all|all of us) (feels?|gets?|goes through|has been|struggles?|"
    r"makes? (mistakes|them)|does it|is nervous|worries)\b",
    r"\bi'?m sure (it|you|she|he|they|that)('ll| will|'s| is| wasn'?t| won'?t|'re| are| did| "
    r"can| would)",
    r"\b(it'?ll|it will|itll|that'?ll|things will|it'?s going to) (work out|all work out|fade|pass|"
    r"get easier|blow over|sort itself out|settle)",
    r"\bstop (doubting|worrying|feeling|beating|overthinking|stressing)\b",
    # "Relax." "Chill out." as an instruction (a clause of its own or opening one)
    r"(^|[.!,;] ?|\b(just|so|honestly|look) )(relax|chill( out)?|calm down|cheer up)\b",
    r"\b(you'?ll|you will|youll) (sail|breeze|fly|walk) through\b|\b(you'?ll|you will|youll) "
    r"(smash|nail|ace|crush|rock) (it|this|that)\b|\bpiece of cake\b",
    r"\b(it'?s|its|it is|that'?s|thats|they'?re|theyre|they are|[a-z]+s are) (just |only |"
    r"really |basically |mostly )?(a )?(formality|formalities|a doddle|nothing)\b\W*($|[.,!;])",
    r"\bof course you (are|can|will|did)\b|\byou'?ll (smash|nail|ace) it\b|\byou'?ve got this\b",
    r"\bit happens to (everyone|everybody|all of us|the best)\b",
    r"\b(totally|completely|perfectly) (normal|natural|fine)\b",
    r"\b(i'?m|i am) sure (you'?ll|you will|it'?ll) be\b",
)
# A suggestion that wears a question mark: a closed question with advice in it.
SUGGESTION_QUESTION = _any(
    r"^(so |and |but |ok |okay )?(have|had) you (tried|thought about|considered|looked at|asked|"
    r"talked to|spoken to|thought of)\b",
    r"^(so |and |but )?(could|can|couldn'?t|can'?t) you (just |maybe |perhaps |not )?(try|ask|"
    r"talk to|take|delegate|get|put|do|send|hand|book|block|set|use|speak to|move|push|raise|call|"
    r"email|drop|cut|skip|leave)\b",
    r"^(so |and |but )?what about (trying |asking |just )?\w+ing\b",
    r"^(so |and |but )?how about (trying|\w+ing)\b",
    r"^(so |and )?(is it|would it be|might it be) worth\b",
    r"^(so |and )?(would|might|could) it help (to|if you)\b",
)
ADVICE = _any(
    r"^(honestly,? |personally,? )?i wouldn'?t\b",
    r"\bi'?d (keep|wait|hold|go|say|tell|ask|leave|push|stick|start|get|book|send|talk|speak|"
    r"write|put|take|make|just)\b",
    r"\byou (could|might) (always )?try\b",
    r"^(be )?careful,",
    r"\b(isn'?t|wouldn'?t) it (be )?(better|best|smarter|wiser|easier) to\b",
    r"\byou('d| would)? (really |just |definitely |probably |still )?"
    r"(need|have|'ve got|got|gotta) to\b",
    r"\byou('ve| have)? got to\b",
    r"\byou (really |just |definitely |probably )?(should|shouldn't|need to|have to|must(?! be)|"
    r"ought to|gotta|got to|'d better|had better)\b",
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
    "turn switch give drink eat exercise walk ask speak leave cancel protect send tell talk open "
    "hand lead sort push raise email ring text check do say accept decline forget ignore "
    "apply"
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
    r"\b(that|this|it)('s| is| was| shows| showed)( (a|an|such|some|real|really|so|very|genuine|"
    r"proper|huge|big|serious|actual|clear|great))* (discipline|integrity|leadership|achievement|"
    r"courage|guts|nerve|humility|commitment|resilience|persistence|initiative|growth|"
    r"professionalism|dedication|maturity|honesty|self.awareness|insight|resourceful|thoughtful|"
    r"brave|impressive|generous|mature|determination|diplomacy|step up|shift|skill|strength)\b",
    r"\b(that|it|this) (took|takes) (a lot of |real |some )?(guts|nerve|humility|courage|strength|"
    r"honesty|patience|bravery|backbone|grit)\b",
    r"\b(nice|great|good|brilliant|excellent|solid|smart|clever|careful|thoughtful|methodical|"
    r"sensible|mature|practical|creative) (work|job|thinking|move|call|plan|idea|diplomacy|way|"
    r"catch|instinct|thing to do|approach|goal|step|handling)\b.{12,}|.{12,}\b(nice|great|good) "
    r"(work|job|one)\W*$",
    r"\byou('ve| have) (clearly|really|obviously) (thought|prepared|put|done|worked|grown|thought "
    r"about)\b",
    r"\byou (handled|managed|navigated|dealt with) (that|it|this|them|him|her|the)\b.{0,40}\b("
    r"well|professionally|calmly|brilliantly|gracefully|with care|really)",
    r"\byou (stood your ground|stepped up|took ownership|owned (it|the)|went the extra mile|"
    r"really go the extra mile|kept your cool|did (all )?the (groundwork|research|hard work))\b",
    r"\b(i'?m|i am) (really |so )?(impressed|proud of you)\b|\byou'?ve come a long way\b",
    r"\byou('ve| have) taken a (big|real|huge|brave) step\b",
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
    r"\bthat('s| is| was) (a lot of care|an honest thing|a (really |very )?(clever|smart|brave|"
    r"thoughtful|kind|generous|creative|neat|sensible|mature) (fix|move|call|idea|thing|plan|"
    r"solution|choice|decision|way))\b",
    r"\byou (really |clearly )?(do|did) your homework\b|\b(went|go) (and|ahead and) did it\b|"
    r"\bdid it anyway\b",
    r"\byou'?re (really |clearly )?(working|investing|putting (in|the work)|trying) "
    r"(hard|to get|in|time|effort|so much)\b",
    r"\btakes? (real |a lot of |some )?(self.respect|guts|nerve|courage|backbone|grit|strength|"
    r"honesty|patience|character|resilience)\b",
    r"\b(shows|showed|that'?s) (real |a lot of |some )?(backbone|grit|character|self.respect)\b",
    r"\byou (didn'?t|never) (give up|quit|back down|stop)\b",
    r"\byou stuck (with|at|to)\b",
    r"\byou (built|made|set up|created|organised|organized|ran|wrote|designed|fixed|sorted) .{0,60}"
    r"\b(yourself|on your own|by yourself|single.handed)\b",
    r"\byou('ve| have)? ?(kept|held|stuck with|carried|kept going|pushed through|got through|"
    r"delivered)\b.{0,50}\b(under|despite|through|even (when|with|though)|all this|in spite)\b",
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
# Question forms that are directives in disguise.
DIRECTIVE_QUESTION = _any(
    r"\bwhy don'?t you\b",
    r"\bwhy not (just )?(try|ask|tell|talk|send|organise|organize|get|take|put|do|make|book|block|"
    r"say|go|set|use|speak|call|email|write|give|start|stop|leave|delegate|hand|push|raise)\b",
    r"\bhow about you (just )?\b",
    r"\bwouldn'?t (it|that) (be|make) (more |much |a lot )?(better|best|easier|smarter|sensible|"
    r"sense|simpler|quicker|wiser)\b",
    r"\bwouldn'?t you be better\b",
    r"\b(surely|shouldn'?t) you\b",
    r"\b(isn'?t|wouldn'?t) it (be )?(better|best|smarter|wiser|easier) to\b",
    r"\bdon'?t you think (you|we) (should|need to|ought to|have to|must)\b",
    r"\bdon'?t you think it'?s (time|about time|better)\b",
)
# How a summary opens when it strings the client's points together.
SUMMARY_OPENER = _any(
    r"^(ok |okay |right |alright )?so\b",
    r"^(ok|okay|right)\b",
    r"^there'?s\b",
    r"^you'?ve (got|said|had|mentioned|told)\b",
    r"^(what i'?m hearing|sounds like|it sounds like)\b",
)
CHECK_QUESTION = re.compile(
    r"(is that (right|fair|it|accurate|everything|about right|a fair (summary|picture|way))|"
    r"did i (get|capture|miss|understand|leave)|have i (got|missed|understood|left|captured)|"
    r"does (that|this) (sound|match|cover|capture|fit|seem|feel) ?(right|fair|about right|"
    r"accurate|it)?|am i (on the right|close|right|getting)|(fair|accurate) (summary|picture)|"
    r"anything (missing|else|i'?ve missed|i missed)|is there (anything|more)( else)?|"
    r"(^|[,.;:!?\u2014-]\s*)(close|fair|right|yeah)|"
    r"have i missed anything|did i miss anything|"
    r"how does that sound|is that everything|or is there more|what have i missed|"
    r"what did i miss|does that ring true|did that land|would you say that'?s (fair|right)|does "
    r"(that|this) sum (it|that) up|is that a fair read)(\s+[\w']+){0,4}\W*$"
)
SUMMARY = _any(
    r"\brecap\b|\bpulling (it|this|that|things) together\b|\bso far i'?m hearing\b",
    r"\bwhat you'?ve (said|told me)\b|\bwhere you'?re at\b",
    r"\b(sounds like|i'?m hearing|there are|there'?s) (three|two|four|a few|a couple of) things\b",
    r"\bso far (i'?ve|i have|you'?ve|you have|we'?ve|i'?m)\b",
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
SCALE = re.compile(
    r"\b(scale|(\d+|zero|one|nought) ?(to|-|–|out of) ?(\d+|ten)\b|out of (ten|10)\b|"
    r"(1|one|0|zero) (being|is|=) .{3,40}\b(10|ten) (being|is|=))"
)
# The coach as the subject of the turn's opening: self-disclosure or the coach's own view.
COACH_SELF = _any(
    r"^(when|after|before|once) i\b",
    r"^in my (first|last|old|own|previous|experience|day|last job|view|opinion)\b",
    r"^i (had|did|found|went|was|used to|remember|felt|got|tried|know how|moved|think it'?s|"
    r"had that|still|went through|once|spent|learned|learnt|made|missed|changed|started|left|"
    r"struggled|worked|ended up|'?ve (been|had|seen|found|done|worked|always))\b",
    r"^(for what it'?s worth|personally|honestly|to be honest),? i\b",
    r"^my (sense|view|take|experience|feeling|guess|hunch|understanding|reading) (is|was)\b",
    r"^(me too|same here|same with me|ugh same|same)\b",
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
        # the session's goal in everyday words
        r"\b(most|more) (useful|helpful|valuable) (to|for us to) (talk|focus|look|spend|work)\b",
        r"\b(talk|focus|work|spend (our|the) time) on (today|in the time|in our time)\b",
        r"\bwhat (would|do) you (like|want|need|hope) to (get|take|leave|walk away) "
        r"(out of|from|with)\b",
        r"\b(leave|walk away|come away) (with|having)\b",
        r"\bwhat would make (this|today|our time|the session|this conversation) (useful|worthwhile|"
        r"worth it|valuable|a good use)\b",
        r"\bwhere would you like to (start|begin)\b|\bwhat brings you\b",
        r"\bwhat'?s on your (mind|agenda|list) (today|for today)\b",
        r"\b(good|great|useful) outcome\b",
        r"\bby the end of (our|this|the) (time|chat|hour|conversation)\b",
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
