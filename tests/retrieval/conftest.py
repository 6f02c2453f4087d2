"""Fixtures for the retrieval tests: a model-free embedder and per-test Chroma indexes.

The real MiniLM embedder comes from the session-scoped ``minilm`` fixture in tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.chroma_index import ChromaIndex
from retrieval.hashing import HashingEmbedder


@pytest.fixture
def hashing() -> HashingEmbedder:
    """The deterministic model-free embedder."""
    return HashingEmbedder()


@pytest.fixture
def chroma_path(tmp_path: Path) -> Path:
    """A fresh on-disk Chroma folder for this test."""
    return tmp_path / "chroma"


@pytest.fixture
def index(chroma_path: Path, hashing: HashingEmbedder) -> ChromaIndex:
    """An empty on-disk index filled by the hashing embedder."""
    return ChromaIndex.local(chroma_path, "library", hashing)
