"""Scorer: a good and a poor version of one conversation are told apart, with evidence."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from rubrics.catalogue import builtin_rubrics, load_rubric_text
from rubrics.labels import ClientLabels, CoachLabels
from rubrics.parsing import parse_transcript
from rubrics.scorecard import QUOTE_LIMIT, Scorecard
from rubrics.scorer import GOOD_LEVEL, MAX_EVIDENCE, JudgeRating, Scorer
from rubrics.transcript import Turn


def coach(
    text: str,
    *techniques: str,
    flags: Sequence[str] = (),
    stage: str | None = None,
    questions: int = 0,
) -> tuple[Turn, CoachLabels]:
    label = CoachLabels(
        techniques=techniques,
        primary=techniques[0],
        flags=tuple(flags),
        grow_stage=stage,
        question_count=questions,
    )  # type: ignore[arg-type]
    return Turn("coach", text), label


def client(
    text: str, talk: str = "neutral", commit: bool = False, when: bool = False
) -> tuple[Turn, ClientLabels]:
    return Turn("client", text), ClientLabels(talk_type=talk, commitment=commit, has_when=when)  # type: ignore[arg-type]


GOOD = [
    coach(
        "Hi Sam. What would you like to get out of our time today?",
        "question_open",
        stage="goal",
        questions=1,
    ),
    client("I'm drowning in the monthly reports and I want to get my evenings back.", "change"),
    coach("You're stretched thin, and your evenings really matter to you.", "reflection_complex"),
    client(
        "Yes. My kids are asleep by the time I finish most nights, and I hate missing that. "
        "It has been like this since the spring, when the reporting changed."
    ),
    coach(
        "What would getting your evenings back look like?",
        "question_open",
        stage="goal",
        questions=1,
    ),
    client(
        "Leaving at six at least three days a week, and not opening the laptop again after "
        "dinner. That would feel like a normal life again.",
        "change",
    ),
    coach(
        "Home by six would make a real difference. What takes the most time in the reports?",
        "question_open",
        "reflection_complex",
        stage="reality",
        questions=1,
    ),
    client(
        "Chasing numbers from three teams, then formatting everything by hand. The teams send "
        "their figures late, in different layouts, and I spend hours copying them over."
    ),
    coach(
        "So the chasing and the manual formatting eat your evenings, and you want to be home "
        "for your kids. Did I get that right?",
        "summary",
        stage="reality",
        questions=1,
    ),
    client("Exactly."),
    coach("You have kept the reports accurate under a lot of pressure.", "affirmation"),
    client(
        "Thanks, I do care about getting them right. People make decisions on those numbers, "
        "so I never wanted to cut corners."
    ),
    coach(
        "The chasing is the biggest drain. What options do you see for it?",
        "question_open",
        "reflection_simple",
        stage="options",
        questions=1,
    ),
    client(
        "I could ask the teams to fill in a shared template by the 25th, so everything arrives "
        "in the same layout and on time.",
        "change",
    ),
    coach(
        "A shared template by the 25th. What else could help?",
        "question_open",
        "reflection_simple",
        stage="options",
        questions=1,
    ),
    client(
        "Maybe automate the formatting with a macro. Someone in finance built one last year "
        "and I never asked them about it."
    ),
    coach("You already have two ideas of your own.", "reflection_complex", "affirmation"),
    client("I suppose I do."),
    coach("Would it help if I shared what other managers have tried?", "permission", questions=1),
    client("Sure."),
    coach("Some set up a standing reminder a week before the deadline.", "advice", stage="options"),
    client("That could work with the template."),
    coach("What will you do first, and when?", "question_open", stage="will", questions=1),
    client(
        "I'll send the template to the three team leads on Monday morning.",
        "change",
        commit=True,
        when=True,
    ),
]

POOR = [
    coach("Hi. So what's going on?", "question_open", stage="reality", questions=1),
    client("I'm drowning in the monthly reports and I want to get my evenings back.", "change"),
    coach(
        "Did you talk to your manager about it? Is there anyone who can help?",
        "question_closed",
        flags=["stacked_questions"],
        stage="reality",
        questions=2,
    ),
    client("Not really, she's busy."),
    coach("You should delegate the reports to your team.", "advice", stage="options"),
    client("They're already overloaded, it wouldn't work.", "sustain"),
    coach(
        "When I was a manager I just worked weekends until it was done, that's what it takes "
        "sometimes. I remember one year I did every single report myself and it was fine in "
        "the end, nobody even noticed how much I did.",
        "information",
        flags=["self_focus"],
    ),
    client("I don't want to work weekends.", "sustain"),
    coach(
        "Why did you let it get this bad?",
        "question_open",
        flags=["judgemental_why"],
        stage="reality",
        questions=1,
    ),
    client("I don't know, it just built up."),
    coach(
        "Don't you think you should just write a macro for the formatting?",
        "question_closed",
        "advice",
        flags=["leading_question"],
        questions=1,
    ),
    client("Maybe."),
    coach(
        "Honestly, just block your mornings and tell the teams the deadline is the 25th.",
        "advice",
        stage="will",
    ),
    client("Fine, I guess I'll try."),
    coach("Great, you'll be fine. Try it and see.", "advice", stage="will"),
]


def split(conversation: list) -> tuple[list[Turn], list]:
    return [t for t, _ in conversation], [lab for _, lab in conversation]


def score(conversation: list, rubric_id: str, scorer: Scorer | None = None) -> Scorecard:
    turns, labels = split(conversation)
    return (scorer or Scorer()).score(turns, builtin_rubrics()[rubric_id], labels=labels)


def criterion(card: Scorecard, criterion_id: str):
    return next(c for c in card.criteria if c.id == criterion_id)


@pytest.mark.parametrize("rubric_id", ["core-coaching", "mi-consistency", "grow-structure"])
def test_good_conversation_beats_poor_on_every_criterion(rubric_id: str) -> None:
    good, poor = score(GOOD, rubric_id), score(POOR, rubric_id)
    for g, p in zip(good.criteria, poor.criteria, strict=True):
        assert g.level > p.level, (g.id, g.level, p.level, g.feedback, p.feedback)
        assert g.level >= 3, (g.id, g.feedback)
    assert good.overall >= 75 > 40 >= poor.overall


@pytest.mark.parametrize(
    ("conversation", "rubric_id", "criterion_id", "expected_turns"),
    [
        (POOR, "core-coaching", "open-questions", {2, 10}),
        (POOR, "core-coaching", "evokes-not-advises", {4, 10, 12}),
        (POOR, "core-coaching", "client-talks-most", {2, 6, 12}),
        (POOR, "mi-consistency", "mi-non-adherent", {4, 8, 10}),
        (GOOD, "core-coaching", "agreement", {0, 4}),
        (GOOD, "core-coaching", "active-listening", {2, 6, 8}),
        (GOOD, "core-coaching", "designs-actions", {22}),
        (GOOD, "core-coaching", "acknowledges-strengths", {10, 16}),
        (GOOD, "grow-structure", "stage-coverage", {0, 6, 12}),
    ],
)
def test_evidence_points_at_the_turns_that_earned_the_level(
    conversation: list, rubric_id: str, criterion_id: str, expected_turns: set[int]
) -> None:
    result = criterion(score(conversation, rubric_id), criterion_id)
    leading = "for" if result.level >= GOOD_LEVEL else "against"
    assert {e.turn for e in result.evidence if e.stance == leading} == expected_turns
    others = [e for e in result.evidence if e.stance != leading]
    assert len(others) <= 1  # at most one turn from the other side
    turns, _ = split(conversation)
    for e in result.evidence:  # quotes are exact spans of the learner's own turn
        assert turns[e.turn].speaker == "coach"
        assert e.quote.rstrip("…") in turns[e.turn].text


def test_poor_listening_still_credits_the_reflection_it_has() -> None:
    turns, labels = split(POOR)
    lab = labels[6]
    assert isinstance(lab, CoachLabels)
    labels[6] = lab.model_copy(
        update={"techniques": ("reflection_simple",), "primary": "reflection_simple"}
    )
    card = Scorer().score(turns, builtin_rubrics()["core-coaching"], labels=labels)
    listening = criterion(card, "active-listening")
    assert listening.level < GOOD_LEVEL
    assert [(e.turn, e.stance) for e in listening.evidence if e.stance == "for"] == [(6, "for")]


@pytest.mark.parametrize("conversation", [GOOD, POOR])
def test_evidence_quotes_only_the_learners_own_turns(conversation: list) -> None:
    turns, _ = split(conversation)
    for rubric_id in builtin_rubrics():
        for result in score(conversation, rubric_id).criteria:
            assert len(result.evidence) <= MAX_EVIDENCE + 1
            for side in ("for", "against"):  # the leading side first, each in turn order
                order = [e.turn for e in result.evidence if e.stance == side]
                assert order == sorted(order)
            stances = [e.stance for e in result.evidence]
            assert stances == sorted(stances, key=lambda x: x != stances[0])
            for e in result.evidence:
                assert turns[e.turn].speaker == "coach"
                assert len(e.quote) <= QUOTE_LIMIT
                assert e.quote.rstrip("…") in " ".join(turns[e.turn].text.split())


def test_question_evidence_quotes_the_question_itself() -> None:
    result = criterion(score(GOOD, "core-coaching"), "open-questions")
    quotes = {e.turn: e.quote for e in result.evidence}
    assert quotes[6] == "What takes the most time in the reports?"


def test_a_judgemental_why_is_never_quoted_as_a_good_open_question() -> None:
    conversation = [
        coach(
            "Why haven't you finished the report yet?",
            "question_open",
            flags=["judgemental_why"],
            questions=1,
        ),
        client("I've had too much on."),
        coach("What would help you get it done?", "question_open", questions=1),
        client("Some quiet time."),
    ]
    card = score(conversation, "core-coaching")
    assert [e.turn for e in criterion(card, "open-questions").evidence] == [2]


def test_long_turns_are_quoted_within_the_limit() -> None:
    long_text = "I think " + "you really should try a different approach here " * 20
    conversation = [coach(long_text, "advice"), client("Okay.")] * 3
    result = criterion(score(conversation, "core-coaching"), "evokes-not-advises")
    assert result.evidence[0].quote.endswith("…")
    assert len(result.evidence[0].quote) <= QUOTE_LIMIT


def test_feedback_quotes_the_weak_turn_and_offers_a_rewrite_in_the_clients_words() -> None:
    result = criterion(score(POOR, "core-coaching"), "evokes-not-advises")
    assert "“You should delegate the reports to your team.”" in result.feedback
    assert "evenings back" in result.feedback
    assert result.feedback.count(".") >= 1 and len(result.feedback) < 600


def test_feedback_for_a_good_level_quotes_a_good_turn() -> None:
    result = criterion(score(GOOD, "core-coaching"), "agreement")
    assert result.level == 5
    assert "What would you like to get out of our time today?" in result.feedback


def test_strength_and_next_step_come_from_best_and_worst_criteria() -> None:
    card = score(POOR, "core-coaching")
    best = max(card.criteria, key=lambda c: (c.score, c.weight))
    worst = min(card.criteria, key=lambda c: (c.score, -c.weight))
    assert card.strength.criterion == best.id
    assert card.next_step.criterion == worst.id
    assert card.strength.criterion != card.next_step.criterion


def test_turns_carry_labels_and_suggestions_only_for_weak_coach_turns() -> None:
    card = score(POOR, "core-coaching")
    by_index = {t.index: t for t in card.turns}
    assert by_index[4].primary == "advice"
    assert (
        by_index[4].suggestion
        == "What options do you see, given that you want to get your evenings back?"
    )
    assert by_index[2].flags == ["stacked_questions"]
    assert by_index[1].suggestion is None and by_index[1].talk_type == "change"
    good = score(GOOD, "core-coaching")
    assert all(t.suggestion is None for t in good.turns)


def test_weights_are_normalised_and_overall_is_the_weighted_mean() -> None:
    card = score(POOR, "core-coaching")
    assert sum(c.weight for c in card.criteria) == pytest.approx(1.0)
    assert card.overall == pytest.approx(sum(c.score * c.weight for c in card.criteria), abs=0.1)


RUBRIC = """\
id: judged
name: Judged
version: 3
description: Uses an llm judge and a plain metric.
criteria:
  - id: empathy
    name: Empathy
    weight: 1
    description: Understands the client.
    levels: {1: none, 2: little, 3: some, 4: much, 5: deep}
    measure:
      type: llm_judge
      prompt: Rate empathy.
      offline_metric: {metric: complex_reflection_share, thresholds: [0.25, 0.4, 0.5, 0.6]}
  - id: advice
    name: Advice
    weight: 3
    description: Holds back advice.
    levels: {1: lots, 2: much, 3: some, 4: one, 5: none}
    measure:
      type: metric
      metric: advice_without_permission_count
      thresholds: [0, 1, 2, 3]
      higher_is_better: false
"""


class FakeJudge:
    def __init__(self, rating: JudgeRating) -> None:
        self.rating = rating
        self.calls: list[str] = []

    def rate(self, prompt, criterion, turns) -> JudgeRating:
        self.calls.append(prompt)
        return self.rating


def test_llm_judge_uses_the_offline_metric_without_a_judge() -> None:
    rubric = load_rubric_text(RUBRIC, "judged.yaml")
    turns, labels = split(GOOD)
    card = Scorer().score(turns, rubric, labels=labels)
    assert criterion(card, "empathy").level == 5  # 4 of 5 reflections are complex
    assert card.rubric.id == "judged" and card.rubric.version == 3
    assert card.overall == pytest.approx(100.0)


def test_llm_judge_uses_the_judge_and_keeps_only_coach_turns_as_evidence() -> None:
    rubric = load_rubric_text(RUBRIC, "judged.yaml")
    judge = FakeJudge(JudgeRating(level=2, reason="Little warmth shown.", turns=[4, 5, 99]))
    turns, labels = split(POOR)
    card = Scorer(judge=judge).score(turns, rubric, labels=labels)
    empathy = criterion(card, "empathy")
    assert judge.calls == ["Rate empathy."]
    assert (empathy.level, empathy.score, empathy.feedback) == (2, 25.0, "Little warmth shown.")
    assert [e.turn for e in empathy.evidence] == [4]
    assert card.overall == pytest.approx((25 * 1 + 0 * 3) / 4, abs=0.1)


class CountingDetector:
    def __init__(self, labels: list) -> None:
        self.labels = labels
        self.calls = 0

    def label_transcript(self, turns):
        self.calls += 1
        return self.labels


def test_given_labels_are_reused_and_the_detector_is_not_called() -> None:
    turns, labels = split(POOR)
    detector = CountingDetector(labels)
    Scorer(detector).score(turns, builtin_rubrics()["core-coaching"], labels=labels)
    assert detector.calls == 0
    card = Scorer(detector).score(turns, builtin_rubrics()["core-coaching"])
    assert detector.calls == 1
    assert card == score(POOR, "core-coaching")


def test_scoring_needs_coach_turns_matching_labels_and_a_label_source() -> None:
    rubric = builtin_rubrics()["core-coaching"]
    turns, labels = split(POOR)
    with pytest.raises(ValueError, match="no coach turns"):
        Scorer().score(
            [Turn("client", "Hello")], rubric, labels=[ClientLabels(talk_type="neutral")]
        )
    with pytest.raises(ValueError, match="15 turns but 14 labels"):
        Scorer().score(turns, rubric, labels=labels[:-1])
    with pytest.raises(ValueError, match="no detector"):
        Scorer().score(turns, rubric)


def test_json_contract_and_markdown() -> None:
    card = score(POOR, "core-coaching")
    data = card.to_json_dict()
    assert data["rubric"]["id"] == "core-coaching" and data["rubric"]["version"] == 2
    assert set(data) >= {
        "rubric",
        "overall",
        "criteria",
        "strength",
        "next_step",
        "metrics",
        "turns",
    }
    assert set(data["criteria"][0]) >= {
        "id",
        "name",
        "score",
        "level",
        "descriptor",
        "evidence",
        "feedback",
    }
    advice = next(c for c in data["criteria"] if c["id"] == "evokes-not-advises")
    assert advice["evidence"][0] == {
        "turn": 4,
        "quote": "You should delegate the reports to your team.",
        "stance": "against",
    }
    assert set(data["turns"][0]) >= {
        "index",
        "speaker",
        "text",
        "techniques",
        "primary",
        "suggestion",
    }
    assert data["metrics"]["advice_without_permission_count"] == 4
    assert Scorecard.model_validate(data) == card
    md = card.to_markdown()
    assert "# Scorecard: Core coaching skills (v2)" in md
    assert "→ “What options do you see, given that you want to get your evenings back?”" in md
    assert "| Evokes rather than advises | 2/5 |" in md


GOOD_TEXT = "\n".join(f"{t.speaker.title()}: {t.text}" for t, _ in GOOD)
POOR_TEXT = "\n".join(f"{t.speaker.title()}: {t.text}" for t, _ in POOR)


def test_real_detector_tells_good_from_poor() -> None:
    detector_module = pytest.importorskip("rubrics.detector", reason="rubrics.detector not ready")
    scorer = Scorer(detector_module.TechniqueDetector())
    rubric = builtin_rubrics()["core-coaching"]
    good = scorer.score(parse_transcript(GOOD_TEXT, "good.txt"), rubric)
    poor = scorer.score(parse_transcript(POOR_TEXT, "poor.txt"), rubric)
    assert good.overall > poor.overall + 25
    better = [g.id for g, p in zip(good.criteria, poor.criteria, strict=True) if g.level > p.level]
    expected = {"agreement", "active-listening", "evokes-not-advises", "designs-actions"}
    assert expected <= set(better)
    advice = criterion(poor, "evokes-not-advises")
    assert 4 in {e.turn for e in advice.evidence}
    assert poor.turns[4].suggestion is not None


def test_feedback_rewrite_fits_the_criterion() -> None:
    listening = criterion(score(POOR, "core-coaching"), "active-listening")
    assert "try “You're drowning in the monthly reports.”" in listening.feedback
    questions = criterion(score(POOR, "core-coaching"), "open-questions")
    assert "instead of “Did you talk to your manager about it?" in questions.feedback


TWO_CRITERIA = """\
id: two
name: Two
version: 1
description: Advice and questions.
criteria:
  - id: advice
    name: Advice
    weight: 1
    description: Holds back advice.
    levels: {1: lots, 2: much, 3: some, 4: one, 5: none}
    measure:
      type: metric
      metric: advice_without_permission_count
      thresholds: [0, 1, 2, 3]
      higher_is_better: false
  - id: questions
    name: Questions
    weight: 1
    description: Asks open questions.
    levels: {1: closed, 2: mostly closed, 3: half open, 4: mostly open, 5: open}
    measure: {type: metric, metric: open_question_share, thresholds: [0.3, 0.5, 0.65, 0.8]}
"""


def test_next_step_names_the_weakest_criterion_with_a_rewrite() -> None:
    card = score(POOR, "mi-consistency")
    # no reflections at all: of the criteria at level 1, the heaviest (R:Q, 30 %) is named
    assert card.next_step.criterion == "reflection-question-ratio"
    card = score(POOR, "grow-structure")  # three criteria score 0: the first of them is named
    assert card.next_step.criterion == "goal-first"
    turns, labels = split(POOR)
    card = Scorer().score(turns, load_rubric_text(TWO_CRITERIA, "two.yaml"), labels=labels)
    assert (card.strength.criterion, card.next_step.criterion) == ("questions", "advice")
    assert (
        card.strength.text == "Questions is your strongest area so far (level 3 of 5): half open."
    )
    assert card.next_step.text == (
        "Advice: Ask what the client sees first, and ask permission before offering an idea. "
        "Instead of “You should delegate the reports to your team.”, try “What options do you "
        "see, given that you want to get your evenings back?”."
    )


class UnavailableJudge:
    def rate(self, prompt, criterion, turns):
        from rubrics.chat import ChatUnavailable

        raise ChatUnavailable("judge is down")


def test_an_unavailable_judge_falls_back_to_the_offline_metric() -> None:
    rubric = load_rubric_text(RUBRIC, "judged.yaml")
    turns, labels = split(GOOD)
    card = Scorer(judge=UnavailableJudge()).score(turns, rubric, labels=labels)
    assert card == Scorer().score(turns, rubric, labels=labels)


def test_no_two_criteria_offer_the_same_rewrite() -> None:
    card = score(POOR, "core-coaching")
    offered = [c.feedback.split("try “", 1)[1] for c in card.criteria if "try “" in c.feedback]
    assert offered, "a poor transcript gets at least one rewrite"
    assert len(offered) == len(set(offered))
