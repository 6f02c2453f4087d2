"""Catalogue filters and "recommended next" from weakest criteria and untried scenarios."""

from __future__ import annotations

from app.bootstrap import Services
from app.services.principal import Principal
from app.services.recommendations import CRITERION_SKILL_WORDS, works_on
from tests.app.services.practice_helpers import SCENARIO, play


def test_filters_by_context_difficulty_and_skill(services: Services, learner: Principal) -> None:
    catalogue = services.room.recommendations.catalogue
    everything = catalogue(learner)
    assert len(everything) >= 8
    assert [c.difficulty for c in everything] == sorted(c.difficulty for c in everything)
    managers = catalogue(learner, context="manager_report")
    assert managers and all(c.context == "manager_report" for c in managers)
    assert len(managers) < len(everything)
    level = everything[0].difficulty
    assert all(c.difficulty == level for c in catalogue(learner, difficulty=level))
    reflect = catalogue(learner, skill="Complex REFLECTIONS")
    assert reflect and all(any("complex reflections" in s for s in c.skills) for c in reflect)
    assert catalogue(learner, context="peer", skill="no such skill") == []


def test_without_history_the_easiest_untried_come_first(
    services: Services, learner: Principal
) -> None:
    recs = services.room.recommendations.recommended(learner, limit=3)
    easiest = min(c.difficulty for c in services.room.recommendations.catalogue(learner))
    assert recs[0].card.difficulty == easiest
    assert all("not tried" in r.reason for r in recs)


def test_after_practice_the_weakest_criterion_leads(services: Services, learner: Principal) -> None:
    session = play(services, learner, ["Is it the reports?", "You should delegate more."])
    services.practice.end(learner, session)
    (attempt,) = services.room.progress.attempts(learner)
    weakest = min(attempt.levels.values())
    recs = services.room.recommendations.recommended(learner, limit=3)
    assert recs and SCENARIO not in [r.card.id for r in recs[:1]]
    top = recs[0]
    assert "your level" in top.reason and "not tried" in top.reason
    weak_ids = [cid for cid, level in attempt.levels.items() if level == weakest]
    assert any(works_on(top.card, cid) for cid in weak_ids)


def test_every_builtin_criterion_has_skill_words(services: Services) -> None:
    for card in services.content.list_rubrics():
        _, rubric = services.content.latest_rubric(card.id)
        for criterion in rubric.criteria:
            assert criterion.id in CRITERION_SKILL_WORDS, criterion.id


def test_works_on_matches_skill_text(services: Services, learner: Principal) -> None:
    cards = {c.id: c for c in services.room.recommendations.catalogue(learner)}
    assert works_on(cards["first-performance-review"], "acknowledges-strengths")
    assert not works_on(cards["first-performance-review"], "cultivating-change-talk")
