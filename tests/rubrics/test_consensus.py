"""Agreement on multiply annotated utterances: majority votes, expert ceilings, the interval."""

from __future__ import annotations

import pytest

from rubrics.consensus import consensus_agreement, macro_f1, majority
from rubrics.detection_annomi import MAIN_BEHAVIOURS, load_annotator_votes
from tests.support.annomi import ANNOMI_DIR, needs_annomi

LABELS = ("a", "b")


def test_majority_breaks_ties_alphabetically() -> None:
    assert majority(["b", "a", "b"]) == "b"
    assert majority(["b", "a"]) == majority(["a", "b"]) == "a"


def test_macro_f1_matches_hand_counts() -> None:
    # a: tp 1, gold 2, predicted 1 -> 2/3; b: tp 2, gold 2, predicted 3 -> 4/5
    assert macro_f1(["a", "a", "b", "b"], ["a", "b", "b", "b"], LABELS) == pytest.approx(
        (2 / 3 + 4 / 5) / 2
    )
    assert macro_f1(["a"], ["a"], ("a", "never")) == 0.5  # a class nobody used counts as 0


def test_experts_who_always_agree_set_a_ceiling_of_one() -> None:
    votes = {(1, i): ("a", "a", "a") if i % 2 else ("b", "b", "b") for i in range(10)}
    right = {k: v[0] for k, v in votes.items()}
    report = consensus_agreement(right, votes, LABELS, resamples=50)
    assert report is not None
    assert report.expert_vs_others == report.expert_vs_expert == 1.0
    assert report.detector_vs_majority == report.detector_vs_expert == 1.0
    assert report.detector_interval == (1.0, 1.0)
    assert (report.utterances, report.transcripts, report.annotators) == (10, 1, 3)


def test_a_dissenting_expert_lowers_the_ceiling_not_the_majority() -> None:
    votes = {
        (t, i): ("a", "a", "a", "b") if i % 2 else ("b", "b", "b", "a")
        for t in (1, 2)
        for i in range(6)
    }
    majority_view = {k: majority(v) for k, v in votes.items()}
    report = consensus_agreement({**majority_view, (9, 9): "a"}, votes, LABELS, resamples=50)
    assert report is not None and report.utterances == 12  # unvoted predictions are ignored
    assert report.detector_vs_majority == 1.0
    # experts 0-2 always match the others' majority, expert 3 never does
    assert report.expert_vs_others == pytest.approx(3 / 4)
    assert report.expert_vs_expert == pytest.approx(6 / 12)  # the 6 ordered pairs without 3
    assert report.detector_vs_expert == pytest.approx(3 / 4)
    assert consensus_agreement({(5, 5): "a"}, votes, LABELS) is None


@needs_annomi
def test_annomi_dev_has_216_utterances_voted_by_all_ten_experts() -> None:
    votes = load_annotator_votes(ANNOMI_DIR)
    assert len(votes) == 216
    assert {len(v) for v in votes.values()} == {10}
    assert {k[0] for k in votes} == {7, 27, 55, 56, 66, 109, 130}
    assert {label for v in votes.values() for label in v} <= set(MAIN_BEHAVIOURS)
