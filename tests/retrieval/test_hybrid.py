"""HybridIndex: masks before ranking, keyword and exact-phrase match, sorting; a real paraphrase."""

from __future__ import annotations

import numpy as np

from retrieval.hashing import HashingEmbedder
from retrieval.hybrid import Audience, Doc, Filters, HybridIndex
from retrieval.minilm import MiniLMEmbedder

EVERYONE = Audience(groups=None)


def _index(docs: list[Doc], embedder: object | None = None) -> HybridIndex:
    embedder = embedder or HashingEmbedder()
    index = HybridIndex(embedder.dimension)  # type: ignore[attr-defined]
    index.add(docs, embedder.embed([d.text for d in docs]))  # type: ignore[attr-defined]
    return index


def _keys(hits: list[tuple[int, float]]) -> list[int]:
    return [k for k, _ in hits]


def test_audience_masks_are_applied_before_ranking() -> None:
    docs = [
        Doc(i, f"reflection about workload number {i}", scope=1 + i % 3, owner=100 + i)
        for i in range(30)
    ]
    docs.append(Doc(99, "a public reflection about workload", scope=0))
    index = _index(docs)
    hits = index.search("reflection workload", None, Audience(groups=frozenset({2})), limit=50)
    assert set(_keys(hits)) == {99, *(i for i in range(30) if 1 + i % 3 == 2)}
    own = index.search("workload", None, Audience(groups=frozenset(), owner=100), limit=50)
    assert set(_keys(own)) == {0, 99}
    assert _keys(index.search("workload", None, Audience(groups=frozenset({7})), limit=5)) == [99]


def test_filters_tag_scenario_context_rating_and_exclude() -> None:
    docs = [
        Doc(1, "open question", tags=("question_open",), scenario="a", rating=4.5),
        Doc(2, "complex reflection", tags=("reflection_complex",), scenario="a", context="peer"),
        Doc(3, "another open question", tags=("question_open",), scenario="b", rating=3.0),
    ]
    index = _index(docs)
    assert set(_keys(index.search("", None, EVERYONE, Filters(tag="question_open")))) == {1, 3}
    assert _keys(index.search("", None, EVERYONE, Filters(scenario="a", context="peer"))) == [2]
    assert _keys(index.search("", None, EVERYONE, Filters(min_rating=4.0))) == [1]
    assert index.search("", None, EVERYONE, Filters(tag="unknown")) == []
    hits = index.search("open question", None, EVERYONE, Filters(exclude=frozenset({1})))
    assert _keys(hits)[0] == 3 and 1 not in _keys(hits)


def test_exact_phrase_is_found_even_when_vectors_disagree() -> None:
    embedder = HashingEmbedder()
    docs = [Doc(i, f"what do you want from week {i} of the project") for i in range(300)]
    docs.append(Doc(500, "the elephant in the room is the budget, and nobody says it"))
    index = HybridIndex(embedder.dimension)
    vectors = embedder.embed([d.text for d in docs])
    vectors[-1] = 0.0  # its vector is missing: keyword-only, as after a lost Chroma folder
    index.add(docs, vectors)
    query = '"elephant in the room"'
    hits = index.search(query, embedder.embed([query])[0], EVERYONE, limit=5)
    assert _keys(hits) == [500]
    unquoted = index.search("elephant in the room", embedder.embed(["x"])[0], EVERYONE, limit=3)
    assert _keys(unquoted)[0] == 500


def test_sorting_and_hiding() -> None:
    docs = [
        Doc(1, "reflection one", created=1.0, helpful=5),
        Doc(2, "reflection two", created=3.0, helpful=1),
        Doc(3, "reflection three", created=2.0, helpful=9, featured=True),
    ]
    index = _index(docs)
    assert _keys(index.search("", None, EVERYONE, sort="newest")) == [2, 3, 1]
    assert _keys(index.search("", None, EVERYONE, sort="helpful")) == [3, 1, 2]
    index.update_stats(1, helpful=20)
    assert _keys(index.search("reflection", None, EVERYONE, sort="helpful"))[0] == 1
    index.set_alive(1, False)
    assert 1 not in _keys(index.search("reflection one", None, EVERYONE))
    assert len(index) == 2 and 1 in index
    index.remove([1])
    assert 1 not in index


def test_a_paraphrase_finds_the_right_exchange(minilm: MiniLMEmbedder) -> None:
    docs = [
        Doc(
            1,
            "Client: I'm done trying, they never listen. Coach: Part of you wants to give up, "
            "and part of you still cares enough to be this angry.",
        ),
        Doc(2, "Client: I'd like to plan my week. Coach: What would you like to focus on first?"),
        Doc(3, "Client: I finished the report early. Coach: Well done, that took real discipline."),
    ]
    index = _index(docs, minilm)
    query = "reflecting ambivalence back to someone who resists"
    hits = index.search(query, minilm.embed([query])[0], EVERYONE, limit=3)
    assert _keys(hits)[0] == 1
    assert np.isfinite([s for _, s in hits]).all()


def test_items_saved_in_the_same_microsecond_list_the_later_one_first() -> None:
    docs = [Doc(key, f"exchange {key}", created=5.0) for key in (7, 8, 9)]
    index = _index(docs)
    for sort in ("newest", "helpful", "featured", "relevance"):
        assert _keys(index.search("", None, EVERYONE, sort=sort)) == [9, 8, 7]
