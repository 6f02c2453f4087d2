"""Rule-based reading of one coach turn: questions, cue phrases, flags and GROW stage.

Must stay true: rules are deterministic and punctuation-tolerant, and they only claim what a phrase
shows exactly (a permission request, a greeting, "you should", "Why didn't you…").  ``rule_labels``
is a complete detector on its own (used when no embedder is configured); the trained classifier
only arbitrates the turns these rules leave ambiguous (see ``detector.py``).
"""

from __future__ import annotations

import re
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
# a list longer than this is a monologue (often the coach's own input), not a summary
_SUMMARY_MAX_WORDS = 70
_TRAILING_QUESTION_MAX_WORDS = 40


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
    directive: bool = False  # tells the client what to do or feel (reassurance included)
    reassurance: bool = False
    suggestion_question: bool = False  # "Have you tried…?": a closed question carrying advice
    check_question: bool = False  # the turn ends by checking it was understood
    coach_self: bool = False  # a statement about the coach ("When I…", "I had…")
    small_talk: bool = False  # "No worries, carry on", "Lovely, thanks": social, not coaching

    @property
    def genuine_questions(self) -> tuple[Question, ...]:
        """Questions that ask something: not a closing check on a statement, not a statement
        typed with a question mark."""
        asked = self.questions
        if self.check_question and asked:
            last = asked[-1].sentence
            if last > 0 or asked[-1].start > 2:  # words before the check: it checks them
                asked = tuple(q for q in asked if q.sentence != last)
        return tuple(q for q in asked if not _declarative(q))

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


def _imperative(text: str, asked: set[int]) -> bool:
    """A clause that opens with a bare verb telling the client what to do ("Send it today").

    Sentences that ask a real question, plan the session ("Let's start with…, then go
    through…") or list what the client said ("So you're going to book it, ask Omar…") hold no
    imperatives; in other sentences every clause start counts ("That sounds rough – go home").
    """
    for index, sentence in enumerate(sentences(text)):
        if index in asked:
            continue
        words = sentence.words
        first = skip_fillers(words, 0)
        opening = " ".join(words[first:])
        if opening.startswith(("let's", "let us")) or pat.STRUCTURING.search(opening):
            continue
        subject_first = first < len(words) and words[first] in _SUBJECT_OPENERS
        for start in sentence.clause_starts:
            i = skip_fillers(words, start)
            if i >= len(words) or (subject_first and i > first):
                continue
            head = " ".join(words[i:])
            if _NEGATIVE_IMPERATIVE.match(head):
                return True  # "Don't run on it till…", "Never send it late."
            if words[i] not in pat.IMPERATIVE_VERBS or head.startswith(_NOT_DIRECTIVE):
                continue
            return True
    return False


_SUBJECT_OPENERS = frozenset(
    ["you", "you're", "you've", "you'll", "your", "there", "there's", "we", "we're", "it", "it's"]
)
_NEGATIVE_IMPERATIVE = re.compile(
    r"(don'?t|do not|never) (?!you\b|we\b|i\b|they\b|know\b|think\b|mean\b|get me\b)[a-z]+"
)
_NOT_DIRECTIVE = ("tell me", "talk me", "walk me", "give me", "let me", "say more", "do you")


# A directive under a reflecting verb reports the client's own pressure ("you feel you have to…",
# "part of you thinks you should…"): it is a reflection, not advice.
_REPORTED = re.compile(
    r"\b(feel|feels|felt|feeling|think|thinks|thought|believe|believes|sounds like|sound like|"
    r"seems like|seem|seems|saying|said|say|worry|worried|afraid|scared|like|know|knew|told|"
    r"tell yourself|expected|expect|wish|hear|hearing|suspect|wonder|assume|guess) (that )?$"
)


def _directive(text: str, asked: set[int]) -> bool:
    """Advice by its wording: not when the phrase reports what the client feels ("you feel you
    have to…"), nor inside a real question ("What would you need to learn?") unless the question
    is a directive in disguise ("Why don't you…?", "Wouldn't it be better to…?")."""
    for index, sentence in enumerate(sentences(text)):
        chunk = " ".join(sentence.words)
        if index in asked:
            if pat.DIRECTIVE_QUESTION.search(chunk):
                return True
            continue
        for match in pat.ADVICE.finditer(chunk):
            before = chunk[max(0, match.start() - 40) : match.start()]
            if not _REPORTED.search(before):
                return True
    return False


def _coach_self(heads: list[str]) -> bool:
    """The turn opens with the coach as its subject ("When I moved…", "I had that too")."""
    first = heads[0] if heads else ""
    return bool(pat.COACH_SELF.match(first))


def _enumeration(text: str) -> int:
    """How many list items a statement strings together ("the deadline, Sam off, and no sleep")."""
    body = pat.CHECK_QUESTION.sub("", normalise(text))
    parts = [p for p in re.split(r",|;|:|\band (?:now |then |also )?|\bplus\b", body) if p.strip()]
    return sum(len(p.split()) >= 2 for p in parts)


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
    # sentences holding a real question (one its form announces, not only a question mark)
    real = {q.sentence for q in questions if not q.mark_only}
    first_head = heads[0] if heads else ""
    backchannel = (
        bool(tokens)
        and len(tokens) <= 4
        and all(t.strip("'") in pat.BACKCHANNEL_WORDS for t in tokens)
    )
    marked_summary = bool(pat.SUMMARY.search(norm))
    reassurance = bool(pat.REASSURANCE.search(norm))
    directive = (
        _directive(text, real) or (not marked_summary and _imperative(text, real)) or reassurance
    )
    first_real = next((q for q in questions if not q.mark_only), None)
    suggestion = first_real is not None and bool(
        pat.SUGGESTION_QUESTION.search(" ".join(first_real.words))
    )
    advice = directive or suggestion
    check = bool(questions) and bool(pat.CHECK_QUESTION.search(norm))
    last = len(sentences(text)) - 1
    # a list of the client's points followed by a question is still a summary (the manual puts
    # summary before question): only a question before the last sentence rules it out
    # (typed turns; a long spoken turn ending in a question is that question)
    trailing_ok = check or (last > 0 and len(tokens) <= _TRAILING_QUESTION_MAX_WORDS)
    asking = any(q.sentence != last for q in questions) if trailing_ok else bool(questions)
    reflection = any(pat.REFLECTION_START.search(h) for h in heads[:2]) or (
        first_head.startswith("you ") and not questions and not advice
    )
    affirmation = bool(pat.AFFIRMATION.search(norm))
    listed = _enumeration(text)
    opens_summary = bool(pat.SUMMARY_OPENER.search(norm))
    # a list is a summary only when it gathers the client's things, not the coach's own story
    about_client = not _coach_self(heads) and (
        any(t.startswith(("you", "your")) for t in tokens)
        or (opens_summary and (check or listed >= 3))
    )
    summary = not asking and (
        marked_summary
        or (reflection and len(tokens) >= _SUMMARY_MIN_WORDS and norm.count("you") >= 4)
        or (
            about_client
            and len(tokens) <= _SUMMARY_MAX_WORDS
            and not directive
            and not affirmation
            and ((listed >= 3 and (check or opens_summary)) or listed >= 4)
        )
        or (
            about_client
            and listed >= 2
            and check
            and 12 <= len(tokens) <= _SUMMARY_MAX_WORDS
            and not affirmation
        )
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
        affirmation=affirmation,
        reflection=reflection,
        summary=summary,
        complex_marker=bool(pat.COMPLEX_MARKERS.search(norm)),
        overlap=overlap(text, previous_client),
        flags=_flags(norm, questions, len(tokens)),
        grow_stage=grow_stage(text),
        directive=directive,
        reassurance=reassurance,
        suggestion_question=suggestion,
        check_question=check,
        coach_self=_coach_self(heads),
        small_talk=len(tokens) <= 10 and not questions and bool(pat.SMALL_TALK.search(norm)),
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


def _declarative(q: Question) -> bool:
    """A statement typed with a question mark ("You're feeling stretched?")."""
    return q.mark_only and len(q.words) >= 3 and q.words[0].startswith(("you", "it", "that"))


def _declarative_question(cues: CoachCues) -> bool:
    """A rising-intonation statement ("You're feeling stretched?") reads as a reflection."""
    return all(_declarative(q) for q in cues.questions)


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
