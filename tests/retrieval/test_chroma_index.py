import subprocess
import sys
from pathlib import Path

import chromadb
import numpy as np
import pytest

from retrieval.chroma_index import ChromaIndex, IndexEmbedderMismatch
from retrieval.hashing import HashingEmbedder
from retrieval.index import VectorIndex
from retrieval.minilm import MiniLMEmbedder

REPO = Path(__file__).resolve().parents[2]

ITEMS = {
    "open-1": ("What would you like to be different a year from now?", {"kind": "open", "turn": 1}),
    "open-2": (
        "How do you feel about the feedback from your manager?",
        {"kind": "open", "turn": 2},
    ),
    "closed-1": ("Did you finish the report on time?", {"kind": "closed", "turn": 3}),
    "reflect-1": ("It sounds like the deadline is weighing on you.", {"kind": "reflection"}),
}


def fill(index: ChromaIndex) -> None:
    ids = list(ITEMS)
    index.upsert(ids, [ITEMS[i][0] for i in ids], [ITEMS[i][1] for i in ids])


def query_text(index: ChromaIndex, text: str, k: int = 3, where: dict | None = None) -> list:
    return index.query(index.embedder.embed([text])[0], k, where)


def test_implements_the_vector_index_protocol(index: ChromaIndex) -> None:
    assert isinstance(index, VectorIndex)


def test_round_trip_finds_the_stored_text_first(index: ChromaIndex) -> None:
    fill(index)
    assert index.count() == 4
    hits = query_text(index, ITEMS["closed-1"][0])
    assert hits[0].id == "closed-1"
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert hits[0].metadata == {"kind": "closed", "turn": 3}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_score_is_cosine_similarity(index: ChromaIndex, hashing: HashingEmbedder) -> None:
    texts = [text for text, _ in ITEMS.values()]
    vectors = hashing.embed(texts)
    index.upsert(list(ITEMS), texts, [{} for _ in texts], embeddings=vectors)
    probe = hashing.embed(["how do you feel about a year from now"])[0]
    expected = {i: float(vectors[n] @ probe) for n, i in enumerate(ITEMS)}
    for hit in index.query(probe, k=4):
        assert hit.score == pytest.approx(expected[hit.id], abs=1e-5)
        assert hit.metadata == {}


def test_where_filter(index: ChromaIndex) -> None:
    fill(index)
    hits = query_text(index, "Did you finish the report?", k=10, where={"kind": "open"})
    assert {h.id for h in hits} == {"open-1", "open-2"}
    ranged = query_text(index, "anything", k=10, where={"turn": {"$gte": 2}})
    assert {h.id for h in ranged} == {"open-2", "closed-1"}


def test_k_larger_than_the_collection_returns_everything(index: ChromaIndex) -> None:
    fill(index)
    assert len(query_text(index, "manager", k=50)) == 4


def test_empty_index_returns_no_hits(index: ChromaIndex) -> None:
    assert query_text(index, "anything") == []
    with pytest.raises(ValueError):
        query_text(index, "anything", k=0)


def test_upsert_replaces_and_delete_removes(index: ChromaIndex) -> None:
    fill(index)
    index.upsert(["open-1"], ["Totally new text"], [{"kind": "edited"}])
    assert index.count() == 4
    assert query_text(index, "Totally new text", k=1)[0].metadata == {"kind": "edited"}
    index.delete(["open-1", "closed-1", "never-stored"])
    index.delete([])
    assert index.count() == 2
    assert {h.id for h in query_text(index, "report", k=10)} == {"open-2", "reflect-1"}


def test_empty_upsert_is_a_no_op_and_lengths_must_match(index: ChromaIndex) -> None:
    index.upsert([], [], [])
    assert index.count() == 0
    with pytest.raises(ValueError):
        index.upsert(["a", "b"], ["only one text"], [{}, {}])
    with pytest.raises(ValueError, match="shape"):
        index.upsert(["a"], ["text"], [{}], embeddings=np.ones((1, 3)))


@pytest.mark.parametrize("bad", [{"tags": ["a", "b"]}, {"nested": {"a": 1}}, {"missing": None}])
def test_non_scalar_metadata_is_refused(index: ChromaIndex, bad: dict) -> None:
    with pytest.raises(TypeError, match="must be str, int, float or bool"):
        index.upsert(["x"], ["text"], [bad])
    assert index.count() == 0


def test_reset_empties_the_collection(index: ChromaIndex) -> None:
    fill(index)
    index.reset()
    assert index.count() == 0
    fill(index)
    assert index.count() == 4


def test_telemetry_is_off(index: ChromaIndex) -> None:
    assert index._client.get_settings().anonymized_telemetry is False


def test_chromas_default_embedding_function_is_never_called(
    index: ChromaIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Chroma's default (downloading) embedding function was used")

    monkeypatch.setattr(
        chromadb.utils.embedding_functions.DefaultEmbeddingFunction, "__call__", refuse
    )
    fill(index)
    assert query_text(index, "deadline")[0].id == "reflect-1"


def test_reopening_with_another_embedder_is_refused(chroma_path: Path, index: ChromaIndex) -> None:
    fill(index)
    with pytest.raises(IndexEmbedderMismatch, match="hashing"):
        ChromaIndex.local(chroma_path, "library", HashingEmbedder(dimension=64))
    rebuilt = ChromaIndex.local(
        chroma_path, "library", HashingEmbedder(dimension=64), reset_if_incompatible=True
    )
    assert rebuilt.count() == 0


def test_data_survives_a_new_process(chroma_path: Path, index: ChromaIndex) -> None:
    fill(index)
    code = (
        "import sys; from pathlib import Path; "
        "from retrieval.chroma_index import ChromaIndex; "
        "from retrieval.hashing import HashingEmbedder; "
        "e = HashingEmbedder(); i = ChromaIndex.local(Path(sys.argv[1]), 'library', e); "
        "hits = i.query(e.embed(['Did you finish the report on time?'])[0], 1); "
        "print(i.count(), hits[0].id, hits[0].metadata['kind'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(chroma_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    assert out.split() == ["4", "closed-1", "closed"]


def test_semantic_search_with_minilm(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    index = ChromaIndex.local(tmp_path / "chroma", "library", minilm)
    fill(index)
    hits = query_text(index, "You seem stressed about the due date.", k=1)
    assert hits[0].id == "reflect-1"


@pytest.mark.slow
def test_server_round_trip(chroma_server: int, hashing: HashingEmbedder) -> None:
    index = ChromaIndex.server("127.0.0.1", chroma_server, "library", hashing)
    fill(index)
    assert index.count() == 4
    assert query_text(index, "Did you finish the report on time?", k=1)[0].id == "closed-1"
    assert index._client.get_settings().anonymized_telemetry is False
