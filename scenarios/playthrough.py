"""Play a list of coach lines against a persona: the engine behind ``coachlab practice``.

What must stay true: the transcript starts with the persona's opening line and then alternates
coach, client; ``unlocked`` is the order in which layers were earned; every coach line is labelled
with the client's previous line as context, exactly as in a live session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rubrics.labels import CoachLabels
from rubrics.transcript import Turn
from scenarios.engine import PersonaReply
from scenarios.model import Scenario
from scenarios.state import PersonaState


class CoachDetector(Protocol):
    """Labels a coach turn (``rubrics.detector.TechniqueDetector`` satisfies this)."""

    def label_coach(self, text: str, previous_client: str | None = None) -> CoachLabels:
        """Return the techniques and flags of one coach turn."""
        ...


class PersonaEngine(Protocol):
    """Plays a persona turn by turn (the offline engine, and later the LLM engine)."""

    def start(self, scenario: Scenario, seed: int | None = None) -> PersonaReply:
        """Return the opening line and the first state."""
        ...

    def reply(
        self,
        scenario: Scenario,
        state: PersonaState,
        coach_text: str,
        labels: CoachLabels,
        history: Sequence[Turn] = (),
    ) -> PersonaReply:
        """Answer one coach turn."""
        ...


@dataclass
class Playthrough:
    """The result of playing coach lines against a persona."""

    transcript: list[Turn]
    unlocked: list[str]
    committed: bool
    state: PersonaState
    labels: list[CoachLabels] = field(default_factory=list)
    replies: list[PersonaReply] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Return the JSON shape the CLI prints (without the scorecard): the transcript, the
        layers earned, and per coach turn the facilitator's trace of why the persona answered so."""
        return {
            "transcript": [{"speaker": t.speaker, "text": t.text} for t in self.transcript],
            "unlocked": list(self.unlocked),
            "committed": self.committed,
            "trace": [
                {"coach": line, **(reply.trace.model_dump(mode="json") if reply.trace else {})}
                for line, reply in zip(self.coach_lines, self.replies, strict=True)
            ],
        }

    @property
    def coach_lines(self) -> list[str]:
        """The coach's lines, in order."""
        return [t.text for t in self.transcript if t.speaker == "coach"]


MAX_COACH_LINES = 200  # a long live session has about 60 coach turns
MAX_COACH_LINE_CHARS = 2000  # the app's default limit for one message
MAX_COACH_LINES_BYTES = 500_000


class CoachLinesError(ValueError):
    """A coach-lines file breaks a limit; ``line`` is where, when known."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


def read_coach_lines(path: Path | str) -> list[str]:
    """Read coach lines from a file: one per line; blank lines and lines starting with # skipped.

    Raises OSError or UnicodeDecodeError when the file cannot be read and CoachLinesError when it
    is larger than MAX_COACH_LINES_BYTES, has more than MAX_COACH_LINES lines or a line longer
    than MAX_COACH_LINE_CHARS.
    """
    if Path(path).stat().st_size > MAX_COACH_LINES_BYTES:
        raise CoachLinesError(None, f"file is larger than {MAX_COACH_LINES_BYTES // 1000} kB")
    lines: list[str] = []
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > MAX_COACH_LINE_CHARS:
            raise CoachLinesError(number, f"line is longer than {MAX_COACH_LINE_CHARS} characters")
        lines.append(line)
        if len(lines) > MAX_COACH_LINES:
            raise CoachLinesError(number, f"more than {MAX_COACH_LINES} coach lines")
    return lines


def play_lines(
    scenario: Scenario,
    lines: Sequence[str],
    engine: PersonaEngine,
    detector: CoachDetector,
    seed: int | None = None,
) -> Playthrough:
    """Play each coach line in turn and collect the transcript and the layers earned."""
    opening = engine.start(scenario, seed)
    state = opening.state
    transcript = [Turn("client", opening.text)]
    labels_seen: list[CoachLabels] = []
    replies: list[PersonaReply] = []
    for line in lines:
        labels = detector.label_coach(line, previous_client=transcript[-1].text)
        transcript.append(Turn("coach", line))
        reply = engine.reply(scenario, state, line, labels, transcript)
        transcript.append(Turn("client", reply.text))
        state = reply.state
        labels_seen.append(labels)
        replies.append(reply)
    return Playthrough(
        transcript=transcript,
        unlocked=list(state.unlocked),
        committed=state.committed,
        state=state,
        labels=labels_seen,
        replies=replies,
    )
