"""Better phrasings: reuse the client's words and turn weak coach turns into open questions."""

from __future__ import annotations

import re

import pytest

from rubrics.labels import ClientLabels, CoachLabels
from rubrics.rewrite import read_client, suggest_rewrite, suggest_rewrites, weakness_of
from rubrics.transcript import Turn

CONTENT = re.compile(r"[a-z']{4,}")
STOP = {"that", "this", "with", "have", "just", "what", "your", "about", "they", "there", "when"}

CASES = [
    (
        "advice",
        "You should delegate the reports.",
        "I'm drowning in the monthly reports and my manager keeps adding more.",
        "It sounds like you're feeling swamped.",
    ),
    (
        "closed",
        "Did you talk to her?",
        "I tried to talk to my manager about the deadline, but she brushed it off.",
        "What happened when you tried to talk to your manager about the deadline?",
    ),
    (
        "closed",
        "Is it the budget?",
        "My whole team is behind on the quarterly budget.",
        "What do you make of it?",
    ),
    (
        "stacked",
        "Is it time? Or money?",
        "I'm stuck with the budget.",
        "What's on your mind about that?",
    ),
    (
        "why",
        "Why did you let it get this bad?",
        "I'm behind on the quarterly budget.",
        "What happened that led you to let it get this bad?",
    ),
    (
        "leading",
        "Don't you think a weekly check-in would help?",
        "I never get time with my boss.",
        "What are your thoughts on whether a weekly check-in would help?",
    ),
    (
        "self_focus",
        "When I was a manager I had the same problem; I just worked weekends.",
        "I'm exhausted by the constant overtime.",
        "You're exhausted by the constant overtime.",
    ),
    (
        "self_focus",
        "I remember my first job.",
        "I want to spend more time with my kids.",
        "You want to spend more time with your kids.",
    ),
]


def content_words(text: str) -> set[str]:
    return set(CONTENT.findall(text.lower())) - STOP


@pytest.mark.parametrize(("weakness", "coach", "client", "expected"), CASES)
def test_rewrites_fit_the_fault_and_reuse_whole_clauses(weakness, coach, client, expected) -> None:
    suggestion = suggest_rewrite(coach, weakness, [client])
    assert suggestion == expected
    if weakness in ("self_focus", "closed") and suggestion.startswith(("You", "What happened")):
        assert content_words(suggestion) & content_words(client)
    assert suggestion.count("?") <= 1
    assert suggest_rewrite(coach, weakness, [client]) == suggestion  # deterministic


def test_stacked_questions_keep_the_first_open_question() -> None:
    text = "So how did that meeting feel for you? Did she listen? Was it useful?"
    assert (
        suggest_rewrite(text, "stacked", ["I met my boss."])
        == "So how did that meeting feel for you?"
    )


def test_without_client_words_the_coachs_question_is_reworded() -> None:
    assert (
        suggest_rewrite("Did you talk to her?", "closed") == "What happened when you talked to her?"
    )
    assert suggest_rewrite("Did you stop?", "closed", ["Ugh."]) == "What happened when you stopped?"
    assert suggest_rewrite("Why did you wait so long?", "why") == (
        "What happened that led you to wait so long?"
    )
    assert suggest_rewrite(
        "Don't you think a weekly check-in would help?", "leading", ["Ugh."]
    ) == ("What are your thoughts on whether a weekly check-in would help?")
    assert suggest_rewrite("You should rest.", "advice") in {
        "What ideas do you have yourself?",
        "What options can you see?",
        "What have you already tried?",
        "What would you like to try?",
    }


@pytest.mark.parametrize(
    ("weakness", "coach", "client", "bad"),
    [
        # idioms: the head noun belongs to a figure of speech, not to the client's situation
        (
            "advice",
            "Just ask for a raise.",
            "I've got a plan up my sleeve for the meeting.",
            "sleeve",
        ),
        ("leading", "Don't you reckon it's time?", "Honestly my heart is in my mouth.", "mouth"),
        ("closed", "Is it the hours?", "Luckily the director is on my side.", "side"),
        ("why", "Why did that happen?", "It all got out of my hands really.", "hands"),
        # fragments: the client's clause runs on beyond what the rewrite can quote
        (
            "self_focus",
            "I had that too.",
            "I'm not the only one whose targets are slipping.",
            "whose",
        ),
        ("reflect", "What else?", "I feel like the one who always has to", "who"),
    ],
)
def test_no_idioms_or_fragments_are_spliced_in(weakness, coach, client, bad) -> None:
    suggestion = suggest_rewrite(coach, weakness, [client])
    assert suggestion is not None
    assert bad not in suggestion.lower()
    assert suggestion.endswith((".", "?"))


def test_closed_questions_become_open_ones_about_the_same_thing() -> None:
    tried = suggest_rewrite("have you tried a to-do list", "closed", ["Ugh."])
    assert tried in {"What have you tried so far?", "What options have you already considered?"}
    feel = suggest_rewrite("Are you worried about it?", "closed", ["Ugh."])
    assert feel in {"How are you feeling about it?", "What's that like for you?"}


def test_a_named_feeling_is_reflected_when_no_clause_can_be() -> None:
    suggestion = suggest_rewrite(
        "Me too, honestly.", "self_focus", ["Work is a lot. Totally drained."]
    )
    assert suggestion == "It sounds like you're feeling drained."


def test_older_client_turn_is_used_when_the_latest_offers_nothing() -> None:
    suggestion = suggest_rewrite(
        "You should delegate.", "advice", ["Not really.", "I want my evenings back."]
    )
    assert suggestion == "What options do you see, given that you want your evenings back?"


def test_no_weakness_no_suggestion() -> None:
    assert suggest_rewrite("What would help?", None, ["I'm tired."]) is None


def test_read_client_prefers_the_phrase_the_coach_talked_about() -> None:
    text = "My manager keeps adding tasks and the monthly reports never end."
    assert read_client(text, "Delegate the reports").noun_phrase == "the monthly reports"
    assert read_client(text, "Talk to your manager").noun_phrase == "your manager"
    phrases = read_client("I'm sorry. I was late because I've been swamped at work.")
    assert phrases.state == "you've been swamped at work"


def label(*techniques: str, flags: tuple[str, ...] = (), questions: int = 0) -> CoachLabels:
    return CoachLabels(
        techniques=techniques,
        primary=techniques[0],
        flags=flags,  # type: ignore[arg-type]
        question_count=questions,
    )


def test_weakness_priority_and_permission() -> None:
    neutral = ClientLabels(talk_type="neutral")
    labels = [
        label("permission", questions=1),
        neutral,
        label("advice"),
        neutral,
        label("advice", "question_closed", flags=("leading_question",), questions=1),
        neutral,
        label("question_closed", "question_open", flags=("stacked_questions",), questions=2),
        label("question_closed", questions=1),
        label("question_open", "question_closed", questions=1),
        label("reflection_simple", flags=("self_focus",)),
        label("question_open", flags=("judgemental_why",), questions=1),
        label("summary", "question_closed", questions=1),
        label("permission", "question_closed", questions=1),
        label("reflection_complex", "question_closed", questions=1),
    ]
    assert [weakness_of(labels, i) for i in range(len(labels))] == [
        None,
        None,
        None,
        None,
        "leading",
        None,
        "stacked",
        "closed",
        None,
        "self_focus",
        "why",
        None,
        None,
        None,
    ]


def test_suggest_rewrites_for_a_transcript() -> None:
    turns = [
        Turn("client", "I'm drowning in the monthly reports."),
        Turn("coach", "You should delegate them."),
        Turn("coach", "What would help?"),
    ]
    labels = [
        ClientLabels(talk_type="neutral"),
        label("advice"),
        label("question_open", questions=1),
    ]
    assert suggest_rewrites(turns, labels) == [None, "It sounds like you're feeling swamped.", None]


@pytest.mark.parametrize(("weakness", "coach", "client", "expected"), CASES)
def test_real_detector_reads_suggestions_as_open_questions_or_reflections(
    weakness, coach, client, expected
) -> None:
    detector_module = pytest.importorskip("rubrics.detector", reason="rubrics.detector not ready")
    labels = detector_module.TechniqueDetector().label_coach(expected, client)
    assert labels.primary in {"question_open", "reflection_simple", "reflection_complex"}
    assert not labels.flags


def test_a_rewrite_identical_to_the_turn_is_not_offered() -> None:
    assert suggest_rewrite("What will you do first, and when?", "stacked", ["I'm ready."]) is None
