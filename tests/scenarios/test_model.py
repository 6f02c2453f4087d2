"""The scenario schema: learner view hides everything hidden, debrief view, structure checks."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from scenarios.model import Scenario
from tests.scenarios.helpers import BUILTIN_IDS


def _hidden_texts(scenario: Scenario) -> list[str]:
    texts = [scenario.debrief.real_want, *scenario.debrief.facilitator_notes]
    for layer in scenario.layers:
        texts += [layer.id, layer.summary, *layer.reveal, *layer.earn.topic_cues]
    texts += [*scenario.end.options, *scenario.end.commitment]
    for pool in scenario.reactions.model_dump().values():
        texts += pool
    for topic in scenario.persona.surface_topics():
        texts += [*topic.lines, *topic.cues]
    texts += scenario.persona.voice.traits
    return texts


@pytest.mark.parametrize("scenario_id", BUILTIN_IDS)
def test_learner_view_holds_nothing_hidden(
    scenarios: dict[str, Scenario], scenario_id: str
) -> None:
    scenario = scenarios[scenario_id]
    view = scenario.learner_view().model_dump_json()
    for text in _hidden_texts(scenario):
        assert text not in view, text
    assert set(json.loads(view)) == {
        "id",
        "version",
        "title",
        "context",
        "difficulty",
        "skills",
        "brief",
        "persona_name",
        "persona_role",
        "opening_line",
    }


def test_debrief_view_marks_earned_layers(scenarios: dict[str, Scenario]) -> None:
    scenario = scenarios["workload-delegation"]
    view = scenario.debrief_view(["covering_two_roles", "fear_of_slipping", "nonsense"])
    earned = {o.id: o.earned for o in view.layers}
    assert earned["covering_two_roles"] and earned["fear_of_slipping"]
    assert not earned["present_for_daughter"]
    assert view.unlocked == ["covering_two_roles", "fear_of_slipping"]
    assert view.real_want == scenario.debrief.real_want


def test_deep_layers_are_feelings_values_and_goals(scenarios: dict[str, Scenario]) -> None:
    kinds = {layer.kind: layer.deep for layer in scenarios["career-change"].layers}
    assert kinds == {"fact": False, "feeling": True, "value": True, "goal": True}


def _data(scenarios: dict[str, Scenario]) -> dict:
    return scenarios["workload-delegation"].model_dump(mode="json")


def test_unknown_field_is_rejected(scenarios: dict[str, Scenario]) -> None:
    data = _data(scenarios)
    data["persona"]["mood"] = "grumpy"
    with pytest.raises(ValidationError, match="mood"):
        Scenario.model_validate(data)


def test_structure_problems_find_duplicates_unknown_and_cycles(
    scenarios: dict[str, Scenario],
) -> None:
    data = _data(scenarios)
    data["layers"][1]["id"] = "covering_two_roles"
    data["layers"][2]["earn"]["requires"] = ["no_such_layer"]
    problems = dict(Scenario.model_validate(data).structure_problems())
    assert ("layers", 1, "id") in problems
    assert "'no_such_layer'" in problems[("layers", 2, "earn", "requires", 0)]

    data = _data(scenarios)
    data["layers"][0]["earn"]["requires"] = ["present_for_daughter"]
    problems = dict(Scenario.model_validate(data).structure_problems())
    (message,) = problems.values()
    assert "cycle" in message and "present_for_daughter" in message


def test_sound_scenarios_have_no_structure_problems(scenarios: dict[str, Scenario]) -> None:
    for scenario in scenarios.values():
        assert scenario.structure_problems() == []
