"""Conversation metrics computed from hand-built labels."""

from __future__ import annotations

import pytest

from rubrics.labels import ClientLabels, CoachLabels
from rubrics.metrics import METRICS, ConversationMetrics, compute_metrics, format_value
from rubrics.mi_score import mi_consistency_score
from rubrics.transcript import Turn


def coach(
    *techniques: str, flags: tuple[str, ...] = (), stage: str | None = None, questions: int = 0
) -> CoachLabels:
    return CoachLabels(
        techniques=techniques,
        primary=techniques[0],
        flags=flags,  # type: ignore[arg-type]
        grow_stage=stage,
        question_count=questions,
    )  # type: ignore[arg-type]


def client(talk: str = "neutral", commit: bool = False, when: bool = False) -> ClientLabels:
    return ClientLabels(talk_type=talk, commitment=commit, has_when=when)  # type: ignore[arg-type]


def metrics_for(rows: list[tuple[str, str, object]]) -> ConversationMetrics:
    turns = [Turn(speaker, text) for speaker, text, _ in rows]  # type: ignore[arg-type]
    return compute_metrics(turns, [label for _, _, label in rows])  # type: ignore[misc]


ROWS = [
    ("coach", "What brings you here today?", coach("question_open", stage="goal", questions=1)),
    (
        "client",
        "I want to stop working every weekend because my family misses me",
        client("change"),
    ),
    ("coach", "Your family matters a lot to you.", coach("reflection_complex")),
    ("client", "It does but the work has to get done", client("sustain")),
    (
        "coach",
        "Did you ask for help? Who could help?",
        coach(
            "question_closed",
            "question_open",
            flags=("stacked_questions",),
            stage="reality",
            questions=2,
        ),
    ),
    ("client", "No", client()),
    ("coach", "May I share an idea?", coach("permission", questions=1)),
    ("client", "Sure", client()),
    ("coach", "Some people batch their admin on Fridays.", coach("advice", stage="options")),
    ("client", "Hmm", client()),
    (
        "coach",
        "You should just say no.",
        coach("advice", flags=("leading_question",), stage="will"),
    ),
    ("client", "I will talk to my manager on Monday", client("change", commit=True, when=True)),
]


def test_counts_shares_and_ratios() -> None:
    m = metrics_for(ROWS)
    assert m.value("open_question_share") == pytest.approx(2 / 2)  # turns 0 and 4 both open
    assert m.value("closed_question_count") == 1
    assert m.value("reflection_question_ratio") == pytest.approx(1 / 2)
    assert m.value("complex_reflection_share") == 1.0
    assert m.value("questions_per_coach_turn") == pytest.approx((1 + 0 + 2 + 1 + 0 + 0) / 6)
    assert m.value("stacked_question_count") == 1
    assert m.value("advice_count") == 2
    # the first advice follows a permission request; the second does not
    assert m.value("advice_without_permission_count") == 1
    assert m.turns_for("advice_without_permission") == [10]
    assert m.value("permission_count") == 1
    assert m.value("mi_adherent_count") == 1
    assert m.value("mi_non_adherent_count") == 1  # turn 10 is both unasked advice and leading
    assert m.value("mi_adherent_share") == 0.5
    assert m.value("change_talk_count") == 2 and m.value("sustain_talk_count") == 1
    assert m.value("change_talk_share") == pytest.approx(2 / 3)
    assert m.turns_for("evoked_change") == [0, 10]
    assert m.turns_for("evoked_sustain") == [2]


def test_talk_share_counts_words() -> None:
    m = metrics_for([("coach", "one two", coach("other")), ("client", "a b c d e f", client())])
    assert m.value("coach_talk_share") == pytest.approx(2 / 8)


def test_grow_stages_coverage_order_and_commitment() -> None:
    m = metrics_for(ROWS)
    assert m.grow_stages == [
        "goal",
        None,
        None,
        None,
        "reality",
        None,
        None,
        None,
        "options",
        None,
        "will",
        None,
    ]
    assert m.stages_covered == ["goal", "reality", "options", "will"]
    assert m.stage_order == ["goal", "reality", "options", "will"]
    assert m.value("grow_coverage") == 1.0 and m.value("grow_order_score") == 1.0
    assert m.value("goal_established") == 1.0 and m.value("goal_timing") == 1.0
    assert m.value("commitment") == 1.0 and m.value("commitment_with_when") == 1.0
    assert m.turns_for("action_design") == [10]


def test_order_score_penalises_late_and_missing_stages() -> None:
    rows = [
        ("coach", "a", coach("advice", stage="options")),
        ("coach", "b", coach("question_open", stage="reality")),
        ("coach", "c", coach("question_open", stage="goal")),
    ]
    m = metrics_for(rows)
    assert m.stage_order == ["options", "reality", "goal"]
    assert m.value("grow_coverage") == 0.75
    assert m.value("grow_order_score") == 0.0  # every present pair reversed, will missing
    assert m.turns_for("out_of_order") == [1, 2]
    assert m.value("goal_timing") == pytest.approx(1 - 2 / 3)


def test_empty_denominators_take_documented_defaults() -> None:
    m = metrics_for([("coach", "Hello", coach("structuring")), ("client", "Hi", client())])
    assert m.value("open_question_share") == 0.0
    assert m.value("complex_reflection_share") == 0.0
    assert m.value("reflection_question_ratio") == 0.0
    assert m.value("mi_adherent_share") == 0.5
    assert m.value("change_talk_share") == 0.5
    assert m.value("goal_timing") == 0.0 and m.value("commitment") == 0.0
    reflective = metrics_for([("coach", "You feel stuck.", coach("reflection_simple"))] * 3)
    assert reflective.value("reflection_question_ratio") == 3.0


def test_every_metric_is_registered_and_within_its_range() -> None:
    for rows in (ROWS, ROWS[:1], ROWS[::-1][1:]):
        m = metrics_for(rows)
        assert set(m.values) == set(METRICS)
        for name, value in m.values.items():
            spec = METRICS[name]
            assert value >= spec.minimum, name
            assert spec.maximum is None or value <= spec.maximum, name


def test_registry_names_existing_evidence_sets_and_has_descriptions() -> None:
    m = metrics_for(ROWS)
    for spec in METRICS.values():
        assert spec.description and spec.label and spec.tip
        for set_name in (spec.raises, spec.lowers):
            assert set_name == "none" or set_name in m.turn_sets, (spec.name, set_name)


def test_unknown_metric_and_misaligned_labels_fail_loudly() -> None:
    m = metrics_for(ROWS)
    with pytest.raises(KeyError, match="unknown metric 'talk_share'"):
        m.value("talk_share")
    with pytest.raises(ValueError, match="2 turns but 1 labels"):
        compute_metrics([Turn("coach", "a"), Turn("client", "b")], [coach("other")])
    with pytest.raises(ValueError, match="turn 1 is a client turn but has CoachLabels"):
        compute_metrics([Turn("coach", "a"), Turn("client", "b")], [coach("other")] * 2)


def test_format_value_by_kind() -> None:
    assert format_value("open_question_share", 0.625) == "62%"
    assert format_value("reflection_question_ratio", 2) == "2.0:1"
    assert format_value("advice_count", 3.0) == "3"
    assert format_value("commitment", 1.0) == "yes"


def test_mi_consistency_score_is_the_shared_formula() -> None:
    labels = [label for _, _, label in ROWS]
    m = metrics_for(ROWS)
    assert m.value("mi_consistency_score") == mi_consistency_score(labels)  # type: ignore[arg-type]
    assert 0 < m.value("mi_consistency_score") < 100
    assert format_value("mi_consistency_score", 61.5) == "62/100"
