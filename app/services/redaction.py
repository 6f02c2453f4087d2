"""Redaction of personal details before an exchange is published to the library.

What must stay true:
- deterministic: the same text, known names and terms always give the same output, so the preview
  a learner consents to is exactly what gets published;
- every replacement is reported (kind + original) so the preview can show what was removed;
- placeholders are fixed tokens ([NAME], [EMAIL], [PHONE], [URL], [REDACTED]) that no rule matches
  again, so redacting twice changes nothing.

Limits (no model is used): person names are found from known names (the persona's, the author's),
a small list of common first names, titles (Mr, Ms, Dr, ...), relation phrases ("my manager
Priya"), self-introductions ("I'm Sam") and two capitalised words in mid-sentence ("Sarah
Connolly").  A lone uncommon name at the start of a sentence, or written in lower case, is missed;
capitalised place or product pairs ("Golden Gate") may be redacted.  Facilitators add
organisation-specific terms, which are matched case-insensitively on word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


def _words(text: str) -> list[str]:
    return text.split()


NAME, EMAIL, PHONE, URL, TERM = "[NAME]", "[EMAIL]", "[PHONE]", "[URL]", "[REDACTED]"

COMMON_FIRST_NAMES = frozenset(
    _words(
        "aaron adam aisha alex alice amir amy ana andrew anna ben beth carlos chloe chris "
        "claire dan daniel david emily emma eric fatima grace hannah harry jack james jane "
        "jason jen jennifer jess john jon jordan josh julia kate katie kevin laura liam linda "
        "lisa lucy maria mark martin mary matt michael mike mohammed nina noah olivia omar "
        "paul peter priya rachel raj robert ryan sam sara sarah sofia sophie steve susan tom "
        "tony wei yusuf zoe "
    )
)
TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame)"
RELATIONS = (
    r"(?:manager|boss|supervisor|colleague|coworker|co-worker|teammate|director|mentor|mentee|"
    r"report|lead|partner|wife|husband|friend|client|coach|sister|brother|mother|father|son|"
    r"daughter|ceo|cfo|cto|vp)"
)
# Capitalised words that often start a mid-sentence pair but are not people.
NOT_NAMES = frozenset(
    _words(
        "i i'm i've i'd i'll monday tuesday wednesday thursday friday saturday sunday january "
        "february march april may june july august september october november december the a "
        "an and or but human resources hr it team teams excel slack zoom google microsoft "
        "office new york london christmas easter okay ok yes no so well "
    )
)

_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"')\]]+|\b[a-z0-9-]+\.(?:com|org|net|io|co\.uk)"
    r"(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\w+(])(?:\+?\(?\d[\d\s().-]{7,}\d)(?!\w)")
_CAP = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
_TITLED = re.compile(rf"\b{TITLES}\.?\s+{_CAP}(?:\s+{_CAP})?")
_RELATION = re.compile(
    rf"\b((?i:(?:my|our|his|her|their|your)\s+(?:new\s+|old\s+|line\s+)?{RELATIONS}"
    rf"(?:,|\s+called|\s+named|\s+is)?)\s+)({_CAP}(?:\s+{_CAP})?)"
)
_SELF = re.compile(rf"\b((?i:I'm|I am|my name is|call me|called|named)\s+)({_CAP})")
_PAIR = re.compile(rf"(?<![.!?]\s)(?<!^)\b({_CAP})\s+({_CAP})\b", re.MULTILINE)
_WORD = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\b")


@dataclass(frozen=True, slots=True)
class Redaction:
    """One replacement: what kind of detail it was and the original text."""

    kind: str
    original: str


@dataclass(frozen=True, slots=True)
class RedactedText:
    """The text as it will be published, and everything that was removed from it."""

    text: str
    redactions: tuple[Redaction, ...]


class Redactor:
    """Replace person names, email addresses, phone numbers, URLs and given terms."""

    def __init__(self, known_names: Iterable[str] = (), terms: Iterable[str] = ()) -> None:
        names = {p for n in known_names for p in re.split(r"\s+", n.strip()) if len(p) >= 2}
        self._names = sorted(names, key=lambda n: (-len(n), n))
        self._terms = sorted({t.strip() for t in terms if t.strip()}, key=lambda t: (-len(t), t))

    def redact(self, text: str) -> RedactedText:
        """Return the redacted text and the list of redactions, in order of discovery."""
        found: list[Redaction] = []

        def sub(pattern: re.Pattern[str], placeholder: str, kind: str, value: str) -> str:
            def repl(match: re.Match[str]) -> str:
                found.append(Redaction(kind, match.group(0)))
                return placeholder

            return pattern.sub(repl, value)

        text = sub(_EMAIL, EMAIL, "email", text)
        text = sub(_URL, URL, "url", text)
        text = sub(_PHONE, PHONE, "phone", text)
        for term in self._terms:
            pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)
            text = sub(pattern, TERM, "term", text)
        text = sub(_TITLED, NAME, "name", text)
        text = self._keep_prefix(_RELATION, text, found)
        text = self._keep_prefix(_SELF, text, found)
        for name in self._names:
            pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
            text = sub(pattern, NAME, "name", text)
        text = self._pairs(text, found)
        text = self._first_names(text, found)
        return RedactedText(text, tuple(found))

    @staticmethod
    def _keep_prefix(pattern: re.Pattern[str], text: str, found: list[Redaction]) -> str:
        def repl(match: re.Match[str]) -> str:
            name = match.group(2)
            if name.split()[0].casefold() in NOT_NAMES:
                return match.group(0)
            found.append(Redaction("name", name))
            return match.group(1) + NAME

        return pattern.sub(repl, text)

    @staticmethod
    def _pairs(text: str, found: list[Redaction]) -> str:
        def repl(match: re.Match[str]) -> str:
            first, last = match.group(1), match.group(2)
            if first.casefold() in NOT_NAMES or last.casefold() in NOT_NAMES:
                return match.group(0)
            found.append(Redaction("name", match.group(0)))
            return NAME

        return _PAIR.sub(repl, text)

    @staticmethod
    def _first_names(text: str, found: list[Redaction]) -> str:
        def repl(match: re.Match[str]) -> str:
            if match.group(0).casefold() not in COMMON_FIRST_NAMES:
                return match.group(0)
            found.append(Redaction("name", match.group(0)))
            return NAME

        return _WORD.sub(repl, text)


def redact_all(redactor: Redactor, texts: Iterable[str]) -> tuple[list[str], list[Redaction]]:
    """Redact several texts with one redactor; return the texts and all redactions."""
    out: list[str] = []
    removed: list[Redaction] = []
    for text in texts:
        result = redactor.redact(text)
        out.append(result.text)
        removed.extend(result.redactions)
    return out, removed
