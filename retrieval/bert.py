"""A numpy forward pass of a BERT encoder with mean pooling (inference only).

What must stay true:
- outputs match the PyTorch/HF ``BertModel`` + sentence-transformers mean pooling to float32
  rounding (tests/retrieval/test_minilm.py checks this against stored reference vectors);
- no torch, no network: weights come from a local ``model.safetensors`` and ``config.json``;
- the encoder is immutable after construction, so one instance may serve many threads.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file

Array = npt.NDArray[np.float32]

# erfc(z) ≈ t·P(t)·exp(-z²) with t = 1/(1 + p·z), for z >= 0. P is our own least-squares
# Chebyshev fit of erfc(z)·exp(z²)/t on z in [0, 10] (beyond that erfc underflows float32).
# Max abs error of the approximation is ~3.4e-8 in float64; float32 evaluation adds ~3e-7,
# which is float32 rounding, the same order as torch's own erf.
_ERFC_P = 0.3275
_ERFC_COEFFS = (
    0.1850159639583332,
    0.1804489829239168,
    0.2073413138867314,
    0.02023365770848954,
    0.4635212181711018,
    -0.41765558517021273,
    0.5038745024909036,
    -0.14278008060926728,
)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
# Elementwise passes over a whole (tokens, 1536) activation are memory-bound; doing GELU in
# chunks of 32k float32 (128 KiB per buffer) keeps its ~25 passes in L2 cache: ~2x faster.
_CHUNK = 32_768


def _erfc_into(
    z: npt.NDArray[np.floating], scratch: npt.NDArray[np.floating], out: npt.NDArray[np.floating]
) -> None:
    dtype = z.dtype.type
    t = scratch
    np.multiply(z, dtype(_ERFC_P), out=t)
    t += dtype(1.0)
    np.reciprocal(t, out=t)
    np.multiply(t, dtype(_ERFC_COEFFS[-1]), out=out)
    out += dtype(_ERFC_COEFFS[-2])
    for coeff in reversed(_ERFC_COEFFS[:-2]):
        out *= t
        out += dtype(coeff)
    out *= t
    np.multiply(z, z, out=scratch)
    np.negative(scratch, out=scratch)
    np.exp(scratch, out=scratch)
    out *= scratch


def erfc_nonnegative(z: npt.NDArray[np.floating]) -> npt.NDArray[np.floating]:
    """Return erfc(z) for z >= 0, elementwise, in z's dtype."""
    out = np.empty_like(z)
    _erfc_into(z, np.empty_like(z), out)
    return out


def gelu(x: npt.NDArray[np.floating]) -> npt.NDArray[np.floating]:
    """Return the exact (erf-based) GELU of x, elementwise, in x's dtype."""
    # x·Φ(x) == max(x, 0) - |x|·erfc(|x|/√2)/2: one erfc on |x|, no branch on the sign.
    dtype = x.dtype.type
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    size = min(_CHUNK, flat.size)
    half_abs, scratch, tail = (np.empty(size, dtype=flat.dtype) for _ in range(3))
    for start in range(0, flat.size, _CHUNK):
        chunk = flat[start : start + _CHUNK]
        n = chunk.size
        a, s, e, o = half_abs[:n], scratch[:n], tail[:n], out[start : start + n]
        np.abs(chunk, out=a)
        a *= dtype(_INV_SQRT2)
        _erfc_into(a, s, e)
        a *= dtype(0.5 / _INV_SQRT2)  # back to |x| / 2
        a *= e
        np.maximum(chunk, dtype(0), out=o)
        o -= a
    return out.reshape(x.shape)


@dataclass(frozen=True)
class BertConfig:
    """The few BertConfig fields a forward pass needs."""

    hidden_size: int
    num_attention_heads: int
    num_hidden_layers: int
    layer_norm_eps: float
    max_position_embeddings: int

    @classmethod
    def from_json(cls, path: Path) -> BertConfig:
        """Read an HF ``config.json``."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            hidden_size=int(raw["hidden_size"]),
            num_attention_heads=int(raw["num_attention_heads"]),
            num_hidden_layers=int(raw["num_hidden_layers"]),
            layer_norm_eps=float(raw["layer_norm_eps"]),
            max_position_embeddings=int(raw["max_position_embeddings"]),
        )


@dataclass(frozen=True)
class _Layer:
    qkv_w: Array  # (hidden, 3·hidden): query (pre-scaled), key, value side by side
    qkv_b: Array
    attn_out_w: Array
    attn_out_b: Array
    attn_norm: tuple[Array, Array]
    ff_in_w: Array
    ff_in_b: Array
    ff_out_w: Array
    ff_out_b: Array
    ff_norm: tuple[Array, Array]


def _mean(states: Array, mask: npt.NDArray[np.integer]) -> Array:
    weights = mask.astype(np.float32)[:, :, None]
    summed = (states * weights).sum(axis=1)
    return summed / np.maximum(weights.sum(axis=1), np.float32(1e-9))


def _layer_norm(x: Array, norm: tuple[Array, Array], eps: float) -> Array:
    centred = x - x.mean(axis=-1, keepdims=True)
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    centred /= np.sqrt(variance + np.float32(eps))
    centred *= norm[0]
    centred += norm[1]
    return centred


class MeanPooling(ABC):
    """Mean-pooled outputs for any encoder with ``hidden_states`` (float32 or int8)."""

    @abstractmethod
    def hidden_states(
        self, input_ids: npt.NDArray[np.integer], mask: npt.NDArray[np.integer]
    ) -> list[Array]:
        """Token states after the embeddings and after each layer, each (batch, length, hidden)."""

    def mean_pooled(
        self, input_ids: npt.NDArray[np.integer], mask: npt.NDArray[np.integer]
    ) -> Array:
        """Return mask-weighted mean token states, shape (batch, hidden); not normalised."""
        return _mean(self.hidden_states(input_ids, mask)[-1], mask)

    def pooled_layers(
        self,
        input_ids: npt.NDArray[np.integer],
        mask: npt.NDArray[np.integer],
        layers: Sequence[int],
    ) -> tuple[Array, Array]:
        """One pass: ``mean_pooled``'s output and the mean-pooled states of ``layers``.

        Layer 0 is the embedding output and layer ``num_hidden_layers`` the last; the second
        array has shape (batch, len(layers), hidden).
        """
        states = self.hidden_states(input_ids, mask)
        pooled = np.stack([_mean(states[i], mask) for i in layers], axis=1)
        return _mean(states[-1], mask), pooled


class BertEncoder(MeanPooling):
    """BERT encoder weights plus a mean-pooled forward pass."""

    def __init__(self, config: BertConfig, weights: dict[str, npt.NDArray[np.generic]]) -> None:
        self.config = config
        f32 = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()}
        self._word = f32["embeddings.word_embeddings.weight"]
        self._position = f32["embeddings.position_embeddings.weight"]
        self._token_type0 = f32["embeddings.token_type_embeddings.weight"][0]
        self._embed_norm = (
            f32["embeddings.LayerNorm.weight"],
            f32["embeddings.LayerNorm.bias"],
        )
        head_dim = config.hidden_size // config.num_attention_heads
        scale = np.float32(1.0 / math.sqrt(head_dim))
        self._layers = [
            self._build_layer(f32, f"encoder.layer.{i}.", scale)
            for i in range(config.num_hidden_layers)
        ]

    @classmethod
    def load(cls, model_dir: Path) -> BertEncoder:
        """Load ``config.json`` and ``model.safetensors`` from an HF model directory."""
        config = BertConfig.from_json(model_dir / "config.json")
        return cls(config, load_file(str(model_dir / "model.safetensors")))

    @staticmethod
    def _build_layer(w: dict[str, Array], prefix: str, scale: np.float32) -> _Layer:
        def linear(name: str) -> tuple[Array, Array]:
            # torch stores (out, in); keep (in, out) contiguous so x @ W is one plain GEMM.
            weight = w[f"{prefix}{name}.weight"]
            return np.ascontiguousarray(weight.T), w[f"{prefix}{name}.bias"]

        q_w, q_b = linear("attention.self.query")
        k_w, k_b = linear("attention.self.key")
        v_w, v_b = linear("attention.self.value")
        out_w, out_b = linear("attention.output.dense")
        in_w, in_b = linear("intermediate.dense")
        ff_w, ff_b = linear("output.dense")
        return _Layer(
            qkv_w=np.ascontiguousarray(np.concatenate([q_w * scale, k_w, v_w], axis=1)),
            qkv_b=np.concatenate([q_b * scale, k_b, v_b]),
            attn_out_w=out_w,
            attn_out_b=out_b,
            attn_norm=(
                w[f"{prefix}attention.output.LayerNorm.weight"],
                w[f"{prefix}attention.output.LayerNorm.bias"],
            ),
            ff_in_w=in_w,
            ff_in_b=in_b,
            ff_out_w=ff_w,
            ff_out_b=ff_b,
            ff_norm=(w[f"{prefix}output.LayerNorm.weight"], w[f"{prefix}output.LayerNorm.bias"]),
        )

    def hidden_states(
        self, input_ids: npt.NDArray[np.integer], mask: npt.NDArray[np.integer]
    ) -> list[Array]:
        """Token states after the embeddings and after each layer, each (batch, length, hidden)."""
        batch, length = input_ids.shape
        if length > self.config.max_position_embeddings:
            raise ValueError(f"sequence length {length} exceeds the model's position table")
        hidden = self.config.hidden_size
        x = self._word[input_ids] + self._position[:length] + self._token_type0
        x = _layer_norm(x.reshape(batch * length, hidden), self._embed_norm, self._eps)
        states = [x.reshape(batch, length, hidden)]
        # HF adds finfo.min on padded keys; exp() of it is exactly 0 after max-subtraction.
        key_bias = (1.0 - mask.astype(np.float32))[:, None, None, :] * np.finfo(np.float32).min
        for layer in self._layers:
            x = self._layer_forward(layer, x, key_bias, batch, length)
            states.append(x.reshape(batch, length, hidden))
        return states

    @property
    def _eps(self) -> float:
        return self.config.layer_norm_eps

    def _layer_forward(
        self, layer: _Layer, x: Array, key_bias: Array, batch: int, length: int
    ) -> Array:
        heads = self.config.num_attention_heads
        head_dim = self.config.hidden_size // heads
        qkv = x @ layer.qkv_w
        qkv += layer.qkv_b
        q, k, v = qkv.reshape(batch, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2)  # (batch, heads, length, length)
        scores += key_bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, -1)
        attended = context @ layer.attn_out_w
        attended += layer.attn_out_b
        attended += x
        x = _layer_norm(attended, layer.attn_norm, self._eps)
        inner = x @ layer.ff_in_w
        inner += layer.ff_in_b
        out = gelu(inner) @ layer.ff_out_w
        out += layer.ff_out_b
        out += x
        return _layer_norm(out, layer.ff_norm, self._eps)
