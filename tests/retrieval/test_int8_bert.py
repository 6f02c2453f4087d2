"""The int8 MiniLM (onnxruntime): close to the float32 vectors on every kind of CPU, deterministic,
thread-safe, and the detector uses its own heads with it.

The CPU probe is injected (``CpuFeatures``), so the VNNI and the non-VNNI paths both run here,
whatever this machine's CPU is, and no outcome depends on it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedder import EmbedderUnavailable
from retrieval.factory import build_embedder
from retrieval.int8_bert import CpuFeatures, Fidelity, Int8BertEncoder, has_int8_dot_product
from retrieval.minilm import MiniLMEmbedder, find_bundled_model_dir
from rubrics.detector import TechniqueDetector

# not the calibration sentences (retrieval.int8_bert.CALIBRATION)
TEXTS = [
    "What would a good outcome look like for you by the end of the quarter?",
    "You feel the team leans on you because you never say no.",
    "I've been covering two roles since March and nobody has asked how I'm doing.",
    "Did you speak to HR?",
    "so youre torn between staying loyal and taking the offer",
    "You could try a weekly one-to-one with each of them.",
    "Honestly? I think I'm scared of being found out.",
    "Let me check I've understood: the move, the new boss and the exam, all at once.",
    "Great that you noticed that pattern yourself.",
    "hmm",
    "When exactly will you send the email?",
    "Our budget meeting is on the fourteenth and I still have no numbers.",
]


@pytest.fixture(scope="module")
def int8(minilm_int8: MiniLMEmbedder) -> MiniLMEmbedder:
    return minilm_int8  # built for this machine's CPU, as the app builds it


@pytest.fixture(scope="module")
def float32(minilm: MiniLMEmbedder) -> MiniLMEmbedder:
    return minilm


def test_vectors_stay_close_to_the_float32_ones(
    int8: MiniLMEmbedder, float32: MiniLMEmbedder
) -> None:
    quantised, exact = int8.embed(TEXTS), float32.embed(TEXTS)
    cosine = np.sum(quantised * exact, axis=1)
    assert cosine.mean() >= 0.98 and cosine.min() >= 0.95
    np.testing.assert_allclose(np.linalg.norm(quantised, axis=1), 1.0, atol=1e-5)
    assert (int8.name, int8.dimension) == ("all-MiniLM-L6-v2-int8", 384)


@pytest.mark.parametrize("vnni", [True, False], ids=["vnni", "no-vnni"])
def test_every_kind_of_cpu_gets_faithful_vectors(
    vnni: bool | None, float32: MiniLMEmbedder
) -> None:
    # Told it has VNNI, a CPU without it builds signed weights first, fails the load-time check
    # and falls back to unsigned ones; a CPU with it keeps the signed graph. Either way the
    # vectors that come out are close to float32's.
    embedder = MiniLMEmbedder(precision="int8", cache_size=0, threads=1, cpu=CpuFeatures(vnni))
    cosine = np.sum(embedder.embed(TEXTS) * float32.embed(TEXTS), axis=1)
    assert cosine.mean() >= 0.98 and cosine.min() >= 0.95


def test_the_weight_format_follows_the_cpu() -> None:
    assert CpuFeatures(int8_dot_product=True).weight_format == "signed"
    assert CpuFeatures(int8_dot_product=False).weight_format == "unsigned"
    assert CpuFeatures(int8_dot_product=None).weight_format == "unsigned"


def test_a_cpu_with_vnni_keeps_the_signed_graph_when_it_passes_the_check() -> None:
    # a bar every graph clears: only the choice is under test, not this host's kernels
    anything = Fidelity(mean=-1.0, minimum=-1.0)
    encoder = Int8BertEncoder.load(
        find_bundled_model_dir(), cpu=CpuFeatures(True), fidelity=anything
    )
    assert encoder.weight_format == "signed"


def test_an_unfaithful_graph_refuses_to_load_and_names_the_safe_setting() -> None:
    impossible = Fidelity(mean=1.01, minimum=1.01)
    with pytest.raises(EmbedderUnavailable) as refused:
        Int8BertEncoder.load(find_bundled_model_dir(), cpu=CpuFeatures(True), fidelity=impossible)
    message = str(refused.value)
    assert "\n" not in message
    assert "COACHLAB_EMBEDDER=minilm-int8" in message and "set COACHLAB_EMBEDDER=minilm" in message
    assert "signed" in message and "unsigned" in message  # both formats were tried


def test_layer_states_come_from_the_same_pass(int8: MiniLMEmbedder) -> None:
    vectors, pooled = int8.embed_with_layers(TEXTS[:4], (3, 4, 5, 6))
    assert pooled.shape == (4, 4 * 384)
    last = pooled[:, 3 * 384 :]
    last /= np.linalg.norm(last, axis=1, keepdims=True)
    np.testing.assert_allclose(last, vectors, atol=1e-5)


def test_deterministic_and_the_same_across_threads() -> None:
    single = MiniLMEmbedder(precision="int8", cache_size=0, threads=1, batch_size=4)
    pooled = MiniLMEmbedder(precision="int8", cache_size=0, threads=2, batch_size=4)
    first = single.embed(TEXTS)
    np.testing.assert_array_equal(first, single.embed(TEXTS))
    np.testing.assert_allclose(pooled.embed(TEXTS), first, atol=1e-6)


def test_the_factory_builds_it_and_the_detector_loads_its_heads() -> None:
    embedder = build_embedder("minilm-int8", threads=1)
    assert embedder.name == "all-MiniLM-L6-v2-int8"
    detector = TechniqueDetector(embedder)
    assert detector.uses_classifier
    assert detector.label_coach("What would you like to be different?").primary == ("question_open")
    assert detector.label_coach("Did you talk to her?").primary == "question_closed"


def test_a_missing_onnx_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(EmbedderUnavailable, match=r"\.\[int8\]"):
        MiniLMEmbedder(precision="int8").embed(["hello"])


def test_an_unknown_precision_is_refused() -> None:
    with pytest.raises(ValueError, match="float32 or int8"):
        MiniLMEmbedder(precision="int4")  # type: ignore[arg-type]


def test_the_cpu_check_reads_the_flags(tmp_path: Path) -> None:
    with_vnni = tmp_path / "vnni"
    with_vnni.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512_vnni\n")
    without = tmp_path / "plain"
    without.write_text("processor\t: 0\nflags\t\t: fpu sse avx2\n")
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd asimddp\n")
    assert has_int8_dot_product(with_vnni) is True
    assert has_int8_dot_product(without) is False
    assert has_int8_dot_product(arm) is True
    assert has_int8_dot_product(tmp_path / "missing") is None
    assert CpuFeatures.detect(without) == CpuFeatures(int8_dot_product=False)


def test_the_graph_builder_refuses_an_unknown_map() -> None:
    from retrieval.bert import BertConfig
    from retrieval.int8_bert import GraphBuilder

    config = BertConfig(384, 12, 6, 1e-12, 512)
    with pytest.raises(ValueError, match="unknown linear maps"):
        GraphBuilder(config, {}, quantised=("q", "ffn"))
