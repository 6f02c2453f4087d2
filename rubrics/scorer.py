"""Score a labelled transcript against a rubric and explain every score with the learner's words.

What must stay true:
- labels passed in are reused as they are (they were stored while the learner practised); only
  when none are given is the detector asked, once, for the whole transcript;
- a criterion's level comes from its measure alone; score = (level - 1) * 25 for one metric, and
  the weight-averaged part scores for a combination (level = nearest level to that score);
- evidence quotes only coach turns, at most MAX_EVIDENCE of them, in transcript order, and they
  show what earned the level: good turns at level 4–5, the turns holding it back at level 1–3;
- with no judge, or a judge that raises ChatUnavailable, an llm_judge criterion is scored on its
  declared offline_metric, so scoring always completes and works offline deterministically;
- per-turn suggestions come from the rewriter when one is given, else from the offline rewrites;
- feedback is at most two sentences and quotes the evidence; a better phrasing in it fits the
  criterion (a reflection for a listening criterion, an open question for a question one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from rubrics.chat import ChatUnavailable
from rubrics.labels import ClientLabels, CoachLabels
from rubrics.metrics import METRICS, ConversationMetrics, Labels, compute_metrics, format_value
from rubrics.model import CombinationMeasure, Criterion, LlmJudgeMeasure, MetricScale, Rubric
from rubrics.rewrite import RewriteKind, client_context, suggest_rewrite, suggest_rewrites
from rubrics.scorecard import (
    CriterionResult,
    Evidence,
    Highlight,
    RubricRef,
    Scorecard,
    TurnResult,
    quote,
)
from rubrics.transcript import Turn

MAX_EVIDENCE = 3
GOOD_LEVEL = 4
_QUESTION_SETS = frozenset(
    [
        "open_questions",
        "clean_open_questions",
        "closed_questions",
        "question_turns",
        "single_questions",
        "leading",
        "why",
    ]
)
_QUESTION = re.compile(r"[^.!?]*\?")
# The rephrasing that fixes the turns in each evidence set; other sets use the turn's own rewrite.
_REMEDY: dict[str, RewriteKind] = {
    "closed_questions": "closed",
    "question_turns": "reflect",
    "long_coach_turns": "reflect",
    "advice": "advice",
    "advice_without_permission": "advice",
    "leading": "leading",
    "why": "why",
    "stacked": "stacked",
    "self_focus": "self_focus",
}


class TranscriptLabeller(Protocol):
    """Anything that labels a whole transcript, such as rubrics.detector.TechniqueDetector."""

    def label_transcript(self, turns: Sequence[Turn]) -> list[CoachLabels | ClientLabels]:
        """Return one label record per turn, in order."""
        ...


class JudgeRating(BaseModel):
    """A judge's verdict on one criterion."""

    level: int = Field(ge=1, le=5)
    reason: str = Field(description="One or two sentences for the learner.")
    turns: list[int] = Field(default_factory=list, description="Coach turns the verdict rests on.")


class RubricJudge(Protocol):
    """Rates an llm_judge criterion; implementations wrap a chat model."""

    def rate(self, prompt: str, criterion: Criterion, turns: Sequence[Turn]) -> JudgeRating:
        """Rate the transcript on the criterion's five levels."""
        ...


class TurnRewriter(Protocol):
    """Suggests better phrasings, such as rubrics.llm_rewrite.LLMRewriter."""

    def suggest_rewrites(self, turns: Sequence[Turn], labels: Sequence[Labels]) -> list[str | None]:
        """One suggestion per turn, None for turns without a weakness."""
        ...


Stance = Literal["for", "against"]


@dataclass(frozen=True, slots=True)
class _Part:
    scale: MetricScale
    weight: float
    value: float
    level: int

    @property
    def score(self) -> float:
        return (self.level - 1) * 25.0

    def evidence_set(self, good: bool) -> str:
        spec = METRICS[self.scale.metric]
        return spec.raises if good == self.scale.higher_is_better else spec.lowers


@dataclass(frozen=True, slots=True)
class _Conversation:
    turns: Sequence[Turn]
    metrics: ConversationMetrics
    suggestions: Sequence[str | None]
    # phrasings already offered by an earlier criterion: one scorecard never repeats one
    offered: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Verdict:
    result: CriterionResult
    facts: str
    tip: str | None = None
    example: tuple[str, str] | None = None  # (quote of a weak turn, better phrasing)


def _level_for(score: float) -> int:
    return min(5, int(score / 25 + 0.5) + 1)


def _quote_turn(text: str, set_name: str) -> str:
    """An exact span of the turn: for question evidence, from its first question to its last."""
    if set_name in _QUESTION_SETS:
        asked = list(_QUESTION.finditer(text))
        if asked:
            start = asked[0].start() + len(asked[0].group()) - len(asked[0].group().lstrip())
            return quote(text[start : asked[-1].end()])
    return quote(text)


class Scorer:
    """Scores transcripts; the detector is only used when labels are not supplied."""

    def __init__(
        self,
        detector: TranscriptLabeller | None = None,
        judge: RubricJudge | None = None,
        rewriter: TurnRewriter | None = None,
    ) -> None:
        self._detector = detector
        self._judge = judge
        self._rewriter = rewriter

    def score(
        self, turns: Sequence[Turn], rubric: Rubric, labels: Sequence[Labels] | None = None
    ) -> Scorecard:
        """Score ``turns`` against ``rubric``; reuse ``labels`` when given."""
        if not any(t.speaker == "coach" for t in turns):
            raise ValueError("the transcript has no coach turns to score")
        if labels is None:
            if self._detector is None:
                raise ValueError("no labels given and no detector to compute them")
            labels = self._detector.label_transcript(turns)
        labels = list(labels)
        metrics = compute_metrics(turns, labels)  # checks labels match turns
        if self._rewriter is None:
            suggestions = suggest_rewrites(turns, labels)
        else:
            suggestions = self._rewriter.suggest_rewrites(turns, labels)
        convo = _Conversation(turns, metrics, suggestions)
        weights = rubric.normalised_weights()
        verdicts = [self._verdict(c, weights[c.id], convo) for c in rubric.criteria]
        results = [v.result for v in verdicts]
        return Scorecard(
            rubric=RubricRef(id=rubric.id, version=rubric.version, name=rubric.name),
            overall=round(sum(r.score * r.weight for r in results), 1),
            criteria=results,
            strength=_strength(verdicts),
            next_step=_next_step(verdicts),
            metrics=dict(convo.metrics.values),
            turns=_turn_results(turns, labels, suggestions),
        )

    def _verdict(self, criterion: Criterion, weight: float, convo: _Conversation) -> _Verdict:
        measure = criterion.measure
        if isinstance(measure, LlmJudgeMeasure) and self._judge is not None:
            try:
                rating = self._judge.rate(measure.prompt, criterion, convo.turns)
            except ChatUnavailable:
                return _measured(criterion, weight, convo)
            return _judged(criterion, weight, rating, convo.turns)
        return _measured(criterion, weight, convo)


def _result(
    criterion: Criterion,
    weight: float,
    level: int,
    evidence: list[Evidence],
    feedback: str,
    score: float | None = None,
) -> CriterionResult:
    return CriterionResult(
        id=criterion.id,
        name=criterion.name,
        weight=weight,
        score=(level - 1) * 25.0 if score is None else score,
        level=level,
        descriptor=criterion.descriptor(level),
        evidence=evidence,
        feedback=feedback,
    )


def _judged(
    criterion: Criterion, weight: float, rating: JudgeRating, turns: Sequence[Turn]
) -> _Verdict:
    cited = [i for i in dict.fromkeys(rating.turns) if 0 <= i < len(turns)]
    coach = sorted(i for i in cited if turns[i].speaker == "coach")[:MAX_EVIDENCE]
    evidence = [Evidence(turn=i, quote=quote(turns[i].text)) for i in coach]
    reason = quote(rating.reason, 400)
    return _Verdict(_result(criterion, weight, rating.level, evidence, reason), reason)


def _measured(criterion: Criterion, weight: float, convo: _Conversation) -> _Verdict:
    parts = _parts(criterion, convo.metrics)
    score = sum(p.score * p.weight for p in parts) / sum(p.weight for p in parts)
    level = _level_for(score)
    picked = _evidence(parts, level >= GOOD_LEVEL, convo)
    evidence = [Evidence(turn=i, quote=q, stance=stance) for i, q, _, stance in picked]
    leading = [e for e in evidence if (e.stance == "for") == (level >= GOOD_LEVEL)] or evidence
    facts = ", ".join(
        f"{METRICS[p.scale.metric].label} {format_value(p.scale.metric, p.value)}" for p in parts
    )
    facts = facts[:1].upper() + facts[1:]
    tip = METRICS[min(parts, key=lambda p: (p.level, -p.weight)).scale.metric].tip
    against = [(i, q, name) for i, q, name, stance in picked if stance == "against"]
    example = None if level >= GOOD_LEVEL else _example(against, convo)
    feedback = f"{facts}: level {level} of 5."
    if level >= GOOD_LEVEL:
        feedback += f" For example: “{leading[0].quote}”." if leading else ""
    elif example:
        feedback += f" To move up, {tip}: instead of “{example[0]}”, try “{example[1]}”."
    elif leading:
        feedback += f" To move up, {tip}, as in “{leading[0].quote}”."
    else:
        feedback += f" To move up, {tip}."
    verdict = _result(criterion, weight, level, evidence, feedback, round(score, 1))
    return _Verdict(verdict, facts, tip, example)


def _parts(criterion: Criterion, metrics: ConversationMetrics) -> list[_Part]:
    measure = criterion.measure
    if isinstance(measure, CombinationMeasure):
        scales: list[tuple[MetricScale, float]] = [(p, p.weight) for p in measure.parts]
    elif isinstance(measure, LlmJudgeMeasure):
        scales = [(measure.offline_metric, 1.0)]
    else:
        scales = [(measure, 1.0)]
    parts = []
    for scale, weight in scales:
        value = metrics.value(scale.metric)
        parts.append(_Part(scale, weight, value, scale.level_for(value)))
    return parts


def _evidence(
    parts: Sequence[_Part], good: bool, convo: _Conversation
) -> list[tuple[int, str, str, Stance]]:
    """Pick (turn, quote, evidence set, stance) for up to MAX_EVIDENCE + 1 turns: the leading side
    first, each side in turn order.

    The side that explains the level speaks first (strongest parts for a good level, weakest for a
    poor one, heavier parts first, up to MAX_EVIDENCE turns); then one turn from the other side,
    so a poor level on listening still credits a reflection the learner did make.
    """
    ranked = sorted(parts, key=lambda p: (-p.level if good else p.level, -p.weight))
    chosen: dict[int, tuple[str, str, Stance]] = {}
    for side, room in ((good, MAX_EVIDENCE), (not good, MAX_EVIDENCE + 1)):
        stance: Stance = "for" if side else "against"
        for part in ranked:
            set_name = part.evidence_set(side)
            for i in convo.metrics.turns_for(set_name):
                if len(chosen) < room and i not in chosen:
                    chosen[i] = (_quote_turn(convo.turns[i].text, set_name), set_name, stance)
    lead: Stance = "for" if good else "against"
    ordered = sorted(chosen.items(), key=lambda item: (item[1][2] != lead, item[0]))
    return [(i, q, name, stance) for i, (q, name, stance) in ordered]


def _example(
    picked: Sequence[tuple[int, str, str]], convo: _Conversation
) -> tuple[str, str] | None:
    """The first weak evidence turn with a better phrasing that fits this criterion.

    The phrasing is the remedy for this criterion (a reflection for listening, an open question
    for closed questions), else the turn's own suggestion.  A phrasing another criterion already
    offered is not offered again, so three criteria never share one rewrite.
    Turns the client has spoken before come first, so the phrasing can reuse the client's words.
    """
    ordered = sorted(picked, key=lambda p: not client_context(convo.turns, p[0]))
    for i, text, set_name in ordered:
        remedy = _REMEDY.get(set_name)
        context = client_context(convo.turns, i)
        better = suggest_rewrite(convo.turns[i].text, remedy, context) if remedy else None
        better = better or convo.suggestions[i]
        if better and better not in convo.offered:
            convo.offered.add(better)
            return text, better
    return None


def _strength(verdicts: Sequence[_Verdict]) -> Highlight:
    best = max(verdicts, key=lambda v: (v.result.score, v.result.weight))
    r = best.result
    if r.level >= GOOD_LEVEL and r.evidence:
        text = f"{r.name}: {best.facts}, for example “{r.evidence[0].quote}”."
    else:
        # below a good level the facts may be faults ("advice without permission 2"): give the
        # level's own descriptor instead of praising them
        text = f"{r.name} is your strongest area so far (level {r.level} of 5): {r.descriptor}"
        text = text if text.endswith((".", "!", "?")) else text + "."
    return Highlight(criterion=r.id, text=text)


def _next_step(verdicts: Sequence[_Verdict]) -> Highlight:
    best = max(verdicts, key=lambda v: (v.result.score, v.result.weight))
    others = [v for v in verdicts if v is not best] or list(verdicts)
    worst = min(others, key=lambda v: (v.result.score, -v.result.weight))
    r = worst.result
    if r.level == 5:
        text = "Every criterion reached level 5: try a more challenging scenario next."
    elif worst.tip is None:
        text = f"{r.name}: {worst.facts}"
    else:
        text = f"{r.name}: {worst.tip[:1].upper()}{worst.tip[1:]}."
        if worst.example:
            text += f" Instead of “{worst.example[0]}”, try “{worst.example[1]}”."
    return Highlight(criterion=r.id, text=text)


def _turn_results(
    turns: Sequence[Turn], labels: Sequence[Labels], suggestions: Sequence[str | None]
) -> list[TurnResult]:
    out = []
    for i, (turn, label) in enumerate(zip(turns, labels, strict=True)):
        if isinstance(label, CoachLabels):
            out.append(
                TurnResult(
                    index=i,
                    speaker=turn.speaker,
                    text=turn.text,
                    techniques=list(label.techniques),
                    primary=label.primary,
                    flags=list(label.flags),
                    grow_stage=label.grow_stage,
                    suggestion=suggestions[i],
                )
            )
        else:
            out.append(
                TurnResult(index=i, speaker=turn.speaker, text=turn.text, talk_type=label.talk_type)
            )
    return out
