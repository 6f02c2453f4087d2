"""Conversation metrics: the numbers that rubric criteria are measured on.

What must stay true:
- every metric is a float registered in METRICS with a label, a description and a range; rubric
  validation rejects names missing from METRICS, so renaming a metric breaks rubric files;
- compute_metrics is pure and deterministic: the same turns and labels give the same values;
- a value never leaves its declared range, and a ratio with nothing to divide by takes the default
  stated in its description, never NaN;
- every metric names the coach turns that push it up and those that push it down, so a score can
  always quote the learner's own turns as evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rubrics.labels import ClientLabels, CoachLabels, GrowStage
from rubrics.mi_score import mi_consistency_score
from rubrics.transcript import Turn

Labels = CoachLabels | ClientLabels
MetricKind = Literal["share", "ratio", "count", "rate", "flag", "score"]
GROW_STAGES: tuple[GrowStage, ...] = ("goal", "reality", "options", "will")


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """A metric's name, meaning, range and the evidence turns behind it."""

    name: str
    label: str
    description: str
    kind: MetricKind
    maximum: float | None
    raises: str
    lowers: str
    tip: str
    minimum: float = 0.0


def _spec(
    name: str,
    label: str,
    kind: MetricKind,
    maximum: float | None,
    raises: str,
    lowers: str,
    description: str,
    tip: str,
) -> MetricSpec:
    return MetricSpec(name, label, description, kind, maximum, raises, lowers, tip)


# fmt: off
_SPECS = (
    _spec("coach_talk_share", "coach talk share", "share", 1.0, "long_coach_turns",
          "short_coach_turns", "Coach words / all words. Lower means the client talks more.",
          "say less: one short question or reflection, then let the client talk"),
    _spec("open_question_share", "open-question share", "share", 1.0, "clean_open_questions",
          "closed_questions", "Turns with an open question / turns with any question (0 if none).",
          "turn yes/no questions into 'what' or 'how' questions"),
    _spec("reflection_question_ratio", "reflection-to-question ratio", "ratio", None,
          "reflections", "question_turns",
          "Reflective turns (summaries count) / question turns, as in MITI's R:Q; with no "
          "questions it is the number of reflections.",
          "reflect back what the client said before asking the next question"),
    _spec("complex_reflection_share", "complex-reflection share", "share", 1.0,
          "complex_reflections", "simple_reflections",
          "Complex reflections (summaries count) / all reflections, as in MITI's %CR (0 if none).",
          "add the feeling, value or unspoken part when you reflect"),
    _spec("questions_per_coach_turn", "questions per coach turn", "rate", None, "question_turns",
          "reflections", "Questions asked / coach turns.",
          "ask fewer questions and reflect more"),
    _spec("open_question_count", "open questions", "count", None, "open_questions",
          "closed_questions", "Coach turns with an open question.",
          "ask open 'what' and 'how' questions"),
    _spec("closed_question_count", "closed questions", "count", None, "closed_questions",
          "open_questions", "Coach turns with a closed (yes/no or either/or) question.",
          "turn yes/no questions into 'what' or 'how' questions"),
    _spec("reflection_count", "reflections", "count", None, "reflections", "question_turns",
          "Coach turns with a simple or complex reflection or a summary.",
          "reflect back the client's own words"),
    _spec("summary_count", "summaries", "count", None, "summaries", "none",
          "Coach turns that summarise several things the client said.",
          "gather what you heard in a short summary and check it"),
    _spec("affirmation_count", "affirmations", "count", None, "affirmations", "none",
          "Coach turns that recognise the client's strengths, effort or values.",
          "name a specific strength or effort you noticed in the client"),
    _spec("permission_count", "permission requests", "count", None, "permissions", "advice",
          "Coach turns that ask before offering input.",
          "ask before offering an idea"),
    _spec("advice_count", "advice turns", "count", None, "advice", "evoking",
          "Coach turns that tell the client what to do or think.",
          "ask what the client already thinks before offering ideas"),
    _spec("advice_without_permission_count", "advice without permission", "count", None,
          "advice_without_permission", "evoking",
          "Advice turns not preceded by a permission request (MITI's Persuade).",
          "ask what the client sees first, and ask permission before offering an idea"),
    _spec("stacked_question_count", "stacked-question turns", "count", None, "stacked",
          "single_questions", "Coach turns asking two or more questions at once.",
          "ask one question at a time and wait for the answer"),
    _spec("leading_question_count", "leading questions", "count", None, "leading",
          "open_questions", "Questions that suggest their own answer ('Don't you think...?').",
          "ask what the client thinks instead of suggesting the answer"),
    _spec("judgemental_why_count", "judgemental 'why' questions", "count", None, "why",
          "open_questions", "'Why' questions that can sound like judgement.",
          "ask 'what led to...' instead of 'why'"),
    _spec("self_focus_count", "self-focused turns", "count", None, "self_focus", "reflections",
          "Coach turns about the coach's own experience.",
          "keep the focus on the client by reflecting their words"),
    _spec("mi_adherent_count", "MI-adherent turns", "count", None, "mi_adherent", "none",
          "Affirmations and permission requests (MITI's Affirm and Seeking Collaboration).",
          "affirm strengths and ask before offering input"),
    _spec("mi_non_adherent_count", "MI-non-adherent turns", "count", None, "mi_non_adherent",
          "mi_adherent",
          "Advice without permission, leading or judgemental-why questions (MITI's Persuade "
          "and Confront).",
          "replace persuading and judging with questions about the client's own view"),
    _spec("advice_without_permission_rate", "advice without permission per coach turn", "share",
          1.0, "advice_without_permission", "evoking",
          "Unasked advice (reassurance included) as a share of coach turns: two in four turns is "
          "a habit, one in twelve a slip.",
          "ask what the client sees first, and ask permission before offering an idea"),
    _spec("mi_adherent_rate", "MI-adherent turns per coach turn", "share", 1.0, "mi_adherent",
          "none", "Affirmations and permission requests as a share of coach turns, so a long "
          "session does not score better for being long.",
          "affirm strengths and ask before offering input"),
    _spec("mi_non_adherent_rate", "MI-non-adherent turns per coach turn", "share", 1.0,
          "mi_non_adherent", "mi_adherent",
          "Advice without permission, leading or judgemental-why questions as a share of coach "
          "turns.",
          "replace persuading and judging with questions about the client's own view"),
    _spec("mi_adherent_share", "MI-adherent share", "share", 1.0, "mi_adherent",
          "mi_non_adherent", "Adherent / (adherent + non-adherent) turns; 0.5 if neither occurs.",
          "replace persuading and judging with affirming and asking permission"),
    _spec("mi_consistency_score", "MI-consistency score", "score", 100.0, "reflections",
          "advice", "0-100 summary of MI consistency from rubrics.mi_score (reflection:question, "
          "%CR, advice, information and adherent shares), the formula checked against AnnoMI.",
          "reflect more, ask less, and hold back advice and information"),
    _spec("goal_established", "goal explored", "flag", 1.0, "goal_turns", "none",
          "1 if a coach turn explores the client's goal for the session, else 0.",
          "ask early what the client wants from the conversation"),
    _spec("goal_timing", "goal timing", "share", 1.0, "goal_turns", "none",
          "1 - (coach turns before the first goal turn) / (coach turns); 1 when the first coach "
          "turn explores the goal, 0 if no turn does.",
          "ask early what the client wants from the conversation and how they will know"),
    _spec("grow_coverage", "GROW coverage", "share", 1.0, "stage_firsts", "none",
          "Distinct GROW stages reached by the coach / 4.",
          "make sure the conversation reaches goal, reality, options and will"),
    _spec("grow_order_score", "GROW order", "share", 1.0, "stage_firsts", "out_of_order",
          "Pairs of GROW stages first reached in G-R-O-W order / 6; a missing stage loses its "
          "pairs.",
          "settle the goal before exploring reality, options and the way forward"),
    _spec("commitment", "client commitment", "flag", 1.0, "action_design", "none",
          "1 if the client commits to a concrete action, else 0.",
          "ask what the client will do next"),
    _spec("commitment_with_when", "commitment with a when", "flag", 1.0, "action_design", "none",
          "1 if a client commitment names a time or date, else 0.",
          "ask when the client will take the first step"),
    _spec("change_talk_count", "change talk", "count", None, "evoked_change", "evoked_sustain",
          "Client turns voicing desire, ability, reasons, need or commitment to change.",
          "ask about the client's reasons and hopes for change"),
    _spec("sustain_talk_count", "sustain talk", "count", None, "evoked_sustain", "evoked_change",
          "Client turns arguing for the status quo.",
          "reflect the sustain talk without arguing, then ask about the other side"),
    _spec("change_talk_share", "change-talk share", "share", 1.0, "evoked_change",
          "evoked_sustain", "Change / (change + sustain) client turns; 0.5 if neither occurs.",
          "ask about the client's reasons and hopes for change"),
)
# fmt: on
METRICS: dict[str, MetricSpec] = {spec.name: spec for spec in _SPECS}


def format_value(name: str, value: float) -> str:
    """Render a metric value the way a learner reads it (percent, ratio, count or yes/no)."""
    kind = METRICS[name].kind
    if kind == "share":
        return f"{value:.0%}"
    if kind == "ratio":
        return f"{value:.1f}:1"
    if kind == "rate":
        return f"{value:.1f}"
    if kind == "score":
        return f"{value:.0f}/100"
    if kind == "flag":
        return "yes" if value >= 0.5 else "no"
    return f"{value:g}"


class ConversationMetrics(BaseModel):
    """Every metric of one conversation, plus the per-turn GROW stages and evidence turn sets."""

    model_config = ConfigDict(frozen=True)

    values: dict[str, float] = Field(description="Metric name -> value; keys are METRICS.")
    grow_stages: list[GrowStage | None] = Field(description="GROW stage per transcript turn.")
    stages_covered: list[GrowStage] = Field(description="Stages reached, in G-R-O-W order.")
    stage_order: list[GrowStage] = Field(description="Stages in order of first appearance.")
    turn_sets: dict[str, list[int]] = Field(
        description="Named sets of coach turn indices used as evidence (see MetricSpec)."
    )

    def value(self, name: str) -> float:
        """Return one metric by name; KeyError names the unknown metric."""
        if name not in self.values:
            raise KeyError(f"unknown metric '{name}'")
        return self.values[name]

    def turns_for(self, set_name: str) -> list[int]:
        """Return the coach turn indices in one evidence set (empty for 'none')."""
        return list(self.turn_sets.get(set_name, []))


def check_labels(turns: Sequence[Turn], labels: Sequence[Labels]) -> None:
    """Raise ValueError unless there is one label of the right kind for every turn."""
    if len(turns) != len(labels):
        raise ValueError(f"{len(turns)} turns but {len(labels)} labels")
    for i, (turn, label) in enumerate(zip(turns, labels, strict=True)):
        expected = CoachLabels if turn.speaker == "coach" else ClientLabels
        if not isinstance(label, expected):
            raise ValueError(f"turn {i} is a {turn.speaker} turn but has {type(label).__name__}")


def advice_without_permission(labels: Sequence[Labels], index: int) -> bool:
    """Whether a coach turn gives advice without asking first (in it or the coach turn before)."""
    label = labels[index]
    if not isinstance(label, CoachLabels) or "advice" not in label.techniques:
        return False
    if "permission" in label.techniques:
        return False
    for earlier in range(index - 1, -1, -1):
        previous = labels[earlier]
        if isinstance(previous, CoachLabels):
            return "permission" not in previous.techniques
    return True


def _ratio(numerator: float, denominator: float, default: float) -> float:
    return numerator / denominator if denominator else default


def _grow(coach: list[int], labels: Sequence[Labels]) -> tuple[dict[GrowStage, int], list[int]]:
    """First coach turn of each stage, and first turns of stages reached after a later stage."""
    firsts: dict[GrowStage, int] = {}
    for i in coach:
        label = labels[i]
        if isinstance(label, CoachLabels) and label.grow_stage and label.grow_stage not in firsts:
            firsts[label.grow_stage] = i
    out_of_order = [
        firsts[stage]
        for stage in firsts
        if any(
            GROW_STAGES.index(other) > GROW_STAGES.index(stage) and firsts[other] < firsts[stage]
            for other in firsts
        )
    ]
    return firsts, sorted(out_of_order)


def _order_score(firsts: dict[GrowStage, int]) -> float:
    ordered = sum(
        1
        for a, first in enumerate(GROW_STAGES)
        for second in GROW_STAGES[a + 1 :]
        if first in firsts and second in firsts and firsts[first] < firsts[second]
    )
    return ordered / 6


def _turn_sets(turns: Sequence[Turn], labels: Sequence[Labels]) -> dict[str, list[int]]:
    coach = [i for i, t in enumerate(turns) if t.speaker == "coach"]
    coach_labels = {i: lab for i, lab in enumerate(labels) if isinstance(lab, CoachLabels)}

    def having(*techniques: str) -> list[int]:
        return [i for i in coach if set(techniques) & set(coach_labels[i].techniques)]

    def flagged(flag: str) -> list[int]:
        return [i for i in coach if flag in coach_labels[i].flags]

    def after_coach(pred: Callable[[ClientLabels], bool]) -> list[int]:
        """The coach turn just before each client turn matching ``pred``."""
        client = [i for i, lab in enumerate(labels) if isinstance(lab, ClientLabels) and pred(lab)]
        return sorted({max(prior) for i in client if (prior := [c for c in coach if c < i])})

    complex_reflections = having("reflection_complex", "summary")
    simple = [i for i in having("reflection_simple") if i not in complex_reflections]
    questions = having("question_open", "question_closed")
    stacked = [
        i
        for i in coach
        if "stacked_questions" in coach_labels[i].flags or coach_labels[i].question_count >= 2
    ]
    words = {i: len(turns[i].text.split()) for i in coach}
    evoking = having("question_open", "reflection_simple", "reflection_complex", "summary")
    # open questions worth quoting as good practice: not leading, not a judgemental "why"
    clean_open = [
        i
        for i in having("question_open")
        if not {"leading_question", "judgemental_why"} & set(coach_labels[i].flags)
    ]
    firsts, out_of_order = _grow(coach, labels)
    sets = {
        "coach": coach,
        "open_questions": having("question_open"),
        "closed_questions": having("question_closed"),
        "question_turns": questions,
        "clean_open_questions": clean_open,
        "single_questions": [i for i in clean_open if i not in stacked],
        "reflections": sorted(complex_reflections + simple),
        "complex_reflections": complex_reflections,
        "simple_reflections": simple,
        "summaries": having("summary"),
        "affirmations": having("affirmation"),
        "permissions": having("permission"),
        "advice": having("advice"),
        "advice_without_permission": [i for i in coach if advice_without_permission(labels, i)],
        "evoking": evoking,
        "stacked": stacked,
        "leading": flagged("leading_question"),
        "why": flagged("judgemental_why"),
        "self_focus": flagged("self_focus"),
        "long_coach_turns": sorted(sorted(coach, key=lambda i: (-words[i], i))[:3]),
        "short_coach_turns": [i for i in evoking if words[i] <= 25],
        "goal_turns": [i for i in coach if coach_labels[i].grow_stage == "goal"],
        "will_turns": [i for i in coach if coach_labels[i].grow_stage == "will"],
        "stage_firsts": sorted(firsts.values()),
        "out_of_order": out_of_order,
        "evoked_change": after_coach(lambda lab: lab.talk_type == "change"),
        "evoked_sustain": after_coach(lambda lab: lab.talk_type == "sustain"),
    }
    committing = after_coach(lambda lab: lab.commitment)
    sets["action_design"] = sorted(set(sets["will_turns"]) | set(committing))
    sets["mi_adherent"] = sorted(set(sets["affirmations"]) | set(sets["permissions"]))
    sets["mi_non_adherent"] = sorted(
        set(sets["advice_without_permission"]) | set(sets["leading"]) | set(sets["why"])
    )
    return sets


def compute_metrics(turns: Sequence[Turn], labels: Sequence[Labels]) -> ConversationMetrics:
    """Compute every registered metric for a labelled transcript."""
    check_labels(turns, labels)
    sets = _turn_sets(turns, labels)
    coach = sets["coach"]
    n = {name: float(len(indices)) for name, indices in sets.items()}
    coach_words = sum(len(turns[i].text.split()) for i in coach)
    all_words = sum(len(t.text.split()) for t in turns)
    asked = sum(
        max(lab.question_count, 1 if i in sets["question_turns"] else 0)
        for i, lab in enumerate(labels)
        if isinstance(lab, CoachLabels)
    )
    client = [lab for lab in labels if isinstance(lab, ClientLabels)]
    asked_at = sets["will_turns"][0] if sets["will_turns"] else len(labels)
    agreed = [
        lab
        for i, lab in enumerate(labels)
        if i > asked_at and isinstance(lab, ClientLabels) and lab.commitment
    ]
    change = float(sum(lab.talk_type == "change" for lab in client))
    sustain = float(sum(lab.talk_type == "sustain" for lab in client))
    firsts, _ = _grow(coach, labels)
    goal_timing = 0.0
    if sets["goal_turns"]:
        goal_timing = 1.0 - coach.index(sets["goal_turns"][0]) / len(coach)
    values = {
        "coach_talk_share": _ratio(coach_words, all_words, 0.0),
        "open_question_share": _ratio(n["open_questions"], n["question_turns"], 0.0),
        "reflection_question_ratio": n["reflections"] / max(n["question_turns"], 1.0),
        "complex_reflection_share": _ratio(n["complex_reflections"], n["reflections"], 0.0),
        "questions_per_coach_turn": _ratio(asked, len(coach), 0.0),
        "open_question_count": n["open_questions"],
        "closed_question_count": n["closed_questions"],
        "reflection_count": n["reflections"],
        "summary_count": n["summaries"],
        "affirmation_count": n["affirmations"],
        "permission_count": n["permissions"],
        "advice_count": n["advice"],
        "advice_without_permission_count": n["advice_without_permission"],
        "stacked_question_count": n["stacked"],
        "leading_question_count": n["leading"],
        "judgemental_why_count": n["why"],
        "self_focus_count": n["self_focus"],
        "mi_adherent_count": n["mi_adherent"],
        "mi_non_adherent_count": n["mi_non_adherent"],
        "advice_without_permission_rate": _ratio(n["advice_without_permission"], len(coach), 0.0),
        "mi_adherent_rate": _ratio(n["mi_adherent"], len(coach), 0.0),
        "mi_non_adherent_rate": _ratio(n["mi_non_adherent"], len(coach), 0.0),
        "mi_adherent_share": _ratio(n["mi_adherent"], n["mi_adherent"] + n["mi_non_adherent"], 0.5),
        "mi_consistency_score": mi_consistency_score(labels),
        "goal_established": float(bool(sets["goal_turns"])),
        "goal_timing": goal_timing,
        "grow_coverage": len(firsts) / 4,
        "grow_order_score": _order_score(firsts),
        # an action counts only when the client agrees to it after the coach asked for one (a
        # "will" turn): a client's passing "I'll clear the inbox on Friday" is not a designed action
        "commitment": float(bool(agreed)),
        "commitment_with_when": float(any(lab.has_when for lab in agreed)),
        "change_talk_count": change,
        "sustain_talk_count": sustain,
        "change_talk_share": _ratio(change, change + sustain, 0.5),
    }
    stages: list[GrowStage | None] = [
        lab.grow_stage if isinstance(lab, CoachLabels) else None for lab in labels
    ]
    return ConversationMetrics(
        values=values,
        grow_stages=stages,
        stages_covered=[s for s in GROW_STAGES if s in firsts],
        stage_order=sorted(firsts, key=lambda s: firsts[s]),
        turn_sets=sets,
    )
