"""The embedder interface: turn texts into unit-length float32 vectors.

What must stay true for every implementation:
- ``embed(texts)`` returns a float32 array of shape ``(len(texts), dimension)``;
- every row has L2 norm 1 (so dot product == cosine similarity), including for ``""``;
- an empty input returns shape ``(0, dimension)`` without touching any model or network;
- the same text always gives the same vector for a given ``name`` (indexes rely on it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Anything that maps a batch of texts to L2-normalised float32 vectors."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Return a float32 array of shape (len(texts), dimension) with unit-length rows."""
        ...


class EmbedderUnavailable(RuntimeError):
    """Raised when an embedder cannot be used here (missing model files, package or key)."""


def l2_normalise(vectors: npt.ArrayLike) -> FloatMatrix:
    """Return ``vectors`` as float32 rows scaled to unit length (all-zero rows stay zero)."""
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    # torch's F.normalize clamps the norm the same way; keeps zero rows finite.
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def empty_matrix(dimension: int) -> FloatMatrix:
    """Return the (0, dimension) float32 result for an empty batch."""
    return np.zeros((0, dimension), dtype=np.float32)
