"""Cross-validated accuracy of technique detection on AnnoMI, as a printable report.

Run: ``python -m rubrics.evaluation ../shared/data/annomi-dev [--speech-style]``.

Must stay true: figures are only ever computed on held-out transcripts (transcript-grouped folds,
stratified by session quality); the heads for each fold are trained on the other folds through
``rubrics.training.train_model`` and applied through the real ``TechniqueDetector``, so the report
measures the shipped pipeline.  Needs scikit-learn (the ``train`` extra) for the per-fold training.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rubrics.catalogue import builtin_rubrics
from rubrics.consensus import (
    ClassScores,
    ConsensusAgreement,
    class_scores,
    consensus_agreement,
    macro_f1,
)
from rubrics.detection_annomi import (
    MAIN_BEHAVIOURS,
    TALK_TYPES,
    AnnomiUtterance,
    default_data_dir,
    embed_cached,
    layers_cached,
    load_annomi,
    load_annotator_votes,
)
from rubrics.detection_text import speech_style as speech_style_text
from rubrics.detector import TechniqueDetector
from rubrics.embedding import SentenceEmbedder
from rubrics.features import TURN_LAYERS
from rubrics.gold import GOLD_FILE, GoldItem, load_gold, of_split
from rubrics.labels import ClientLabels, CoachLabels, Technique
from rubrics.mi_score import mi_consistency_score
from rubrics.scorer import Scorer
from rubrics.training import embedder_choices, make_embedder, train_model, training_texts
from rubrics.transcript import Turn

_BEHAVIOUR: dict[Technique, str] = {
    "question_open": "question",
    "question_closed": "question",
    "reflection_simple": "reflection",
    "reflection_complex": "reflection",
    "summary": "reflection",
    "advice": "therapist_input",
    "information": "therapist_input",
}
_GOLD_TECHNIQUE: dict[tuple[str, str | None], Technique] = {
    ("question", "open"): "question_open",
    ("question", "closed"): "question_closed",
    ("reflection", "simple"): "reflection_simple",
    ("reflection", "complex"): "reflection_complex",
    ("therapist_input", "advice"): "advice",
    ("therapist_input", "information"): "information",
}


def behaviour(technique: Technique) -> str:
    """Map a CoachLab technique to AnnoMI's main therapist behaviour (data README mapping)."""
    return _BEHAVIOUR.get(technique, "other")


@dataclass(frozen=True)
class TypedReport:
    """The detector on the typed-coaching gold set's test split (never trained or tuned on)."""

    items: int
    accuracy: float
    per_label: tuple[tuple[str, int, float], ...]  # label, support, recall
    confusions: tuple[tuple[str, str, int], ...]  # gold, predicted, count (most common first)

    def to_text(self) -> str:
        """Render as a plain-text table."""
        lines = [
            f"typed-coaching gold set, test split: {self.items} coach turns",
            f"primary label accuracy           {self.accuracy:.3f}",
            f"{'label':<20}{'support':>8}{'recall':>8}",
            *(f"{label:<20}{n:>8d}{recall:>8.3f}" for label, n, recall in self.per_label),
            "most common confusions (gold -> predicted):",
            *(f"  {g} -> {p}: {n}" for g, p, n in self.confusions[:6]),
        ]
        return "\n".join(lines)


def evaluate_typed(detector: TechniqueDetector, items: Sequence[GoldItem]) -> TypedReport:
    """Label each test-split item's coach turn live (with the client turn before it) and compare
    the primary label with the adjudicated one."""
    test = of_split(items, "test")
    predicted = [detector.label_coach(item.coach, item.client or None).primary for item in test]
    gold = [item.primary for item in test]
    labels = sorted(set(gold))
    per_label = tuple(
        (
            label,
            gold.count(label),
            sum(g == p == label for g, p in zip(gold, predicted, strict=True)) / gold.count(label),
        )
        for label in labels
    )
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    return TypedReport(
        items=len(test),
        accuracy=sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(test), 1),
        per_label=per_label,
        confusions=tuple((g, p, n) for (g, p), n in confusions.most_common()),
    )


@dataclass(frozen=True)
class SessionScore:
    """One held-out session as a learner would see it: the rubric's overall and metrics."""

    transcript_id: int
    high_quality: bool
    overall: float
    criteria: tuple[tuple[str, float], ...]
    metrics: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class AnnomiReport:
    """Held-out (cross-validated) accuracy of the detector on AnnoMI."""

    folds: int
    transcripts: int
    coach_utterances: int
    embedder: str
    per_class: tuple[ClassScores, ...]
    macro_f1: float
    accuracy: float
    live_macro_f1: float
    live_session_auroc: float
    rules_only_macro_f1: float
    open_closed_accuracy: float
    open_closed_n: int
    simple_complex_accuracy: float
    simple_complex_n: int
    session_auroc: float
    session_auroc_gold_labels: float
    talk_type_macro_f1: float
    seconds: float
    speech_style: bool = False
    consensus: ConsensusAgreement | None = None
    rubric_auroc: float = 0.0
    criterion_auroc: tuple[tuple[str, float], ...] = ()
    sessions: tuple[SessionScore, ...] = ()

    def to_text(self) -> str:
        """Render the report as a plain-text table for the terminal."""
        lines = [
            f"AnnoMI technique detection: {self.folds}-fold transcript-grouped cross-validation",
            f"{self.transcripts} transcripts, {self.coach_utterances} coach utterances, "
            f"embedder {self.embedder}, {self.seconds:.0f} s"
            + (", held-out text lowercased and unpunctuated" if self.speech_style else ""),
            "",
            f"{'behaviour':<16}{'precision':>10}{'recall':>10}{'F1':>8}{'support':>9}",
        ]
        for s in self.per_class:
            lines.append(
                f"{s.label:<16}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>8.3f}{s.support:>9d}"
            )
        lines += [
            "",
            f"macro-F1 (main behaviour)        {self.macro_f1:.3f}",
            f"accuracy (main behaviour)        {self.accuracy:.3f}",
            f"macro-F1, live path              {self.live_macro_f1:.3f} "
            "(label_coach: no next client turn)",
            f"macro-F1, rules only             {self.rules_only_macro_f1:.3f}",
            f"open vs closed accuracy          {self.open_closed_accuracy:.3f} "
            f"(n={self.open_closed_n})",
            f"simple vs complex accuracy       {self.simple_complex_accuracy:.3f} "
            f"(n={self.simple_complex_n})",
            f"mi-consistency rubric overall    AUROC {self.rubric_auroc:.3f} "
            "(the score learners see, predicted labels)",
            *(f"  criterion {name:<22} AUROC {value:.3f}" for name, value in self.criterion_auroc),
            f"session MI-consistency AUROC     {self.session_auroc:.3f} (predicted labels)",
            f"  same score, live-path labels   {self.live_session_auroc:.3f}",
            f"  same score on expert labels    {self.session_auroc_gold_labels:.3f}",
            f"client talk-type macro-F1        {self.talk_type_macro_f1:.3f} "
            "(change / neutral / sustain)",
        ]
        if (c := self.consensus) is not None:
            low, high = c.detector_interval
            lines += [
                "",
                f"utterances labelled by {c.annotators} experts: {c.utterances} "
                f"in {c.transcripts} transcripts (main behaviour, macro-F1)",
                f"  detector vs the experts' majority        {c.detector_vs_majority:.3f} "
                f"(95% bootstrap {low:.3f}-{high:.3f})",
                f"  one expert vs the others' majority       {c.expert_vs_others:.3f} "
                "(mean over experts)",
                f"  one expert vs another expert             {c.expert_vs_expert:.3f}",
                f"  detector vs one expert                   {c.detector_vs_expert:.3f}",
            ]
        return "\n".join(lines)


class _LookupEmbedder:
    """Serves precomputed vectors, falling back to the real embedder for unseen texts."""

    def __init__(
        self,
        vectors: dict[str, np.ndarray],
        base: SentenceEmbedder,
        layer_vectors: dict[str, np.ndarray] | None = None,
    ) -> None:
        self._vectors = vectors
        self._layer_vectors = layer_vectors
        self._base = base
        self.dimension = base.dimension
        self.name = getattr(base, "name", type(base).__name__)
        if layer_vectors is not None:
            self.embed_with_layers = self._embed_with_layers

    @property
    def layer_vectors(self) -> dict[str, np.ndarray] | None:
        """The precomputed text -> pooled layer states table, if the base embedder gives them."""
        return self._layer_vectors

    @property
    def vectors(self) -> dict[str, np.ndarray]:
        """The precomputed text -> vector table (grows as unseen texts are embedded)."""
        return self._vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self._base.embed(missing), strict=True))
        return np.stack([self._vectors[t] for t in texts]).astype(np.float32)

    def _embed_with_layers(
        self, texts: Sequence[str], layers: Sequence[int], *, plain: Sequence[str] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        # the MiniLM contract: vectors for ``texts`` then ``plain``, layer states for ``texts``
        assert self._layer_vectors is not None and tuple(layers) == TURN_LAYERS
        table = self._layer_vectors
        missing = [t for t in texts if t not in table or t not in self._vectors]
        if missing:
            vectors, pooled = getattr(self._base, "embed_with_layers")(missing, layers)  # noqa: B009
            self._vectors.update(zip(missing, vectors, strict=True))
            table.update(zip(missing, pooled, strict=True))
        pooled_rows = np.stack([table[t] for t in texts]).astype(np.float32)
        return self.embed([*texts, *plain]), pooled_rows


def stratified_folds(
    utterances: Sequence[AnnomiUtterance], folds: int, seed: int = 0
) -> list[set[int]]:
    """Split transcript ids into ``folds`` groups, spreading high and low quality evenly."""
    quality = {u.transcript_id: u.mi_quality for u in utterances}
    rng = np.random.default_rng(seed)
    groups: list[set[int]] = [set() for _ in range(folds)]
    offset = 0
    for level in ("high", "low"):
        ids = sorted(t for t, q in quality.items() if q == level)
        for n, tid in enumerate(rng.permutation(ids)):
            groups[(n + offset) % folds].add(int(tid))
        offset += len(ids)
    return groups


def auroc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Area under the ROC curve (ties count half); 0.5 if a class is missing."""
    s, y = np.asarray(scores, dtype=float), np.asarray(positive, dtype=bool)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return 0.5
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def _gold_labels(utterances: Sequence[AnnomiUtterance]) -> list[CoachLabels | ClientLabels]:
    out: list[CoachLabels | ClientLabels] = []
    for u in utterances:
        if u.speaker == "coach":
            sub = {"question": u.question_subtype, "reflection": u.reflection_subtype}.get(
                str(u.main), u.input_subtype
            )
            t = _GOLD_TECHNIQUE.get((str(u.main), sub), "other")
            out.append(CoachLabels(techniques=(t,), primary=t))
        else:
            out.append(ClientLabels(talk_type="neutral"))
    return out


def evaluate_annomi(
    data_dir: Path,
    *,
    folds: int = 5,
    embedder: SentenceEmbedder | None = None,
    c: dict[str, float] | None = None,
    max_transcripts: int | None = None,
    speech_style: bool = False,
    transcript_head: bool = False,
    split_seed: int = 0,
) -> AnnomiReport:
    """Cross-validate the detector on AnnoMI; ``embedder`` defaults to MiniLM.

    With ``speech_style`` the held-out transcripts are lowercased and stripped of punctuation
    (as speech recognition may deliver them) while training still uses the typed text.  With
    ``transcript_head`` each fold also trains ``main@transcript``, which ``label_transcript``
    then uses (the "live path" figures keep measuring ``label_coach_batch``).  ``split_seed``
    picks the fold split: 0 is the reported split, 1 the one variants are tuned on.
    """
    start = time.perf_counter()
    utterances = load_annomi(data_dir)
    if max_transcripts is not None:
        keep = set(sorted({u.transcript_id for u in utterances})[:max_transcripts])
        utterances = [u for u in utterances if u.transcript_id in keep]
    shown = speech_style_text if speech_style else str
    base = embedder or make_embedder("minilm")
    texts = training_texts(utterances)
    layer_vectors = layers_cached(base, texts, TURN_LAYERS)
    lookup = _LookupEmbedder(embed_cached(base, texts), base, layer_vectors)
    by_transcript: dict[int, list[AnnomiUtterance]] = {}
    for u in utterances:
        by_transcript.setdefault(u.transcript_id, []).append(u)
    rules = TechniqueDetector()
    gold: list[str] = []
    pred: list[str] = []
    pred_rules: list[str] = []
    pred_live: list[str] = []
    talk_gold: list[str] = []
    talk_pred: list[str] = []
    sub_pairs: dict[str, list[tuple[str, str]]] = {"question": [], "reflection": []}
    session_scores: dict[int, tuple[float, float, float]] = {}
    predicted: dict[tuple[int, int], str] = {}
    scorer, rubric = Scorer(), builtin_rubrics()["mi-consistency"]
    shown_scores: list[SessionScore] = []
    for held_out in stratified_folds(utterances, folds, split_seed):
        train = [u for u in utterances if u.transcript_id not in held_out]
        model = train_model(
            train,
            lookup.vectors,
            c=c,
            transcript_head=transcript_head,
            layer_vectors=lookup.layer_vectors,
        )
        detector = TechniqueDetector(lookup, model=model)
        for tid in sorted(held_out):
            session = by_transcript[tid]
            turns = [
                Turn("coach" if u.speaker == "coach" else "client", shown(u.text)) for u in session
            ]
            labels = detector.label_transcript(turns)
            rule_labels = rules.label_transcript(turns)
            live = _live_labels(detector, turns)
            for u, lab, rlab, llab in zip(session, labels, rule_labels, live, strict=True):
                if isinstance(lab, ClientLabels) and u.talk_type:
                    talk_gold.append(u.talk_type)
                    talk_pred.append(lab.talk_type)
                if u.speaker != "coach" or not isinstance(lab, CoachLabels):
                    continue
                assert isinstance(rlab, CoachLabels)
                gold.append(str(u.main))
                pred.append(behaviour(lab.primary))
                predicted[(u.transcript_id, u.utterance_id)] = pred[-1]
                pred_rules.append(behaviour(rlab.primary))
                pred_live.append(behaviour(llab.primary))
                _collect_subtype(u, lab.primary, sub_pairs)
            card = scorer.score(turns, rubric, labels)
            shown_scores.append(
                SessionScore(
                    tid,
                    session[0].mi_quality == "high",
                    card.overall,
                    tuple((c.id, c.score) for c in card.criteria),
                    tuple(sorted(card.metrics.items())),
                )
            )
            session_scores[tid] = (
                mi_consistency_score(labels),
                mi_consistency_score(_gold_labels(session)),
                mi_consistency_score(live),
            )
    per_class = class_scores(gold, pred, MAIN_BEHAVIOURS)
    high = [by_transcript[t][0].mi_quality == "high" for t in session_scores]
    high_shown = [x.high_quality for x in shown_scores]
    return AnnomiReport(
        folds=folds,
        transcripts=len(by_transcript),
        coach_utterances=len(gold),
        embedder=lookup.name,
        per_class=tuple(per_class),
        macro_f1=float(np.mean([s.f1 for s in per_class])),
        accuracy=float(np.mean(np.asarray(gold) == np.asarray(pred))),
        live_macro_f1=float(macro_f1(gold, pred_live, MAIN_BEHAVIOURS)),
        live_session_auroc=auroc([s[2] for s in session_scores.values()], high),
        rules_only_macro_f1=float(macro_f1(gold, pred_rules, MAIN_BEHAVIOURS)),
        open_closed_accuracy=_accuracy(sub_pairs["question"]),
        open_closed_n=len(sub_pairs["question"]),
        simple_complex_accuracy=_accuracy(sub_pairs["reflection"]),
        simple_complex_n=len(sub_pairs["reflection"]),
        session_auroc=auroc([s[0] for s in session_scores.values()], high),
        session_auroc_gold_labels=auroc([s[1] for s in session_scores.values()], high),
        talk_type_macro_f1=float(macro_f1(talk_gold, talk_pred, TALK_TYPES)),
        seconds=time.perf_counter() - start,
        speech_style=speech_style,
        consensus=consensus_agreement(predicted, load_annotator_votes(data_dir), MAIN_BEHAVIOURS),
        rubric_auroc=auroc([x.overall for x in shown_scores], high_shown),
        criterion_auroc=tuple(
            (c.id, auroc([dict(x.criteria)[c.id] for x in shown_scores], high_shown))
            for c in rubric.criteria
        ),
        sessions=tuple(shown_scores),
    )


def _live_labels(
    detector: TechniqueDetector, turns: Sequence[Turn]
) -> list[CoachLabels | ClientLabels]:
    """Label coach turns as a live conversation would (``label_coach_batch``: no future turns)."""
    texts: list[str] = []
    previous: list[str | None] = []
    last_client: str | None = None
    for turn in turns:
        if turn.speaker == "coach":
            texts.append(turn.text)
            previous.append(last_client)
        else:
            last_client = turn.text
    coach = iter(detector.label_coach_batch(texts, previous))
    neutral = ClientLabels(talk_type="neutral")
    return [next(coach) if t.speaker == "coach" else neutral for t in turns]


def _collect_subtype(
    u: AnnomiUtterance, predicted: Technique, pairs: dict[str, list[tuple[str, str]]]
) -> None:
    """Record (gold, predicted) subtypes where gold and prediction agree on the behaviour."""
    if u.main == "question" and u.question_subtype and predicted.startswith("question_"):
        pairs["question"].append((u.question_subtype, predicted.removeprefix("question_")))
    if u.main == "reflection" and u.reflection_subtype and predicted.startswith("reflection_"):
        pairs["reflection"].append((u.reflection_subtype, predicted.removeprefix("reflection_")))


def _accuracy(pairs: list[tuple[str, str]]) -> float:
    return float(np.mean([g == p for g, p in pairs])) if pairs else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the cross-validated report for a data directory."""

    parser = argparse.ArgumentParser(prog="python -m rubrics.evaluation", description=__doc__)
    parser.add_argument("data_dir", type=Path, nargs="?", default=default_data_dir())
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--embedder", choices=embedder_choices(), default="minilm")
    parser.add_argument("--speech-style", action="store_true", help="unpunctuated held-out text")
    parser.add_argument(
        "--transcript-head",
        action="store_true",
        help="also train and use main@transcript (reads the next client turn)",
    )
    parser.add_argument(
        "--split-seed",
        type=int,
        default=0,
        help="fold split: 0 = the reported split, 1 = the split variants are tuned on",
    )
    parser.add_argument(
        "--sessions-out",
        type=Path,
        default=None,
        help="write each held-out session's rubric scores and metrics here (JSON lines)",
    )
    args = parser.parse_args(argv)
    report = evaluate_annomi(
        args.data_dir,
        folds=args.folds,
        embedder=make_embedder(args.embedder),
        speech_style=args.speech_style,
        transcript_head=args.transcript_head,
        split_seed=args.split_seed,
    )
    print(report.to_text())
    if GOLD_FILE.is_file():
        embedder = make_embedder(args.embedder)
        print("\n" + evaluate_typed(TechniqueDetector(embedder), load_gold()).to_text())
    if args.sessions_out is not None:
        with args.sessions_out.open("w", encoding="utf-8") as out:
            for x in report.sessions:
                row = {
                    "transcript_id": x.transcript_id,
                    "high_quality": x.high_quality,
                    "overall": x.overall,
                    "criteria": dict(x.criteria),
                    "metrics": dict(x.metrics),
                }
                out.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
