"""Topic matching: is the coach's turn about what a layer (or an end step) is about?

A turn is on topic when it contains one of the keyword stems, or when its embedding is close
enough to one of the topic cues.  What must stay true: matching is deterministic for a given
embedder, cue embeddings are computed once per distinct cue and cached, and the coach's turn is
embedded at most once per call to ``TopicMatcher.turn``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np

from rubrics.embedding import SentenceEmbedder

MatchedBy = Literal["keyword", "embedding"]
__all__ = ["MatchedBy", "SentenceEmbedder", "TopicMatcher", "TurnTopics", "keyword_hit"]


@lru_cache(maxsize=4096)
def _stem_pattern(stem: str) -> re.Pattern[str]:
    # stems match at the start of a word, so "overwhelm" also finds "overwhelmed"
    return re.compile(r"(?<![\w])" + re.escape(stem.lower()))


def keyword_hit(text: str, stems: Iterable[str]) -> bool:
    """Return True if any stem starts a word (or phrase) in ``text``, ignoring case."""
    lowered = text.lower()
    return any(_stem_pattern(stem).search(lowered) for stem in stems)


@dataclass
class TurnTopics:
    """One coach turn, embedded lazily, matched against any number of cue sets."""

    text: str
    matcher: TopicMatcher
    _vector: np.ndarray | None = field(default=None, repr=False)

    @property
    def vector(self) -> np.ndarray:
        """The turn's embedding (computed once)."""
        if self._vector is None:
            self._vector = self.matcher.embed_one(self.text)
        return self._vector

    def match(self, keywords: Sequence[str], cues: Sequence[str]) -> MatchedBy | None:
        """Return how the turn matched the keywords or cues, or None if it is off topic."""
        if keyword_hit(self.text, keywords):
            return "keyword"
        if not cues or not self.text.strip():
            return None
        best, _ = self.nearest(cues)
        return "embedding" if best >= self.matcher.threshold else None

    def nearest(self, cues: Sequence[str]) -> tuple[float, str]:
        """The most similar of ``cues`` (at least one) and its cosine similarity to the turn."""
        if not self.text.strip():
            return 0.0, cues[0]
        similarities = self.matcher.cue_matrix(cues) @ self.vector
        best = int(np.argmax(similarities))
        return float(similarities[best]), cues[best]

    def similarity(self, text: str) -> float:
        """Cosine similarity between the turn and another text (not kept with the cues: replies
        may be model-written and unbounded; the embedder's own cache serves repeats)."""
        if not self.text.strip() or not text.strip():
            return 0.0
        return float(self.matcher.embed_one(text) @ self.vector)


class TopicMatcher:
    """Matches coach turns to topic cues with an embedder and a similarity threshold."""

    def __init__(self, embedder: SentenceEmbedder, threshold: float = 0.55) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self._cues: dict[str, np.ndarray] = {}

    def warm(self, cues: Iterable[str]) -> None:
        """Embed and cache any cues not seen yet (one batch)."""
        missing = sorted({c for c in cues if c not in self._cues})
        if missing:
            vectors = np.asarray(self.embedder.embed(missing), dtype=np.float32)
            for cue, vector in zip(missing, vectors, strict=True):
                self._cues[cue] = vector

    def cue_matrix(self, cues: Sequence[str]) -> np.ndarray:
        """Return the cached embeddings of ``cues`` as one matrix."""
        self.warm(cues)
        return np.stack([self._cues[c] for c in cues])

    def embed_one(self, text: str) -> np.ndarray:
        """Embed one coach turn."""
        return np.asarray(self.embedder.embed([text]), dtype=np.float32)[0]

    def turn(self, text: str) -> TurnTopics:
        """Start matching one coach turn."""
        return TurnTopics(text=text, matcher=self)
