"""An int8 BERT encoder run by onnxruntime: the bundled MiniLM, about 2.5x cheaper per token.

What must stay true:
- same interface as ``retrieval.bert.BertEncoder`` (``hidden_states``, ``mean_pooled``,
  ``pooled_layers``), so ``MiniLMEmbedder`` can use either;
- built at load time from the same ``model.safetensors``, nothing downloaded or stored: the six
  linear maps of every layer get int8 weights (per output column) and int8 activations
  (quantised per tensor at run time, onnxruntime's ``DynamicQuantizeMatMul``); SmoothQuant
  scales (alpha 0.7), calibrated on ``CALIBRATION`` below, move activation outliers into the
  weights first;
- vectors stay close to the float32 encoder's, not equal (cosine >= 0.98 on average and >= 0.95
  at worst, checked at load time on ``FIDELITY_CHECK``; ``benchmarks/int8_probe.py`` measures
  512 AnnoMI utterances); anything trained on float32 states (the technique heads) must be
  retrained on these;
- the weight format suits the CPU: signed int8 weights where the CPU has an int8 dot-product
  instruction (VNNI), unsigned weights with a zero point everywhere else.  Without VNNI,
  onnxruntime multiplies u8 activations by s8 weights with an instruction that adds pairs of
  products into 16 bits and saturates (the vectors then fall to cosine ~0.88); its u8×u8 kernels
  widen first and are exact.  The CPU probe (``CpuFeatures``) is injectable, and a graph that
  fails the load-time check is never used: signed weights fall back to unsigned, and if those
  fail too the embedder refuses to load with a one-line message naming the safe setting;
- onnx and onnxruntime are imported only here, when this encoder is chosen;
- one session serves many threads (onnxruntime's ``run`` is thread-safe), one intra-op thread
  each: ``MiniLMEmbedder`` spreads batches over its own pool.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from retrieval.bert import BertConfig, MeanPooling
from retrieval.embedder import EmbedderUnavailable

Array = npt.NDArray[np.float32]
WeightFormat = Literal["signed", "unsigned"]
SMOOTHING = 0.7
_log = logging.getLogger(__name__)
_VNNI_FLAGS = ("avx512_vnni", "avx_vnni", "asimddp")  # x86 VNNI, or Arm's int8 dot product
MAPS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "o": "attention.output.dense",
    "f": "intermediate.dense",
    "f2": "output.dense",
}
ALL_MAPS: tuple[str, ...] = tuple(MAPS)
# Calibration text: short coaching-conversation lines in both typed and speech-recognition style,
# written for this purpose. Only their activation ranges are used.
CALIBRATION: tuple[str, ...] = (
    "What would you like to get out of our time today?",
    "It sounds like you're stretched thin and nobody has noticed.",
    "So on one hand you want the promotion, and on the other you're worried about the hours.",
    "Have you talked to your manager about it?",
    "You should block out your mornings for the deep work.",
    "I'm just exhausted, honestly. Every week there's another deadline.",
    "I don't know. Maybe. It depends on what they say.",
    "What's the smallest step you could take before Friday?",
    "You've clearly thought hard about this already.",
    "Can I share something that worked for another team?",
    "We have about ten minutes left; shall we look at next steps?",
    "Why didn't you tell them sooner?",
    "i guess i just feel like nobody listens when i bring it up in the meeting",
    "so what you're saying is the workload isn't the problem it's the lack of say",
    "yeah no i mean i could try that but i've tried it before",
    "what would be different if this was sorted",
    "Tell me more about what happened after the reorganisation.",
    "On a scale of one to ten, how committed are you to trying it?",
    "I'll send the proposal to Priya by Thursday and ask for her feedback.",
    "That must have been really hard, especially with the move as well.",
    "Okay. Mm-hmm. Right.",
    "The budget was cut by twenty percent and the targets stayed the same.",
    "I think the real issue is that I don't trust him to deliver.",
    "What options do you see, even the ones that seem unrealistic?",
    "Let's summarise: the deadline, the new hire, and your own development plan.",
    "It's not that I don't want to delegate, it's that it takes longer to explain.",
    "How will you know it's working?",
    "You're worried that saying no will cost you the next project.",
    "Honestly I'd rather just leave, but I can't afford to right now.",
    "What's stopping you?",
    "Thank you for being so open about this; it takes courage.",
    "Mentoring has taught me that people rarely change because they are told to.",
)
# Load-time fidelity check: lines written apart from the calibration set, whose float32 and int8
# vectors must agree (``Fidelity``) before the int8 graph is used.
FIDELITY_CHECK: tuple[str, ...] = (
    "What do you want to be different by the summer?",
    "You're proud of the team and tired of carrying it.",
    "Did the new rota help at all?",
    "Just tell him you can't take it on.",
    "we moved house in june and the kids started a new school",
    "Part of me wants to stay because it's safe, part of me is bored stiff.",
    "I'll book the meeting with Dev for Tuesday morning.",
    "It sounds like the feedback stung more than you expected.",
    "ok",
    "How confident are you, from one to ten, that you'll do it?",
    "The audit found three missing invoices from the spring quarter.",
    "Can I offer an idea that worked for a colleague of mine?",
)


@dataclass(frozen=True, slots=True)
class Fidelity:
    """How close int8 vectors must stay to float32 ones (cosine) for the int8 graph to be used."""

    mean: float = 0.98
    minimum: float = 0.95


@dataclass(frozen=True, slots=True)
class CpuFeatures:
    """What the int8 graph needs to know about the CPU; ``detect()`` reads the running one."""

    int8_dot_product: bool | None

    @classmethod
    def detect(cls, cpuinfo: Path = Path("/proc/cpuinfo")) -> CpuFeatures:
        """The features of this machine's CPU (None where they cannot be told)."""
        return cls(has_int8_dot_product(cpuinfo))

    @property
    def weight_format(self) -> WeightFormat:
        """Signed weights only where an int8 dot-product instruction makes them exact."""
        return "signed" if self.int8_dot_product else "unsigned"


class Int8BertEncoder(MeanPooling):
    """BERT encoder as a quantised onnxruntime graph, with BertEncoder's pooling methods."""

    def __init__(
        self,
        config: BertConfig,
        weights: dict[str, np.ndarray],
        calibration: tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]],
        check: tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]],
        *,
        cpu: CpuFeatures,
        fidelity: Fidelity = Fidelity(),
    ) -> None:
        try:
            import onnx  # noqa: F401 - builds the graph below
            import onnxruntime  # noqa: F401 - runs it
        except ImportError:
            raise EmbedderUnavailable(
                "the int8 embedder needs onnx and onnxruntime: pip install -e '.[int8]' "
                "(or set COACHLAB_EMBEDDER=minilm for the float32 one)"
            ) from None
        self.config = config
        probe = make_session(GraphBuilder(config, weights).build(probe=True))
        ranges = activation_ranges(probe, *calibration)
        reference = _pooled_last(probe, *check)
        formats: list[WeightFormat] = [cpu.weight_format]
        if formats[0] == "signed":
            formats.append("unsigned")  # exact on every CPU, if a little slower with VNNI
        measured: list[str] = []
        for weight_format in formats:
            graph = make_session(
                GraphBuilder(
                    config, weights, quantised=ALL_MAPS, ranges=ranges, weights_format=weight_format
                ).build()
            )
            cosine = np.sum(_unit(_pooled_last(graph, *check)) * _unit(reference), axis=1)
            if cosine.mean() >= fidelity.mean and cosine.min() >= fidelity.minimum:
                self._graph, self.weight_format = graph, weight_format
                self.check_cosine = (float(cosine.mean()), float(cosine.min()))
                return
            measured.append(f"{weight_format} {cosine.mean():.3f} mean, {cosine.min():.3f} min")
            _log.warning(
                "int8 graph with %s weights strays from float32 on this CPU (cosine %.3f mean, "
                "%.3f min)",
                weight_format,
                cosine.mean(),
                cosine.min(),
            )
        raise EmbedderUnavailable(
            "COACHLAB_EMBEDDER=minilm-int8 is not faithful on this CPU (cosine to float32: "
            + "; ".join(measured)
            + "): set COACHLAB_EMBEDDER=minilm"
        )

    @classmethod
    def load(
        cls, model_dir: Path, *, cpu: CpuFeatures | None = None, fidelity: Fidelity = Fidelity()
    ) -> Int8BertEncoder:
        """Build from ``config.json``, ``model.safetensors`` and ``tokenizer.json``.

        ``cpu`` defaults to the running CPU's features (``CpuFeatures.detect()``).
        """
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = BertConfig.from_json(model_dir / "config.json")
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.no_padding()

        def batch(texts: Sequence[str]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
            return padded_batch([e.ids for e in tokenizer.encode_batch(list(texts))])

        return cls(
            config,
            load_file(str(model_dir / "model.safetensors")),
            batch(CALIBRATION),
            batch(FIDELITY_CHECK),
            cpu=cpu if cpu is not None else CpuFeatures.detect(),
            fidelity=fidelity,
        )

    def hidden_states(
        self, input_ids: npt.NDArray[np.integer], mask: npt.NDArray[np.integer]
    ) -> list[Array]:
        """Token states after the embeddings and after each layer, each (batch, length, hidden)."""
        if input_ids.shape[1] > self.config.max_position_embeddings:
            raise ValueError(f"sequence length {input_ids.shape[1]} exceeds the position table")
        feeds = {"ids": input_ids.astype(np.int32), "mask": mask.astype(np.int32)}
        return list(self._graph.run(None, feeds))


def _pooled_last(session: Any, ids: npt.NDArray[np.int32], mask: npt.NDArray[np.int32]) -> Array:
    """Mean-pooled last-layer states of one batch (the graph's last state output)."""
    names = [o.name for o in session.get_outputs() if o.name.startswith("state")]
    last = session.run([names[-1]], {"ids": ids, "mask": mask})[0]
    weights = mask[..., None].astype(np.float32)
    pooled: Array = (last * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return pooled


def _unit(rows: Array) -> Array:
    unit: Array = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    return unit


def has_int8_dot_product(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool | None:
    """Whether the CPU lists an int8 dot-product extension; None when it cannot be told."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    flags = {
        word
        for line in text.splitlines()
        if line.startswith(("flags", "Features"))
        for word in line.split(":", 1)[-1].split()
    }
    return any(flag in flags for flag in _VNNI_FLAGS)


def make_session(model: bytes) -> Any:
    """An onnxruntime CPU session for a serialised graph, one thread per ``run`` call."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def padded_batch(
    token_ids: Sequence[Sequence[int]],
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Token ids padded to the longest, and the attention mask, as the graph takes them."""
    width = max(len(ids) for ids in token_ids)
    ids = np.zeros((len(token_ids), width), dtype=np.int32)
    mask = np.zeros((len(token_ids), width), dtype=np.int32)
    for row, row_ids in enumerate(token_ids):
        ids[row, : len(row_ids)] = row_ids
        mask[row, : len(row_ids)] = 1
    return ids, mask


def activation_ranges(
    session: Any, ids: npt.NDArray[np.int32], mask: npt.NDArray[np.int32]
) -> dict[str, Array]:
    """Per-channel max |activation| at the input of every linear map (a ``probe`` graph's
    ``in:<map>`` outputs), over the tokens of one batch."""
    outputs = session.run(None, {"ids": ids, "mask": mask})
    names = [o.name for o in session.get_outputs()]
    keep = mask.reshape(-1) == 1
    ranges: dict[str, Array] = {}
    for name, value in zip(names, outputs, strict=True):
        if name.startswith("in:"):
            flat = np.abs(value.reshape(-1, value.shape[-1])[keep])
            ranges[name[3:]] = flat.max(axis=0).astype(np.float32)
    return ranges


class GraphBuilder:
    """Builds the encoder graph; the ``quantised`` maps of every layer become int8.

    ``ranges`` (from ``activation_ranges``) turn on SmoothQuant with strength ``smoothing``;
    without them the int8 maps take the activations as they come.  ``weights`` is the stored
    format of the quantised weights: ``signed`` int8, or ``unsigned`` uint8 around a zero point of
    128 (the same 255 levels, for CPUs without an int8 dot product; see the module docstring).
    """

    def __init__(
        self,
        config: BertConfig,
        weights: dict[str, np.ndarray],
        *,
        quantised: Sequence[str] = (),
        ranges: dict[str, Array] | None = None,
        smoothing: float = SMOOTHING,
        weights_format: WeightFormat = "signed",
    ) -> None:
        unknown = set(quantised) - set(MAPS)
        if unknown:
            raise ValueError(f"unknown linear maps {sorted(unknown)}; known: {ALL_MAPS}")
        self.config, self.w, self.ranges = config, weights, ranges
        self.quantised, self.smoothing = frozenset(quantised), smoothing
        self.weights_format = weights_format
        self.inits: list[Any] = []
        self.nodes: list[Any] = []
        self.probes: list[tuple[str, str]] = []

    def build(self, *, probe: bool = False) -> bytes:
        """The serialised model: outputs are the states after the embeddings and each layer,
        and with ``probe`` also the input of every linear map (named ``in:<map>``)."""
        from onnx import TensorProto, helper

        w = self.w
        segments = self._node("Mul", ["ids", self._init("zero", np.array(0, np.int32))], "seg")
        embed_inputs = [
            "ids",
            segments,
            *(
                self._init(name, w[f"embeddings.{name}"])
                for name in (
                    "word_embeddings.weight",
                    "position_embeddings.weight",
                    "token_type_embeddings.weight",
                    "LayerNorm.weight",
                    "LayerNorm.bias",
                )
            ),
            "mask",
        ]
        eps = self.config.layer_norm_eps
        self.nodes.append(
            helper.make_node(
                "EmbedLayerNormalization",
                embed_inputs,
                ["state0", "mask_index"],
                domain="com.microsoft",
                epsilon=eps,
            )
        )
        x, states = "state0", ["state0"]
        for i in range(self.config.num_hidden_layers):
            p = f"encoder.layer.{i}."
            q, k, v = (self._linear(x, p, i, m) for m in ("q", "k", "v"))
            attended = self._node(
                "MultiHeadAttention",
                [q, k, v, "", "mask"],
                f"l{i}.att",
                microsoft=True,
                num_heads=self.config.num_attention_heads,
            )
            o = self._linear(attended, p, i, "o")
            x = self._skip_norm(o, x, f"{p}attention.output.LayerNorm", f"l{i}.n1")
            inner = self._node("Gelu", [self._linear(x, p, i, "f")], f"l{i}.g", microsoft=True)
            out = self._linear(inner, p, i, "f2")
            x = self._skip_norm(out, x, f"{p}output.LayerNorm", f"state{i + 1}")
            states.append(x)
        outputs = [helper.make_tensor_value_info(s, TensorProto.FLOAT, None) for s in states]
        if probe:
            for key, source in self.probes:
                self.nodes.append(helper.make_node("Identity", [source], [f"in:{key}"]))
                outputs.append(helper.make_tensor_value_info(f"in:{key}", TensorProto.FLOAT, None))
        inputs = [
            helper.make_tensor_value_info(n, TensorProto.INT32, ["batch", "length"])
            for n in ("ids", "mask")
        ]
        graph = helper.make_graph(self.nodes, "minilm", inputs, outputs, self.inits)
        opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
        return bytes(helper.make_model(graph, opset_imports=opsets).SerializeToString())

    def _init(self, name: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def _node(
        self, op: str, inputs: list[str], output: str, microsoft: bool = False, **attrs: Any
    ) -> str:
        from onnx import helper

        domain = "com.microsoft" if microsoft else ""
        self.nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attrs))
        return output

    def _linear(self, x: str, prefix: str, layer: int, kind: str) -> str:
        key = f"l{layer}.{kind}"
        self.probes.append((key, x))
        source = f"{prefix}{MAPS[kind]}"
        weight = self.w[f"{source}.weight"].T.astype(np.float32)  # (in, out)
        bias = self._init(f"{key}.b", self.w[f"{source}.bias"].astype(np.float32))
        if kind not in self.quantised:
            product = self._node("MatMul", [x, self._init(f"{key}.w", weight)], f"{key}.mm")
            return self._node("Add", [product, bias], f"{key}.y")
        if self.ranges is not None:
            # SmoothQuant: divide the input's outlier channels down, multiply the weights up
            alpha = self.smoothing
            act = np.maximum(self.ranges[key], 1e-5)
            smooth = act**alpha / np.maximum(np.abs(weight).max(axis=1), 1e-5) ** (1 - alpha)
            inverse = self._init(f"{key}.inv", (1 / smooth).astype(np.float32))
            x = self._node("Mul", [x, inverse], f"{key}.xs")
            weight = weight * smooth[:, None]
        scale = np.maximum(np.abs(weight).max(axis=0), 1e-8) / 127.0
        levels = np.clip(np.round(weight / scale), -127, 127)
        zero_point = ""
        if self.weights_format == "unsigned":
            quantised = (levels + 128).astype(np.uint8)
            zero_point = self._init(f"{key}.z", np.full(weight.shape[1], 128, np.uint8))
        else:
            quantised = levels.astype(np.int8)
        inputs = [
            x,
            self._init(f"{key}.q", quantised),
            self._init(f"{key}.s", scale.astype(np.float32)),
            zero_point,
            bias,
        ]
        return self._node("DynamicQuantizeMatMul", inputs, f"{key}.y", microsoft=True)

    def _skip_norm(self, y: str, skip: str, prefix: str, output: str) -> str:
        inputs = [
            y,
            skip,
            self._init(f"{output}.gamma", self.w[f"{prefix}.weight"]),
            self._init(f"{output}.beta", self.w[f"{prefix}.bias"]),
        ]
        return self._node(
            "SkipLayerNormalization",
            inputs,
            output,
            microsoft=True,
            epsilon=self.config.layer_norm_eps,
        )
