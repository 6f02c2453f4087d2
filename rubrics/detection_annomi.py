"""Reading the AnnoMI dataset (Wu et al., 2022) for training and evaluating technique detection.

Must stay true: the data is read from where it lives (``annomi-dev``), never copied into the
repository; embeddings computed for it may be cached under a temporary directory only.  Main
behaviours come from ``AnnoMI-simple.csv`` (one label per utterance); subtypes from
``AnnoMI-full.csv`` by majority over annotators (ties broken alphabetically, for determinism).
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rubrics.consensus import majority
from rubrics.embedding import SentenceEmbedder

MAIN_BEHAVIOURS: tuple[str, ...] = ("question", "reflection", "therapist_input", "other")
TALK_TYPES: tuple[str, ...] = ("change", "neutral", "sustain")
ENV_DATA_DIR = "COACHLAB_ANNOMI_DIR"


@dataclass(frozen=True, slots=True)
class AnnomiUtterance:
    """One utterance with its expert labels, the client's last turn before it and next after it."""

    transcript_id: int
    utterance_id: int
    mi_quality: str
    speaker: str  # "coach" (AnnoMI's therapist) or "client"
    text: str
    previous_client: str | None
    main: str | None
    talk_type: str | None
    question_subtype: str | None
    reflection_subtype: str | None
    input_subtype: str | None
    next_client: str | None = None  # first client turn after a coach turn (transcript context)
    kind: str | None = None  # typed gold only: affirmation/permission/structuring/other


def default_data_dir() -> Path:
    """``$COACHLAB_ANNOMI_DIR`` or ``../shared/data/annomi-dev`` relative to the repository."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "annomi-dev"


def _majority(values: list[str]) -> str | None:
    given = [v for v in values if v and v != "nan"]
    return majority(given) if given else None


def _subtypes(path: Path) -> dict[tuple[int, int], dict[str, str | None]]:
    raw: dict[tuple[int, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (int(row["transcript_id"]), int(row["utterance_id"]))
            for column in ("question_subtype", "reflection_subtype", "therapist_input_subtype"):
                raw[key][column].append(row[column])
    return {key: {col: _majority(vals) for col, vals in cols.items()} for key, cols in raw.items()}


def load_annomi(data_dir: Path) -> list[AnnomiUtterance]:
    """Read every utterance in transcript order; raises FileNotFoundError if files are absent."""
    simple_path, full_path = data_dir / "AnnoMI-simple.csv", data_dir / "AnnoMI-full.csv"
    for path in (simple_path, full_path):
        if not path.is_file():
            raise FileNotFoundError(f"AnnoMI file not found: {path}")
    subtypes = _subtypes(full_path)
    with simple_path.open(newline="", encoding="utf-8") as handle:
        rows = sorted(
            csv.DictReader(handle), key=lambda r: (int(r["transcript_id"]), int(r["utterance_id"]))
        )
    out: list[AnnomiUtterance] = []
    last_client: dict[int, str] = {}
    for row in rows:
        tid, uid = int(row["transcript_id"]), int(row["utterance_id"])
        is_coach = row["interlocutor"] == "therapist"
        sub = subtypes.get((tid, uid), {})
        out.append(
            AnnomiUtterance(
                transcript_id=tid,
                utterance_id=uid,
                mi_quality=row["mi_quality"],
                speaker="coach" if is_coach else "client",
                text=row["utterance_text"],
                previous_client=last_client.get(tid) if is_coach else None,
                main=row["main_therapist_behaviour"] if is_coach else None,
                talk_type=None if is_coach else row["client_talk_type"],
                question_subtype=sub.get("question_subtype"),
                reflection_subtype=sub.get("reflection_subtype"),
                input_subtype=sub.get("therapist_input_subtype"),
            )
        )
        if not is_coach:
            last_client[tid] = row["utterance_text"]
    return _with_next_client(out)


def load_annotator_votes(
    data_dir: Path, minimum: int = 3
) -> dict[tuple[int, int], tuple[str, ...]]:
    """Each annotator's main behaviour for therapist utterances labelled by ``minimum`` or more.

    Keys are (transcript id, utterance id); votes are ordered by annotator id.  In annomi-dev
    these are the 216 utterances of the seven transcripts every annotator labelled.
    """
    votes: dict[tuple[int, int], dict[str, str]] = defaultdict(dict)
    with (data_dir / "AnnoMI-full.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            label = row["main_therapist_behaviour"]
            if row["interlocutor"] == "therapist" and label in MAIN_BEHAVIOURS:
                key = (int(row["transcript_id"]), int(row["utterance_id"]))
                votes[key][row["annotator_id"]] = label
    return {
        key: tuple(by[a] for a in sorted(by, key=int))
        for key, by in votes.items()
        if len(by) >= minimum
    }


def _with_next_client(utterances: list[AnnomiUtterance]) -> list[AnnomiUtterance]:
    """Give each coach utterance the first client utterance after it in the same transcript."""
    out = list(utterances)
    following: dict[int, str] = {}
    for i in range(len(out) - 1, -1, -1):
        u = out[i]
        if u.speaker == "client":
            following[u.transcript_id] = u.text
        else:
            out[i] = replace(u, next_client=following.get(u.transcript_id))
    return out


def cache_dir() -> Path:
    """Where dataset embeddings are cached: a temporary directory, never the repository."""
    return Path(tempfile.gettempdir()) / "coachlab-annomi-embeddings"


def _cache_path(
    embedder: SentenceEmbedder, unique: Sequence[str], directory: Path | None, kind: str = ""
) -> Path:
    name = getattr(embedder, "name", type(embedder).__name__)
    digest = hashlib.sha256("\x00".join(unique).encode("utf-8")).hexdigest()[:16]
    return (directory or cache_dir()) / f"{name}-{embedder.dimension}{kind}-{digest}.npy"


def _save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, array)


def embed_cached(
    embedder: SentenceEmbedder, texts: Sequence[str], *, directory: Path | None = None
) -> dict[str, np.ndarray]:
    """Embed each distinct text once, reusing a cache file keyed by embedder and text set."""
    unique = sorted(set(texts))
    path = _cache_path(embedder, unique, directory)
    if path.is_file():
        vectors = np.load(path)
    else:
        vectors = np.asarray(embedder.embed(unique), dtype=np.float32)
        _save(path, vectors)
    return dict(zip(unique, vectors, strict=True))


def layers_cached(
    embedder: SentenceEmbedder,
    texts: Sequence[str],
    layers: Sequence[int],
    *,
    directory: Path | None = None,
) -> dict[str, np.ndarray] | None:
    """Pooled layer states per distinct text (``embed_with_layers``), cached like ``embed_cached``.

    None when the embedder has no ``embed_with_layers``.  Computing them also fills the
    ``embed_cached`` file, since the same forward pass gives the sentence embeddings.
    """
    embed_with_layers = getattr(embedder, "embed_with_layers", None)
    if embed_with_layers is None:
        return None
    unique = sorted(set(texts))
    kind = "-layers" + "".join(str(i) for i in layers)
    path = _cache_path(embedder, unique, directory, kind)
    if path.is_file():
        pooled = np.load(path)
    else:
        vectors, pooled = embed_with_layers(unique, tuple(layers))
        pooled = np.asarray(pooled, dtype=np.float32)
        _save(path, pooled)
        plain = _cache_path(embedder, unique, directory)
        if not plain.is_file():
            _save(plain, np.asarray(vectors, dtype=np.float32))
    return dict(zip(unique, pooled, strict=True))
