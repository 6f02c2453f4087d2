"""Probe: would an int8 MiniLM graph make library ingestion reach 100 exchanges/s?

Run: ``.venv/bin/pip install onnx && .venv/bin/python benchmarks/int8_probe.py [DATA_DIR]``

Not part of the product (``onnx`` is not a dependency; ``onnxruntime`` already comes with Chroma).
It builds all-MiniLM-L6-v2 as an ONNX graph from the bundled weights, in float32 and in int8
variants (weights per output column, activations quantised per tensor at run time), and reports,
on one thread, texts per second and the cosine of each variant's sentence vector to the numpy
float32 embedder's, over AnnoMI utterances (calibration: the first 400, measured: 512 others).
The figures are in docs/library.md ("Ingestion").
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

from retrieval.minilm import MiniLMEmbedder, find_bundled_model_dir

HEADS, LAYERS = 12, 6
ALL = ("q", "k", "v", "o", "f", "f2")  # the six linear maps of a layer


class GraphBuilder:
    """One MiniLM graph: which linear maps are int8, and optional SmoothQuant scales."""

    def __init__(
        self,
        weights: dict[str, np.ndarray],
        quantised: Sequence[str] = (),
        act_max: dict[str, np.ndarray] | None = None,
        alpha: float = 0.5,
    ) -> None:
        self.w, self.quantised, self.act_max, self.alpha = weights, quantised, act_max, alpha
        self.inits: list = []
        self.nodes: list = []
        self.probes: list[str] = []

    def _init(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def _node(self, op: str, ins: list[str], out: str, ms: bool = False, **attrs: object) -> str:
        domain = "com.microsoft" if ms else ""
        self.nodes.append(helper.make_node(op, ins, [out], domain=domain, **attrs))
        return out

    def _linear(self, x: str, prefix: str, name: str, kind: str) -> str:
        self.probes.append(x)
        wt = self.w[f"{prefix}.weight"].T.astype(np.float32)
        bias = self._init(f"{name}.b", self.w[f"{prefix}.bias"].astype(np.float32))
        if kind not in self.quantised:
            return self._node(
                "Add",
                [self._node("MatMul", [x, self._init(f"{name}.w", wt)], f"{name}.mm"), bias],
                f"{name}.y",
            )
        if self.act_max is not None:  # SmoothQuant: move activation range into the weights
            amax = np.maximum(self.act_max[x], 1e-5)
            wmax = np.maximum(np.abs(wt).max(axis=1), 1e-5)
            s = amax**self.alpha / wmax ** (1 - self.alpha)
            x = self._node(
                "Mul", [x, self._init(f"{name}.inv", (1 / s).astype(np.float32))], f"{name}.xs"
            )
            wt = wt * s[:, None]
        scale = np.abs(wt).max(axis=0) / 127.0
        q = np.clip(np.round(wt / scale), -127, 127).astype(np.int8)
        ins = [
            x,
            self._init(f"{name}.q", q),
            self._init(f"{name}.s", scale.astype(np.float32)),
            "",
            bias,
        ]
        return self._node("DynamicQuantizeMatMul", ins, f"{name}.y", ms=True)

    def build(self, probe: bool = False) -> bytes:
        """The serialised model; with ``probe`` every linear map's input is an output too."""
        w = self.w
        seg = self._node("Mul", ["ids", self._init("zero", np.array(0, np.int32))], "seg")
        embed = (
            ["ids", seg]
            + [
                self._init(n, w[f"embeddings.{n}"])
                for n in (
                    "word_embeddings.weight",
                    "position_embeddings.weight",
                    "token_type_embeddings.weight",
                    "LayerNorm.weight",
                    "LayerNorm.bias",
                )
            ]
            + ["mask"]
        )
        self.nodes.append(
            helper.make_node(
                "EmbedLayerNormalization",
                embed,
                ["emb", "mask_idx"],
                domain="com.microsoft",
                epsilon=1e-12,
            )
        )
        x = "emb"
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            qkv = [
                self._linear(x, f"{p}attention.self.{n}", f"l{i}{n[0]}", n[0])
                for n in ("query", "key", "value")
            ]
            att = self._node(
                "MultiHeadAttention", [*qkv, "", "mask"], f"l{i}att", ms=True, num_heads=HEADS
            )
            o = self._linear(att, f"{p}attention.output.dense", f"l{i}o", "o")
            x = self._skip_norm(o, x, f"{p}attention.output.LayerNorm", f"l{i}n1")
            f = self._linear(x, f"{p}intermediate.dense", f"l{i}f", "f")
            g = self._node("Gelu", [f], f"l{i}g", ms=True)
            f2 = self._linear(g, f"{p}output.dense", f"l{i}f2", "f2")
            x = self._skip_norm(f2, x, f"{p}output.LayerNorm", f"l{i}n2")
        outputs = [x, *dict.fromkeys(self.probes)] if probe else [x]
        graph = helper.make_graph(
            self.nodes,
            "minilm",
            [
                helper.make_tensor_value_info(n, TensorProto.INT32, ["B", "S"])
                for n in ("ids", "mask")
            ],
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
            self.inits,
        )
        opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
        return helper.make_model(graph, opset_imports=opsets).SerializeToString()

    def _skip_norm(self, y: str, skip: str, prefix: str, name: str) -> str:
        ins = [
            y,
            skip,
            self._init(f"{name}.g", self.w[f"{prefix}.weight"]),
            self._init(f"{name}.b", self.w[f"{prefix}.bias"]),
        ]
        return self._node("SkipLayerNormalization", ins, name, ms=True, epsilon=1e-12)


def _session(model: bytes) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def _batches(tokenizer, texts: list[str]) -> list[tuple[list[int], np.ndarray, np.ndarray]]:
    enc = tokenizer.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda i: len(enc[i].ids))
    out = []
    for start in range(0, len(order), 32):
        rows = order[start : start + 32]
        width = max(len(enc[i].ids) for i in rows)
        ids = np.zeros((len(rows), width), np.int32)
        mask = np.zeros((len(rows), width), np.int32)
        for slot, i in enumerate(rows):
            ids[slot, : len(enc[i].ids)] = enc[i].ids
            mask[slot, : len(enc[i].ids)] = 1
        out.append((rows, ids, mask))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Print speed and fidelity of each graph variant."""
    args = list(sys.argv[1:] if argv is None else argv)
    data = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared/data/annomi-dev"
    with (data / "AnnoMI-simple.csv").open(encoding="utf-8") as handle:
        utterances = [row["utterance_text"] for row in csv.DictReader(handle)]
    calibration, measured = utterances[:400], utterances[1000:1512]
    weights = load_file(str(find_bundled_model_dir() / "model.safetensors"))
    embedder = MiniLMEmbedder(threads=1, cache_size=0)
    tokenizer = embedder._loaded().tokenizer

    builder = GraphBuilder(weights)
    model = builder.build(probe=True)
    names = list(dict.fromkeys(builder.probes))
    act_max: dict[str, np.ndarray] = {}
    probe = _session(model)
    for _, ids, mask in _batches(tokenizer, calibration):
        for name, value in zip(names, probe.run(None, {"ids": ids, "mask": mask})[1:], strict=True):
            rows = np.abs(value.reshape(-1, value.shape[-1])[mask.reshape(-1) == 1])
            act_max[name] = np.maximum(act_max.get(name, 0), rows.max(axis=0))

    start = time.perf_counter()
    reference = embedder.embed(measured)
    print(
        f"numpy float32 (the product): {len(measured) / (time.perf_counter() - start):.0f} texts/s"
    )
    batches = _batches(tokenizer, measured)
    variants = [
        ("onnxruntime float32", (), None, 0.0),
        ("int8, all six maps", ALL, None, 0.0),
        ("int8 + SmoothQuant 0.7", ALL, act_max, 0.7),
        ("int8 + SmoothQuant 0.8, FFN output float", ALL[:-1], act_max, 0.8),
    ]
    for label, quantised, scales, alpha in variants:
        session = _session(GraphBuilder(weights, quantised, scales, alpha).build())
        vectors = np.zeros_like(reference)
        for rows, ids, mask in batches:
            states = session.run(None, {"ids": ids, "mask": mask})[0]
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
