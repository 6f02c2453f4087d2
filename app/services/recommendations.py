"""The scenario catalogue for a learner: filters and a "recommended next" list.

Skills ↔ criteria mapping: a scenario's ``skills`` are free text written by authors, so each rubric
criterion is linked to the words that name its behaviour in a skill (``CRITERION_SKILL_WORDS``).
A scenario *works on* a criterion when one of its skills contains one of those words.

What must stay true:
- Recommendations use the caller's own latest scorecards only, and list published scenarios only.
- With no history, the easiest untried scenarios come first; after practice, scenarios that work
  on the learner's weakest criteria and that they have not tried yet rank highest.
- Every recommendation says why it was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.content import ContentService, ScenarioCard
from app.services.principal import Principal
from app.services.progress import Attempt, ProgressService

CRITERION_SKILL_WORDS: dict[str, tuple[str, ...]] = {
    # core-coaching
    "agreement": ("goal", "agreeing", "contract"),
    "open-questions": ("open question", "curious", "exploring"),
    "active-listening": ("reflect", "summar", "listening"),
    "client-talks-most": ("listening", "curious", "reflections before questions"),
    "acknowledges-strengths": ("affirm", "strength"),
    "evokes-not-advises": ("evok", "righting reflex", "client's own", "client generates"),
    "designs-actions": ("next step", "action", "commit"),
    # grow-structure
    "goal-first": ("goal",),
    "stage-coverage": ("options", "next step", "goal"),
    "stage-order": ("goal", "next step"),
    "client-options": ("options", "client generates", "client's own"),
    "will-commitment": ("next step", "commit", "action"),
    # mi-consistency
    "complex-reflections": ("complex reflection", "double-sided", "mixed feelings", "reflecting"),
    "reflection-question-ratio": ("reflect", "reflections before questions"),
    "mi-adherent": ("affirm", "resistance", "ambivalence"),
    "mi-non-adherent": ("righting reflex", "resistance", "without taking sides"),
    "cultivating-change-talk": ("change talk", "ambivalence", "evok"),
}
WEAKEST_COUNT = 2


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A scenario to try next and why."""

    card: ScenarioCard
    reason: str


@dataclass(frozen=True, slots=True)
class WeakCriterion:
    """A criterion the learner scored low on in their latest scorecards."""

    id: str
    name: str
    level: float


def works_on(card: ScenarioCard, criterion_id: str) -> bool:
    """Whether one of the scenario's skills names the behaviour of ``criterion_id``."""
    words = CRITERION_SKILL_WORDS.get(criterion_id, ())
    return any(word in skill.lower() for skill in card.skills for word in words)


def filter_cards(
    cards: list[ScenarioCard],
    *,
    context: str | None = None,
    difficulty: int | None = None,
    skill: str | None = None,
) -> list[ScenarioCard]:
    """Cards matching every filter given (a skill matches as a case-insensitive substring)."""
    needle = (skill or "").strip().lower()
    return [
        c
        for c in cards
        if (context is None or c.context == context)
        and (difficulty is None or c.difficulty == difficulty)
        and (not needle or any(needle in s.lower() for s in c.skills))
    ]


def weakest_criteria(attempts: list[Attempt], count: int = WEAKEST_COUNT) -> list[WeakCriterion]:
    """The lowest mean levels over each scored scenario's latest attempt."""
    latest: dict[str, Attempt] = {}
    for attempt in attempts:  # oldest first, so the newest per scenario wins
        if attempt.levels:
            latest[attempt.scenario_id] = attempt
    sums: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for attempt in latest.values():
        for cid, level in attempt.levels.items():
            sums.setdefault(cid, []).append(level)
            names[cid] = attempt.criteria[cid]
    means = sorted((sum(v) / len(v), cid) for cid, v in sums.items())
    return [WeakCriterion(cid, names[cid], mean) for mean, cid in means[:count] if mean < 5]


class RecommendationService:
    """List the catalogue with filters and pick what a learner should practise next."""

    def __init__(self, content: ContentService, progress: ProgressService) -> None:
        self._content = content
        self._progress = progress

    def catalogue(
        self,
        principal: Principal,
        *,
        context: str | None = None,
        difficulty: int | None = None,
        skill: str | None = None,
    ) -> list[ScenarioCard]:
        """Published scenarios matching the filters, easiest first."""
        cards = self._content.list_scenarios(principal)
        found = filter_cards(cards, context=context, difficulty=difficulty, skill=skill)
        return sorted(found, key=lambda c: (c.difficulty, c.title))

    def recommended(self, principal: Principal, limit: int = 3) -> list[Recommendation]:
        """Scenarios to try next, best first, each with its reason."""
        cards = self._content.list_scenarios(principal)
        attempts = self._progress.attempts(principal)
        tried = {a.scenario_id for a in attempts}
        weak = weakest_criteria(attempts)
        ranked: list[tuple[tuple[int, int, int, str], Recommendation]] = []
        for card in cards:
            targets = [w for w in weak if works_on(card, w.id)]
            fresh = card.id not in tried
            if not targets and not fresh:
                continue
            reasons = [f"works on {w.name} (your level {w.level:.1f} of 5)" for w in targets]
            reasons.append("you have not tried it yet" if fresh else "worth another attempt")
            key = (-len(targets), 0 if fresh else 1, card.difficulty, card.title)
            reason = "; ".join(reasons)
            ranked.append((key, Recommendation(card, reason[0].upper() + reason[1:] + ".")))
        ranked.sort(key=lambda item: item[0])
        return [rec for _, rec in ranked[:limit]]
