"""The library's search index: Chroma keeps the embeddings, a HybridIndex answers queries.

What must stay true:
- the database is the source of truth; this index is derived and ``rebuild`` recreates it;
- Chroma holds every published item's embedding and its filter metadata; queries are answered
  from the process-local HybridIndex (filtered brute force is faster than Chroma's ``where``);
- a broken or missing vector store never breaks search: items whose vectors cannot be read stay
  searchable by keywords and exact phrases until ``rebuild`` (``coachlab reindex``);
- embedding happens in batches (one embedder call per batch), never one item at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from retrieval.embedder import Embedder
from retrieval.hybrid import Audience, Doc, Filters, HybridIndex, Sort
from retrieval.index import Metadata

log = logging.getLogger(__name__)
BATCH = 64


class VectorStore(Protocol):
    """What the library needs from a persistent vector store (ChromaIndex provides it)."""

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
        embeddings: npt.ArrayLike | None = None,
    ) -> None:
        """Insert or replace items with precomputed embeddings."""
        ...

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
        """Stored vectors of the ids that exist."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Remove items."""
        ...

    def reset(self) -> None:
        """Remove every item."""
        ...


@dataclass(frozen=True, slots=True)
class IndexItem:
    """One library item to index: the searchable doc, the text to embed, Chroma metadata."""

    doc: Doc
    embed_text: str
    metadata: Metadata = field(default_factory=dict)
    parts: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()


class LibraryIndex:
    """Embeds, stores and searches library items."""

    def __init__(self, embedder: Embedder, open_store: Callable[[], VectorStore]) -> None:
        self.embedder = embedder
        self._open_store = open_store
        self._store: VectorStore | None = None
        self.hybrid = HybridIndex(embedder.dimension)
        self.missing_vectors = 0

    def _vector_store(self) -> VectorStore | None:
        if self._store is None:
            try:
                self._store = self._open_store()
            except Exception:  # the index is derived: keyword search still works without it
                log.exception("vector store unavailable; library search falls back to keywords")
        return self._store

    def warm(self, items: Sequence[IndexItem]) -> int:
        """Load items with their stored vectors; return how many had no vector (keyword-only)."""
        vectors: dict[str, npt.NDArray[np.float32]] = {}
        store = self._vector_store()
        if store is not None and items:
            try:
                vectors = store.get_embeddings([str(i.doc.key) for i in items])
            except Exception:
                log.exception("could not read vectors; items stay keyword-only until reindex")
        matrix = np.zeros((len(items), self.embedder.dimension), dtype=np.float32)
        missing = 0
        for row, item in enumerate(items):
            vector = vectors.get(str(item.doc.key))
            if vector is None or vector.shape != (self.embedder.dimension,):
                missing += 1
            else:
                matrix[row] = vector
        self.hybrid.add([i.doc for i in items], matrix)
        self.missing_vectors = missing
        return missing

    def add(self, items: Sequence[IndexItem]) -> None:
        """Embed items in batches, store the vectors in Chroma and make them searchable."""
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            vectors = self._embed(batch)
            self._store_vectors(batch, vectors)
            self.hybrid.add([i.doc for i in batch], vectors)

    def set_visible(self, item: IndexItem, visible: bool) -> None:
        """Hide an item from every search at once (or show it again), updating Chroma's status."""
        self.hybrid.set_alive(item.doc.key, visible)
        vector = self.hybrid.vector(item.doc.key)
        if vector is not None:
            self._store_vectors([item], vector.reshape(1, -1))

    def remove(self, keys: Iterable[int]) -> None:
        """Forget items everywhere."""
        keys = list(keys)
        self.hybrid.remove(keys)
        store = self._vector_store()
        if store is not None:
            try:
                store.delete([str(k) for k in keys])
            except Exception:
                log.exception("could not delete from the vector store")

    def rebuild(self, items: Sequence[IndexItem], hidden: Iterable[int] = ()) -> None:
        """Drop the vector store and the in-memory index, then embed and store every item."""
        store = self._vector_store()
        if store is not None:
            store.reset()
        self.hybrid = HybridIndex(self.embedder.dimension)
        self.add(items)
        for key in hidden:
            self.hybrid.set_alive(key, False)
        self.missing_vectors = 0

    def search(
        self,
        query: str,
        audience: Audience,
        filters: Filters | None = None,
        *,
        sort: Sort = "relevance",
        limit: int = 10,
    ) -> list[tuple[int, float]]:
        """Hybrid search; the query is embedded unless it is blank."""
        vector = self.embedder.embed([query])[0] if query.strip() else None
        return self.hybrid.search(query, vector, audience, filters, sort=sort, limit=limit)

    def more_like_this(
        self, key: int, text: str, audience: Audience, filters: Filters, limit: int = 5
    ) -> list[tuple[int, float]]:
        """Items nearest to item ``key`` (by its stored vector, else its text)."""
        vector = self.hybrid.vector(key)
        if vector is None:
            vector = self.embedder.embed([text])[0]
        return self.hybrid.search("", vector, audience, filters, limit=limit)

    def _embed(self, items: Sequence[IndexItem]) -> npt.NDArray[np.float32]:
        # An item's vector is the normalised weighted mean of its parts (turns, note): the turns
        # are the very texts the technique detector embedded, so a caching embedder answers
        # them without a second forward pass — ingestion pays for each sentence once.
        texts = [p for item in items for p in (item.parts or (item.embed_text,))]
        vectors = self.embedder.embed(texts)
        out = np.zeros((len(items), self.embedder.dimension), dtype=np.float32)
        row = 0
        for i, item in enumerate(items):
            count = len(item.parts or (item.embed_text,))
            weights = np.asarray(item.weights or (1.0,) * count, dtype=np.float32)[:, None]
            mean = (vectors[row : row + count] * weights).sum(axis=0)
            out[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
            row += count
        return out

    def _store_vectors(self, items: Sequence[IndexItem], vectors: npt.NDArray[np.float32]) -> None:
        store = self._vector_store()
        if store is None:
            return
        try:
            store.upsert(
                [str(i.doc.key) for i in items],
                [i.embed_text for i in items],
                [i.metadata for i in items],
                embeddings=vectors,
            )
        except Exception:  # derived data: the database has the item, reindex restores it
            log.exception("could not write vectors; run `coachlab reindex` to restore them")
