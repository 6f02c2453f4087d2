"""Technique detection: label every coach and client turn of a transcript.

Must stay true: ``TechniqueDetector(embedder=None)`` is a complete rules-only detector; with an
embedder it loads the shipped numpy heads (``rubrics/weights``) and lets them decide the main
behaviour and its subtype, while exact rules (backchannels, permission, greetings, summaries, flags,
question counts, commitments) still apply.  Batch and single calls give identical labels, labels
are deterministic, and ``label_transcript`` makes at most one embedding call per speaker
(``embed_with_layers`` for coach turns when the heads read layer states, ``embed`` otherwise).
Weights trained with one embedding model are never fed another model's vectors (the detector
falls back to rules).

Live and whole-transcript heads: ``label_coach``/``label_coach_batch`` (the future unknown) use
the ``main`` head, which reads the turn and the client's previous turn.  ``label_transcript`` uses
a ``main@transcript`` head when the weights have one (it may also read the client's next turn,
"yes, exactly" after a reflection), else the same ``main`` head.  The shipped weights have none
(it did not measurably help), so live labels and whole-transcript labels are identical.

Heads may read the mean-pooled states of several encoder layers of the turn (block
``turn_layers``, the layers listed in ``heads.json`` → ``layers``); they come from the same forward
pass as the sentence embedding, through the embedder's ``embed_with_layers``.  Weights that need
them with an embedder that lacks that method fall back to rules, like a mismatched embedder.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rubrics.classifier import TechniqueModel, weights_dir_for
from rubrics.detection_client import read_client
from rubrics.detection_rules import CoachCues, read_cues, rule_techniques
from rubrics.embedding import SentenceEmbedder
from rubrics.features import client_hand_features, coach_hand_features, coach_inputs, stack
from rubrics.labels import ClientLabels, CoachLabels, Technique
from rubrics.primary import HeadVotes, PrimaryChoice, choose_primary
from rubrics.transcript import Turn

_log = logging.getLogger(__name__)
_QUESTIONS: frozenset[Technique] = frozenset(["question_open", "question_closed"])
_OTHER_KINDS: tuple[Technique, ...] = ("permission", "structuring", "affirmation")


class TechniqueDetector:
    """Labels coach turns with techniques/flags/GROW stage and client turns with talk type."""

    def __init__(
        self,
        embedder: SentenceEmbedder | None = None,
        weights_dir: Path | None = None,
        *,
        model: TechniqueModel | None = None,
    ) -> None:
        self._embedder = embedder
        self._model: TechniqueModel | None = None
        self._layers: tuple[int, ...] = ()
        if embedder is None:
            return
        name = getattr(embedder, "name", None)
        if model is None:
            if weights_dir is None:
                weights_dir = weights_dir_for(name)
                if not weights_dir.is_dir():  # no heads of its own: the check below says so
                    weights_dir = weights_dir_for(None)
            model = TechniqueModel.load(weights_dir)
        trained_with = model.metadata.get("embedder")
        if model.embedding_dimension != embedder.dimension or (
            trained_with and name and name != trained_with
        ):
            # Vectors from another model would feed the heads garbage: rules are the safer answer.
            _log.warning(
                "technique weights need %s-d %s embeddings, got %s-d %s: using rules only",
                model.embedding_dimension,
                trained_with or "",
                embedder.dimension,
                name or type(embedder).__name__,
            )
            return
        if any("turn_layers" in model.inputs(head) for head in model.heads):
            self._layers = tuple(int(i) for i in model.metadata["layers"])
            if not callable(getattr(embedder, "embed_with_layers", None)):
                _log.warning(
                    "technique weights need pooled layer states, which %s cannot give: "
                    "using rules only",
                    name or type(embedder).__name__,
                )
                return
        self._model = model

    @property
    def uses_classifier(self) -> bool:
        """True when an embedder and trained heads are in use, False for rules only."""
        return self._model is not None

    def label_coach(self, text: str, previous_client: str | None = None) -> CoachLabels:
        """Label one coach turn; ``previous_client`` is the client's last turn, if any."""
        return self.label_coach_batch([text], [previous_client])[0]

    def label_coach_batch(
        self, texts: Sequence[str], previous_clients: Sequence[str | None]
    ) -> list[CoachLabels]:
        """Label many coach turns with one embedding call."""
        if len(texts) != len(previous_clients):
            raise ValueError("texts and previous_clients must have the same length")
        if not texts:
            return []
        vectors, pooled, index = self._embed(texts, [p for p in previous_clients if p])
        return self._coach_from_vectors(texts, previous_clients, vectors, pooled, index)

    def label_client(self, text: str) -> ClientLabels:
        """Label one client turn."""
        vectors, _, _ = self._embed([], [text])
        return self._client_from_vectors([text], vectors, {text: 0})[0]

    def label_transcript(self, turns: Sequence[Turn]) -> list[CoachLabels | ClientLabels]:
        """Label every turn (one label record per turn, in order) with one embedding call."""
        if not turns:
            return []
        vectors, pooled, index = self._embed(
            [t.text for t in turns if t.speaker == "coach"],
            [t.text for t in turns if t.speaker != "coach"],
        )
        coach_texts: list[str] = []
        previous: list[str | None] = []
        last_client: str | None = None
        for turn in turns:
            if turn.speaker == "coach":
                coach_texts.append(turn.text)
                previous.append(last_client)
            else:
                last_client = turn.text
        following: list[str | None] = []
        next_client: str | None = None
        for turn in reversed(turns):
            if turn.speaker == "coach":
                following.append(next_client)
            else:
                next_client = turn.text
        following.reverse()
        coach_labels = iter(
            self._coach_from_vectors(coach_texts, previous, vectors, pooled, index, following)
        )
        client_texts = [t.text for t in turns if t.speaker != "coach"]
        client_labels = iter(self._client_from_vectors(client_texts, vectors, index))
        return [next(coach_labels) if t.speaker == "coach" else next(client_labels) for t in turns]

    def _embed(
        self, coach: Sequence[str], others: Sequence[str]
    ) -> tuple[np.ndarray | None, np.ndarray | None, dict[str, int]]:
        """Vectors for the distinct texts, pooled layer states for coach texts, and a text index.

        Coach texts need layer states when the heads read them, the others only vectors: one
        ``embed_with_layers`` call serves both (one forward pass over whatever is not cached),
        and a client turn the app has already embedded stays a cache hit.  Pooled rows of
        non-coach texts are zeros (never read).
        """
        unique = list(dict.fromkeys([*coach, *others]))
        index = {t: i for i, t in enumerate(unique)}
        if self._embedder is None or self._model is None or not unique:
            return None, None, index
        if not self._layers or not coach:
            return np.asarray(self._embedder.embed(unique), dtype=np.float32), None, index
        first = list(dict.fromkeys(coach))
        rest = unique[len(first) :]
        embed_with_layers = getattr(self._embedder, "embed_with_layers")  # noqa: B009
        vectors, pooled = embed_with_layers(first, self._layers, plain=rest)
        vectors = np.asarray(vectors, dtype=np.float32)
        pooled = np.asarray(pooled, dtype=np.float32)
        if rest:
            pooled = np.concatenate([pooled, np.zeros((len(rest), pooled.shape[1]), np.float32)])
        return vectors, pooled, index

    def _coach_from_vectors(
        self,
        texts: Sequence[str],
        previous_clients: Sequence[str | None],
        vectors: np.ndarray | None,
        pooled: np.ndarray | None,
        index: dict[str, int],
        next_clients: Sequence[str | None] | None = None,
    ) -> list[CoachLabels]:
        cues = [read_cues(t, p) for t, p in zip(texts, previous_clients, strict=True)]
        if vectors is None or self._model is None or not texts:
            return [
                _labels(c, choose_primary(c, None, p), p)
                for c, p in zip(cues, previous_clients, strict=True)
            ]
        zeros = np.zeros(vectors.shape[1], dtype=np.float32)

        def context(others: Sequence[str | None]) -> np.ndarray:
            return np.stack([vectors[index[o]] if o else zeros for o in others])

        pairs = list(zip(cues, previous_clients, strict=True))
        blocks = {
            "turn": vectors[[index[t] for t in texts]],
            "previous_client": context(previous_clients),
            "hand": np.stack([coach_hand_features(c, p) for c, p in pairs]),
        }
        if pooled is not None:
            blocks["turn_layers"] = pooled[[index[t] for t in texts]]
        model = self._model
        whole = next_clients is not None
        if whole:
            blocks["next_client"] = context(next_clients)

        matrices: dict[tuple[str, ...], np.ndarray] = {}  # heads reading the same blocks share one

        def proba(head: str) -> list[dict[str, float]]:
            name = model.transcript_head(head) if whole else head
            inputs = model.inputs(name)
            if inputs not in matrices:
                matrices[inputs] = coach_inputs(blocks, inputs)
            found = model.heads[name]
            rows = found.predict_proba(matrices[inputs])
            return [dict(zip(found.classes, map(float, row), strict=True)) for row in rows]

        main = proba("main")
        sub = {name: proba(name) for name in ("question", "reflection", "input")}
        kind = proba("kind") if "kind" in model.heads else None
        out: list[CoachLabels] = []
        for i, (c, p) in enumerate(pairs):
            votes = HeadVotes(
                main=main[i],
                question=sub["question"][i],
                reflection=sub["reflection"][i],
                input=sub["input"][i],
                kind=kind[i] if kind is not None else None,
            )
            out.append(_labels(c, choose_primary(c, votes, p), p))
        return out

    def _client_from_vectors(
        self, texts: Sequence[str], vectors: np.ndarray | None, index: dict[str, int]
    ) -> list[ClientLabels]:
        cues = [read_client(t) for t in texts]
        talk = [c.talk_type for c in cues]
        model = self._model
        if vectors is not None and model is not None and texts and "client" in model.heads:
            hand = np.stack([client_hand_features(t, c) for t, c in zip(texts, cues, strict=True)])
            x = stack(vectors[[index[t] for t in texts]], hand)
            talk = model.heads["client"].predict(x)
        return [
            ClientLabels(
                talk_type="change" if c.commitment else talk[i],  # type: ignore[arg-type]
                commitment=c.commitment,
                has_when=c.has_when,
            )
            for i, c in enumerate(cues)
        ]


# a reflection is simple or complex, never both: the policy's depth wins over the rules'
_OTHER_DEPTH: dict[str, Technique] = {
    "reflection_simple": "reflection_complex",
    "reflection_complex": "reflection_simple",
}


def _labels(cues: CoachCues, choice: PrimaryChoice, previous: str | None) -> CoachLabels:
    """The turn's labels: the policy's primary first, then what else the rules found."""
    primary = choice.primary
    rest = [
        t
        for t in rule_techniques(cues, previous)
        if t not in (primary, "other", _OTHER_DEPTH.get(primary))
    ]
    if cues.suggestion_question and "advice" not in rest and primary != "advice":
        rest.append("advice")
    labels = _compose(cues, [primary, *rest])
    return labels.model_copy(update={"alternative": choice.alternative})


def _compose(cues: CoachCues, techniques: list[Technique]) -> CoachLabels:
    ordered: tuple[Technique, ...] = tuple(dict.fromkeys(techniques)) or ("other",)
    count = len(cues.questions)
    if ordered[0] in _QUESTIONS and count == 0:
        count = 1  # the heads heard a question the rules did not
    flags = list(cues.flags)
    if cues.coach_self and "self_focus" not in flags:
        flags.append("self_focus")
    if count >= 2 and "stacked_questions" not in flags:
        flags.append("stacked_questions")
    return CoachLabels(
        techniques=ordered,
        primary=ordered[0],
        flags=tuple(flags),
        grow_stage=cues.grow_stage,
        question_count=count,
    )
