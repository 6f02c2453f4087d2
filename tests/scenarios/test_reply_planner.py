"""The reply planner with the bundled model: the persona answers the turn first, then adds
content, never repeats a long sentence, and trust follows the quality of the turn.

The coach lines here are new (not the scenario scripts); each test plays the real detector and the
real offline engine, as ``coachlab practice`` does.
"""

from __future__ import annotations

import re

import pytest

from rubrics.detector import TechniqueDetector
from scenarios.model import Scenario
from scenarios.offline import OfflinePersonaEngine
from scenarios.playthrough import play_lines
from scenarios.state import long_sentence_keys
from tests.scenarios.helpers import BUILTIN_IDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def played(minilm) -> tuple[OfflinePersonaEngine, TechniqueDetector]:
    return OfflinePersonaEngine(minilm), TechniqueDetector(minilm)


def _reply(played, scenario: Scenario, lines: list[str]):
    engine, detector = played
    return play_lines(scenario, lines, engine, detector).replies


def test_a_wrong_name_is_corrected_first(played, scenarios: dict[str, Scenario]) -> None:
    tom = scenarios["new-manager-impostor"]
    first = tom.persona.first_name
    reply = _reply(played, tom, ["Thanks for coming in, Dana. How are things going?"])[0]
    assert reply.trace is not None and "Dana" in reply.trace.plan
    assert first in reply.text.split(".")[0] + reply.text.split("—")[0]


def test_a_summary_with_a_check_is_answered_not_counted_as_questions(
    played, scenarios: dict[str, Scenario]
) -> None:
    marcus = scenarios["workload-delegation"]
    lines = [
        "What's been filling your days lately?",
        "So there's the emails first thing, the feed breaking, and an audit on top. "
        "Have I got that right?",
    ]
    reply = _reply(played, marcus, lines)[1]
    assert reply.reaction != "stacked_questions"
    assert not any(line in reply.text for line in marcus.reactions.stacked_questions)


def test_small_talk_is_answered_briefly_and_steered_back(
    played, scenarios: dict[str, Scenario]
) -> None:
    derek = scenarios["underperformer-denial"]
    reply = _reply(played, derek, ["Did you catch the match on Saturday?"])[0]
    assert reply.reaction in ("off_topic", "closed_question")
    assert reply.newly_unlocked == []


def test_reassurance_costs_trust_and_earns_nothing(played, scenarios: dict[str, Scenario]) -> None:
    sofia = scenarios["first-performance-review"]
    lines = ["Honestly, relax. Reviews here are a formality, you'll sail through it."]
    reply = _reply(played, sofia, lines)[0]
    assert reply.newly_unlocked == []
    assert reply.trace is not None and reply.trace.trust_after < reply.trace.trust_before


@pytest.mark.parametrize("scenario_id", BUILTIN_IDS)
def test_no_long_sentence_is_said_twice(played, scenarios, scenario_id: str) -> None:
    scenario = scenarios[scenario_id]
    # a patient but unremarkable coach: the persona runs out of new things before the coach does
    lines = [
        "How are things?",
        "Mm. Go on.",
        "What else is going on?",
        "Okay.",
        "Tell me more.",
        "Right, I see.",
        "And what else?",
        "How is the week looking?",
        "Sure.",
        "What's on your mind today?",
        "Anything else?",
        "I see.",
    ]
    replies = [r.text for r in _reply(played, scenario, lines)]
    keys = [
        k for text in [scenario.persona.opening_line, *replies] for k in long_sentence_keys(text)
    ]
    assert len(keys) == len(set(keys)), replies


def test_a_summary_listing_what_was_heard_is_not_stacked_questions(
    played, scenarios: dict[str, Scenario]
) -> None:
    sofia = scenarios["first-performance-review"]
    lines = [
        "What's on your mind about next week?",
        "Let me see if I've followed: the review itself, how much you want to do well, and "
        "what your manager might think of the last project. Is that about right?",
    ]
    reply = _reply(played, sofia, lines)[1]
    assert reply.reaction != "stacked_questions"


def test_a_scaling_question_gets_a_number(played, scenarios: dict[str, Scenario]) -> None:
    gareth = scenarios["career-change"]
    reply = _reply(played, gareth, ["Out of ten, how settled do you feel about all this?"])[0]
    assert reply.trace is not None and "estimate" in reply.trace.plan
    assert not any(reply.text.startswith(line) for line in gareth.reactions.closed_question)


def test_a_choice_question_is_not_answered_yes_or_no(
    played, scenarios: dict[str, Scenario]
) -> None:
    kwame = scenarios["promotion-dilemma"]
    reply = _reply(played, kwame, ["Which side of the list weighs more for you right now?"])[0]
    first = reply.text.split(".")[0].strip().lower()
    assert first not in {"yes", "no", "yeah", "nope"}


def test_an_options_question_is_never_taken_as_small_talk(
    played, scenarios: dict[str, Scenario]
) -> None:
    marcus = scenarios["workload-delegation"]
    lines = ["What's been filling your days lately?", "What else might you do about it?"]
    reply = _reply(played, marcus, lines)[1]
    assert reply.reaction != "off_topic"


def test_a_hello_is_not_answered_as_how_are_you(played, scenarios: dict[str, Scenario]) -> None:
    for scenario in scenarios.values():
        reply = _reply(played, scenario, ["Hi, good to see you. Shall we get going?"])[0]
        opening = re.split(r"[.!?]", reply.text.lower())[0]
        assert "fine" not in opening and "okay, thanks" not in opening, reply.text


def test_a_number_comes_first_even_when_the_plan_is_due(
    played, scenarios: dict[str, Scenario]
) -> None:
    bernie = scenarios["peer-conflict"]
    reply = _reply(played, bernie, ["Between zero and ten, how ready do you feel to sort this?"])[0]
    assert reply.trace is not None and "estimate" in reply.trace.plan


def test_a_reaction_quoting_words_is_used_only_when_the_coach_said_them() -> None:
    from scenarios.offline import _fits

    line = "Oh, I should 'let it go', should I?"
    assert not _fits(line, "Go on then, I'm listening.")
    assert _fits(line, "Honestly, you should just let it go.")
