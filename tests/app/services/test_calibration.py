"""Calibration: quadratic weighted kappa by hand, agreement per criterion, disagreements."""

from __future__ import annotations

import pytest

from app.bootstrap import Services
from app.services.calibration import quadratic_weighted_kappa
from app.services.errors import InvalidInput, NotFound, PermissionDenied
from app.services.principal import Principal, Role
from rubrics.parsing import parse_transcript
from tests.app.services.helpers import TRANSCRIPT
from tests.builders import make_user


def test_kappa_matches_hand_computed_values() -> None:
    # hand-computed: weighted observed 2/16, weighted chance 48/64, kappa = 1 - (1/8)/(3/4) = 5/6
    assert quadratic_weighted_kappa([1, 2, 3, 4], [2, 2, 3, 5]) == pytest.approx(5 / 6)
    assert quadratic_weighted_kappa([1, 3, 5], [1, 3, 5]) == pytest.approx(1.0)
    # complete reversal on a spread scale: observed equals twice chance -> kappa = -1
    assert quadratic_weighted_kappa([1, 5], [5, 1]) == pytest.approx(-1.0)
    # hand: O=(1,1),(2,3); rows {1:1,2:1}, cols {1:1,3:1}; observed 1/16, chance (0+4+1+1)/16/2
    assert quadratic_weighted_kappa([1, 2], [1, 3]) == pytest.approx(1 - (1 / 16) / (6 / 32))
    assert quadratic_weighted_kappa([3, 3], [4, 4]) == pytest.approx(0.0)
    assert quadratic_weighted_kappa([3, 3], [3, 3]) is None  # no variation: undefined
    assert quadratic_weighted_kappa([], []) is None
    with pytest.raises(ValueError):
        quadratic_weighted_kappa([1], [1, 2])


@pytest.fixture
def fran(services: Services) -> Principal:
    return make_user(services, "fran", Role.FACILITATOR)


def test_report_compares_hand_levels_with_the_engine(services: Services, fran: Principal) -> None:
    _, rubric = services.content.latest_rubric("core-coaching")
    ids = [c.id for c in rubric.criteria]
    engine = services.scorer.score(parse_transcript(TRANSCRIPT, "t"), rubric)
    engine_levels = {r.id: r.level for r in engine.criteria}
    # item 1 agrees everywhere; item 2 is one level off on the first criterion; item 3 far off
    first = ids[0]
    off_by_one = engine_levels[first] + 1 if engine_levels[first] < 5 else 4
    far = 1 if engine_levels[first] >= 3 else 5
    hands = [
        dict(engine_levels),
        {**engine_levels, first: off_by_one},
        {**engine_levels, first: far},
    ]
    for n, hand in enumerate(hands, start=1):
        services.calibration.add_item(fran, "Pilot", "core-coaching", f"T{n}", TRANSCRIPT, hand)
    (pilot,) = services.calibration.list_sets(fran)
    assert (pilot.name, pilot.rubric_id, pilot.items) == ("Pilot", "core-coaching", 3)

    report = services.calibration.report(fran, "Pilot")
    by_id = {a.criterion_id: a for a in report.agreement}
    assert by_id[first].items == 3
    assert by_id[first].exact == pytest.approx(1 / 3)
    assert by_id[first].adjacent == pytest.approx(2 / 3)
    expected = quadratic_weighted_kappa([h[first] for h in hands], [engine_levels[first]] * 3)
    assert expected is not None and by_id[first].kappa == pytest.approx(expected)
    assert by_id[ids[1]].exact == 1.0 and by_id[ids[1]].kappa is None  # identical constant levels
    assert [(d.item_title, d.criterion_id) for d in report.disagreements] == [
        ("T2", first),
        ("T3", first),
    ]
    assert report.disagreements[1].hand_level == far
    assert report.disagreements[1].engine_level == engine_levels[first]
    assert report.disagreements[1].feedback


def test_bad_hand_scores_are_refused(services: Services, fran: Principal) -> None:
    with pytest.raises(InvalidInput, match="no criterion"):
        services.calibration.add_item(fran, "S", "core-coaching", "T", TRANSCRIPT, {"nope": 3})
    with pytest.raises(InvalidInput, match="1 to 5"):
        services.calibration.add_item(fran, "S", "core-coaching", "T", TRANSCRIPT, {"agreement": 6})
    with pytest.raises(InvalidInput):
        services.calibration.add_item(
            fran, "S", "core-coaching", "T", "no speakers", {"agreement": 3}
        )
    services.calibration.add_item(fran, "S", "core-coaching", "T", TRANSCRIPT, {"agreement": 3})
    with pytest.raises(InvalidInput, match="calibrates"):
        services.calibration.add_item(
            fran, "S", "grow-structure", "T", TRANSCRIPT, {"goal-first": 3}
        )


def test_sets_are_private_and_need_authoring_rights(
    services: Services, fran: Principal, learner: Principal
) -> None:
    item = services.calibration.add_item(
        fran, "Mine", "core-coaching", "T", TRANSCRIPT, {"agreement": 3}
    )
    gil = make_user(services, "gil", Role.FACILITATOR)
    assert services.calibration.list_sets(gil) == []
    with pytest.raises(NotFound):
        services.calibration.report(gil, "Mine")
    with pytest.raises(NotFound):
        services.calibration.remove_item(gil, item)
    with pytest.raises(PermissionDenied):
        services.calibration.report(learner, "Mine")
    services.calibration.remove_item(fran, item)
    assert services.calibration.items(fran, "Mine") == []
