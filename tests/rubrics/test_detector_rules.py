"""Rules-only technique detection on typed and speech-recognition style text."""

from __future__ import annotations

import pytest

from rubrics.detector import TechniqueDetector
from rubrics.labels import ClientLabels, CoachLabels
from rubrics.transcript import Turn


@pytest.fixture(scope="module")
def detector() -> TechniqueDetector:
    return TechniqueDetector()


@pytest.mark.parametrize(
    ("text", "primary"),
    [
        ("What would success look like for you?", "question_open"),
        ("what would success look like for you", "question_open"),
        ("okay so how do you feel about that", "question_open"),
        ("tell me more about that", "question_open"),
        ("Did you talk to her?", "question_closed"),
        ("did you talk to her", "question_closed"),
        ("so have you tried blocking your mornings", "question_closed"),
        ("You should block your mornings.", "advice"),
        ("you should block your mornings", "advice"),
        ("try blocking an hour every morning", "advice"),
        ("You're feeling overwhelmed.", "reflection_simple"),
        ("so youre feeling stretched", "reflection_simple"),
        (
            "Part of you wants it, and part of you fears losing the work you love.",
            "reflection_complex",
        ),
        ("part of you wants it and part of you is scared", "reflection_complex"),
        (
            "So far you've told me about the deadline, your manager and the kids. "
            "Did I get that right?",
            "summary",
        ),
        ("It took courage to raise that.", "affirmation"),
        ("You've kept all of that going, which says a lot about your commitment.", "affirmation"),
        ("That showed real determination.", "affirmation"),
        ("The research shows most people sleep better after two weeks.", "information"),
        ("Would it help if I shared what others have tried?", "permission"),
        ("can i share an idea", "permission"),
        ("We have ten minutes left.", "structuring"),
        ("Mm-hmm.", "other"),
        ("", "other"),
    ],
)
def test_primary_technique(detector: TechniqueDetector, text: str, primary: str) -> None:
    labels = detector.label_coach(text)
    assert labels.primary == primary, labels
    assert labels.techniques[0] == primary


def test_reflection_with_client_context_is_complex_when_it_adds_meaning(
    detector: TechniqueDetector,
) -> None:
    labels = detector.label_coach(
        "you're worried that saying no will cost you the promotion",
        previous_client="my boss keeps giving me more projects",
    )
    assert labels.primary == "reflection_complex"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("What do you want? And how will you get there?", 2),
        ("what do you want and how will you get there", 2),
        ("did you talk to her what did she say", 2),
        ("okay so how often do you drink", 1),
        ("Is it this week or next week?", 1),
        ("You said you were tired.", 0),
        ("what you said is important", 0),
        ("the problem is that you never asked", 0),
        # a relative clause in a stated sentence is not a question
        ("You kept it all going, which says a lot about you. What helped?", 1),
        ("I met Sam, who told me about it.", 0),
        # "…, and when?" extends the question it follows
        ("What will you do first, and when?", 1),
        ("what will you do first and when", 1),
        ("So what happened, and who was there?", 2),
    ],
)
def test_question_count_without_punctuation(
    detector: TechniqueDetector, text: str, count: int
) -> None:
    labels = detector.label_coach(text)
    assert labels.question_count == count
    assert ("stacked_questions" in labels.flags) == (count >= 2)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Don't you think you should talk to her?", "leading_question"),
        ("wouldn't it be better to say no", "leading_question"),
        ("Why didn't you tell him?", "judgemental_why"),
        ("why would you do that", "judgemental_why"),
        ("When I was your age I worked every weekend.", "self_focus"),
        ("i always find that lists help me", "self_focus"),
    ],
)
def test_flags(detector: TechniqueDetector, text: str, flag: str) -> None:
    assert flag in detector.label_coach(text).flags


def test_talking_about_yourself_is_not_a_reflection(detector: TechniqueDetector) -> None:
    labels = detector.label_coach(
        "When I was in your role I just worked late for a week and got it done."
    )
    assert "self_focus" in labels.flags
    assert not {"reflection_simple", "reflection_complex"} & set(labels.techniques)


def test_plain_open_question_has_no_flags(detector: TechniqueDetector) -> None:
    assert detector.label_coach("What matters most to you here?").flags == ()


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("What would you like to get out of today's session?", "goal"),
        ("what have you tried so far", "reality"),
        ("what else could you do", "options"),
        ("what will you do first and by when", "will"),
        ("Mm-hmm.", None),
    ],
)
def test_grow_stage(detector: TechniqueDetector, text: str, stage: str | None) -> None:
    assert detector.label_coach(text).grow_stage == stage


@pytest.mark.parametrize(
    ("text", "commitment", "has_when", "talk"),
    [
        ("I'll talk to her on Monday.", True, True, "change"),
        ("ill talk to her monday", True, True, "change"),
        ("i'm going to block my mornings starting tomorrow", True, True, "change"),
        ("I'll think about it.", False, False, None),
        ("I might call her next week.", False, True, None),
        ("I can't stop, it helps me relax.", False, False, "sustain"),
        ("I was ill on Monday.", False, True, None),
        ("yeah", False, False, "neutral"),
    ],
)
def test_client_labels(
    detector: TechniqueDetector, text: str, commitment: bool, has_when: bool, talk: str | None
) -> None:
    labels = detector.label_client(text)
    assert labels.commitment is commitment
    assert labels.has_when is has_when
    if talk is not None:
        assert labels.talk_type == talk


def test_transcript_gives_one_record_per_turn(detector: TechniqueDetector) -> None:
    turns = [
        Turn("coach", "hi what brings you here today"),
        Turn("client", "i have too much on at work"),
        Turn("coach", "so youre feeling stretched"),
        Turn("client", "ill talk to my manager on friday"),
        Turn("coach", "great what will you say"),
    ]
    labels = detector.label_transcript(turns)
    assert [type(x) for x in labels] == [
        CoachLabels,
        ClientLabels,
        CoachLabels,
        ClientLabels,
        CoachLabels,
    ]
    assert labels[0].question_count == 1
    assert isinstance(labels[3], ClientLabels) and labels[3].commitment


def test_labels_round_trip_json(detector: TechniqueDetector) -> None:
    labels = detector.label_coach("did you talk to her what did she say")
    assert CoachLabels.model_validate_json(labels.model_dump_json()) == labels


def test_speech_style_text_keeps_apostrophes() -> None:
    from rubrics.detection_text import speech_style

    assert speech_style("So -- you're feeling stretched? Yes.") == "so you're feeling stretched yes"
