"""The sentence-embedder interface the technique detector depends on.

Must stay true: this is a structural protocol only (no implementation, no imports of model code),
so ``retrieval.minilm.MiniLMEmbedder`` and any test fake satisfy it without inheriting.  Embedders
return float32 arrays of shape ``(len(texts), dimension)`` whose rows are L2-normalised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class SentenceEmbedder(Protocol):
    """Anything that turns sentences into L2-normalised float32 vectors."""

    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 ``(len(texts), dimension)`` array of L2-normalised rows."""
        ...
