"""Library benchmark: search p95 over a large synthetic library, and ingestion rate.

Run: ``.venv/bin/python benchmarks/library_bench.py [--n 100000] [--queries 200] [--ingest 200]``

What it measures, honestly:
- search: ``LibraryService.search`` end to end as a cohort member — query embedding with the
  bundled MiniLM (its cache is bypassed: every query text is new), the hybrid index, and the SQL
  visibility re-check — over ``--n`` published items in SQLite, with and without filters;
- ingestion: ``LibraryService.import_exchanges`` (validation, redaction, technique labels, SQL,
  batched embedding, Chroma upsert, index) on top of the large library.

To build a 100k library in minutes, rows go into SQL with one bulk insert and vectors are made
from ``--base`` real MiniLM vectors plus small noise (the search cost depends on the matrix size,
not on how the vectors were made); they are served to the index's start-up load by an in-memory
store standing in for Chroma, which is not on the query path.  Ingestion uses real Chroma.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from machine import describe
from sqlalchemy import insert

from app.bootstrap import build_services, make_library_index
from app.services.library import ImportItem
from app.services.principal import Principal, Role
from app.settings import Settings
from app.storage.models import LibraryExchange
from retrieval.factory import OFFLINE_KINDS
from retrieval.library_index import LibraryIndex
from rubrics.labels import TECHNIQUES

TOPICS = [
    "workload",
    "my manager",
    "a promotion",
    "the reorganisation",
    "a difficult peer",
    "returning from leave",
    "a career change",
    "my first review",
    "delegating",
    "budgets",
]
FEELINGS = [
    "exhausted",
    "stuck",
    "anxious",
    "frustrated",
    "unsure",
    "excited but scared",
    "invisible",
    "overwhelmed",
    "resentful",
    "hopeful",
]
CLIENT = [
    "I keep thinking about {t} and I feel {f}.",
    "Honestly {t} has left me {f}.",
    "Nobody listens when I raise {t}; I'm {f}.",
    "I don't know what to do about {t}.",
]
COACH = [
    "It sounds like {t} is weighing on you and you feel {f}.",
    "What would a good outcome with {t} look like for you?",
    "Part of you wants to act on {t}, and part of you feels {f}.",
    "You've handled hard things before; what helped then?",
    "So {t} matters because you care about doing it well.",
    "What options do you see for {t}?",
]
QUERIES = [
    "a strong reflection when the client is resistant",
    "open question about goals",
    "client feels burnt out by too much work",
    "affirming what the client did well",
    "double-sided reflection about ambivalence",
    "asking what outcome they want",
    "summary of a career decision",
    "client worried about their boss",
]


def synthetic(rng: random.Random) -> tuple[str, str]:
    """One synthetic (client, coach) pair."""
    t, f = rng.choice(TOPICS), rng.choice(FEELINGS)
    return rng.choice(CLIENT).format(t=t, f=f), rng.choice(COACH).format(t=t, f=f)


class MemoryStore:
    """Stands in for Chroma at start-up: serves precomputed vectors by id."""

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[object],
        embeddings: object = None,
    ) -> None:
        for key, vector in zip(ids, np.asarray(embeddings), strict=True):
            self.vectors[key] = vector

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {i: self.vectors[i] for i in ids if i in self.vectors}

    def delete(self, ids: Sequence[str]) -> None:
        for key in ids:
            self.vectors.pop(key, None)

    def reset(self) -> None:
        self.vectors.clear()


def main() -> None:
    """Build the library, run the measurements, print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ingest", type=int, default=200)
    parser.add_argument("--base", type=int, default=400, help="real MiniLM vectors to vary")
    parser.add_argument("--embedder", default="minilm", choices=OFFLINE_KINDS)
    args = parser.parse_args()
    rng = random.Random(7)
    data = Path(tempfile.mkdtemp(prefix="library-bench-"))
    services = build_services(Settings(data_dir=data, embedder=args.embedder))
    services.prepare()
    system = Principal.system()
    author = _user(services, "author", Role.LEARNER)
    viewer = _user(services, "viewer", Role.PEER)
    cohorts = [services.curation.ensure_cohort(system, f"c{i}", ["author"]) for i in range(10)]
    services.curation.ensure_cohort(system, "c0", ["viewer"])
    embedder = services.embedder

    t0 = time.perf_counter()
    pairs = [synthetic(rng) for _ in range(args.base)]
    base = embedder.embed([f"{c} {k}" for c, k in pairs])
    t_base = time.perf_counter() - t0
    noise = np.random.default_rng(7)
    rows, vectors = [], {}
    with services.db.engine.begin() as conn:
        for start in range(0, args.n, 5000):
            batch = []
            for i in range(start, min(args.n, start + 5000)):
                b = i % args.base
                client, coach = pairs[b]
                community = rng.random() < 0.5
                batch.append(
                    {
                        "author_id": author.user_id,
                        "visibility": "community" if community else "cohort",
                        "cohort_id": None if community else rng.choice(cohorts),
                        "show_name": False,
                        "note": "",
                        "turns": [
                            {"speaker": "client", "text": f"{client} ({i})"},
                            {"speaker": "coach", "text": coach},
                        ],
                        "techniques": f",{rng.choice(TECHNIQUES[:6])},",
                        "kind": "exchange",
                        "scenario_id": f"s{i % 8}",
                        "rubric_levels": {},
                        "status": "published",
                        "featured": False,
                    }
                )
            conn.execute(insert(LibraryExchange), batch)
            rows.extend(batch)
    for key in range(1, args.n + 1):
        v = base[(key - 1) % args.base] + noise.normal(0, 0.02, embedder.dimension)
        vectors[str(key)] = (v / np.linalg.norm(v)).astype(np.float32)
    store = MemoryStore(vectors)
    services.library.index = LibraryIndex(embedder, lambda: store)
    t0 = time.perf_counter()
    services.library.search(viewer, "warm up")
    t_warm = time.perf_counter() - t0

    latencies: dict[str, list[float]] = {"query": [], "query+technique": [], "query+scenario": []}
    for i in range(args.queries):
        query = f"{QUERIES[i % len(QUERIES)]} {i}"  # a new text every time: no embedding cache
        kind = list(latencies)[i % 3]
        extra = {
            "query": {},
            "query+technique": {"technique": "reflection_complex"},
            "query+scenario": {"scenario": "s3", "sort": "helpful"},
        }[kind]
        t0 = time.perf_counter()
        services.library.search(viewer, query, **extra)  # type: ignore[arg-type]
        latencies[kind].append(time.perf_counter() - t0)

    items = [
        # every text unique (no embedding cache hits between items), with a one-line note
        ImportItem(
            coach=f"{k} ({i})",
            client=f"{c} ({i})",
            note=f"Worth discussing, item {i}.",
            visibility="community",
        )
        for i, (c, k) in enumerate(synthetic(rng) for _ in range(args.ingest))
    ]
    loaded = services.library.index  # ingestion writes to real Chroma, on top of the 100k
    services.library.index = make_library_index(services.settings, embedder)
    services.library.index.hybrid = loaded.hybrid
    t0 = time.perf_counter()
    services.library.import_exchanges(author, items)
    t_ingest = time.perf_counter() - t0

    everything = [x for values in latencies.values() for x in values]
    print(f"machine: {describe()}, embedder {embedder.name}")
    print(
        f"library: {args.n} exchanges; start-up load {t_warm:.1f} s; "
        f"{args.base} base vectors embedded in {t_base:.1f} s"
    )
    for kind, values in [*latencies.items(), ("all", everything)]:
        print(
            f"search {kind:16s} p50 {_ms(values, 50):6.1f} ms  p95 {_ms(values, 95):6.1f} ms"
            f"  (n={len(values)})"
        )
    print(
        f"ingestion: {args.ingest} exchanges in {t_ingest:.1f} s = "
        f"{args.ingest / t_ingest:.1f} exchanges/s"
    )
    services.close()


def _ms(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return 1000 * (values[0] if values else 0.0)
    return 1000 * statistics.quantiles(values, n=100)[pct - 1]


def _user(services: object, name: str, role: Role) -> Principal:
    services.accounts.create_user(Principal.system(), name, "bench-password-123", {role})  # type: ignore[attr-defined]
    return services.accounts.authenticate(name, "bench-password-123")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
