"""Rule-based reading of one client turn: change/sustain talk, commitment and a named time.

Must stay true: ``commitment`` means a first-person, future, concrete action ("I'll talk to her on
Monday"), not an intention hedged or negated ("I'll think about it", "I might", "I won't");
``has_when`` means the turn names a time or date, whether or not it commits.  Deterministic and
punctuation-tolerant, like the coach rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rubrics.detection_text import normalise
from rubrics.labels import TalkType

_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend"
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_NUMBER = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|a few)"
WHEN = re.compile(
    rf"\b({_WEEKDAYS})s?\b"
    rf"|\b(in|by|before|after|end of|early|late|mid) ({_MONTHS})\b"
    rf"|\b({_MONTHS}) \d{{1,2}}(st|nd|rd|th)?\b"
    r"|\b(today|tonight|tomorrow|this (morning|afternoon|evening|week|month|year|weekend))\b"
    r"|\bnext (week|month|year|time|session|meeting|morning|few days)\b"
    r"|\b(at|by|around|before|after) (\d{1,2}([:.]\d{2})?|noon|midnight|lunch|lunchtime|dinner|"
    r"breakfast|work)\b"
    r"|\b\d{1,2}([:.]\d{2})? ?(am|pm|o'clock)\b"
    rf"|\b(in|within|for) {_NUMBER} (days?|weeks?|months?|hours?)\b"
    r"|\b(every|each) (day|morning|evening|night|week|monday|tuesday|wednesday|thursday|friday)\b"
    r"|\b(on the|by the) \d{1,2}(st|nd|rd|th)\b"
    r"|\b(first thing|end of the (day|week|month)|straight away|right away|starting now)\b"
)
_FUTURE = (
    r"\bi(('ll)| will| am going to|'m going to|'m gonna| am gonna| plan to| intend to| promise to|"
    r"('ve| have) decided to| commit to| am committed to|'m committed to| want to start)"
)
_COMMIT = re.compile(
    _FUTURE + r" (?!not\b|never\b|probably not\b|think\b|see\b|consider\b|try and see\b)(\w+)"
)
_HEDGE = re.compile(
    r"\b(maybe|might|perhaps|not sure|don't know if|i guess|if i can|unless|probably won't)\b"
)
CHANGE = re.compile(
    r"\bi (really )?(want|need|wanna|have) to "
    r"(stop|quit|cut|change|start|get|be|do|try|lose|make)\b"
    r"|\bi('d| would) (like|love) to\b"
    r"|\bi (could|can) (try|start|stop|cut|do|manage|make)\b"
    r"|\bi('m| am) (ready|willing|determined|motivated)\b"
    r"|\bi should (probably )?(stop|quit|cut|start|talk|do)\b"
    r"|\b(it would be|it'd be) (good|better|nice) (to|if i)\b"
    r"|\bi('ve| have) (been )?(cut|cutting|started|stopped|tried|trying|managed|reduced)\b"
    r"|\bi don't want to (keep|go on|end up|lose|be like)\b"
    r"|\b(worried|concerned|scared) (about|that)\b"
    r"|\bi know i (need|should|have)\b" + "|" + _FUTURE
)
SUSTAIN = re.compile(
    r"\bi (can't|cannot|couldn't) (stop|quit|do|change|imagine|see)\b"
    r"|\bi don't (want|think i|see|need|have time|really want)\b"
    r"|\bi('m| am) not (ready|going to|gonna|sure i|interested|willing)\b"
    r"|\b(no way|not a problem|it's fine|i'm fine|i'm okay with)\b"
    r"|\bi (like|love|enjoy) (drinking|smoking|it|my)\b"
    r"|\b(it|that) (helps|relaxes|calms) me\b"
    r"|\b(too hard|too difficult|too much|not that bad|isn't that bad|everyone does)\b"
    r"|\bi won't\b|\bi('ve| have) (always|never) (been able|managed)\b"
)


@dataclass(frozen=True, slots=True)
class ClientCues:
    """What the rules saw in a client turn."""

    talk_type: TalkType
    commitment: bool
    has_when: bool
    change_hits: int
    sustain_hits: int


# Speech recognisers write "I'll" as "ill"; it means unwell only after words like these.
_ILL = re.compile(
    r"(?<!\bi'm )(?<!\bam )(?<!\bwas )(?<!\bbeen )(?<!\bfeel )(?<!\bvery )"
    r"(?<!\breally )(?<!\bis )(?<!\bget )(?<!\bgot )(?<!\bbe )(?<!\ban )(?<!\btoo )\b(i )?ill\b"
)


def read_client(text: str) -> ClientCues:
    """Run the client rules over ``text``."""
    norm = _ILL.sub("i'll", normalise(text)).replace("im gonna", "i'm gonna")
    has_when = bool(WHEN.search(norm))
    commit_match = _COMMIT.search(norm)
    commitment = commit_match is not None and not _HEDGE.search(
        norm[max(0, commit_match.start() - 25) : commit_match.end()]
    )
    change = len(CHANGE.findall(norm))
    sustain = len(SUSTAIN.findall(norm))
    if commitment or change > sustain:
        talk: TalkType = "change"
    elif sustain > change:
        talk = "sustain"
    else:
        talk = "neutral"
    return ClientCues(talk, commitment, has_when, change, sustain)
