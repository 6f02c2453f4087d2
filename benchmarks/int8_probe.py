"""Probe: how fast and how faithful is MiniLM as an int8 onnxruntime graph, variant by variant?

Run: ``.venv/bin/pip install -e '.[int8]' && .venv/bin/python benchmarks/int8_probe.py [DATA_DIR]``

It builds all-MiniLM-L6-v2 with ``retrieval.int8_bert.GraphBuilder`` in float32 and in int8
variants (which linear maps are int8, with or without SmoothQuant), and reports, on one thread,
texts per second and the cosine of each variant's sentence vector to the numpy float32
embedder's, over AnnoMI utterances (SmoothQuant calibrated on the first 400, measured on 512
others). Each int8 variant is built with signed weights and with unsigned ones (see
``retrieval.int8_bert``: signed weights saturate on CPUs without VNNI). The shipped
``minilm-int8`` embedder is the "all six maps + SmoothQuant 0.7" row in the CPU's format (the
first line printed says which), calibrated on built-in lines instead. Figures: docs/library.md
("An int8 encoder") and docs/benchmarks.md.
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from machine import describe
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from retrieval.bert import BertConfig
from retrieval.int8_bert import (
    ALL_MAPS,
    GraphBuilder,
    WeightFormat,
    activation_ranges,
    make_session,
    padded_batch,
)
from retrieval.minilm import MiniLMEmbedder, find_bundled_model_dir

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "annomi-dev"


def _batches(
    tokenizer: Tokenizer, texts: list[str]
) -> list[tuple[list[int], np.ndarray, np.ndarray]]:
    ids = [e.ids for e in tokenizer.encode_batch(texts)]
    order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
    out = []
    for start in range(0, len(order), 32):
        rows = order[start : start + 32]
        out.append((rows, *padded_batch([ids[i] for i in rows])))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Print speed and fidelity of each graph variant."""
    args = list(sys.argv[1:] if argv is None else argv)
    data = Path(args[0]) if args else DEFAULT_DATA
    with (data / "AnnoMI-simple.csv").open(encoding="utf-8") as handle:
        utterances = [row["utterance_text"] for row in csv.DictReader(handle)]
    calibration, measured = utterances[:400], utterances[1000:1512]
    model_dir = find_bundled_model_dir()
    config = BertConfig.from_json(model_dir / "config.json")
    weights = load_file(str(model_dir / "model.safetensors"))
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(256)  # as the embedder does (the file pins 128)

    probe = make_session(GraphBuilder(config, weights).build(probe=True))
    ranges: dict[str, np.ndarray] = {}
    for _, ids, mask in _batches(tokenizer, calibration):
        for key, value in activation_ranges(probe, ids, mask).items():
            ranges[key] = np.maximum(ranges.get(key, 0), value)

    embedder = MiniLMEmbedder(threads=1, cache_size=0)
    embedder.load()
    start = time.perf_counter()
    reference = embedder.embed(measured)
    rate = len(measured) / (time.perf_counter() - start)
    print(f"machine: {describe()}; one thread")
    print(f"numpy float32 (the default embedder): {rate:.0f} texts/s")
    batches = _batches(tokenizer, measured)
    variants: list[tuple[str, GraphBuilder]] = [
        ("onnxruntime float32", GraphBuilder(config, weights))
    ]
    formats: tuple[WeightFormat, ...] = ("signed", "unsigned")
    for form in formats:
        variants += [
            (
                f"int8 ({form} weights), all six maps",
                GraphBuilder(config, weights, quantised=ALL_MAPS, weights_format=form),
            ),
            (
                f"int8 ({form} weights), all six maps + SmoothQuant 0.7",
                GraphBuilder(
                    config,
                    weights,
                    quantised=ALL_MAPS,
                    ranges=ranges,
                    smoothing=0.7,
                    weights_format=form,
                ),
            ),
            (
                f"int8 ({form} weights) + SmoothQuant 0.8, feed-forward output in float32",
                GraphBuilder(
                    config,
                    weights,
                    quantised=ALL_MAPS[:-1],
                    ranges=ranges,
                    smoothing=0.8,
                    weights_format=form,
                ),
            ),
        ]
    for label, builder in variants:
        session = make_session(builder.build())
        vectors = np.zeros_like(reference)
        for rows, ids, mask in batches:
            states = session.run(None, {"ids": ids, "mask": mask})[-1]
            pooled = (states * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            vectors[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        cosine = (vectors * reference).sum(axis=1)
        start = time.perf_counter()
        for _, ids, mask in batches:
            session.run(None, {"ids": ids, "mask": mask})
        rate = len(measured) / (time.perf_counter() - start)
        print(
            f"{label}: {rate:.0f} texts/s, cosine to float32 mean {cosine.mean():.4f}, "
            f"1st percentile {np.percentile(cosine, 1):.4f}, min {cosine.min():.4f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
