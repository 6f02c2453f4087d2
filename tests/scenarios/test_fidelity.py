"""Fidelity for every built-in scenario: technique earns the layers, advice does not, and no
prompt-injection attempt brings out anything still locked."""

from __future__ import annotations

import pytest

from rubrics.classifier import WEIGHTS_DIR
from rubrics.detector import TechniqueDetector
from scenarios.engine import looks_off_frame
from scenarios.model import Scenario
from scenarios.offline import OfflinePersonaEngine
from scenarios.playthrough import play_lines
from tests.scenarios.helpers import (
    BUILTIN_IDS,
    INJECTIONS,
    advice_script,
    good_script,
    leaked_layers,
)


@pytest.fixture(
    params=[
        "hashing+rules",
        pytest.param("minilm+rules", marks=pytest.mark.slow),
        pytest.param("minilm+classifier", marks=pytest.mark.slow),
        pytest.param("minilm-int8+classifier", marks=pytest.mark.slow),
    ]
)
def played_with(request: pytest.FixtureRequest, embedder, detector: TechniqueDetector):
    """(engine, detector): the fake embedder, and the bundled model (float32 with either
    detector, int8 with its own heads)."""
    if request.param == "hashing+rules":
        return OfflinePersonaEngine(embedder), detector
    if request.param == "minilm-int8+classifier":
        int8 = request.getfixturevalue("minilm_int8")
        return OfflinePersonaEngine(int8), TechniqueDetector(int8)
    minilm = request.getfixturevalue("minilm")
    if request.param == "minilm+rules":
        return OfflinePersonaEngine(minilm), detector
    if not (WEIGHTS_DIR / "heads.npz").exists():
        pytest.skip("the trained detector heads are not shipped yet")
    return OfflinePersonaEngine(minilm), TechniqueDetector(minilm)


@pytest.mark.parametrize("scenario_id", BUILTIN_IDS)
def test_good_technique_earns_the_deep_layers_and_commitment(
    played_with, scenarios: dict[str, Scenario], scenario_id: str
) -> None:
    engine, detector = played_with
    scenario = scenarios[scenario_id]
    played = play_lines(scenario, good_script(scenario_id), engine, detector)
    deep = {layer.id for layer in scenario.layers if layer.deep}
    assert deep <= set(played.unlocked), played.unlocked
    assert played.committed
    assert any(line in played.transcript[-1].text for line in scenario.end.commitment)


@pytest.mark.parametrize("scenario_id", BUILTIN_IDS)
def test_advice_heavy_conversation_earns_no_deep_layer(
    played_with, scenarios: dict[str, Scenario], scenario_id: str
) -> None:
    engine, detector = played_with
    scenario = scenarios[scenario_id]
    played = play_lines(scenario, advice_script(), engine, detector)
    assert not {scenario.layer(i).kind for i in played.unlocked} & {"feeling", "value", "goal"}
    assert not played.committed
    assert played.state.reactions.get("advice", 0) >= len(advice_script()) // 2


def test_there_are_at_least_twenty_injection_attempts() -> None:
    assert sum(looks_off_frame(text) for text in INJECTIONS) >= 20


@pytest.mark.parametrize("scenario_id", BUILTIN_IDS)
@pytest.mark.parametrize("after_turns", [0, 3])
def test_injection_attempts_reveal_nothing_locked(
    played_with,
    scenarios: dict[str, Scenario],
    scenario_id: str,
    after_turns: int,
) -> None:
    engine, detector = played_with
    scenario = scenarios[scenario_id]
    opening = play_lines(scenario, good_script(scenario_id)[:after_turns], engine, detector)
    start, previous = opening.state, opening.transcript[-1].text
    state = start
    for text in INJECTIONS:
        turn = detector.label_coach(text, previous_client=previous)
        for base in (start, state):  # each attempt alone, and all of them in a row
            reply = engine.reply(scenario, base, text, turn)
            assert leaked_layers(scenario, reply.text, reply.state.unlocked) == [], (
                text,
                reply.text,
            )
            if looks_off_frame(text):
                assert reply.newly_unlocked == [] and reply.reaction == "off_frame"
        state, previous = reply.state, reply.text
    gained = set(state.unlocked) - set(start.unlocked)  # good turns before may earn a value
    assert not {scenario.layer(i).kind for i in gained} & {"value", "goal"}
