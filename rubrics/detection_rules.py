"""Rule-based reading of one coach turn: questions, cue phrases, flags and GROW stage.

Must stay true: rules are deterministic and punctuation-tolerant, and they only claim what a phrase
shows exactly (a permission request, a greeting, "you should", "Why didn't you…").  ``rule_labels``
is a complete detector on its own (used when no embedder is configured); the trained classifier
only arbitrates the turns these rules leave ambiguous (see ``detector.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rubrics import detection_patterns as pat
from rubrics.detection_text import (
    Question,
    find_questions,
    normalise,
    overlap,
    sentences,
    skip_fillers,
)
from rubrics.labels import GrowStage, Technique, TurnFlag

_GROW_ORDER: tuple[GrowStage, ...] = ("will", "options", "goal", "reality")
_SUMMARY_MIN_WORDS = 45


@dataclass(frozen=True, slots=True)
class CoachCues:
    """Everything the rules saw in a coach turn, before choosing the primary technique."""

    text: str
    n_words: int
    questions: tuple[Question, ...]
    backchannel: bool
    permission: bool
    structuring: bool
    advice: bool
    information: bool
    affirmation: bool
    reflection: bool
    summary: bool
    complex_marker: bool
    overlap: float
    flags: tuple[TurnFlag, ...]
    grow_stage: GrowStage | None

    @property
    def question_kinds(self) -> tuple[str, ...]:
        """The kind ('open'/'closed') of each question, in order."""
        return tuple(q.kind for q in self.questions)


def _clause_heads(text: str) -> list[str]:
    """Each sentence's opening (fillers skipped), as text, for start-anchored patterns."""
    heads: list[str] = []
    for s in sentences(text):
        for start in s.clause_starts:
            i = skip_fillers(s.words, start)
            if i < len(s.words):
                heads.append(" ".join(s.words[i:]))
    return heads


def _imperative(heads: list[str], asked_heads: set[str]) -> bool:
    for head in heads:
        first = head.split(" ", 1)[0]
        if head in asked_heads or first not in pat.IMPERATIVE_VERBS:
            continue
        if head.startswith(("tell me", "talk me", "walk me", "give me", "let me")):
            continue
        return True
    return False


def _flags(norm: str, questions: tuple[Question, ...], n_words: int) -> tuple[TurnFlag, ...]:
    flags: list[TurnFlag] = []
    if len(questions) >= 2:
        flags.append("stacked_questions")
    if pat.LEADING.search(norm):
        flags.append("leading_question")
    if pat.JUDGEMENTAL_WHY.search(norm):
        flags.append("judgemental_why")
    tokens = norm.split()
    me = sum(t in ("i", "i'm", "i've", "i'd", "my", "me") for t in tokens)
    you = sum(t.startswith(("you", "your")) for t in tokens)
    if pat.SELF_FOCUS.search(norm) or (n_words >= 12 and me >= 4 and you == 0):
        flags.append("self_focus")
    return tuple(flags)


def grow_stage(text: str) -> GrowStage | None:
    """Return the GROW stage the turn serves, by the strongest cue phrases (ties: will first)."""
    norm = normalise(text)
    hits = {stage: len(pat.GROW[stage].findall(norm)) for stage in _GROW_ORDER}
    best = max(hits.values())
    if best == 0:
        return None
    return next(stage for stage in _GROW_ORDER if hits[stage] == best)


def read_cues(text: str, previous_client: str | None = None) -> CoachCues:
    """Run every rule over ``text`` and return what was seen."""
    norm = normalise(text)
    tokens = norm.replace(",", " ").replace(".", " ").replace("?", " ").replace("!", " ").split()
    questions = tuple(find_questions(text))
    heads = _clause_heads(text)
    asked = {" ".join(s.words[skip_fillers(s.words, 0) :]) for s in sentences(text) if s.asked}
    first_head = heads[0] if heads else ""
    backchannel = (
        bool(tokens)
        and len(tokens) <= 4
        and all(t.strip("'") in pat.BACKCHANNEL_WORDS for t in tokens)
    )
    advice = bool(pat.ADVICE.search(norm)) or _imperative(heads, asked)
    reflection = any(pat.REFLECTION_START.search(h) for h in heads[:2]) or (
        first_head.startswith("you ") and not questions and not advice
    )
    summary = bool(pat.SUMMARY.search(norm)) or (
        reflection and len(tokens) >= _SUMMARY_MIN_WORDS and norm.count("you") >= 4
    )
    return CoachCues(
        text=text,
        n_words=len(tokens),
        questions=questions,
        backchannel=backchannel,
        permission=bool(pat.PERMISSION.search(norm)),
        structuring=bool(pat.STRUCTURING.search(norm)),
        advice=advice,
        information=bool(pat.INFORMATION.search(norm)),
        affirmation=bool(pat.AFFIRMATION.search(norm)),
        reflection=reflection,
        summary=summary,
        complex_marker=bool(pat.COMPLEX_MARKERS.search(norm)),
        overlap=overlap(text, previous_client),
        flags=_flags(norm, questions, len(tokens)),
        grow_stage=grow_stage(text),
    )


def reflection_depth(cues: CoachCues, previous_client: str | None) -> Technique:
    """Choose simple vs complex reflection from markers and overlap with the client's words."""
    if cues.complex_marker:
        return "reflection_complex"
    if previous_client and cues.n_words >= 8 and cues.overlap < 0.5:
        return "reflection_complex"
    return "reflection_simple"


def _question_technique(cues: CoachCues) -> Technique:
    return "question_open" if cues.questions[0].kind == "open" else "question_closed"


def _declarative_question(cues: CoachCues) -> bool:
    """A rising-intonation statement ("You're feeling stretched?") reads as a reflection."""
    return all(
        q.mark_only and len(q.words) >= 3 and q.words[0].startswith(("you", "it", "that"))
        for q in cues.questions
    )


def rule_techniques(cues: CoachCues, previous_client: str | None = None) -> list[Technique]:
    """Order every technique the rules support, primary first (rules-only detector)."""
    found: list[Technique] = []
    if cues.backchannel:
        return ["other"]
    if cues.permission:
        found.append("permission")
    if cues.summary:
        found.append("summary")
    if cues.questions and not _declarative_question(cues):
        q = _question_technique(cues)
        if cues.advice and "leading_question" in cues.flags:
            found.extend(["advice", q])
        else:
            found.append(q)
    if cues.affirmation:
        found.append("affirmation")
    if cues.advice:
        found.append("advice")
    if cues.reflection or (cues.questions and _declarative_question(cues)):
        found.append(reflection_depth(cues, previous_client))
    if cues.information:
        found.append("information")
    if cues.structuring:
        # Greetings and time-keeping lead the turn unless a question or permission request does.
        lead = not found or found[0] not in ("permission", "question_open", "question_closed")
        found.insert(0 if lead else len(found), "structuring")
    if any(t in found for t in ("question_open", "question_closed")):
        other_qs = {"question_open", "question_closed"} - {found[0]}
        found.extend(t for t in sorted(other_qs) if t in _kinds_to_techniques(cues))
    if not found and cues.n_words >= 4:
        found.append(_uncued_statement(cues, previous_client))
    deduped = list(dict.fromkeys(found))
    return deduped or ["other"]


def _uncued_statement(cues: CoachCues, previous_client: str | None) -> Technique:
    """Fallback for a statement no rule recognised: about the client, a reflection; else input."""
    tokens = normalise(cues.text).split()
    about_client = any(t.startswith(("you", "your")) for t in tokens) or cues.overlap >= 0.3
    if about_client and "self_focus" not in cues.flags:  # "when I was in your role…" is not
        return reflection_depth(cues, previous_client)
    return "information" if cues.n_words >= 12 else "other"


def _kinds_to_techniques(cues: CoachCues) -> set[Technique]:
    return {"question_open" if k == "open" else "question_closed" for k in cues.question_kinds}
