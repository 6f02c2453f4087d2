"""The vector index interface: store text vectors by id, find nearest neighbours.

What must stay true for every implementation:
- the index is derived data: SQL is the source of truth and the index can be rebuilt from it;
- ``query`` returns at most ``k`` hits, best first, ``score`` = cosine similarity (higher is
  better), and ``[]`` (never None) when nothing matches;
- metadata values are scalars only (str, int, float, bool) so every backend can filter on
  them; nested values and None are rejected at ``upsert``;
- ``upsert`` of an existing id replaces its vector and metadata; ``delete`` of unknown ids is
  a no-op; empty inputs are no-ops.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Scalar = str | int | float | bool
Metadata = Mapping[str, Scalar]
Where = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the stored id, its cosine similarity and its metadata."""

    id: str
    score: float
    metadata: Mapping[str, Scalar] = field(default_factory=dict)


@runtime_checkable
class VectorIndex(Protocol):
    """A store of (id, vector, metadata) with nearest-neighbour search."""

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
        embeddings: npt.ArrayLike | None = None,
    ) -> None:
        """Insert or replace items; embeds ``texts`` unless ``embeddings`` are given."""
        ...

    def query(self, embedding: npt.ArrayLike, k: int, where: Where | None = None) -> list[Hit]:
        """Return up to ``k`` hits nearest to ``embedding``, best first, optionally filtered."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Remove items by id (unknown ids are ignored)."""
        ...

    def count(self) -> int:
        """Return the number of stored items."""
        ...

    def reset(self) -> None:
        """Remove every item."""
        ...


def check_metadata(metadata: Metadata) -> dict[str, Scalar]:
    """Return ``metadata`` as a plain dict, raising TypeError for non-scalar values."""
    checked: dict[str, Scalar] = {}
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise TypeError(f"metadata keys must be str, got {key!r}")
        # np.float64 subclasses float; other numpy scalars are refused to keep storage plain.
        if not isinstance(value, str | int | float | bool):
            raise TypeError(
                f"metadata value for {key!r} must be str, int, float or bool, "
                f"got {type(value).__name__}"
            )
        checked[key] = value
    return checked


def as_matrix(embeddings: npt.ArrayLike, rows: int, dimension: int) -> npt.NDArray[np.float32]:
    """Return ``embeddings`` as a float32 (rows, dimension) array or raise ValueError."""
    matrix = np.asarray(embeddings, dtype=np.float32)
    if matrix.shape != (rows, dimension):
        raise ValueError(f"expected embeddings of shape ({rows}, {dimension}), got {matrix.shape}")
    return matrix
