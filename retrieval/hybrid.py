"""Hybrid search over an in-memory matrix: cosine similarity plus keyword and exact-phrase match.

What must stay true:
- filters (audience, tag, scenario, context, minimum rating) are applied as masks *before*
  ranking, so a filtered search returns the best matching items, never "top-k, then filtered";
- an item is only ever returned if the audience mask allows it: scope 0 is everyone, any other
  scope is a group id that the audience must hold, or the audience is the item's owner;
- an item without a vector (its embedding is missing from the vector store) is still found by
  keywords, and an exact phrase from its text is always found when it passes the filters;
- all state changes take a lock, so one instance may serve many threads.

This is a derived, process-local cache: the durable copies are the database (text, attributes)
and the vector store (embeddings); it is rebuilt from them at start.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Sort = Literal["relevance", "helpful", "newest", "featured"]
_TOKEN = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    return text.split()


_STOP = frozenset(
    _words(
        "a an and are as at be but by do for from had has have i if in is it its me my of on "
        "or so that the their them they this to was we were what with you your not no about how "
        "who when all any can just like more some there will would been into out up over than "
        "then too very our he she his her him us am"
    )
)
_QUOTED = re.compile(r'"([^"]+)"')
_SEMANTIC, _KEYWORD, _PHRASE = 0.65, 0.35, 0.5
_CANDIDATES = 200


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``."""
    return _TOKEN.findall(text.casefold())


def normalise(text: str) -> str:
    """Tokens joined by single spaces, padded, for whole-word phrase matching."""
    return " " + " ".join(tokens(text)) + " "


@dataclass(frozen=True, slots=True)
class Doc:
    """One searchable item: text, optional unit vector and the attributes filters use."""

    key: int
    text: str
    scope: int = 0
    owner: int = -1
    tags: tuple[str, ...] = ()
    scenario: str | None = None
    context: str | None = None
    created: float = 0.0
    helpful: int = 0
    rating: float | None = None
    featured: bool = False


@dataclass(frozen=True, slots=True)
class Audience:
    """Who is searching: the groups they belong to (None = every group) and their owner id."""

    groups: frozenset[int] | None = frozenset()
    owner: int = -1


@dataclass(frozen=True, slots=True)
class Filters:
    """Optional restrictions on the result set."""

    tag: str | None = None
    scenario: str | None = None
    context: str | None = None
    min_rating: float | None = None
    exclude: frozenset[int] = field(default_factory=frozenset)


class HybridIndex:
    """Process-local vectors, attributes and an inverted keyword index, searched with masks."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._lock = threading.RLock()
        self._vectors = np.zeros((0, dimension), dtype=np.float32)
        self._n = 0
        self._row: dict[int, int] = {}
        self._keys = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=bool)
        self._has_vec = np.zeros(0, dtype=bool)
        self._scope = np.zeros(0, dtype=np.int64)
        self._owner = np.zeros(0, dtype=np.int64)
        self._tags = np.zeros(0, dtype=np.int64)
        self._scenario = np.zeros(0, dtype=np.int32)
        self._context = np.zeros(0, dtype=np.int32)
        self._created = np.zeros(0, dtype=np.float64)
        self._helpful = np.zeros(0, dtype=np.int64)
        self._rating = np.zeros(0, dtype=np.float64)
        self._featured = np.zeros(0, dtype=bool)
        self._texts: list[str] = []
        self._tag_bits: dict[str, int] = {}
        self._codes: dict[str, int] = {}
        self._postings: dict[str, list[int]] = {}
        self._posting_arrays: dict[str, npt.NDArray[np.int64]] = {}

    def __len__(self) -> int:
        with self._lock:
            return int(self._alive[: self._n].sum())

    def add(self, docs: Sequence[Doc], vectors: npt.ArrayLike | None = None) -> None:
        """Insert or replace items; all-zero vectors (or none) leave items keyword-only."""
        matrix = None if vectors is None else np.asarray(vectors, dtype=np.float32)
        if matrix is not None and matrix.shape != (len(docs), self.dimension):
            raise ValueError(f"vectors must have shape ({len(docs)}, {self.dimension})")
        with self._lock:
            for i, doc in enumerate(docs):
                self._remove_row(doc.key)
                row = self._append_row()
                self._row[doc.key] = row
                self._keys[row] = doc.key
                self._alive[row] = True
                vector = None if matrix is None else matrix[i]
                self._has_vec[row] = vector is not None and bool(np.any(vector))
                self._vectors[row] = 0.0 if vector is None else vector
                self._set_attributes(row, doc)
                self._texts.append(normalise(doc.text))
                for token in set(tokens(doc.text)):
                    self._postings.setdefault(token, []).append(row)
                    self._posting_arrays.pop(token, None)

    def remove(self, keys: Iterable[int]) -> None:
        """Forget items (unknown keys are ignored)."""
        with self._lock:
            for key in keys:
                self._remove_row(key)

    def set_alive(self, key: int, alive: bool) -> None:
        """Hide an item from every search, or show it again, keeping its data."""
        with self._lock:
            row = self._row.get(key)
            if row is not None:
                self._alive[row] = alive

    def update_stats(
        self,
        key: int,
        *,
        helpful: int | None = None,
        rating: float | None = None,
        featured: bool | None = None,
    ) -> None:
        """Refresh the numbers used by sorting and the rating filter."""
        with self._lock:
            row = self._row.get(key)
            if row is None:
                return
            if helpful is not None:
                self._helpful[row] = helpful
            if rating is not None:
                self._rating[row] = rating
            if featured is not None:
                self._featured[row] = featured

    def vector(self, key: int) -> npt.NDArray[np.float32] | None:
        """The stored vector of an item, or None."""
        with self._lock:
            row = self._row.get(key)
            if row is None or not self._has_vec[row]:
                return None
            return self._vectors[row].copy()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._row

    def search(
        self,
        query: str,
        vector: npt.ArrayLike | None,
        audience: Audience,
        filters: Filters | None = None,
        *,
        sort: Sort = "relevance",
        limit: int = 10,
    ) -> list[tuple[int, float]]:
        """Return up to ``limit`` (key, score) pairs the audience may see, best first."""
        filters = filters or Filters()
        with self._lock:
            n = self._n
            mask = self._mask(audience, filters, n)
            if not mask.any():
                return []
            phrase = _required_phrase(query)
            words = [t for t in tokens(query) if t not in _STOP] or tokens(query)
            if not words and vector is None:
                return self._ordered(np.flatnonzero(mask), None, sort, limit)
            keyword = self._keyword(words, n)
            score = _KEYWORD * keyword
            if vector is not None:
                # rows without a vector are all zeros, so their semantic score is 0 already
                q = np.asarray(vector, dtype=np.float32).reshape(-1) * np.float32(_SEMANTIC)
                score += self._vectors[:n] @ q
            score[~mask] = -np.inf
            candidates = _top(score, _CANDIDATES)
            if words:
                # every item holding all query words gets its phrase checked, even if its vector
                # ranked it low: that is what makes an exact phrase findable
                full = np.flatnonzero((keyword >= 0.999) & mask)
                candidates = np.union1d(candidates, full[: _CANDIDATES * 5])
            candidates = candidates[np.isfinite(score[candidates])]
            wanted = normalise(phrase or query)
            bonus = np.array(
                [wanted.strip() != "" and wanted in self._texts[r] for r in candidates], dtype=bool
            )
            if phrase:
                candidates, bonus = candidates[bonus], bonus[bonus]
            final = score[candidates] + _PHRASE * bonus
            if sort != "relevance":
                # re-sort only the clearly relevant part, so "most helpful" stays on topic
                keep = np.argsort(-final, kind="stable")[: max(3 * limit, 30)]
                candidates, final = candidates[keep], final[keep]
            return self._ordered(candidates, final, sort, limit)

    # -- internals ---------------------------------------------------------------------------
    def _mask(self, audience: Audience, filters: Filters, n: int) -> npt.NDArray[np.bool_]:
        mask = self._alive[:n].copy()
        scope = self._scope[:n]
        if audience.groups is not None:
            seen = scope == 0
            if 0 < len(audience.groups) <= 8:  # a few comparisons beat np.isin's sort
                for group in audience.groups:
                    seen |= scope == group
            elif audience.groups:
                seen |= np.isin(scope, np.fromiter(audience.groups, dtype=np.int64))
            seen |= self._owner[:n] == audience.owner
            mask &= seen
        if filters.tag is not None:
            bit = self._tag_bits.get(filters.tag)
            if bit is None:
                return np.zeros(n, dtype=bool)
            mask &= (self._tags[:n] & (1 << bit)) != 0
        for value, column in ((filters.scenario, self._scenario), (filters.context, self._context)):
            if value is not None:
                mask &= column[:n] == self._codes.get(value, -2)
        if filters.min_rating is not None:
            mask &= np.nan_to_num(self._rating[:n], nan=-1.0) >= filters.min_rating
        for key in filters.exclude:
            row = self._row.get(key)
            if row is not None:
                mask[row] = False
        return mask

    def _keyword(self, words: list[str], n: int) -> npt.NDArray[np.float32]:
        out = np.zeros(n, dtype=np.float32)
        if not words:
            return out
        total = 0.0
        live = max(1, n)
        for word in dict.fromkeys(words):
            rows = self._posting_array(word)
            idf = math.log(1.0 + live / (1.0 + len(rows)))
            total += idf
            if len(rows):
                out[rows] += idf
        if total:
            out /= np.float32(total)
        return out

    def _posting_array(self, word: str) -> npt.NDArray[np.int64]:
        cached = self._posting_arrays.get(word)
        if cached is None:
            cached = np.asarray(self._postings.get(word, []), dtype=np.int64)
            self._posting_arrays[word] = cached
        return cached

    def _ordered(
        self,
        rows: npt.NDArray[np.int64],
        scores: npt.NDArray[np.float64] | None,
        sort: Sort,
        limit: int,
    ) -> list[tuple[int, float]]:
        if scores is None:
            scores = np.zeros(len(rows), dtype=np.float64)
            if sort == "relevance":
                sort = "newest"
        # the last tie-break is the key, newest (highest) first: items saved in one batch can
        # share a timestamp to the microsecond, and their order must not depend on index layout
        newer = -self._keys[rows]
        if sort == "relevance":
            order = np.lexsort((newer, -self._created[rows], -scores))
        elif sort == "featured":
            order = np.lexsort(
                (newer, -scores, -self._created[rows], -self._helpful[rows], ~self._featured[rows])
            )
        elif sort == "helpful":
            order = np.lexsort((newer, -scores, -self._created[rows], -self._helpful[rows]))
        else:
            order = np.lexsort((newer, -scores, -self._created[rows]))
        picked = order[:limit]
        return [(int(self._keys[rows[i]]), float(scores[i])) for i in picked]

    def _append_row(self) -> int:
        if self._n == len(self._keys):
            self._grow(max(64, 2 * len(self._keys)))
        self._n += 1
        return self._n - 1

    def _grow(self, capacity: int) -> None:
        extra = capacity - len(self._keys)
        self._vectors = np.vstack([self._vectors, np.zeros((extra, self.dimension), np.float32)])
        for name in (
            "_keys",
            "_alive",
            "_has_vec",
            "_scope",
            "_owner",
            "_tags",
            "_scenario",
            "_context",
            "_created",
            "_helpful",
            "_rating",
            "_featured",
        ):
            old = getattr(self, name)
            setattr(self, name, np.concatenate([old, np.zeros(extra, dtype=old.dtype)]))

    def _set_attributes(self, row: int, doc: Doc) -> None:
        self._scope[row] = doc.scope
        self._owner[row] = doc.owner
        bits = 0
        for tag in doc.tags:
            if tag not in self._tag_bits:
                if len(self._tag_bits) >= 62:
                    raise ValueError("at most 62 distinct tags are supported")
                self._tag_bits[tag] = len(self._tag_bits)
            bits |= 1 << self._tag_bits[tag]
        self._tags[row] = bits
        self._scenario[row] = self._code(doc.scenario)
        self._context[row] = self._code(doc.context)
        self._created[row] = doc.created
        self._helpful[row] = doc.helpful
        self._rating[row] = math.nan if doc.rating is None else doc.rating
        self._featured[row] = doc.featured

    def _code(self, value: str | None) -> int:
        if value is None:
            return -1
        return self._codes.setdefault(value, len(self._codes))

    def _remove_row(self, key: int) -> None:
        row = self._row.pop(key, None)
        if row is not None:
            self._alive[row] = False
            self._has_vec[row] = False


def _required_phrase(query: str) -> str | None:
    match = _QUOTED.search(query)
    return match.group(1) if match else None


def _top(score: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.int64]:
    if len(score) <= k:
        return np.arange(len(score), dtype=np.int64)
    return np.argpartition(-score, k)[:k].astype(np.int64)
