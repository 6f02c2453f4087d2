"""Train the technique heads on AnnoMI and export them as numpy arrays (needs scikit-learn).

Run: ``python -m rubrics.training ../shared/data/annomi-dev --out rubrics/weights``.

Must stay true: training is reproducible (fixed solver, no random state that matters, sorted data)
and builds features only through ``rubrics.features`` and ``rubrics.detection_rules``, exactly as
the detector does at inference.  scikit-learn is imported here and in evaluation only, never by the
runtime detector.  Dataset embeddings are cached under the temp directory, never in the repo.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from rubrics.classifier import TRANSCRIPT_SUFFIX, SoftmaxHead, TechniqueModel, weights_dir_for
from rubrics.detection_annomi import (
    MAIN_BEHAVIOURS,
    AnnomiUtterance,
    default_data_dir,
    embed_cached,
    layers_cached,
    load_annomi,
)
from rubrics.detection_client import read_client
from rubrics.detection_rules import read_cues
from rubrics.detection_text import speech_style
from rubrics.embedding import SentenceEmbedder
from rubrics.features import (
    CLIENT_HAND_FEATURES,
    COACH_HAND_FEATURES,
    FEATURE_VERSION,
    LIVE_BLOCKS,
    TURN_LAYERS,
    client_hand_features,
    coach_hand_features,
    coach_inputs,
    stack,
)
from rubrics.gold import GOLD_FILE, KINDS, load_gold, training_utterances

# Inverse L2 strength per head, chosen by transcript-grouped 5-fold CV on annomi-dev (see
# docs/rubric-engine-accuracy.md for which were tuned and on which split); strong regularisation
# wins with ~800 features and ~4k turns.
TRANSCRIPT_MAIN = f"main{TRANSCRIPT_SUFFIX}"
DEFAULT_C: dict[str, float] = {
    "main": 0.0005,
    TRANSCRIPT_MAIN: 0.0005,
    "question": 0.002,
    "reflection": 0.0005,
    "input": 0.01,
    "kind": 0.002,
    "client": 0.002,
}
# Each typed gold item counts this many times an AnnoMI utterance: typed turns are what learners
# send, and there are fewer of them (chosen on the typed train split; see
# docs/rubric-engine-accuracy.md).
TYPED_WEIGHT = 2.0
# Heads trained with class weights inversely proportional to class frequency (macro-F1 rewards
# the rarer therapist-input class; unweighted, its recall was 0.42).
BALANCED: frozenset[str] = frozenset(["main", TRANSCRIPT_MAIN])
# The coach feature blocks each head reads (rubrics.features.COACH_BLOCKS).  Live heads may only
# read LIVE_BLOCKS.  The optional ``main@transcript`` head also sees the client's next turn and
# would be used only by TechniqueDetector.label_transcript; it is trained with
# ``--transcript-head`` but not shipped: it did not measurably help (docs/rubric-engine-accuracy.md)
# and without it live labels and whole-transcript labels are identical.  The main heads read the
# turn's pooled layer states (``turn_layers``) instead of its sentence embedding: +0.02 macro-F1 on
# the tuning split; the subtype heads keep the sentence embedding.  With an embedder that has no
# ``embed_with_layers`` (the hashing embedder in tests) they fall back to ``turn``.
LIVE_INPUTS: tuple[str, ...] = ("turn", "previous_client", "hand")
HEAD_INPUTS: dict[str, tuple[str, ...]] = {
    "main": ("turn_layers", "previous_client", "hand"),
    TRANSCRIPT_MAIN: ("turn_layers", "previous_client", "next_client", "hand"),
    "question": LIVE_INPUTS,
    "reflection": LIVE_INPUTS,
    "input": LIVE_INPUTS,
    "kind": LIVE_INPUTS,
}
assert all(
    set(inputs) <= LIVE_BLOCKS
    for name, inputs in HEAD_INPUTS.items()
    if not name.endswith(TRANSCRIPT_SUFFIX)
), "live heads must not read transcript-only context"
Vectors = dict[str, np.ndarray]


def head_inputs(name: str, with_layers: bool) -> tuple[str, ...]:
    """The blocks head ``name`` reads; ``turn`` stands in for ``turn_layers`` without layers."""
    inputs = HEAD_INPUTS[name]
    return inputs if with_layers else tuple("turn" if b == "turn_layers" else b for b in inputs)


def _main(u: AnnomiUtterance) -> str | None:
    return u.main


# head name -> (label getter over coach utterances, allowed classes)
_COACH_HEADS: dict[str, tuple[Callable[[AnnomiUtterance], str | None], tuple[str, ...]]] = {
    "main": (_main, MAIN_BEHAVIOURS),
    TRANSCRIPT_MAIN: (_main, MAIN_BEHAVIOURS),
    "question": (
        lambda u: u.question_subtype if u.main == "question" else None,
        ("closed", "open"),
    ),
    "reflection": (
        lambda u: u.reflection_subtype if u.main == "reflection" else None,
        ("complex", "simple"),
    ),
    "input": (
        lambda u: u.input_subtype if u.main == "therapist_input" else None,
        ("advice", "information"),
    ),
    # what kind of "other" a typed turn is (AnnoMI does not say, so only typed items train it)
    "kind": (lambda u: u.kind, KINDS),
}


def with_speech_style(utterances: Sequence[AnnomiUtterance]) -> list[AnnomiUtterance]:
    """The utterances plus lowercase, unpunctuated copies, so heads do not lean on punctuation."""
    copies = [
        replace(
            u,
            text=speech_style(u.text),
            previous_client=speech_style(u.previous_client) if u.previous_client else None,
            next_client=speech_style(u.next_client) if u.next_client else None,
        )
        for u in utterances
    ]
    return [*utterances, *copies]


def training_texts(utterances: Sequence[AnnomiUtterance]) -> list[str]:
    """Every text training on ``utterances`` needs an embedding for (typed and speech style):
    the turns themselves and the client turns around them (a typed item's client turn may not be
    an utterance of its own)."""
    texts: dict[str, None] = {}
    for u in with_speech_style(utterances):
        texts[u.text] = None
        for context in (u.previous_client, u.next_client):
            if context:
                texts[context] = None
    return list(texts)


def coach_blocks(
    utterances: Sequence[AnnomiUtterance],
    vectors: Vectors,
    layer_vectors: Vectors | None = None,
) -> dict[str, np.ndarray]:
    """The coach feature blocks (``rubrics.features.COACH_BLOCKS``) for coach utterances.

    ``turn_layers`` is present only when ``layer_vectors`` (text -> pooled layer states) is given.
    """
    dim = len(next(iter(vectors.values())))
    zeros = np.zeros(dim, dtype=np.float32)

    def context(texts: Sequence[str | None]) -> np.ndarray:
        return np.stack([vectors[t] if t else zeros for t in texts])

    hand = np.stack(
        [
            coach_hand_features(read_cues(u.text, u.previous_client), u.previous_client)
            for u in utterances
        ]
    )
    blocks = {
        "turn": np.stack([vectors[u.text] for u in utterances]),
        "previous_client": context([u.previous_client for u in utterances]),
        "next_client": context([u.next_client for u in utterances]),
        "hand": hand,
    }
    if layer_vectors is not None:
        blocks["turn_layers"] = np.stack([layer_vectors[u.text] for u in utterances])
    return blocks


def coach_features(
    utterances: Sequence[AnnomiUtterance], vectors: Vectors, inputs: Sequence[str] = LIVE_INPUTS
) -> np.ndarray:
    """Feature matrix for coach utterances from the named blocks (live inputs by default)."""
    return coach_inputs(coach_blocks(utterances, vectors), inputs)


def client_features(utterances: Sequence[AnnomiUtterance], vectors: Vectors) -> np.ndarray:
    """Feature matrix for client utterances: own embedding and hand features."""
    own = np.stack([vectors[u.text] for u in utterances])
    hand = np.stack([client_hand_features(u.text, read_client(u.text)) for u in utterances])
    return stack(own, hand)


def fit_head(
    x: np.ndarray,
    y: Sequence[str],
    classes: tuple[str, ...],
    c: float,
    *,
    balanced: bool = False,
    weights: np.ndarray | None = None,
) -> SoftmaxHead:
    """Fit an L2 logistic regression (rows weighted by ``weights``) as a numpy softmax head."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    xs = (x - mean) / scale
    clf = LogisticRegression(
        C=c, max_iter=3000, tol=1e-5, class_weight="balanced" if balanced else None
    )
    clf.fit(xs, list(y), sample_weight=weights)
    order = [list(clf.classes_).index(name) for name in classes]
    if len(clf.classes_) == 2:
        # Binary sklearn models hold one logit for classes_[1]; as softmax that is [0, z].
        weight = np.zeros((x.shape[1], 2), dtype=np.float32)
        bias = np.zeros(2, dtype=np.float32)
        weight[:, 1], bias[1] = clf.coef_[0], clf.intercept_[0]
        weight, bias = weight[:, order], bias[order]
    else:
        weight = clf.coef_.T[:, order].astype(np.float32)
        bias = clf.intercept_[order].astype(np.float32)
    return SoftmaxHead(classes, weight, bias, mean.astype(np.float32), scale.astype(np.float32))


def train_model(
    utterances: Sequence[AnnomiUtterance],
    vectors: Vectors,
    *,
    c: dict[str, float] | None = None,
    metadata: dict[str, object] | None = None,
    transcript_head: bool = False,
    layer_vectors: Vectors | None = None,
) -> TechniqueModel:
    """Train every head; ``vectors`` (and ``layer_vectors``) must cover ``training_texts``.

    ``layer_vectors`` maps text -> pooled states of ``TURN_LAYERS`` (``layers_cached``); without
    it the main heads read the sentence embedding.  With ``transcript_head`` also train
    ``main@transcript`` (reads the client's next turn too).
    """
    strengths = {**DEFAULT_C, **(c or {})}
    augmented = with_speech_style(utterances)
    coach = [u for u in augmented if u.speaker == "coach" and u.main]
    client = [u for u in augmented if u.speaker == "client" and u.talk_type]
    blocks = coach_blocks(coach, vectors, layer_vectors)
    with_layers = layer_vectors is not None
    inputs = {name: head_inputs(name, with_layers) for name in HEAD_INPUTS}
    heads: dict[str, SoftmaxHead] = {}
    counts: dict[str, dict[str, int]] = {}
    names = [n for n in _COACH_HEADS if transcript_head or n != TRANSCRIPT_MAIN]
    weight = np.array([TYPED_WEIGHT if u.mi_quality == "typed" else 1.0 for u in coach])
    for name in names:
        get, classes = _COACH_HEADS[name]
        keep = [i for i, u in enumerate(coach) if get(u) in classes]
        if len({get(coach[i]) for i in keep}) < 2:
            continue  # no typed items: nothing to learn a "kind" from
        labels = [str(get(coach[i])) for i in keep]
        x = coach_inputs(blocks, inputs[name])[keep]
        heads[name] = fit_head(
            x, labels, classes, strengths[name], balanced=name in BALANCED, weights=weight[keep]
        )
        counts[name] = dict(sorted(Counter(labels).items()))
    talk = [str(u.talk_type) for u in client]
    x_client = client_features(client, vectors)
    client_weight = np.array([TYPED_WEIGHT if u.mi_quality == "typed" else 1.0 for u in client])
    heads["client"] = fit_head(
        x_client, talk, ("change", "neutral", "sustain"), strengths["client"], weights=client_weight
    )
    counts["client"] = dict(sorted(Counter(talk).items()))
    meta: dict[str, object] = {
        "embedding_dimension": int(blocks["turn"].shape[1]),
        "feature_version": FEATURE_VERSION,
        "inputs": {name: list(inputs[name]) for name in names if name in heads},
        "coach_hand_features": list(COACH_HAND_FEATURES),
        "client_features": ["embedding(turn)", *CLIENT_HAND_FEATURES],
        "C": {k: v for k, v in strengths.items() if k in heads},
        "class_weight": {name: "balanced" for name in sorted(BALANCED) if name in names},
        "training_counts": counts,
        **({"layers": list(TURN_LAYERS)} if with_layers else {}),
        "transcripts": len({u.transcript_id for u in utterances}),
        "augmentation": "each utterance also as lowercase unpunctuated text",
        **(metadata or {}),
    }
    return TechniqueModel(heads=heads, metadata=meta)


def embedder_choices() -> tuple[str, ...]:
    """The embedders heads can be trained and evaluated with (those that run offline)."""
    from retrieval.factory import OFFLINE_KINDS

    return OFFLINE_KINDS


def make_embedder(name: str) -> SentenceEmbedder:
    """Build the embedder the heads are trained with ("minilm", "minilm-int8", or "hashing" for
    quick runs), as the app's factory builds it."""
    from retrieval.factory import build_embedder

    return build_embedder(name)  # type: ignore[arg-type]  # argparse limits the choices


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: train on a data directory and write weights to ``--out``."""

    parser = argparse.ArgumentParser(prog="python -m rubrics.training", description=__doc__)
    parser.add_argument("data_dir", type=Path, nargs="?", default=default_data_dir())
    parser.add_argument(
        "--out", type=Path, default=None, help="default: where the detector looks for them"
    )
    parser.add_argument(
        "--c", type=float, default=None, help="one inverse L2 strength for all heads"
    )
    parser.add_argument("--embedder", choices=embedder_choices(), default="minilm")
    parser.add_argument(
        "--transcript-head",
        action="store_true",
        help="also train main@transcript (reads the next client turn; not shipped by default)",
    )
    parser.add_argument(
        "--gold",
        type=Path,
        default=GOLD_FILE,
        help="typed-coaching gold set: its train split is added (the test split never is)",
    )
    args = parser.parse_args(argv)
    utterances = load_annomi(args.data_dir)
    dataset = "AnnoMI (dev part)"
    if args.gold.is_file():
        typed = training_utterances(load_gold(args.gold))
        utterances = [*utterances, *typed]
        dataset += f" + {sum(u.speaker == 'coach' for u in typed)} typed gold train items"
    embedder = make_embedder(args.embedder)
    texts = training_texts(utterances)
    layer_vectors = layers_cached(embedder, texts, TURN_LAYERS)
    vectors = embed_cached(embedder, texts)
    model = train_model(
        utterances,
        vectors,
        layer_vectors=layer_vectors,
        c=dict.fromkeys(DEFAULT_C, args.c) if args.c else None,
        metadata={
            "embedder": getattr(embedder, "name", args.embedder),
            "dataset": dataset,
        },
        transcript_head=args.transcript_head,
    )
    out = args.out or weights_dir_for(getattr(embedder, "name", args.embedder))
    model.save(out)
    print(f"wrote {', '.join(sorted(model.heads))} heads to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
