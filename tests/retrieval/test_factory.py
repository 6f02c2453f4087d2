import pytest

from retrieval.embedder import Embedder
from retrieval.factory import build_embedder
from retrieval.hashing import HashingEmbedder
from retrieval.minilm import MiniLMEmbedder
from retrieval.openai_embedder import OpenAIEmbedder


def test_hashing() -> None:
    embedder = build_embedder("hashing")
    assert isinstance(embedder, HashingEmbedder)
    assert isinstance(embedder, Embedder)


def test_minilm_is_built_without_loading_weights() -> None:
    embedder = build_embedder("minilm")
    assert isinstance(embedder, MiniLMEmbedder)
    assert embedder.dimension == 384


def test_openai_is_built_without_a_network_call() -> None:
    embedder = build_embedder(
        "openai",
        openai_model="text-embedding-3-small",
        api_key="sk-test",
        base_url="http://127.0.0.1:9/v1",
    )
    assert isinstance(embedder, OpenAIEmbedder)
    assert (embedder.name, embedder.dimension) == ("openai:text-embedding-3-small", 1536)


def test_openai_with_an_unknown_model_needs_its_dimension() -> None:
    with pytest.raises(ValueError, match="dimension"):
        build_embedder("openai", openai_model="local-embedder", api_key="x")
    embedder = build_embedder(
        "openai", openai_model="local-embedder", api_key="x", openai_dimension=8
    )
    assert embedder.dimension == 8


def test_openai_needs_model_and_key() -> None:
    with pytest.raises(ValueError, match="openai_model and api_key"):
        build_embedder("openai", openai_model="text-embedding-3-small")


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown embedder kind"):
        build_embedder("word2vec")  # type: ignore[arg-type]
