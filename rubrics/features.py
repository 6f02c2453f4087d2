"""Feature vectors for the trained technique heads: sentence embeddings plus hand features.

Must stay true: training (``rubrics.training``) and inference (``rubrics.detector``) build features
only through these functions, so the column order is defined in exactly one place.  Changing a
hand feature changes ``FEATURE_VERSION`` and requires retraining the shipped weights.

A coach turn's features come in named blocks (``COACH_BLOCKS``): its own embedding, the
mean-pooled states of several encoder layers of the same turn (``turn_layers``, from the same
forward pass: ``MiniLMEmbedder.embed_with_layers``), the embedding of the client's previous turn,
the embedding of the client's next turn (known only when a whole transcript is labelled) and the
hand features.  Each head names the blocks it reads, in order
(``heads.json`` → ``inputs``), and ``coach_inputs`` concatenates them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from rubrics.detection_client import ClientCues
from rubrics.detection_rules import CoachCues
from rubrics.detection_text import normalise, sentences

_FIRST_PERSON = frozenset(["i", "i'm", "i've", "i'd", "my", "me"])
_WE = frozenset(["we", "we're", "us", "our"])
_CAN_HELP = re.compile(r"\b(can|could|might|may) (help|be)\b")
_OTHER_PEOPLE = re.compile(r"\b(a lot of|some|many|other) people\b")

FEATURE_VERSION = 3

# Encoder layers (0 = embedding output, 6 = last) whose mean-pooled states form ``turn_layers``;
# chosen on the tuning split (docs/rubric-engine-accuracy.md).
TURN_LAYERS: tuple[int, ...] = (3, 4, 5, 6)
COACH_BLOCKS: tuple[str, ...] = ("turn", "turn_layers", "previous_client", "next_client", "hand")
# Blocks a head may read when one coach turn is labelled live (the future is unknown then).
LIVE_BLOCKS: frozenset[str] = frozenset(["turn", "turn_layers", "previous_client", "hand"])

COACH_HAND_FEATURES: tuple[str, ...] = (
    "question_mark",
    "n_questions",
    "first_question_open",
    "first_question_closed",
    "log_words",
    "overlap_previous_client",
    "has_previous_client",
    "you_start",
    "i_start",
    "backchannel",
    "permission",
    "structuring",
    "advice",
    "information",
    "affirmation",
    "reflection",
    "summary",
    "complex_marker",
    "first_person_rate",
    "second_person_rate",
    "we_rate",
    "sentences",
    "has_digit",
    "if_you",
    "can_help",
    "other_people",
)
CLIENT_HAND_FEATURES: tuple[str, ...] = (
    "question_mark",
    "log_words",
    "commitment",
    "has_when",
    "change_hits",
    "sustain_hits",
)


def _first_word(text: str) -> str:
    parts = text.lower().lstrip(" -,.").split(maxsplit=1)
    return parts[0].strip(",.?!") if parts else ""


def coach_hand_features(cues: CoachCues, previous_client: str | None) -> np.ndarray:
    """Hand features for one coach turn, in ``COACH_HAND_FEATURES`` order."""
    kinds = cues.question_kinds
    first = _first_word(cues.text)
    norm = normalise(cues.text)
    tokens = norm.split()
    n = max(len(tokens), 1)
    values = (
        float("?" in cues.text),
        float(min(len(kinds), 4)),
        float(bool(kinds) and kinds[0] == "open"),
        float(bool(kinds) and kinds[0] == "closed"),
        math.log1p(cues.n_words),
        cues.overlap,
        float(bool(previous_client)),
        float(first.startswith("you")),
        float(first in ("i", "i'm", "i've", "i'd", "my")),
        float(cues.backchannel),
        float(cues.permission),
        float(cues.structuring),
        float(cues.advice),
        float(cues.information),
        float(cues.affirmation),
        float(cues.reflection),
        float(cues.summary),
        float(cues.complex_marker),
        sum(t in _FIRST_PERSON for t in tokens) / n,
        sum(t.startswith("you") for t in tokens) / n,
        sum(t in _WE for t in tokens) / n,
        float(len(sentences(cues.text))),
        float(bool(re.search(r"\d", norm))),
        float(" if you " in f" {norm} "),
        float(bool(_CAN_HELP.search(norm))),
        float(bool(_OTHER_PEOPLE.search(norm))),
    )
    return np.asarray(values, dtype=np.float32)


def client_hand_features(text: str, cues: ClientCues) -> np.ndarray:
    """Hand features for one client turn, in ``CLIENT_HAND_FEATURES`` order."""
    n_words = len(text.split())
    values = (
        float("?" in text),
        math.log1p(n_words),
        float(cues.commitment),
        float(cues.has_when),
        float(min(cues.change_hits, 3)),
        float(min(cues.sustain_hits, 3)),
    )
    return np.asarray(values, dtype=np.float32)


def coach_inputs(blocks: Mapping[str, np.ndarray], names: Sequence[str]) -> np.ndarray:
    """Concatenate the named coach blocks (each ``(n, k)``) in ``names`` order."""
    unknown = [n for n in names if n not in COACH_BLOCKS]
    if unknown:
        raise ValueError(f"unknown coach feature blocks {unknown}; known: {COACH_BLOCKS}")
    return stack(*(blocks[n] for n in names))


def stack(*blocks: np.ndarray) -> np.ndarray:
    """Concatenate per-turn blocks (each ``(n, k)``) into one float32 feature matrix."""
    return np.concatenate([np.asarray(b, dtype=np.float32) for b in blocks], axis=1)
