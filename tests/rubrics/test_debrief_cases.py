"""The debrief as a coach would read it: each case below was a wrong score in a walk-through of
the demo scenarios; these transcripts are new, written for the same classes of error."""

from __future__ import annotations

import pytest

from rubrics.catalogue import builtin_rubrics
from rubrics.detector import TechniqueDetector
from rubrics.parsing import parse_transcript
from rubrics.scorecard import CriterionResult, Scorecard
from rubrics.scorer import GOOD_LEVEL, Scorer


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(TechniqueDetector())


def _card(scorer: Scorer, text: str, rubric: str = "core-coaching") -> Scorecard:
    return scorer.score(parse_transcript(text.strip(), "case.txt"), builtin_rubrics()[rubric])


def _criterion(card: Scorecard, criterion_id: str) -> CriterionResult:
    return next(c for c in card.criteria if c.id == criterion_id)


def test_a_clients_passing_plan_is_not_an_action_the_coach_designed(scorer: Scorer) -> None:
    card = _card(
        scorer,
        """
Client: The shed's a tip. I'll sort the tools out on Sunday, probably.
Coach: You've got a lot on at home.
Client: Always. The kids' football, the in-laws visiting.
Coach: It sounds like the weekends vanish.
Client: They do.
""",
    )
    assert _criterion(card, "designs-actions").level == 1


def test_an_action_agreed_after_the_coach_asks_counts(scorer: Scorer) -> None:
    card = _card(
        scorer,
        """
Client: I keep meaning to ring the bank about the loan.
Coach: What will you do first, and by when?
Client: I'll call them on Tuesday morning before work.
""",
    )
    assert _criterion(card, "designs-actions").level >= GOOD_LEVEL


@pytest.mark.parametrize(
    "opener",
    [
        "What would be most useful for us to focus on today?",
        "What do you want to walk away with from this hour?",
        "Where would you like to start today?",
        "What would make this a good use of your time?",
    ],
)
def test_the_session_goal_is_recognised_however_it_is_asked(scorer: Scorer, opener: str) -> None:
    card = _card(
        scorer,
        f"""
Coach: {opener}
Client: Probably the rota. It's a mess.
Coach: Tell me about the rota.
Client: Nobody wants Saturdays.
Coach: You're stuck in the middle of it.
""",
    )
    assert _criterion(card, "agreement").level >= GOOD_LEVEL


def test_reflecting_a_clients_own_must_is_not_advice(scorer: Scorer) -> None:
    detector = TechniqueDetector()
    turn = "So a part of you believes you must hold every plate yourself, or it all falls."
    labels = detector.label_coach(turn)
    assert labels.primary.startswith("reflection") and "advice" not in labels.techniques


def test_reassurance_is_scored_as_advice(scorer: Scorer) -> None:
    card = _card(
        scorer,
        """
Client: I'm dreading the panel interview.
Coach: Honestly, don't stress. Panels are a formality, you'll smash it.
Client: I hope so.
Coach: Everyone gets nervous, it's nothing.
Client: Maybe.
Coach: What's worrying you most?
Client: Freezing.
Coach: Just prepare three stories and you're sorted.
""",
    )
    advice = _criterion(card, "evokes-not-advises")
    assert advice.level <= 2
    assert {e.turn for e in advice.evidence if e.stance == "against"} >= {1, 3}


def test_listening_evidence_quotes_the_reflections(scorer: Scorer) -> None:
    card = _card(
        scorer,
        """
Client: My sister's moving back in and I'm not sure I want her to.
Coach: You love her and you're also worried about losing your space.
Client: Exactly that.
Coach: What's the hardest part?
Client: The noise, honestly.
Coach: Peace and quiet matters a lot to you.
""",
    )
    listening = _criterion(card, "active-listening")
    quoted = {e.turn: e.stance for e in listening.evidence}
    assert quoted.get(1) == "for" and quoted.get(5) == "for"
