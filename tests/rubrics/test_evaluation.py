"""AnnoMI evaluation helpers, the MI-consistency score, and a small cross-validation smoke run."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.hashing import HashingEmbedder
from retrieval.minilm import MiniLMEmbedder
from rubrics.classifier import TechniqueModel
from rubrics.detection_annomi import embed_cached, load_annomi
from rubrics.detector import TechniqueDetector
from rubrics.evaluation import auroc, behaviour, class_scores, evaluate_annomi, stratified_folds
from rubrics.labels import ClientLabels, CoachLabels, Technique
from rubrics.mi_score import mi_consistency_score, mi_profile
from rubrics.training import train_model, training_texts
from tests.support.annomi import ANNOMI_DIR, needs_annomi


def _coach(*primaries: Technique) -> list[CoachLabels | ClientLabels]:
    return [CoachLabels(techniques=(p,), primary=p) for p in primaries]


def test_behaviour_mapping_follows_the_data_readme() -> None:
    assert behaviour("question_open") == behaviour("question_closed") == "question"
    assert behaviour("summary") == behaviour("reflection_complex") == "reflection"
    assert behaviour("advice") == behaviour("information") == "therapist_input"
    assert behaviour("affirmation") == behaviour("permission") == "other"


def test_class_scores_and_auroc() -> None:
    scores = class_scores(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert scores[0].precision == 1.0 and scores[0].recall == 0.5
    assert scores[1].precision == pytest.approx(2 / 3) and scores[1].recall == 1.0
    assert auroc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    assert auroc([0.1], [True]) == 0.5


def test_mi_score_prefers_reflective_sessions() -> None:
    reflective = _coach(
        "reflection_complex",
        "question_open",
        "reflection_simple",
        "reflection_complex",
        "affirmation",
    )
    directive = _coach("advice", "question_closed", "advice", "information", "question_closed")
    assert mi_consistency_score(reflective) > 80 > 20 > mi_consistency_score(directive)
    assert mi_consistency_score([ClientLabels(talk_type="change")]) == 0.0
    profile = mi_profile(reflective)
    assert profile.reflection_to_question == 3.0
    assert profile.percent_complex == pytest.approx(2 / 3)


@needs_annomi
def test_folds_are_disjoint_and_keep_low_quality_in_each() -> None:
    data = load_annomi(ANNOMI_DIR)
    folds = stratified_folds(data, 5)
    assert sum(len(f) for f in folds) == len({u.transcript_id for u in data})
    assert not set.intersection(*folds)
    low = {u.transcript_id for u in data if u.mi_quality == "low"}
    assert all(f & low for f in folds)


@needs_annomi
def test_coach_utterances_know_the_next_client_turn() -> None:
    everything = load_annomi(ANNOMI_DIR)
    data = [u for u in everything if u.transcript_id == everything[0].transcript_id]
    for i, u in enumerate(data):
        if u.speaker != "coach":
            assert u.next_client is None
            continue
        after = [x.text for x in data[i + 1 :] if x.speaker == "client"]
        assert u.next_client == (after[0] if after else None)


@needs_annomi
def test_trained_weights_round_trip(tmp_path: Path) -> None:
    data = [u for u in load_annomi(ANNOMI_DIR) if u.transcript_id < 12]
    embedder = HashingEmbedder()
    model = train_model(data, embed_cached(embedder, training_texts(data)), transcript_head=True)
    model.save(tmp_path)
    reloaded = TechniqueModel.load(tmp_path)
    assert set(reloaded.heads) == set(model.heads) and "main@transcript" in model.heads
    assert reloaded.inputs("main@transcript") == model.inputs("main@transcript")
    detector = TechniqueDetector(embedder, weights_dir=tmp_path)
    direct = TechniqueDetector(embedder, model=model)
    text = "so what would you like to change"
    assert detector.label_coach(text) == direct.label_coach(text)
    assert reloaded.heads["main"].classes == model.heads["main"].classes


@needs_annomi
def test_cross_validation_smoke() -> None:
    report = evaluate_annomi(ANNOMI_DIR, folds=2, embedder=HashingEmbedder(), max_transcripts=20)
    assert report.transcripts == 20
    assert report.coach_utterances > 100
    assert [s.label for s in report.per_class] == [
        "question",
        "reflection",
        "therapist_input",
        "other",
    ]
    assert 0.3 < report.macro_f1 <= 1.0
    assert 0.3 < report.live_macro_f1 <= 1.0
    assert 0.0 <= report.session_auroc <= 1.0
    assert "macro-F1" in report.to_text()
    # transcripts 7 and 27 are among the first 20: 45 utterances every expert labelled
    assert report.consensus is not None
    assert (report.consensus.transcripts, report.consensus.annotators) == (2, 10)
    assert "utterances labelled by 10 experts: 45 in 2 transcripts" in report.to_text()


@needs_annomi
def test_cross_validation_runs_the_shipped_layer_heads(minilm: MiniLMEmbedder) -> None:
    # the real embedder: the heads read layer states, served by the evaluation's lookup table
    report = evaluate_annomi(ANNOMI_DIR, folds=2, embedder=minilm, max_transcripts=12)
    assert report.transcripts == 12
    assert 0.3 < report.macro_f1 <= 1.0
    assert report.macro_f1 == report.live_macro_f1
