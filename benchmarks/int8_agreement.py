"""How far the int8 embedder (COACHLAB_EMBEDDER=minilm-int8) is from the float32 default.

Run: ``.venv/bin/python benchmarks/int8_agreement.py [--annomi DIR] [--queries 200]``

Over AnnoMI utterances (needs ``pip install -e '.[int8]'``): one-thread speed of both embedders,
the cosine between their vectors for the same text, and, for search, how many of the float32
top-10 neighbours the int8 vectors also return (queries: client turns; corpus: coach turns).
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np
from machine import describe

from retrieval.minilm import MiniLMEmbedder, Precision

PRECISIONS: tuple[Precision, ...] = ("float32", "int8")
DEFAULT_ANNOMI = Path(__file__).resolve().parents[2] / "shared" / "data" / "annomi-dev"


def main() -> None:
    """Print speed, vector agreement and top-10 search agreement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annomi", type=Path, default=DEFAULT_ANNOMI)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--corpus", type=int, default=3000)
    args = parser.parse_args()
    with (args.annomi / "AnnoMI-simple.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    coach = sorted({r["utterance_text"] for r in rows if r["interlocutor"] == "therapist"})
    client = sorted({r["utterance_text"] for r in rows if r["interlocutor"] == "client"})
    rng = np.random.default_rng(0)
    corpus = [coach[i] for i in rng.permutation(len(coach))[: args.corpus]]
    queries = [client[i] for i in rng.permutation(len(client))[: args.queries]]

    vectors = {}
    print(f"machine: {describe()}; one thread")
    for precision in PRECISIONS:
        embedder = MiniLMEmbedder(precision=precision, threads=1, cache_size=0)
        embedder.load()
        start = time.perf_counter()
        docs = embedder.embed(corpus)
        rate = len(corpus) / (time.perf_counter() - start)
        vectors[precision] = (docs, embedder.embed(queries))
        print(f"{embedder.name}: {rate:.0f} texts/s over {len(corpus)} coach turns")

    exact, quantised = vectors["float32"], vectors["int8"]
    cosine = np.sum(exact[0] * quantised[0], axis=1)
    print(
        f"cosine int8 vs float32, same text: mean {cosine.mean():.4f}, "
        f"1st percentile {np.percentile(cosine, 1):.4f}, min {cosine.min():.4f}"
    )
    k = 10
    top_exact = np.argsort(-(exact[1] @ exact[0].T), axis=1)[:, :k]
    top_int8 = np.argsort(-(quantised[1] @ quantised[0].T), axis=1)[:, :k]
    overlap = [len(set(a) & set(b)) / k for a, b in zip(top_exact, top_int8, strict=True)]
    same_first = np.mean(top_exact[:, 0] == top_int8[:, 0])
    print(
        f"search, {len(queries)} client-turn queries: top-{k} overlap mean {np.mean(overlap):.3f}"
        f" (min {min(overlap):.1f}); same first hit {same_first:.3f}"
    )


if __name__ == "__main__":
    main()
