"""Text handling for technique detection: normalising, clause starts and finding questions.

Must stay true: everything here is deterministic, pure and punctuation-tolerant.  Speech-recognition
transcripts arrive lowercase, unpunctuated and run-on, so a question is recognised from how a clause
starts (a wh-word followed by an auxiliary, or an auxiliary followed by a subject) as well as from a
trailing question mark.  No model code and no I/O live here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


QuestionKind = Literal["open", "closed"]

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_SENTENCE_RE = re.compile(r"[^.!?;]+[.!?;]*")

AUX: frozenset[str] = _words(
    "do does did are is was were am have has had can could would will should shall may "
    "might must don't doesn't didn't aren't isn't wasn't weren't haven't hasn't hadn't "
    "can't couldn't wouldn't won't shouldn't mightn't"
)
SUBJECTS: frozenset[str] = _words(
    "you i we they he she it that this there your anyone anybody anything someone somebody "
    "something people everyone everything any those these things you've you'd you'll"
)
WH: frozenset[str] = _words("what how why when where who which whose")
WH_CONTRACTED: frozenset[str] = _words(
    "what's how's where's who's what're how'd what'd where'd why'd when's who'd whats hows"
)
# Words that may follow a wh-word and still start a direct question ("what else", "how often").
_WH_NEXT: dict[str, frozenset[str]] = {
    "what": frozenset(
        [
            "else",
            "about",
            "kind",
            "sort",
            "type",
            "other",
            "if",
            "exactly",
            "made",
            "makes",
            "brings",
            "brought",
            "happened",
            "happens",
            "comes",
            "came",
            "matters",
            "part",
            "one",
            "way",
            "ways",
            "steps",
            "step",
            "time",
            "day",
            "options",
            "ideas",
            "things",
            "thing",
            "gets",
            "got",
            "keeps",
            "stops",
            "stopped",
            "changed",
            "concerns",
            "worries",
        ]
    ),
    "how": frozenset(
        [
            "much",
            "many",
            "long",
            "often",
            "far",
            "important",
            "confident",
            "likely",
            "come",
            "else",
            "about",
            "ready",
            "sure",
            "well",
            "soon",
            "big",
            "hard",
            "easy",
            "different",
            "bad",
            "good",
            "motivated",
            "committed",
            "serious",
        ]
    ),
    "why": frozenset(["not", "now"]),
    "who": frozenset(["else", "could", "might", "can", "else", "knows", "helps"]),
    "when": frozenset(),
    "where": frozenset(["else"]),
    "which": frozenset(),  # "which" at a clause start is always taken as a question
    "whose": frozenset(),
}
_CLOSED_WH: frozenset[str] = _words("who when where whose")
# "which" asks the client to pick: closed when the options are given ("which of those", "which
# one", "… or …"), open otherwise ("Which part do you most want to crack?").
_WHICH_CHOICE: frozenset[str] = _words("of one ones option options would")
_CLOSED_HOW: frozenset[str] = _words("much many long often far old")
_FILLERS: frozenset[str] = _words(
    "so okay ok and but well um uh umm er erm right now alright yeah yes mm hmm mhm then "
    "also or like just oh great good sure fine cool anyway ah hi hello hey welcome "
    "roughly approximately realistically honestly actually course"
)
_CONNECTORS: frozenset[str] = _words("and but so or okay ok right also then now well")
# Words after which an auxiliary is part of a declarative, not the start of a question.
_NOT_BEFORE_INVERSION: frozenset[str] = (
    AUX
    | SUBJECTS
    | WH
    | _words(
        "if whether as than what's thing things something anything nothing everything about to "
        "of for with in on at from by what ever really just also still that's it's"
    )
)
_OPEN_IMPERATIVES: tuple[tuple[str, ...], ...] = (
    ("tell", "me"),
    ("describe",),
    ("talk", "me", "through"),
    ("walk", "me", "through"),
    ("say", "more"),
    ("help", "me", "understand"),
    ("i'm", "curious"),
    ("i", "wonder", "what"),
    ("i", "wonder", "how"),
)
_NO_MID_INVERSION = _words("is was isn't wasn't has had")
_POLITE_OPEN = _words("tell say describe talk walk explain share give paint expand elaborate")
# Apostrophe-less contractions that speech recognisers emit; ambiguous ones (ill, were, its) stay.
_CONTRACTIONS: dict[str, str] = {
    w.replace("'", ""): w
    for w in _words(
        "you're don't didn't doesn't isn't aren't wasn't weren't haven't hasn't can't couldn't "
        "wouldn't shouldn't i'm i've you've you'd you'll what's how's where's that's they're "
        "let's there's who's"
    )
}
_CONTRACTION_RE = re.compile(
    r"\b(" + "|".join(sorted(_CONTRACTIONS, key=len, reverse=True)) + r")\b"
)


@dataclass(frozen=True, slots=True)
class Question:
    """One question found in a turn: where it starts, its kind and its words."""

    sentence: int
    start: int
    kind: QuestionKind
    words: tuple[str, ...]
    mark_only: bool = False  # only the question mark says so ("And it doesn't feel good?")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence's lowercase words, whether it ended with '?', and its clause-start indices.

    ``stated`` is true when the sentence was typed with a closing '.' or '!' (never for speech
    recognition output without punctuation).
    """

    words: tuple[str, ...]
    asked: bool
    clause_starts: tuple[int, ...]
    stated: bool = False


def normalise(text: str) -> str:
    """Lowercase, straighten quotes, turn stutter hyphens and dashes into spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"\[[^\]]*\]", " ", text)  # "[unintelligible 00:06:04]"
    text = re.sub(r"\s*(--+|\u2014|\u2013)\s*", ", ", text)
    text = re.sub(r"(?<=\w)-(?=\w)", " ", text)
    text = text.replace("-", " ")
    text = _CONTRACTION_RE.sub(lambda m: _CONTRACTIONS[m.group(1)], text)
    return re.sub(r"\s+", " ", text).strip()


def speech_style(text: str) -> str:
    """Lowercase and drop punctuation other than apostrophes, like raw speech recognition."""
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def words(text: str) -> list[str]:
    """Return the lowercase word tokens of ``text`` (contractions kept whole)."""
    return _WORD_RE.findall(normalise(text))


def sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences, noting question marks and clause starts."""
    out: list[Sentence] = []
    for chunk in _SENTENCE_RE.findall(normalise(text)):
        asked = "?" in chunk
        tokens: list[str] = []
        starts: list[int] = [0]
        for part_index, part in enumerate(chunk.split(",")):
            part_words = _WORD_RE.findall(part)
            if part_index and part_words:
                starts.append(len(tokens))
            tokens.extend(part_words)
        if not tokens:
            continue
        starts.extend(i + 1 for i, w in enumerate(tokens[:-1]) if w in _CONNECTORS)
        stated = not asked and chunk.rstrip().endswith((".", "!"))
        out.append(Sentence(tuple(tokens), asked, tuple(sorted(set(starts))), stated))
    return out


def skip_fillers(tokens: tuple[str, ...] | list[str], start: int) -> int:
    """Return the first index at or after ``start`` that is not a filler ("so", "you know")."""
    i = start
    while i < len(tokens):
        if tokens[i] in _FILLERS:
            i += 1
        elif tokens[i : i + 2] in (("you", "know"), ("i", "mean")) and i + 2 < len(tokens):
            i += 2
        else:
            break
    return i


def _starts_with(tokens: tuple[str, ...], i: int, phrase: tuple[str, ...]) -> bool:
    return tokens[i : i + len(phrase)] == phrase


def question_kind_at(tokens: tuple[str, ...], i: int, *, clause_start: bool) -> QuestionKind | None:
    """Return the kind of question starting at token ``i``, or None if none starts there."""
    if i >= len(tokens):
        return None
    word = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    after = tokens[i + 2] if i + 2 < len(tokens) else ""
    if word in WH_CONTRACTED:
        # a contracted wh-word inside a clause opens an embedded clause ("tell me more about
        # what's been going on"), not a new question
        if not clause_start:
            return None
        return "closed" if word.startswith(("who", "where", "when")) else "open"
    if word in WH:
        is_question = (
            (nxt in AUX and (after in SUBJECTS or after == "" or clause_start or word != "what"))
            or nxt in _WH_NEXT[word]
            or (word in ("which", "whose") and clause_start)
            or (nxt == "" and clause_start)
            # "what support do you need", "which part do you want…": a noun, then the inversion
            or (clause_start and _inverted_within(tokens, i + 2, 3))
        )
        if not is_question or not (clause_start or (nxt in AUX and after in SUBJECTS)):
            return None
        if word in ("who", "where") and nxt in ("could", "might", "would", "should"):
            return "open"  # "Who could support you?", "Where would you like to start?": not a fact
        if word in _CLOSED_WH or (word == "how" and nxt in _CLOSED_HOW):
            return "closed"
        if word == "which" and (nxt in _WHICH_CHOICE or "or" in tokens[i:]):
            return "closed"
        if word == "what" and nxt in ("time", "day"):
            return "closed"
        return "open"
    if clause_start and any(_starts_with(tokens, i, p) for p in _OPEN_IMPERATIVES):
        return "open"
    if word in AUX and nxt in SUBJECTS:
        if not clause_start:
            prev = tokens[i - 1] if i else ""
            if word in _NO_MID_INVERSION or prev in _NOT_BEFORE_INVERSION:
                return None
            if nxt != "you":
                return None
        if nxt == "you" and after in _POLITE_OPEN and word in ("could", "can", "would", "will"):
            beyond = tokens[i + 3] if i + 3 < len(tokens) else ""
            # "Can you give me an example?" asks for talk; "Can you give them a date?" does not
            if after != "give" or beyond in ("me", "us"):
                return "open"
        return "closed"
    return None


def _inverted_within(tokens: tuple[str, ...], start: int, span: int) -> bool:
    """An auxiliary followed by a subject within ``span`` tokens of ``start``."""
    for j in range(start, min(start + span, len(tokens) - 1)):
        if tokens[j] in AUX and tokens[j + 1] in SUBJECTS:
            return True
    return False


def _inversion_end(tokens: tuple[str, ...], start: int, span: int) -> int:
    """Index just past the first auxiliary-subject pair within ``span`` tokens (else -1)."""
    for j in range(start, min(start + span, len(tokens) - 1)):
        if tokens[j] in AUX and tokens[j + 1] in SUBJECTS:
            return j + 1
    return -1


def find_questions(text: str) -> list[Question]:
    """Find every question in ``text``, punctuated or not, in order of appearance."""
    found: list[Question] = []
    for s_index, sentence in enumerate(sentences(text)):
        tokens = sentence.words
        starts = {skip_fillers(tokens, s) for s in sentence.clause_starts}
        here: list[Question] = []
        i = 0
        quiet_until = -1  # the head of a question ("how often do you") is not a second question
        first = skip_fillers(tokens, 0)
        while i < len(tokens):
            clause_start = i in starts
            kind = None
            if clause_start or i > quiet_until:
                kind = question_kind_at(tokens, i, clause_start=clause_start)
            # "…, which says a lot." in a sentence closed by a full stop is a relative clause,
            # and "…, and when?" after a question extends it rather than asking again.
            later_wh = kind is not None and tokens[i].split("'")[0] in WH and i > first
            if later_wh and (sentence.stated or (here and i + 1 == len(tokens))):
                kind = None
            if kind is not None:
                here.append(Question(s_index, i, kind, ()))
                quiet_until = i + 4
                if tokens[i] in WH:  # the inversion completing "which part … do you want"
                    quiet_until = max(quiet_until, _inversion_end(tokens, i + 1, 8))
                i += 2
            else:
                i += 1
        if not here and sentence.asked:
            # a question mark after a clause that opens with a wh-word and a verb ("What takes
            # the most time?") asks for talk; any other unrecognised question is taken as closed
            wh = tokens[first] if first < len(tokens) else ""
            open_wh = wh in WH and wh not in _CLOSED_WH
            here.append(
                Question(s_index, first, "open" if open_wh else "closed", (), mark_only=True)
            )
        for n, q in enumerate(here):
            end = here[n + 1].start if n + 1 < len(here) else len(tokens)
            words_here = tokens[q.start : end]
            found.append(Question(q.sentence, q.start, q.kind, words_here, q.mark_only))
    return found


def overlap(text: str, other: str | None) -> float:
    """Share of the content words of ``text`` that also occur in ``other`` (0 when no other)."""
    if not other:
        return 0.0
    mine = {w for w in words(text) if len(w) > 3}
    if not mine:
        return 0.0
    return len(mine & set(words(other))) / len(mine)
