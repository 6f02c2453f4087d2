"""Latency and throughput of the bundled MiniLM embedder on this machine.

Usage: python benchmarks/embedder_bench.py [--queries 200] [--sentences 512] [--batch-size 32]

Single queries run with the cache off (every call does a real forward pass); the cached
figure shows what a repeated query costs. CPU-time figures sit next to wall-clock ones
because the benchmark machines are often shared: wall time then overstates the cost.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from tokenizers import Tokenizer

from retrieval.minilm import MiniLMEmbedder

OPENERS = [
    "What would you like",
    "How do you feel about",
    "It sounds like you are worried about",
    "Tell me more about",
    "so um i guess i just keep thinking about",
    "On a scale from one to ten how ready are you for",
]
TOPICS = [
    "the conversation with your manager",
    "asking for a promotion this quarter",
    "delegating more of the weekly reporting to your team",
    "the feedback you got after the presentation",
    "balancing the new role with looking after your kids",
    "what success would look like for you a year from now",
]
TAILS = ["", "?", " and what stops you.", " given everything that has happened since the reorg."]


def corpus(size: int, seed: int = 0) -> list[str]:
    """Return ``size`` distinct coaching-style sentences of varied length."""
    rng = random.Random(seed)
    texts = []
    for i in range(size):
        parts = [rng.choice(OPENERS), rng.choice(TOPICS)]
        parts += [rng.choice(TOPICS) for _ in range(rng.randrange(3))]
        texts.append(" ".join(parts) + rng.choice(TAILS) + f" ({i})")
    return texts


def percentile(samples: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``samples``."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> dict[str, float]:
    """Run the benchmark, print a summary and return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sentences", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    embedder = MiniLMEmbedder(batch_size=args.batch_size, cache_size=0)
    started = time.perf_counter()
    embedder.load()
    load_s = time.perf_counter() - started

    queries = [text.split(" (")[0][:80] for text in corpus(args.queries, seed=1)]
    embedder.embed(queries[:5])  # warm-up
    latencies, cpu_latencies = [], []
    for query in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        embedder.embed([query])
        latencies.append((time.perf_counter() - started) * 1000)
        cpu_latencies.append((time.process_time() - cpu_started) * 1000)

    cached = MiniLMEmbedder(cache_size=16)
    cached.load()
    cached.embed([queries[0]])
    cached_ms = []
    for _ in range(200):
        started = time.perf_counter()
        cached.embed([queries[0]])
        cached_ms.append((time.perf_counter() - started) * 1000)

    texts = corpus(args.sentences)
    started, cpu_started = time.perf_counter(), time.process_time()
    embedder.embed(texts)
    throughput = len(texts) / (time.perf_counter() - started)
    cpu_throughput = len(texts) / (time.process_time() - cpu_started)

    tokenizer = Tokenizer.from_file(str(embedder.model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(embedder.max_length)
    tokenizer.no_padding()  # tokenizer.json pads to 128
    tokens = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    figures = {
        "load_s": load_s,
        "single_median_ms": statistics.median(latencies),
        "single_p95_ms": percentile(latencies, 0.95),
        "single_cpu_median_ms": statistics.median(cpu_latencies),
        "cached_median_ms": statistics.median(cached_ms),
        "batch_sentences_per_s": throughput,
        "batch_sentences_per_cpu_s": cpu_throughput,
        "batch_mean_tokens": statistics.mean(tokens),
    }
    print(f"MiniLM ({embedder.name}), batch size {args.batch_size}, BLAS 1 thread")
    print(f"  load weights          {figures['load_s'] * 1000:8.0f} ms")
    print(
        f"  single query median   {figures['single_median_ms']:8.1f} ms  ({len(queries)} queries)"
    )
    print(f"  single query p95      {figures['single_p95_ms']:8.1f} ms")
    print(f"  single query CPU      {figures['single_cpu_median_ms']:8.1f} ms  (median CPU time)")
    print(f"  cached query median   {figures['cached_median_ms']:8.3f} ms")
    print(
        f"  batch throughput      {throughput:8.1f} sentences/s  "
        f"({len(texts)} sentences, mean {figures['batch_mean_tokens']:.0f} tokens)"
    )
    print(f"  batch per CPU second  {cpu_throughput:8.1f} sentences")
    return figures


if __name__ == "__main__":
    main()
