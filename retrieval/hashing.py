"""A model-free embedder: hashed word and character-trigram features.

What must stay true:
- deterministic across processes and machines (blake2b, never Python's salted ``hash``);
- no model files, no network, microseconds per text: fit for unit tests and for
  ``COACHLAB_EMBEDDER=hashing``;
- every row has unit length, the empty string included (it maps to a fixed vector).

It captures lexical overlap only, not meaning; use it where "similar words" is enough.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from retrieval.embedder import FloatMatrix, empty_matrix

_WORD = re.compile(r"\w+", re.UNICODE)
_WORD_WEIGHT = 1.0
_TRIGRAM_WEIGHT = 0.5
_EMPTY_FEATURE = "\x00empty"


def _features(text: str) -> list[tuple[str, float]]:
    words = _WORD.findall(text.casefold())
    features = [(f"w:{word}", _WORD_WEIGHT) for word in words]
    for word in words:
        padded = f"#{word}#"
        features.extend((f"c:{padded[i : i + 3]}", _TRIGRAM_WEIGHT) for i in range(len(padded) - 2))
    return features or [(_EMPTY_FEATURE, 1.0)]


class HashingEmbedder:
    """Deterministic signed feature hashing of words and char trigrams, L2-normalised."""

    name = "hashing"

    def __init__(self, dimension: int = 384) -> None:
        if dimension < 2:
            raise ValueError("dimension must be at least 2")
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Return unit-length float32 vectors, shape (len(texts), dimension)."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not a single string")
        if len(texts) == 0:
            return empty_matrix(self.dimension)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in _features(text):
                digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                # Low bit picks the sign so colliding features tend to cancel, not pile up.
                sign = 1.0 if value & 1 else -1.0
                out[row, (value >> 1) % self.dimension] += sign * weight
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        # A text whose features all cancelled out falls back to the empty-text vector.
        for row in np.flatnonzero(norms[:, 0] == 0):
            out[row] = self.embed([""])[0]
            norms[row] = 1.0
        return out / norms
