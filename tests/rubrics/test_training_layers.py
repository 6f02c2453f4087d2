"""Training and detection with pooled layer states (``turn_layers``), with a model-free embedder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.hashing import HashingEmbedder
from rubrics.classifier import TechniqueModel
from rubrics.detection_annomi import embed_cached, layers_cached, load_annomi
from rubrics.detector import TechniqueDetector
from rubrics.features import COACH_HAND_FEATURES, TURN_LAYERS
from rubrics.training import train_model, training_texts
from rubrics.transcript import Turn
from tests.support.annomi import ANNOMI_DIR, needs_annomi


class LayeredHashing:
    """The hashing embedder plus fake "layer states" (hashes of the text's words, reversed)."""

    name = "hashing-layers"

    def __init__(self) -> None:
        self.inner = HashingEmbedder()
        self.dimension = self.inner.dimension
        self.layer_calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed(texts)

    def embed_with_layers(
        self, texts: Sequence[str], layers: Sequence[int], *, plain: Sequence[str] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        self.layer_calls.append(list(texts))
        flipped = [" ".join(reversed(t.split())) + f" {i}" for t in texts for i in layers]
        pooled = self.inner.embed(flipped).reshape(len(texts), -1)
        return self.inner.embed([*texts, *plain]), pooled


def test_layers_cached_is_none_without_embed_with_layers(tmp_path: Path) -> None:
    assert layers_cached(HashingEmbedder(), ["a", "b"], TURN_LAYERS, directory=tmp_path) is None


def test_layers_cached_round_trips_and_fills_the_embedding_cache(tmp_path: Path) -> None:
    embedder = LayeredHashing()
    first = layers_cached(embedder, ["b", "a", "b"], TURN_LAYERS, directory=tmp_path)
    again = layers_cached(embedder, ["a", "b"], TURN_LAYERS, directory=tmp_path)
    assert first is not None and again is not None and len(embedder.layer_calls) == 1
    assert first.keys() == {"a", "b"} and first["a"].shape == (len(TURN_LAYERS) * 384,)
    np.testing.assert_array_equal(first["a"], again["a"])
    assert len(list(tmp_path.iterdir())) == 2  # the pooled states and the sentence embeddings


@needs_annomi
def test_main_head_reads_layer_states_when_the_embedder_gives_them(tmp_path: Path) -> None:
    data = [u for u in load_annomi(ANNOMI_DIR) if u.transcript_id < 8]
    embedder = LayeredHashing()
    texts = training_texts(data)
    layer_vectors = layers_cached(embedder, texts, TURN_LAYERS, directory=tmp_path)
    model = train_model(
        data,
        embed_cached(embedder, texts, directory=tmp_path),
        layer_vectors=layer_vectors,
        metadata={"embedder": embedder.name},
    )
    assert model.inputs("main") == ("turn_layers", "previous_client", "hand")
    assert model.inputs("question") == ("turn", "previous_client", "hand")
    assert model.metadata["layers"] == list(TURN_LAYERS)
    width = len(TURN_LAYERS) * 384 + 384 + len(COACH_HAND_FEATURES)
    assert model.heads["main"].weight.shape[0] == width
    model.save(tmp_path / "weights")
    reloaded = TechniqueModel.load(tmp_path / "weights")
    detector = TechniqueDetector(embedder, model=reloaded)
    assert detector.uses_classifier
    turns = [Turn("client", "i drink too much"), Turn("coach", "so what would you change")]
    labels = detector.label_transcript(turns)
    assert labels[1] == detector.label_coach(turns[1].text, turns[0].text)
    assert embedder.layer_calls[-1] == [turns[1].text]  # only coach turns need layer states
    # Without layer vectors the same heads fall back to the sentence embedding.
    plain = train_model(data, embed_cached(embedder, texts, directory=tmp_path))
    assert (
        plain.inputs("main") == ("turn", "previous_client", "hand")
        and "layers" not in plain.metadata
    )
