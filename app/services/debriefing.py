"""The annotated debrief: scorecard, transcript turn by turn, and what each learner turn earned.

What must stay true:
- Only the owner of an *ended* session gets it (``PracticeService.debrief`` enforces both); hidden
  layers appear here and nowhere before the end.
- Every piece of evidence points at a transcript position that exists, and the transcript carries
  the same positions, so a page can link one to the other.
- In private practice no numeric score leaves this service (``overall`` and ``score`` are None).
- A layer is credited to the learner turn answered by the persona turn that revealed it: read from
  ``newly_unlocked`` stored with persona turns, or recomputed by replay for older sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.services.content import ContentService
from app.services.practice import PracticeService, owned_session
from app.services.principal import Principal
from app.services.replay import StoredTurn, replay
from app.storage.database import Database
from app.storage.models import PracticeSession, TurnRecord
from scenarios.playthrough import PersonaEngine

WEAK_LEVEL = 2


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """A quoted learner turn supporting a criterion's level."""

    turn: int
    quote: str


@dataclass(frozen=True, slots=True)
class CriterionView:
    """One criterion's result (``score`` is None in private practice)."""

    id: str
    name: str
    level: int
    score: float | None
    descriptor: str
    feedback: str
    evidence: list[EvidenceView]


@dataclass(frozen=True, slots=True)
class AnnotatedTurn:
    """One transcript turn with its technique chips, GROW stage and a better phrasing if weak."""

    position: int
    speaker: str
    text: str
    techniques: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    grow_stage: str | None = None
    suggestion: str | None = None
    evidence_for: list[str] = field(default_factory=list)
    earned: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LayerView:
    """A hidden layer: earned (and by which learner turn) or still locked."""

    id: str
    kind: str
    summary: str
    earned: bool
    earned_by_turn: int | None
    earned_by_quote: str | None
    techniques: list[str]


@dataclass(frozen=True, slots=True)
class AnnotatedDebrief:
    """Everything the debrief page shows for one ended session."""

    session_id: int
    scenario_id: str
    scenario_title: str
    private_mode: bool
    overall: float | None
    rubric: str
    strength: str
    next_step: str
    talk_share: float | None
    criteria: list[CriterionView]
    turns: list[AnnotatedTurn]
    layers: list[LayerView]
    real_want: str
    facilitator_notes: list[str]
    weakest: CriterionView | None
    parent_id: int | None = None
    branched_at: int | None = None

    @property
    def locked(self) -> list[LayerView]:
        """Layers the learner did not reach."""
        return [layer for layer in self.layers if not layer.earned]


class DebriefingService:
    """Build the annotated debrief of an ended session."""

    def __init__(
        self,
        db: Database,
        content: ContentService,
        practice: PracticeService,
        engine: PersonaEngine,
    ) -> None:
        self._db = db
        self._content = content
        self._practice = practice
        self._engine = engine

    def annotated(self, principal: Principal, session_id: int) -> AnnotatedDebrief:
        """The debrief with evidence linked to turns and layers credited to turns."""
        base = self._practice.debrief(principal, session_id)
        with self._db.session() as s:
            session = owned_session(s, principal, session_id)
            turns = _stored_turns(s, session_id)
            earned_at = self._earned_at(session, turns)
            private = session.private_mode
            scenario_id = self._content.scenario_version(session.scenario_version_id).id
            parent_id, branched_at = session.parent_session_id, session.branched_at_turn
        card = base.scorecard
        criteria = [_criterion(c, private) for c in card.get("criteria", [])]
        cited: dict[int, list[str]] = {}
        for c in criteria:
            for e in c.evidence:
                cited.setdefault(e.turn, []).append(c.name)
        layer_names = {layer.id: layer.summary for layer in base.debrief.layers}
        credited: dict[int, list[str]] = {}
        for layer_id, position in earned_at.items():
            credited.setdefault(position, []).append(layer_names.get(layer_id, layer_id))
        by_index = {t["index"]: t for t in card.get("turns", [])}
        annotated = [_annotated(t, by_index.get(t.position, {}), cited, credited) for t in turns]
        text_at = {t.position: t.text for t in turns}
        layers = [
            LayerView(
                id=layer.id,
                kind=layer.kind,
                summary=layer.summary,
                earned=layer.earned,
                earned_by_turn=earned_at.get(layer.id),
                earned_by_quote=text_at.get(earned_at.get(layer.id, -1)),
                techniques=list(layer.techniques),
            )
            for layer in base.debrief.layers
        ]
        weakest = min(criteria, key=lambda c: (c.level, c.score or 0), default=None)
        metrics = card.get("metrics", {})
        return AnnotatedDebrief(
            session_id=session_id,
            scenario_id=scenario_id,
            scenario_title=base.debrief.title,
            private_mode=private,
            overall=None if private else float(card["overall"]),
            rubric=f"{card['rubric'].get('name', card['rubric']['id'])} "
            f"v{card['rubric']['version']}",
            strength=_note(card.get("strength")),
            next_step=_note(card.get("next_step")),
            talk_share=metrics.get("coach_talk_share"),
            criteria=criteria,
            turns=annotated,
            layers=layers,
            real_want=base.debrief.real_want,
            facilitator_notes=list(base.debrief.facilitator_notes),
            weakest=weakest,
            parent_id=parent_id,
            branched_at=branched_at,
        )

    def _earned_at(self, session: PracticeSession, turns: list[StoredTurn]) -> dict[str, int]:
        """Layer id → position of the learner turn that earned it."""
        answers = [t for t in turns[1:] if t.speaker == "client"]
        earned: dict[str, int] = {}
        if all(t.labels and "newly_unlocked" in t.labels for t in answers):
            for t in answers:
                for layer_id in (t.labels or {}).get("newly_unlocked", []):
                    earned.setdefault(layer_id, t.position - 1)
            return earned
        scenario = self._content.scenario_version(session.scenario_version_id)
        for step in replay(self._engine, scenario, session.seed, turns):
            for layer_id in step.earned:
                earned.setdefault(layer_id, step.position - 1)
        return earned


def _stored_turns(s: Any, session_id: int) -> list[StoredTurn]:
    rows = s.scalars(
        select(TurnRecord).where(TurnRecord.session_id == session_id).order_by(TurnRecord.position)
    )
    return [StoredTurn(t.position, t.speaker, t.text, t.labels) for t in rows]


def _criterion(data: dict[str, Any], private: bool) -> CriterionView:
    return CriterionView(
        id=data["id"],
        name=data["name"],
        level=int(data["level"]),
        score=None if private else float(data["score"]),
        descriptor=data.get("descriptor", ""),
        feedback=data.get("feedback", ""),
        evidence=[EvidenceView(int(e["turn"]), e["quote"]) for e in data.get("evidence", [])],
    )


def _annotated(
    turn: StoredTurn,
    scored: dict[str, Any],
    cited: dict[int, list[str]],
    credited: dict[int, list[str]],
) -> AnnotatedTurn:
    base = {
        "evidence_for": cited.get(turn.position, []),
        "earned": credited.get(turn.position, []),
    }
    if turn.speaker != "coach":
        return AnnotatedTurn(turn.position, turn.speaker, turn.text, **base)
    labels = turn.labels or {}
    return AnnotatedTurn(
        position=turn.position,
        speaker=turn.speaker,
        text=turn.text,
        techniques=list(scored.get("techniques") or labels.get("techniques") or []),
        flags=list(scored.get("flags") or labels.get("flags") or []),
        grow_stage=scored.get("grow_stage") or labels.get("grow_stage"),
        suggestion=scored.get("suggestion"),
        **base,
    )


def _note(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("text", ""))
    return str(value or "")
