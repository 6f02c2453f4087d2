"""Numpy inference for the trained technique heads (softmax regressions), and their file format.

Must stay true: inference needs numpy only (scikit-learn is a training-time dependency).  A head is
``softmax(((x - mean) / scale) @ weight + bias)``; the weights directory holds one ``heads.npz``
(arrays named ``<head>.weight`` etc.) and one ``heads.json`` (class names, the feature blocks each
head reads, the encoder layers whose pooled states the ``turn_layers`` block holds, the embedder
the heads were trained with, and the training record).  Files are loaded
once per detector.  Heads whose name ends in ``TRANSCRIPT_SUFFIX`` (``main@transcript``) read
context only known for a whole transcript and are used by ``label_transcript`` only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

WEIGHTS_DIR = Path(__file__).parent / "weights"
# heads for the default embedder sit in WEIGHTS_DIR, heads for another one in a folder named so
DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"


def weights_dir_for(embedder_name: str | None) -> Path:
    """Where the heads trained for the embedder called ``embedder_name`` are kept."""
    if not embedder_name or embedder_name == DEFAULT_EMBEDDER:
        return WEIGHTS_DIR
    return WEIGHTS_DIR / embedder_name


_NPZ = "heads.npz"
_JSON = "heads.json"
TRANSCRIPT_SUFFIX = "@transcript"
_LEGACY_COACH_INPUTS = ("turn", "previous_client", "hand")


@dataclass(frozen=True)
class SoftmaxHead:
    """One multinomial logistic-regression head with its input standardisation folded in."""

    classes: tuple[str, ...]
    weight: np.ndarray
    bias: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities, shape ``(n, len(classes))``."""
        z = ((features - self.mean) / self.scale) @ self.weight + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, features: np.ndarray) -> list[str]:
        """Most probable class name per row."""
        return [self.classes[i] for i in self.predict_proba(features).argmax(axis=1)]


@dataclass(frozen=True)
class TechniqueModel:
    """The set of heads the detector uses, plus metadata about how they were trained."""

    heads: dict[str, SoftmaxHead]
    metadata: dict[str, Any] = field(default_factory=dict)

    def inputs(self, head: str) -> tuple[str, ...]:
        """The coach feature blocks ``head`` reads, in order (see ``rubrics.features``)."""
        named = self.metadata.get("inputs", {}).get(head)
        return tuple(named) if named else _LEGACY_COACH_INPUTS

    def transcript_head(self, head: str) -> str:
        """The whole-transcript variant of ``head`` if the model has one, else ``head`` itself."""
        name = head + TRANSCRIPT_SUFFIX
        return name if name in self.heads else head

    @property
    def embedding_dimension(self) -> int:
        """Dimension of the sentence embedding the heads expect."""
        return int(self.metadata["embedding_dimension"])

    def save(self, directory: Path) -> None:
        """Write ``heads.npz`` and ``heads.json`` into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        classes: dict[str, list[str]] = {}
        for name, head in self.heads.items():
            classes[name] = list(head.classes)
            for part in ("weight", "bias", "mean", "scale"):
                arrays[f"{name}.{part}"] = np.asarray(getattr(head, part), dtype=np.float32)
        np.savez_compressed(directory / _NPZ, **arrays)
        meta = {**self.metadata, "classes": classes}
        (directory / _JSON).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, directory: Path = WEIGHTS_DIR) -> TechniqueModel:
        """Read a model written by ``save``; raises FileNotFoundError with the path if absent."""
        npz_path, json_path = directory / _NPZ, directory / _JSON
        if not npz_path.is_file() or not json_path.is_file():
            raise FileNotFoundError(f"no technique weights in {directory} (need {_NPZ}, {_JSON})")
        meta = json.loads(json_path.read_text())
        heads: dict[str, SoftmaxHead] = {}
        with np.load(npz_path) as arrays:
            for name, names in meta["classes"].items():
                heads[name] = SoftmaxHead(
                    classes=tuple(names),
                    weight=arrays[f"{name}.weight"],
                    bias=arrays[f"{name}.bias"],
                    mean=arrays[f"{name}.mean"],
                    scale=arrays[f"{name}.scale"],
                )
        return cls(heads=heads, metadata=meta)
