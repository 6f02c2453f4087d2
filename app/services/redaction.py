"""Redaction of personal details before an exchange is published to the library.

What must stay true:
- deterministic: the same text, known names and terms always give the same output, so the preview
  a learner consents to is exactly what gets published;
- every replacement is reported (kind + original) so the preview can show what was removed;
- placeholders are fixed tokens ([NAME], [EMAIL], [PHONE], [URL], [IBAN], [NI NUMBER], [POSTCODE],
  [REDACTED]) that no rule matches again, so redacting twice changes nothing.

Limits (no model is used): person names are found from known names (the persona's, the author's),
a bundled list of about 700 common first names in many languages (``rubrics/data/first_names.txt``),
titles (Mr, Ms, Dr, ...), relation phrases ("my manager Priya"), self-introductions ("I'm Sam"),
any capitalised word in mid-sentence that is not a known ordinary word ("I told Leah"), a
capitalised word at the start of a sentence followed by a reporting verb ("Priyanka said"), and
every other occurrence of a name found once (``with_names_from`` learns names across all turns
of a share).  A rare name at the start of a sentence with no such verb, or a name written in lower
case, is missed; capitalised places, products and teams in mid-sentence ("Golden Gate", "Jira")
are redacted unless they are in ``ORDINARY_CAPITALISED``.  Emails are found written out ("jane
dot doe at gmail dot com", "jane [at] acme [dot] org") when they end in a common top-level
domain; IBANs by their shape (two letters, two digits, 11-30 letters or digits); UK National
Insurance numbers and postcodes in capitals.  Facilitators add organisation-specific terms, which
are matched case-insensitively on word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rubrics.names import common_first_names


def _words(text: str) -> list[str]:
    return text.split()


NAME, EMAIL, PHONE, URL, TERM = "[NAME]", "[EMAIL]", "[PHONE]", "[URL]", "[REDACTED]"
IBAN, NI_NUMBER, POSTCODE = "[IBAN]", "[NI NUMBER]", "[POSTCODE]"


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
# Capitalised words that are not people even in mid-sentence: kept by the single-word rule.
ORDINARY_CAPITALISED = NOT_NAMES | frozenset(
    _words(
        "mum mom dad mummy daddy nan nana gran grandma grandad grandpa auntie uncle sir madam god "
        "english british american french german spanish italian polish indian chinese irish "
        "scottish welsh european african asian muslim christian jewish hindu sikh "
        "sales marketing finance engineering operations legal product design support research "
        "head board company department manager director coach client chair ceo "
        "jira outlook word powerpoint teams linkedin whatsapp facebook instagram twitter "
        "amazon apple android iphone windows covid brexit ramadan diwali eid hanukkah "
        "england scotland wales ireland britain europe america india china africa "
        "manchester birmingham leeds glasgow edinburgh bristol liverpool cardiff belfast paris "
        "berlin dublin mr mrs ms miss mx dr prof professor dame "
    )
)
# Words that open sentences; a capitalised word at the start of a sentence is a name only when
# it is none of these and a reporting verb follows ("Priyanka said ...").
SENTENCE_STARTERS = ORDINARY_CAPITALISED | frozenset(
    _words(
        "about after again all also although always anyway as at because before being both by "
        "can could did do does doing don't each even every everyone everybody everything for "
        "from had has have he her here hers him his how however if in is it it's its just let "
        "let's like maybe me more most much my never no nobody none not nothing now of on once "
        "one only other our ours perhaps please probably really right she should since some "
        "somebody someone something sometimes still such sure than thank thanks that that's "
        "their them then there there's these they they're this those though through to today "
        "tomorrow too under until up us usually very was we we're were what what's whatever "
        "when where whether which while who why will with would yeah yesterday yet you you're "
        "your yours absolutely actually basically certainly clearly definitely exactly great "
        "hi hello hey honestly hmm oh right sorry totally um uh wow "
    )
)
REPORTING_VERBS = (
    r"(?:said|says|told|tells|asked|asks|thinks|thought|wants|wanted|keeps|kept|never|always|"
    r"just|is|was|has|had|will|would|can|could|doesn't|didn't|won't|isn't|wasn't|and|from|"
    r"feels|felt|knows|knew|called|emailed|texted|mentioned|suggested|reckons|agreed|left|"
    r"joined|sent|gave|got|made|took|seems|seemed)"
)

_DOT = r"\s*(?:\.|[\[({]\s*dot\s*[\])}]|\bdot\b)\s*"
_AT = r"\s*(?:@|[\[({]\s*at\s*[\])}]|\bat\b)\s*"
_TLD = r"(?:com|org|net|edu|gov|io|co|uk|ie|de|fr|es|it|nl|be|ch|in|au|ca|info|biz|me|ac)"
_SPELLED_EMAIL = re.compile(
    rf"\b[a-z0-9_%+-]+(?:{_DOT}[a-z0-9_%+-]+){{0,4}}{_AT}[a-z0-9-]+(?:{_DOT}[a-z0-9-]+){{0,4}}{_DOT}{_TLD}\b",
    re.IGNORECASE,
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_NI_NUMBER = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"
)
_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b")
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
# A capitalised word that does not open a sentence: something other than a sentence end, an
# opening quote or a line start comes before it.
_MID_WORD = re.compile(r"(?<=[\w,;)\]-] )([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)\b(?!\s*:)")
_START_NAME = re.compile(
    rf"(?:^|(?<=[.!?\"“(]\s)|(?<=\n))([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)(?=(?:'s)?\s+{REPORTING_VERBS}\b)",
    re.MULTILINE,
)


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
    """Replace person names, email addresses, phone numbers, URLs, bank and ID numbers, terms.

    ``known_names`` (the persona's, the author's) are matched in any case; ``learned_names``
    (found in the text itself, see ``with_names_from``) only as written, so a name such as "Hope"
    learned from "Hope said" does not take the word "hope" with it.
    """

    def __init__(
        self,
        known_names: Iterable[str] = (),
        terms: Iterable[str] = (),
        learned_names: Iterable[str] = (),
    ) -> None:
        self._known = tuple(known_names)
        names = {p for n in self._known for p in re.split(r"\s+", n.strip()) if len(p) >= 2}
        self._names = sorted(names, key=lambda n: (-len(n), n))
        self._terms = sorted({t.strip() for t in terms if t.strip()}, key=lambda t: (-len(t), t))
        learned = {n for n in learned_names if len(n) >= 2} - set(self._names)
        self._learned = sorted(learned, key=lambda n: (-len(n), n))

    def with_names_from(self, texts: Iterable[str]) -> Redactor:
        """A redactor that also knows every name found in ``texts`` (all turns of one share)."""
        found = set(self._learned)
        for text in texts:
            found |= names_in(text)
        return Redactor(self._known, self._terms, found)

    def redact(self, text: str) -> RedactedText:
        """Return the redacted text and the list of redactions, in order of discovery."""
        found: list[Redaction] = []

        def sub(pattern: re.Pattern[str], placeholder: str, kind: str, value: str) -> str:
            def repl(match: re.Match[str]) -> str:
                found.append(Redaction(kind, match.group(0)))
                return placeholder

            return pattern.sub(repl, value)

        text = sub(_EMAIL, EMAIL, "email", text)
        text = sub(_SPELLED_EMAIL, EMAIL, "email", text)
        text = sub(_URL, URL, "url", text)
        text = sub(_IBAN, IBAN, "iban", text)
        text = sub(_NI_NUMBER, NI_NUMBER, "ni number", text)
        text = sub(_POSTCODE, POSTCODE, "postcode", text)
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
        for name in sorted(names_in(text) | set(self._learned), key=lambda n: (-len(n), n)):
            text = sub(re.compile(rf"(?<![\w\[]){re.escape(name)}(?!\w)"), NAME, "name", text)
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
            if match.group(0).casefold() not in common_first_names():
                return match.group(0)
            found.append(Redaction("name", match.group(0)))
            return NAME

        return _WORD.sub(repl, text)


def names_in(text: str) -> set[str]:
    """Single words that the context shows to be people's names (see the module's limits)."""
    found = {
        m.group(1)
        for m in _MID_WORD.finditer(text)
        if m.group(1).casefold() not in SENTENCE_STARTERS
    }
    found |= {
        m.group(1)
        for m in _START_NAME.finditer(text)
        if m.group(1).casefold() not in SENTENCE_STARTERS
    }
    for pattern in (_RELATION, _SELF):
        for m in pattern.finditer(text):
            words = m.group(2).split()
            if words[0].casefold() not in NOT_NAMES:
                found.update(words)
    return {name for name in found if name.casefold() not in ORDINARY_CAPITALISED}


def redact_all(redactor: Redactor, texts: Iterable[str]) -> tuple[list[str], list[Redaction]]:
    """Redact several texts with one redactor; return the texts and all redactions."""
    out: list[str] = []
    removed: list[Redaction] = []
    for text in texts:
        result = redactor.redact(text)
        out.append(result.text)
        removed.extend(result.redactions)
    return out, removed
