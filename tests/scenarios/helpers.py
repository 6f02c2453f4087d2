"""Helpers for the scenario tests: hand-built labels, coach scripts and the leak check."""

from __future__ import annotations

import re
from pathlib import Path

from rubrics.labels import CoachLabels
from scenarios.catalogue import builtin_scenarios
from scenarios.model import Scenario
from scenarios.playthrough import read_coach_lines
from tests.fixtures.injections import injections

SCRIPTS = Path(__file__).parent / "scripts"
BUILTIN_IDS = sorted(builtin_scenarios())


def labels(
    primary: str, *more: str, flags: tuple[str, ...] = (), stage: str | None = None
) -> CoachLabels:
    """Hand-built labels for engine unit tests."""
    return CoachLabels(
        techniques=(primary, *more),  # type: ignore[arg-type]
        primary=primary,  # type: ignore[arg-type]
        flags=flags,  # type: ignore[arg-type]
        grow_stage=stage,  # type: ignore[arg-type]
        question_count=sum(t.startswith("question") for t in (primary, *more)),
    )


# Prompt-injection attempts (tests/fixtures/injections.yaml): the off-frame ones, then three
# softer probes with no injection marker (they may earn only what technique earns).
INJECTIONS = injections("persona_off_frame", "persona_soft")


def good_script(scenario_id: str) -> list[str]:
    """The scripted good-technique conversation for a built-in scenario."""
    return read_coach_lines(SCRIPTS / f"{scenario_id}.txt")


def advice_script() -> list[str]:
    """An advice-heavy conversation, full of topic words but short on technique."""
    return read_coach_lines(SCRIPTS / "advice.txt")


_WORD = re.compile(r"[a-z0-9']+")


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """Word n-grams of a text, lowercased, punctuation ignored."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def sayable_text(scenario: Scenario) -> str:
    """Everything the persona may say whatever is unlocked (persona card and reactions)."""
    p = scenario.persona
    r = scenario.reactions
    surface = [line for topic in p.surface_topics() for line in topic.lines]
    parts = [p.opening_line, *surface, *p.voice.fillers, *p.voice.tags, *p.voice.asides]
    for pool in r.model_dump().values():
        parts.extend(pool)
    return " ".join(parts)


def leaked_layers(scenario: Scenario, text: str, unlocked: list[str]) -> list[str]:
    """Ids of locked layers (and 'debrief') whose distinctive wording appears in ``text``."""
    said = shingles(text)
    common = shingles(sayable_text(scenario))
    leaks = []
    for layer in scenario.layers:
        if layer.id in unlocked:
            continue
        secret = shingles(" ".join([layer.summary, *layer.reveal])) - common
        if said & secret:
            leaks.append(layer.id)
    debrief = shingles(" ".join([scenario.debrief.real_want, *scenario.debrief.facilitator_notes]))
    if said & (debrief - common):
        leaks.append("debrief")
    return leaks
