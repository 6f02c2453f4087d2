import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedder import Embedder
from retrieval.hashing import HashingEmbedder

REPO = Path(__file__).resolve().parents[2]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_satisfies_the_embedder_contract(hashing: HashingEmbedder) -> None:
    vectors = hashing.embed(["open questions help", "", "¿Qué te gustaría cambiar?"])
    assert isinstance(hashing, Embedder)
    assert hashing.name == "hashing"
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_empty_batch_gives_zero_rows(hashing: HashingEmbedder) -> None:
    assert hashing.embed([]).shape == (0, 384)


def test_custom_dimension() -> None:
    assert HashingEmbedder(dimension=64).embed(["a b c"]).shape == (1, 64)


def test_rejects_a_bare_string(hashing: HashingEmbedder) -> None:
    with pytest.raises(TypeError):
        hashing.embed("not a list")  # type: ignore[arg-type]


def test_shared_words_score_higher_than_unrelated_text(hashing: HashingEmbedder) -> None:
    base, overlap, unrelated = hashing.embed(
        [
            "what would you like to change about your job",
            "what would you change about your job",
            "the train leaves from platform nine",
        ]
    )
    assert cosine(base, overlap) > cosine(base, unrelated) + 0.3


def test_case_and_punctuation_do_not_matter(hashing: HashingEmbedder) -> None:
    a, b = hashing.embed(["Tell me more!", "tell me more"])
    assert cosine(a, b) == pytest.approx(1.0, abs=1e-6)


def test_same_vectors_in_a_fresh_process(hashing: HashingEmbedder) -> None:
    code = (
        "import sys; from retrieval.hashing import HashingEmbedder; "
        "sys.stdout.write(HashingEmbedder().embed(['stable across runs']).tobytes().hex())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    expected = hashing.embed(["stable across runs"])
    np.testing.assert_array_equal(np.frombuffer(bytes.fromhex(out), dtype=np.float32), expected[0])
