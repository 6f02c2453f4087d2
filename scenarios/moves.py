"""Reading a coach turn for what a reply must answer: a name, a greeting, a check question.

The technique detector says what kind of turn it is (question, reflection, advice…); these rules
catch what a person answers before anything else: being called by the wrong name, a hello, and
"…did I get that right?" at the end of a summary.  What must stay true: pure, deterministic and
cheap (no model); a name is only taken as a form of address where English puts one (the start of
the turn, after a greeting, or after a comma at the end of a sentence), never from the middle of
a sentence.
"""

from __future__ import annotations

import re
import unicodedata

from rubrics.names import common_first_names

# Capitalised words that open or close a turn without being a name.
_NOT_NAME_WORDS = """
    i i'm i've i'd i'll ok okay so well right sure yes yeah yep no nope hi hey hello thanks thank
    great good fine cool look listen honestly hmm mm um erm oh ah wow alright anyway also and but
    what how why when where who which whose tell can could would will do does did is are was were
    have has had let let's shall should may might must it it's that that's this there there's
    sounds seems you you're your yours we we're our they their he she his her me my mine sorry
    please maybe perhaps just really actually basically morning afternoon evening night today
    tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday january february
    march april june july august september october november december christmas easter
    dear mate team everyone guys folks friend buddy boss sir madam
    one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    sixty seventy eighty ninety hundred first second third last next
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
_GREETING = re.compile(
    r"^\W*(hi|hey|hello|hiya|good (morning|afternoon|evening)|morning|afternoon|evening"
    r"|welcome|nice to (see|meet) you|thanks for (coming|making|joining|your time))\b",
    re.IGNORECASE,
)
_HOW_ARE_YOU = re.compile(
    r"\bhow (are|r) (you|u)( doing| feeling)?( today)?\W*$|\bhow'?s (it going|things|your day)\b"
    r"|\bhow have you been\b",
    re.IGNORECASE,
)
_CHECK = re.compile(
    r"(did i (get|miss|leave out|understand) (that|it|this|everything|anything|you)"
    r"|have i (got|understood|missed|left out)|is that (right|fair|it|accurate|about right)"
    r"|does that (sound|seem|feel|fit) (right|fair|about right|accurate)?|am i (close|right|on the"
    r" right track)|is that a fair (summary|picture|way)|(that|this) (about )?right|\bright\s*$"
    r"|did that (land|fit)|anything (i'?ve|i have) missed|what have i missed|what did i miss)"
    r"\W*$",
    re.IGNORECASE,
)
_OPENERS = (
    r"(?i:hi|hey|hello|hiya|morning|afternoon|evening|thanks|thank you|okay|ok|so|right|well"
    r"|good (?:morning|afternoon|evening))"
)
_NAME = r"([A-Z][a-z\u00c0-\u017f]{1,19})"
# a hyphen joined to the next word ends a compound ("Twenty-one years…"), not a form of address
_VOCATIVE_START = re.compile(rf"^\W*(?:{_OPENERS}[ ,!]+)?{_NAME}\s*(?:[,!?:;\u2014]|-(?![\w-]))")
# "…, Dana." closing the turn or any sentence in it ("Thanks for coming in, Dana. How…?")
_VOCATIVE_END = re.compile(rf",\s*{_NAME}\s*(?:[.!?]+(?=\s)|[.!?]*\s*$)")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def addressed_as(text: str) -> str | None:
    """The name the coach calls the client by in this turn, if any ("Dana, what…", "…, Dana?")."""
    # a capitalised word opening a turn is usually just a word ("Ha, anyway", "Nervous? Why?",
    # "Understood, …"): there it counts only when it is a known first name; a word after a comma
    # closing a sentence ("…, Dana.") is a form of address in English whatever the name
    start = _VOCATIVE_START.search(text)
    if start and _fold(start.group(1)) in common_first_names():
        return start.group(1)
    end = _VOCATIVE_END.search(text)
    if end and _fold(end.group(1)) not in _NOT_NAMES:
        return end.group(1)
    return None


def answers_to(name: str, persona_name: str) -> bool:
    """Whether ``name`` is a way of calling this persona (any of their names, short forms,
    with or without accents: "Tom" and "Tomas" for "Tomás Ortega")."""
    called = _fold(name)
    for part in persona_name.split():
        own = _fold(part)
        if called == own or (len(called) >= 3 and own.startswith(called)):
            return True
    return False


def wrong_name(text: str, persona_name: str) -> str | None:
    """The wrong name the coach used for the client in this turn, or None."""
    name = addressed_as(text)
    if name is None or answers_to(name, persona_name):
        return None
    return name


def asks_how_are_you(text: str) -> bool:
    """The turn asks how the client is (a hello alone does not)."""
    return bool(_HOW_ARE_YOU.search(text))


def is_greeting(text: str) -> bool:
    """A hello or a "how are you" the client would answer before anything else."""
    return bool(_GREETING.search(text) or _HOW_ARE_YOU.search(text))


def ends_with_check(text: str) -> bool:
    """The turn ends by asking whether the coach got it right ("…, is that fair?")."""
    return bool(_CHECK.search(text.strip()))


_SCALE = re.compile(
    r"\b(?:scale|out of (?:10|ten)|(?:from |between )?(?:0|1|one|zero) (?:to|and) (?:10|ten)"
    r"|\d+\s*-\s*10)\b",
    re.IGNORECASE,
)
_YES_NO = re.compile(
    r"^\W*(?:(?:so|and|but|ok|okay|right|well)[, ]+)?(?:is|are|was|were|do|does|did|have|has|had"
    r"|can|could|will|would|should|shall|may|might|must|isn't|aren't|don't|doesn't|didn't"
    r"|haven't|won't|wouldn't|can't|couldn't)\b",
    re.IGNORECASE,
)


def asks_for_a_number(text: str) -> bool:
    """A scaling question ("from one to ten, how sure are you?"): a number answers it."""
    return bool(_SCALE.search(text))


def asks_yes_or_no(text: str) -> bool:
    """The last question is a yes/no question by its form (starts with an auxiliary verb)."""
    asked = [q for q in re.split(r"(?<=[.!?])\s+", text.strip()) if q.endswith("?")]
    last = asked[-1] if asked else text
    return bool(_YES_NO.search(last)) and " or " not in last.lower()
