"""VectorIndex on ChromaDB, embedded on disk (PersistentClient) or over HTTP (HttpClient).

What must stay true:
- telemetry is always off: every client gets ``Settings(anonymized_telemetry=False)``;
- Chroma's default embedding function (it downloads an ONNX model) is never used: vectors
  come from our Embedder, and our wrapper is passed as ``embedding_function`` on every open;
- collections use cosine space, so ``score = 1 - distance`` is cosine similarity;
- a collection records which embedder filled it (name and dimension in its metadata);
  opening it with another embedder raises IndexEmbedderMismatch instead of returning
  meaningless neighbours (or drops it when ``reset_if_incompatible=True``: it is derived data);
- metadata values are scalars (str, int, float, bool), checked before they reach Chroma;
- ``upsert`` replaces a record's metadata wholesale (Chroma's own upsert would merge it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
import numpy.typing as npt
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings

from retrieval.embedder import Embedder, EmbedderUnavailable
from retrieval.index import Hit, Metadata, Where, as_matrix, check_metadata

_EMBEDDER_KEY = "coachlab_embedder"
_DIMENSION_KEY = "coachlab_dimension"
_CONFIGURATION: dict[str, Any] = {"hnsw": {"space": "cosine"}}


class IndexEmbedderMismatch(ValueError):
    """The collection was built with a different embedder (or outside CoachLab)."""


class _EmbedderFunction(EmbeddingFunction[Documents]):
    """Adapts an Embedder to Chroma's EmbeddingFunction protocol."""

    def __init__(self, embedder: Embedder | None) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        if self._embedder is None:
            raise EmbedderUnavailable(
                "this Chroma collection was built by CoachLab; open it with ChromaIndex so "
                "its embedder is supplied"
            )
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "coachlab"

    def get_config(self) -> dict[str, Any]:
        if self._embedder is None:
            return {}
        return {"embedder": self._embedder.name, "dimension": self._embedder.dimension}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _EmbedderFunction:
        # Chroma rebuilds functions from stored config; ours cannot be rebuilt without the
        # app's settings, so it yields one that refuses to embed with a clear message.
        return _EmbedderFunction(None)

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]


class ChromaIndex:
    """A VectorIndex stored in one Chroma collection."""

    def __init__(
        self,
        client: ClientAPI,
        collection: str,
        embedder: Embedder,
        *,
        reset_if_incompatible: bool = False,
    ) -> None:
        self._client = client
        self._name = collection
        self._embedder = embedder
        self._collection = self._open()
        problem = self._incompatibility()
        if problem and reset_if_incompatible:
            self.reset()
        elif problem:
            raise IndexEmbedderMismatch(
                f"collection {collection!r} {problem}; rebuild it from the database "
                "(reset_if_incompatible=True drops it)"
            )

    @classmethod
    def local(
        cls, path: Path, collection: str, embedder: Embedder, *, reset_if_incompatible: bool = False
    ) -> ChromaIndex:
        """Open (or create) a collection in an embedded on-disk Chroma at ``path``."""
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=_settings())
        return cls(client, collection, embedder, reset_if_incompatible=reset_if_incompatible)

    @classmethod
    def server(
        cls,
        host: str,
        port: int,
        collection: str,
        embedder: Embedder,
        *,
        reset_if_incompatible: bool = False,
    ) -> ChromaIndex:
        """Open (or create) a collection on a Chroma server (``chroma run``)."""
        client = chromadb.HttpClient(host=host, port=port, settings=_settings())
        return cls(client, collection, embedder, reset_if_incompatible=reset_if_incompatible)

    @property
    def embedder(self) -> Embedder:
        """The embedder this index embeds texts (and should embed queries) with."""
        return self._embedder

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
        embeddings: npt.ArrayLike | None = None,
    ) -> None:
        """Insert or replace items; embeds ``texts`` unless ``embeddings`` are given."""
        if not len(ids) == len(texts) == len(metadatas):
            raise ValueError("ids, texts and metadatas must have the same length")
        if len(ids) == 0:
            return
        # Chroma rejects empty metadata dicts; None means "no metadata" to it.
        checked = [check_metadata(m) or None for m in metadatas]
        dimension = self._embedder.dimension
        vectors = (
            self._embedder.embed(texts)
            if embeddings is None
            else as_matrix(embeddings, len(ids), dimension)
        )
        step = self._client.get_max_batch_size()
        for start in range(0, len(ids), step):
            stop = start + step
            batch_ids = list(ids[start:stop])
            # Chroma's upsert merges new metadata into the old record; delete + add replaces
            # it. Not atomic: a concurrent query may briefly miss these ids.
            self._collection.delete(ids=batch_ids)
            self._collection.add(
                ids=batch_ids,
                embeddings=list(vectors[start:stop]),
                metadatas=checked[start:stop],  # type: ignore[arg-type]
                documents=list(texts[start:stop]),
            )

    def query(self, embedding: npt.ArrayLike, k: int, where: Where | None = None) -> list[Hit]:
        """Return up to ``k`` hits nearest to ``embedding``, best first, optionally filtered."""
        if k < 1:
            raise ValueError("k must be at least 1")
        vector = as_matrix(np.reshape(np.asarray(embedding), (1, -1)), 1, self._embedder.dimension)
        result = self._collection.query(
            query_embeddings=[vector[0]],
            n_results=k,
            where=dict(where) if where else None,  # type: ignore[arg-type]
            include=["metadatas", "distances"],  # type: ignore[list-item]
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        metadatas = (result["metadatas"] or [[None] * len(ids)])[0]
        hits = [
            Hit(id=i, score=1.0 - float(d), metadata=dict(m or {}))
            for i, d, m in zip(ids, distances, metadatas, strict=True)
        ]
        return sorted(hits, key=lambda hit: hit.score, reverse=True)

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
        """Return the stored vectors of ``ids`` that exist (missing ids are left out)."""
        found: dict[str, npt.NDArray[np.float32]] = {}
        step = self._client.get_max_batch_size()
        for start in range(0, len(ids), step):
            batch = list(ids[start : start + step])
            result = self._collection.get(ids=batch, include=["embeddings"])  # type: ignore[list-item]
            vectors = result.get("embeddings")
            if vectors is None:
                continue
            for key, vector in zip(result["ids"], vectors, strict=True):
                found[key] = np.asarray(vector, dtype=np.float32)
        return found

    def delete(self, ids: Sequence[str]) -> None:
        """Remove items by id (unknown ids are ignored)."""
        if len(ids) > 0:
            self._collection.delete(ids=list(ids))

    def count(self) -> int:
        """Return the number of stored items."""
        return self._collection.count()

    def reset(self) -> None:
        """Drop and recreate the collection (stamped with the current embedder)."""
        self._client.delete_collection(self._name)
        self._collection = self._open()

    def _open(self) -> Collection:
        return self._client.get_or_create_collection(
            self._name,
            configuration=dict(_CONFIGURATION),  # type: ignore[arg-type]
            metadata={
                _EMBEDDER_KEY: self._embedder.name,
                _DIMENSION_KEY: self._embedder.dimension,
            },
            embedding_function=_EmbedderFunction(self._embedder),  # type: ignore[arg-type]
        )

    def _incompatibility(self) -> str | None:
        stored = self._collection.metadata or {}
        expected = (self._embedder.name, self._embedder.dimension)
        found = (stored.get(_EMBEDDER_KEY), stored.get(_DIMENSION_KEY))
        if found != expected:
            return f"was built with embedder {found[0]!r} ({found[1]}-d), not {expected[0]!r}"
        space = (self._collection.configuration.get("hnsw") or {}).get("space", "cosine")
        if space != "cosine":
            return f"uses {space!r} distance, not cosine"
        return None


def _settings() -> Settings:
    return Settings(anonymized_telemetry=False)
