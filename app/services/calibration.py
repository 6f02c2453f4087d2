"""Calibration: compare a facilitator's hand scores with the rubric engine before assessing anyone.

What must stay true:
- A calibration set belongs to the facilitator who made it (administrators see all); every method
  checks ``Action.AUTHOR_CONTENT`` itself and answers "not found" for other people's sets.
- Hand levels are whole numbers 1–5 for criteria the rubric has; anything else is refused.
- Agreement is computed per criterion over the items both sides scored: exact agreement, adjacent
  agreement (levels at most one apart) and quadratic weighted kappa on the five levels, which is
  ``None`` when it is undefined (no variation at all in either side's levels).
- Every disagreement is listed with the engine's evidence, so a facilitator can see why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.services.content import ContentService
from app.services.errors import InvalidInput, NotFound
from app.services.principal import Action, Principal
from app.storage.database import Database
from app.storage.models import CalibrationItem, RubricVersion
from rubrics.parsing import TranscriptError, parse_transcript
from rubrics.scorer import Scorer
from rubrics.transcript import Turn

LEVELS = (1, 2, 3, 4, 5)


def quadratic_weighted_kappa(
    first: Sequence[int], second: Sequence[int], levels: Sequence[int] = LEVELS
) -> float | None:
    """Cohen's kappa with quadratic weights between two raters' levels; None when undefined."""
    if len(first) != len(second):
        raise ValueError("both raters must score the same items")
    n = len(first)
    if n == 0:
        return None
    index = {level: i for i, level in enumerate(levels)}
    k = len(levels)
    observed = [[0.0] * k for _ in range(k)]
    for a, b in zip(first, second, strict=True):
        observed[index[a]][index[b]] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]

    def weight(i: int, j: int) -> float:
        return (i - j) ** 2 / (k - 1) ** 2

    seen = sum(weight(i, j) * observed[i][j] for i in range(k) for j in range(k))
    chance = sum(weight(i, j) * rows[i] * cols[j] / n for i in range(k) for j in range(k))
    if chance == 0:
        return None  # both raters used a single, identical level: agreement by chance is total
    return 1.0 - seen / chance


@dataclass(frozen=True, slots=True)
class CalibrationSet:
    """A named set of hand-scored transcripts."""

    name: str
    rubric_id: str
    items: int


@dataclass(frozen=True, slots=True)
class CalibrationEntry:
    """One hand-scored transcript in a set."""

    id: int
    title: str
    turns: int
    hand_levels: dict[str, int]


@dataclass(frozen=True, slots=True)
class CriterionAgreement:
    """How well the engine agrees with the hand scores on one criterion."""

    criterion_id: str
    name: str
    items: int
    exact: float
    adjacent: float
    kappa: float | None


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One item where the engine's level differs from the hand level."""

    item_title: str
    criterion_id: str
    criterion_name: str
    hand_level: int
    engine_level: int
    evidence: list[tuple[int, str]]
    feedback: str


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    """Per-criterion agreement for a set, and every disagreement side by side."""

    set_name: str
    rubric_id: str
    rubric_version: int
    agreement: list[CriterionAgreement]
    disagreements: list[Disagreement]


class CalibrationService:
    """Hand-score transcripts and measure how well the engine agrees."""

    def __init__(self, db: Database, content: ContentService, scorer: Scorer) -> None:
        self._db = db
        self._content = content
        self._scorer = scorer

    def add_item(
        self,
        actor: Principal,
        set_name: str,
        rubric_id: str,
        title: str,
        transcript: str,
        hand_levels: dict[str, int],
    ) -> int:
        """Store a transcript with the caller's hand levels for each criterion of the rubric."""
        actor.require(Action.AUTHOR_CONTENT)
        set_name, title = " ".join(set_name.split()), " ".join(title.split()) or "Transcript"
        if not set_name or len(set_name) > 120:
            raise InvalidInput("A calibration set needs a name of 1 to 120 characters.")
        version_id, rubric = self._content.latest_rubric(rubric_id)
        known = {c.id for c in rubric.criteria}
        unknown = sorted(set(hand_levels) - known)
        if unknown:
            raise InvalidInput(f"'{rubric.id}' has no criterion {', '.join(unknown)}.")
        if not hand_levels:
            raise InvalidInput("Give a level for at least one criterion.")
        if any(level not in LEVELS for level in hand_levels.values()):
            raise InvalidInput("Hand levels are whole numbers from 1 to 5.")
        try:
            turns = parse_transcript(transcript, title)
        except TranscriptError as exc:
            raise InvalidInput(str(exc)) from None
        with self._db.session() as s:
            existing = self._set_rubric(s, actor, set_name)
            if existing is not None and existing != rubric.id:
                raise InvalidInput(f"Set '{set_name}' calibrates '{existing}'; use a new set name.")
            item = CalibrationItem(
                set_name=set_name,
                rubric_version_id=version_id,
                title=title[:200],
                turns=[{"speaker": t.speaker, "text": t.text} for t in turns],
                hand_levels={k: int(v) for k, v in hand_levels.items()},
                created_by=actor.user_id,
            )
            s.add(item)
            s.flush()
            return item.id

    def list_sets(self, actor: Principal) -> list[CalibrationSet]:
        """The caller's calibration sets."""
        actor.require(Action.AUTHOR_CONTENT)
        with self._db.session() as s:
            rows = s.execute(self._mine(actor, select(CalibrationItem, RubricVersion.rubric_id)))
            sets: dict[str, CalibrationSet] = {}
            for item, rubric_id in rows:
                prior = sets.get(item.set_name)
                count = (prior.items if prior else 0) + 1
                sets[item.set_name] = CalibrationSet(item.set_name, rubric_id, count)
        return sorted(sets.values(), key=lambda c: c.name)

    def items(self, actor: Principal, set_name: str) -> list[CalibrationEntry]:
        """The transcripts in one of the caller's sets."""
        actor.require(Action.AUTHOR_CONTENT)
        with self._db.session() as s:
            rows = s.execute(
                self._mine(actor, select(CalibrationItem, RubricVersion.rubric_id)).where(
                    CalibrationItem.set_name == set_name
                )
            )
            return [
                CalibrationEntry(i.id, i.title, len(i.turns), dict(i.hand_levels)) for i, _ in rows
            ]

    def remove_item(self, actor: Principal, item_id: int) -> None:
        """Delete one of the caller's items."""
        actor.require(Action.AUTHOR_CONTENT)
        with self._db.session() as s:
            item = s.get(CalibrationItem, item_id)
            if item is None or not (actor.is_admin or item.created_by == actor.user_id):
                raise NotFound(f"No calibration item {item_id}.")
            s.delete(item)

    def report(self, actor: Principal, set_name: str) -> CalibrationReport:
        """Score every item with the newest version of the set's rubric and compare."""
        actor.require(Action.AUTHOR_CONTENT)
        with self._db.session() as s:
            rubric_id = self._set_rubric(s, actor, set_name)
            if rubric_id is None:
                raise NotFound(f"No calibration set '{set_name}'.")
            rows = [
                (i.title, list(i.turns), dict(i.hand_levels))
                for i, _ in s.execute(
                    self._mine(actor, select(CalibrationItem, RubricVersion.rubric_id)).where(
                        CalibrationItem.set_name == set_name
                    )
                )
            ]
        _, rubric = self._content.latest_rubric(rubric_id)
        pairs: dict[str, list[tuple[int, int]]] = {c.id: [] for c in rubric.criteria}
        disagreements = []
        for title, turns, hand in rows:
            card = self._scorer.score([Turn(t["speaker"], t["text"]) for t in turns], rubric)
            for result in card.criteria:
                if result.id not in hand:
                    continue
                pairs[result.id].append((int(hand[result.id]), result.level))
                if int(hand[result.id]) != result.level:
                    disagreements.append(
                        Disagreement(
                            title,
                            result.id,
                            result.name,
                            int(hand[result.id]),
                            result.level,
                            [(e.turn, e.quote) for e in result.evidence],
                            result.feedback,
                        )
                    )
        agreement = [_agreement(c.id, c.name, pairs[c.id]) for c in rubric.criteria]
        return CalibrationReport(set_name, rubric.id, rubric.version, agreement, disagreements)

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _mine(actor: Principal, query: Any) -> Any:
        query = query.join(
            RubricVersion, RubricVersion.id == CalibrationItem.rubric_version_id
        ).order_by(CalibrationItem.id)
        if actor.is_admin:
            return query
        return query.where(CalibrationItem.created_by == actor.user_id)

    def _set_rubric(self, s: Any, actor: Principal, set_name: str) -> str | None:
        row = s.execute(
            self._mine(actor, select(CalibrationItem, RubricVersion.rubric_id)).where(
                CalibrationItem.set_name == set_name
            )
        ).first()
        return None if row is None else str(row[1])


def _agreement(criterion_id: str, name: str, pairs: list[tuple[int, int]]) -> CriterionAgreement:
    n = len(pairs)
    if n == 0:
        return CriterionAgreement(criterion_id, name, 0, 0.0, 0.0, None)
    exact = sum(a == b for a, b in pairs) / n
    adjacent = sum(abs(a - b) <= 1 for a, b in pairs) / n
    kappa = quadratic_weighted_kappa([a for a, _ in pairs], [b for _, b in pairs])
    return CriterionAgreement(criterion_id, name, n, exact, adjacent, kappa)
