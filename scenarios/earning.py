"""How a coach turn earns a hidden layer: by meaning, by technique, and little by little.

Each locked layer gathers *evidence* turn by turn; it is earned when the evidence reaches 1 and the
persona trusts the coach enough.  One turn's evidence for a layer is

    evidence = topic_fit × technique_fit

- ``topic_fit`` maps the turn's best sentence similarity to the layer (0 at ``floor``, 1 at
  ``full``).  The similarity is the highest of: the layer's own topic cues; generic coaching
  phrasings for the layer's kind (``KIND_CUES``, less ``kind_discount``), so "How are you feeling
  about all this?" reaches a feeling layer however the facilitator worded its cues; and the
  persona's previous reply when that reply pointed at the layer (a surface topic's ``hints``, or a
  layer this one builds on), so following up what the client just said counts.  After a hint (a
  topic's ``hints``), a reflection or an open question scores at least ``follow_up``: it picks up
  the thread even when it names nothing ("Tell me more about that").  A keyword stem adds
  ``keyword_boost`` and lifts the similarity to at least ``keyword_floor``: keywords help, they
  no longer gate.
  The layer's own summary is a cue too (less ``summary_discount``): a reflection that names the
  hidden thing is about it.
- ``technique_fit`` is ``0.5 + 0.5 × confidence`` when the turn's primary technique is one the
  layer accepts (an unsure label still counts half), ``secondary_factor`` times that when the
  technique is only present, else 0.

Layers whose prerequisites are not yet earned gather evidence too, up to ``primed`` (a coach who
asks what matters before the persona has said how it feels is not wasted), but are earned only
once their prerequisites are, by a turn that adds at least ``earning_turn`` evidence of its own
(the turn that earns a layer is about it).

What must stay true: pure and deterministic for a given embedder; the coach turn is embedded once
(``TurnTopics``); a layer is never earned before its prerequisites, and at most one per turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rubrics.labels import CoachLabels
from scenarios.model import Layer, LayerKind, Scenario
from scenarios.topics import TurnTopics, keyword_hit

# Generic phrasings of good coaching that reach each kind of hidden material.
KIND_CUES: dict[LayerKind, tuple[str, ...]] = {
    "fact": (
        "tell me more about what's going on",
        "what's been happening",
        "can you walk me through the situation",
        "what happened",
        "what's going on for you at the moment",
        "it sounds like a lot is going on",
    ),
    "feeling": (
        "how are you feeling about all this",
        "how does that feel",
        "that sounds really hard",
        "you seem worried about it",
        "it sounds like this is weighing on you",
        "what's that like for you",
        "part of you feels one thing and part of you another",
    ),
    "value": (
        "what matters most to you here",
        "what's important to you about this",
        "what does this mean to you",
        "you really care about this",
        "what would you hate to lose",
        "that says a lot about what you value",
    ),
    "goal": (
        "what do you really want",
        "what would you like to happen",
        "what would a good outcome look like for you",
        "what are you hoping for",
        "if this went well what would be different",
        "where do you want to be with this",
    ),
}
# turns that pick up the thread of what the client just said
_FOLLOW_UPS = frozenset({"question_open", "reflection_simple", "reflection_complex", "summary"})
LockReason = Literal["earned", "earned_before", "needs_layers", "technique", "topic", "trust"]


@dataclass(frozen=True, slots=True)
class EarningModel:
    """The parameters of earning (documented with their values in docs/scenarios.md)."""

    floor: float = 0.25
    full: float = 0.50
    kind_discount: float = 0.05
    summary_discount: float = 0.05
    keyword_boost: float = 0.12
    keyword_floor: float = 0.38
    follow_up: float = 0.48
    secondary_factor: float = 0.75
    primed: float = 0.5
    earning_turn: float = 0.15


class LayerTrace(BaseModel):
    """Why a layer was or was not earned by one coach turn (for facilitators only)."""

    model_config = ConfigDict(frozen=True)

    layer: str
    status: LockReason = Field(description="earned now, before, or what kept it locked.")
    nearest_cue: str | None = Field(default=None, description="The closest cue or phrasing.")
    similarity: float = Field(default=0.0, description="Its similarity, keyword boost included.")
    evidence: float = Field(default=0.0, description="What this turn added (0-1).")
    progress: float = Field(default=0.0, description="Evidence gathered so far, after this turn.")
    reason: str = Field(default="", description="One line a facilitator can read.")


@dataclass(frozen=True, slots=True)
class LayerEvidence:
    """One layer's score for one turn, before trust and the one-per-turn rule apply."""

    layer: Layer
    cue: str | None
    similarity: float
    evidence: float
    technique_ok: bool


@dataclass(frozen=True, slots=True)
class Pointers:
    """Layers the persona's previous reply pointed towards: ``hinted`` by a surface topic's
    ``hints`` (a follow-up earns), ``next`` after a layer they build on (similarity counts)."""

    hinted: frozenset[str] = frozenset()
    next: frozenset[str] = frozenset()


def pointed_at(scenario: Scenario, last_topic: str | None) -> Pointers:
    """What the previous reply (about ``last_topic``) pointed towards."""
    if last_topic is None:
        return Pointers()
    for topic in scenario.persona.surface_topics():
        if topic.id == last_topic:
            return Pointers(hinted=frozenset(topic.hints))
    return Pointers(
        next=frozenset(layer.id for layer in scenario.layers if last_topic in layer.earn.requires)
    )


def technique_fit(layer: Layer, labels: CoachLabels, model: EarningModel) -> float:
    """How well the turn's technique suits the layer, weighted by the detector's confidence."""
    wanted = set(layer.earn.techniques)
    # an unsure label still counts for half: the persona should not punish the detector's doubt
    weight = 0.5 + 0.5 * labels.confidence
    if labels.primary in wanted:
        return weight
    if wanted & set(labels.techniques):
        return model.secondary_factor * weight
    return 0.0


def score_layer(
    layer: Layer,
    turn: TurnTopics,
    labels: CoachLabels,
    previous_reply: str | None,
    pointers: Pointers,
    model: EarningModel,
) -> LayerEvidence:
    """The evidence this turn gives for one layer."""
    candidates: list[tuple[float, str]] = []
    if layer.earn.topic_cues:
        candidates.append(turn.nearest(layer.earn.topic_cues))
    kind_sim, kind_cue = turn.nearest(KIND_CUES[layer.kind])
    candidates.append((kind_sim - model.kind_discount, kind_cue))
    # naming the hidden thing itself ("you're doing two jobs") is as good as asking about it
    summary_sim, _ = turn.nearest([layer.summary])
    candidates.append((summary_sim - model.summary_discount, "(the layer itself)"))
    pointed = layer.id in pointers.hinted or layer.id in pointers.next
    if pointed and previous_reply:
        follow = turn.similarity(previous_reply)
        if layer.id in pointers.hinted and labels.primary in _FOLLOW_UPS:
            follow = max(follow, model.follow_up)
        candidates.append((follow, "(following up the last reply)"))
    similarity, cue = max(candidates)
    if keyword_hit(turn.text, layer.earn.keywords):
        similarity = max(similarity + model.keyword_boost, model.keyword_floor)
    fit = min(1.0, max(0.0, (similarity - model.floor) / (model.full - model.floor)))
    technique = technique_fit(layer, labels, model)
    return LayerEvidence(layer, cue, round(similarity, 3), fit * technique, technique > 0)


def locked_layers(scenario: Scenario, unlocked: Sequence[str]) -> list[Layer]:
    """Layers not earned yet, in file order."""
    done = set(unlocked)
    return [layer for layer in scenario.layers if layer.id not in done]


def earnable(layer: Layer, unlocked: Sequence[str]) -> bool:
    """Whether every prerequisite of ``layer`` is earned."""
    return set(layer.earn.requires) <= set(unlocked)
