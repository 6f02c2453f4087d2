"""Recompute a session's persona state turn by turn from its stored transcript.

What must stay true:
- Replay never asks a model to phrase anything: it re-runs the engine's deterministic state machine
  (``decide`` then ``advance`` with the reply text that was actually stored), so it reproduces the
  stored state exactly for the offline and the LLM engine alike, and costs no model call.
- Nothing hidden is stored to make this possible: the inputs are the seed, the scenario version,
  the stored turns and their labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rubrics.labels import CoachLabels
from rubrics.transcript import Turn
from scenarios.model import Scenario
from scenarios.playthrough import PersonaEngine
from scenarios.state import PersonaState

_UNLABELLED = {"techniques": ["other"], "primary": "other"}


@dataclass(frozen=True, slots=True)
class StoredTurn:
    """The parts of a stored turn that replay needs."""

    position: int
    speaker: str
    text: str
    labels: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class ReplayStep:
    """The persona state after the client turn at ``position``, and what that turn earned."""

    position: int
    state: PersonaState
    earned: tuple[str, ...]


def replay(
    engine: PersonaEngine, scenario: Scenario, seed: int, turns: Sequence[StoredTurn]
) -> list[ReplayStep]:
    """States after the opening and after every answered coach turn, in transcript order."""
    state = engine.start(scenario, seed).state
    steps = [ReplayStep(turns[0].position if turns else 0, state, ())]
    machine = getattr(engine, "machine", None)
    history: list[Turn] = []
    pending: StoredTurn | None = None
    for turn in turns:
        history.append(Turn(speaker=turn.speaker, text=turn.text))  # type: ignore[arg-type]
        if turn.speaker == "coach":
            pending = turn
            continue
        if pending is None:  # the opening line
            continue
        labels = CoachLabels.model_validate(pending.labels or _UNLABELLED)
        before = list(state.unlocked)
        if machine is not None:
            decision = machine.decide(scenario, state, pending.text, labels, history[:-1])
            state = machine.advance(state, decision, turn.text)
        else:  # an engine without a public state machine: its reply is deterministic too
            state = engine.reply(scenario, state, pending.text, labels, history[:-1]).state
        earned = tuple(u for u in state.unlocked if u not in before)
        steps.append(ReplayStep(turn.position, state, earned))
        pending = None
    return steps


def state_after(
    engine: PersonaEngine, scenario: Scenario, seed: int, turns: Sequence[StoredTurn]
) -> PersonaState:
    """The persona state once every answered coach turn in ``turns`` has been replayed."""
    return replay(engine, scenario, seed, turns)[-1].state
