"""Technique detection with the shipped trained heads and the real MiniLM embedder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from retrieval.hashing import HashingEmbedder
from retrieval.minilm import MiniLMEmbedder
from rubrics.classifier import WEIGHTS_DIR, SoftmaxHead, TechniqueModel, weights_dir_for
from rubrics.detector import TechniqueDetector
from rubrics.embedding import SentenceEmbedder
from rubrics.features import COACH_HAND_FEATURES
from rubrics.labels import ClientLabels, CoachLabels
from rubrics.transcript import Turn


class CountingEmbedder:
    """Wraps an embedder and records every batch it is asked to embed."""

    def __init__(self, inner: SentenceEmbedder) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self.name = getattr(inner, "name", "inner")
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.embed(texts)

    def embed_with_layers(
        self, texts: Sequence[str], layers: Sequence[int], *, plain: Sequence[str] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        self.calls.append([*texts, *plain])
        return self.inner.embed_with_layers(texts, layers, plain=plain)  # type: ignore[attr-defined]


class PlainEmbedder:
    """The real MiniLM vectors through ``embed`` only (no pooled layer states)."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self.name = inner.name

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def detector(minilm: MiniLMEmbedder) -> TechniqueDetector:
    built = TechniqueDetector(minilm)
    assert built.uses_classifier
    return built


def test_shipped_weights_load_and_are_small() -> None:
    model = TechniqueModel.load(WEIGHTS_DIR)
    # "kind" (affirmation / permission / structuring / other) learns from the typed gold set
    assert set(model.heads) == {"main", "question", "reflection", "input", "kind", "client"}
    assert model.heads["kind"].classes == ("affirmation", "other", "permission", "structuring")
    assert "typed gold train items" in str(model.metadata["dataset"])
    assert model.heads["main"].classes == ("question", "reflection", "therapist_input", "other")
    # The shipped heads read no future context, so live and whole-transcript labels agree.
    assert all("next_client" not in model.inputs(h) for h in model.heads)
    assert model.embedding_dimension == 384
    assert model.metadata["embedder"] == "all-MiniLM-L6-v2"
    assert sum(p.stat().st_size for p in WEIGHTS_DIR.rglob("*") if p.is_file()) < 5_000_000


def test_int8_heads_are_shipped_for_the_int8_embedder() -> None:
    model = TechniqueModel.load(weights_dir_for("all-MiniLM-L6-v2-int8"))
    assert set(model.heads) == {"main", "question", "reflection", "input", "client", "kind"}
    assert model.metadata["embedder"] == "all-MiniLM-L6-v2-int8"
    assert weights_dir_for("all-MiniLM-L6-v2") == weights_dir_for(None) == WEIGHTS_DIR


@pytest.mark.parametrize(
    ("text", "previous", "primary"),
    [
        ("What would success look like for you?", None, "question_open"),
        ("what would success look like for you", None, "question_open"),
        ("Did you talk to her?", None, "question_closed"),
        ("did you talk to her", None, "question_closed"),
        ("You should block your mornings.", None, "advice"),
        ("you should block your mornings", None, "advice"),
        pytest.param(
            "so youre feeling stretched",
            "i have way too much on at work",
            "reflection_simple",
            # simple against complex is the weakest typed class (recall 0.60 on the gold test
            # split, docs/rubric-engine-accuracy.md); the heads retrained on 967 gold items
            # read a named feeling as added meaning here. Strict: passing again is reported.
            marks=pytest.mark.xfail(strict=True, reason="simple vs complex depth, known gap"),
        ),
        ("It took courage to raise that.", None, "affirmation"),
        ("Would it help if I shared what others have tried?", None, "permission"),
        ("Mm-hmm.", None, "other"),
        # exact question forms win over the subtype head
        ("Don't you think you could ask your manager about priorities?", None, "question_closed"),
        # ... but a directive wearing a question mark is advice by its force
        ("Don't you think you should talk to your manager about priorities?", None, "advice"),
        ("So why haven't you finished the quarterly report yet?", None, "question_open"),
        ("how did that land with your team", None, "question_open"),
    ],
)
def test_primary_with_classifier(
    detector: TechniqueDetector, text: str, previous: str | None, primary: str
) -> None:
    assert detector.label_coach(text, previous).primary == primary


def test_a_reflection_has_one_depth(detector: TechniqueDetector) -> None:
    previous = "I want to get the report done without burning out."
    for text in (
        "So finishing it matters, and so does not running yourself into the ground.",
        "You want the report done and you want to stay well.",
        "it sounds like you're carrying a lot at once",
    ):
        techniques = set(detector.label_coach(text, previous).techniques)
        assert techniques & {"reflection_simple", "reflection_complex"}, text
        assert not {"reflection_simple", "reflection_complex"} <= techniques, text


def test_time_keeping_is_structuring_even_when_the_head_hears_information(
    detector: TechniqueDetector,
) -> None:
    # AnnoMI's annotators often code time-keeping ("I'll see you in two weeks") as therapist
    # input, so the main head may call it information; the structuring rule still tags it.
    labels = detector.label_coach("We have ten minutes left.")
    assert labels.primary in ("structuring", "information")
    assert "structuring" in labels.techniques


def test_batch_equals_single_and_is_deterministic(detector: TechniqueDetector) -> None:
    texts = [
        "what would success look like for you",
        "so youre feeling stretched",
        "Don't you think you should talk to her? And when?",
        "The research shows most people sleep better after two weeks.",
    ]
    previous = [None, "i have too much on", "she never listens", None]
    batch = detector.label_coach_batch(texts, previous)
    singles = [detector.label_coach(t, p) for t, p in zip(texts, previous, strict=True)]
    assert batch == singles
    assert detector.label_coach_batch(texts, previous) == batch
    assert "leading_question" in batch[2].flags
    assert "stacked_questions" in batch[2].flags


def test_transcript_embeds_in_one_call_and_matches_per_turn(minilm: MiniLMEmbedder) -> None:
    counting = CountingEmbedder(minilm)
    detector = TechniqueDetector(counting)
    turns = [
        Turn("coach", "hi what brings you here today"),
        Turn("client", "my boss keeps piling projects on me"),
        Turn("coach", "youre feeling buried"),
        Turn("client", "ill talk to him on monday"),
        Turn("coach", "what will you say to him"),
    ]
    labels = detector.label_transcript(turns)
    # One call: coach turns with layer states, client turns (vectors only) in the same pass.
    assert [set(c) for c in counting.calls] == [{t.text for t in turns}]
    assert isinstance(labels[3], ClientLabels) and labels[3].commitment and labels[3].has_when
    assert labels[3] == detector.label_client(turns[3].text)
    assert labels[2] == detector.label_coach(turns[2].text, turns[1].text)
    assert isinstance(labels[4], CoachLabels) and labels[4].primary == "question_open"


def _head(classes: tuple[str, ...], weight: np.ndarray, bias: Sequence[float]) -> SoftmaxHead:
    n = weight.shape[0]
    return SoftmaxHead(
        classes,
        weight.astype(np.float32),
        np.asarray(bias, np.float32),
        np.zeros(n, np.float32),
        np.ones(n, np.float32),
    )


def test_transcript_head_reads_the_next_client_turn() -> None:
    """A synthetic model whose transcript head says 'question' only when "yes it is" follows."""
    embedder = HashingEmbedder(384)
    dim, hand = 384, len(COACH_HAND_FEATURES)
    live_size, full_size = 2 * dim + hand, 3 * dim + hand
    main = ("question", "reflection", "therapist_input", "other")
    transcript_weight = np.zeros((full_size, 4))
    transcript_weight[2 * dim : 3 * dim, 0] = 1000.0 * embedder.embed(["yes it is"])[0]
    pairs = {
        "question": ("closed", "open"),
        "reflection": ("complex", "simple"),
        "input": ("advice", "information"),
    }
    model = TechniqueModel(
        heads={
            "main": _head(main, np.zeros((live_size, 4)), [0, 0, 0, 1]),
            "main@transcript": _head(main, transcript_weight, [0, 0, 0, 1]),
            # each sub-head clearly prefers its first class (closed, complex, advice)
            **{k: _head(v, np.zeros((live_size, 2)), [2, 0]) for k, v in pairs.items()},
        },
        metadata={
            "embedding_dimension": dim,
            "embedder": "hashing",
            "inputs": {"main@transcript": ["turn", "previous_client", "next_client", "hand"]},
        },
    )
    detector = TechniqueDetector(embedder, model=model)
    turns = [
        Turn("coach", "the weather is mild"),
        Turn("client", "yes it is"),
        Turn("coach", "the weather is mild today"),
    ]
    labels = detector.label_transcript(turns)
    assert isinstance(labels[0], CoachLabels) and labels[0].primary == "question_closed"
    assert isinstance(labels[2], CoachLabels) and labels[2].primary == "other"
    assert detector.label_coach(turns[0].text).primary == "other"  # live head: no future


def test_mismatched_dimension_falls_back_to_rules(caplog: pytest.LogCaptureFixture) -> None:
    detector = TechniqueDetector(HashingEmbedder(dimension=64))
    assert not detector.uses_classifier
    assert "rules only" in caplog.text
    assert detector.label_coach("you should block your mornings").primary == "advice"


def test_other_embedding_model_falls_back_to_rules() -> None:
    detector = TechniqueDetector(HashingEmbedder())
    assert not detector.uses_classifier
    assert detector.label_coach("did you talk to her").primary == "question_closed"


def test_missing_weights_raise_with_path(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        TechniqueDetector(HashingEmbedder(), weights_dir=tmp_path)


def test_weights_reading_layer_states_need_an_embedder_that_gives_them(
    minilm: MiniLMEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    model = TechniqueModel.load(WEIGHTS_DIR)
    assert model.inputs("main")[0] == "turn_layers"
    assert model.heads["main"].weight.shape[0] == len(model.metadata["layers"]) * 384 + 384 + len(
        COACH_HAND_FEATURES
    )
    detector = TechniqueDetector(PlainEmbedder(minilm))
    assert not detector.uses_classifier
    assert "pooled layer states" in caplog.text
    assert detector.label_coach("did you talk to her").primary == "question_closed"
