"""The scenario file format: a pydantic schema for one practice scenario and its persona.

What must stay true:
- Every model forbids unknown fields, so a misspelt key in a facilitator's file is an error.
- Hidden material (layers, reactions, end lines, debrief, the persona's voice card) is reachable
  only through the full ``Scenario``; ``learner_view()`` returns nothing that is hidden, and is the
  only view the UI may show before the debrief.
- ``structure_problems()`` reports cross-field problems (duplicate ids, unknown or cyclic
  prerequisites) as (location, message) pairs so the loader can point at the line in the file.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from rubrics.labels import Technique
from rubrics.model import MAX_VERSION

SCHEMA_VERSION = 1

Context = Literal["manager_report", "mentor_mentee", "peer", "external_coach"]
LayerKind = Literal["fact", "feeling", "value", "goal"]
ResistanceStyle = Literal["yes_but", "deflect", "defend", "withdraw", "intellectualise"]
SentenceLength = Literal["clipped", "moderate", "rambling"]
DEEP_KINDS: frozenset[str] = frozenset({"feeling", "value", "goal"})

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]
Cue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Filler = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"[.?!…]$")
]
LayerId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
ScenarioId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,59}$")]
Location = tuple[str | int, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Voice(_Strict):
    """How the persona sounds: drives the offline engine's phrasing and the LLM's persona card."""

    traits: list[Line] = Field(min_length=1, description="Plain-words description of the voice.")
    lexicon: list[Cue] = Field(default=[], description="Words and phrases this person favours.")
    fillers: list[Filler] = Field(
        default=[], description="Openers said before a line; each ends with . ? ! or …"
    )
    filler_rate: float = Field(default=0.3, ge=0, le=1, description="How often a filler is used.")
    tags: list[Line] = Field(default=[], description="Short sentences sometimes added at the end.")
    sentence_length: SentenceLength = Field(
        default="moderate", description="clipped: no tags or asides; rambling: adds asides."
    )
    asides: list[Line] = Field(
        default=[], description="Harmless tangents a rambling persona adds; nothing hidden."
    )


class SurfaceTopic(_Strict):
    """Something the persona talks about freely, with lines to say about it over a session."""

    id: LayerId = Field(description="Unique among the surface topics; used in traces.")
    lines: list[Line] = Field(min_length=1, description="First mention, then more detail.")
    cues: list[Cue] = Field(
        default=[], description="Phrases a coach turn about this topic resembles (similarity)."
    )
    hints: list[LayerId] = Field(
        default=[], description="Hidden layers this topic points towards; following it up helps."
    )


# A plain line is a topic of its own with one line and no cues (the original file format).
SurfaceItem = Line | SurfaceTopic


class Persona(_Strict):
    """The client the learner talks to: the card, not the secrets."""

    name: Line = Field(description="Name the learner sees.")
    role: Line = Field(description="Job or situation the learner sees.")
    voice: Voice = Field(description="How this person talks.")
    openness: int = Field(ge=1, le=5, description="1 guarded … 5 open; sets the starting trust.")
    resistance: int = Field(ge=1, le=5, description="1 easy … 5 hard; damps trust gains.")
    resistance_style: ResistanceStyle = Field(description="How pushback sounds.")
    opening_line: Line = Field(description="First thing the persona says; the learner sees it.")
    surface: list[SurfaceItem] = Field(
        min_length=2,
        description="What the persona says freely when nothing new is earned: lines, or topics "
        "with several lines, cues and hints.",
    )

    def surface_topics(self) -> list[SurfaceTopic]:
        """Every surface item as a topic (a plain line becomes topic ``surface_<n>``)."""
        return [
            item
            if isinstance(item, SurfaceTopic)
            else SurfaceTopic(id=f"surface_{n}", lines=[item])
            for n, item in enumerate(self.surface, start=1)
        ]

    @property
    def first_name(self) -> str:
        """The name a learner would call the persona by."""
        return self.name.split()[0]


class EarnRule(_Strict):
    """What the coach must do for a layer to be revealed."""

    techniques: list[Technique] = Field(
        min_length=1, description="Any one of these techniques in the coach's turn."
    )
    topic_cues: list[Cue] = Field(
        default=[], description="Phrases matched by embedding similarity with the coach's turn."
    )
    keywords: list[Cue] = Field(
        default=[], description="Word stems; any one in the coach's turn counts as on topic."
    )
    requires: list[LayerId] = Field(default=[], description="Layers that must be earned first.")
    trust: float = Field(default=0.0, ge=0, le=1, description="Trust needed (0–1).")


class Layer(_Strict):
    """One piece of hidden material: a fact, feeling, value or the real goal."""

    id: LayerId = Field(description="Unique within the scenario; used in transcripts and tests.")
    kind: LayerKind = Field(description="fact, feeling, value or goal.")
    summary: Line = Field(description="One line for the facilitator and the debrief.")
    reveal: list[Line] = Field(
        min_length=1, description="The persona's words: the first when earned, the rest later."
    )
    earn: EarnRule = Field(description="What earns this layer.")

    @property
    def deep(self) -> bool:
        """Feelings, values and the real goal are deep; facts are not."""
        return self.kind in DEEP_KINDS


class Reactions(_Strict):
    """Lines, in the persona's voice, for each way a coach turn can miss."""

    advice: list[Line] = Field(min_length=2, description="Unasked advice: the 'yes, but'.")
    closed_question: list[Line] = Field(min_length=2, description="Short answers.")
    judgemental_why: list[Line] = Field(min_length=2, description="Defensiveness.")
    stacked_questions: list[Line] = Field(min_length=2, description="Answers only one.")
    leading_question: list[Line] = Field(default=[], description="Optional; else closed lines.")
    guarded: list[Line] = Field(
        min_length=2, description="Good technique, but not enough trust yet."
    )
    off_frame: list[Line] = Field(
        min_length=2, description="Odd or out-of-role remarks; the persona stays in character."
    )
    neutral: list[Line] = Field(min_length=2, description="Information, structure, small talk.")
    confirm: list[Line] = Field(
        default=[], description="Short: a reflection or summary got it right ('Yes, that's it.')."
    )
    correct: list[Line] = Field(
        default=[], description="Short: a reflection missed ('Not quite. It's more that…')."
    )
    thanks: list[Line] = Field(default=[], description="Short: taking an affirmation, in voice.")
    permission_granted: list[Line] = Field(
        default=[], description="Short: yes to 'may I share an idea?'."
    )
    advice_with_permission: list[Line] = Field(
        default=[], description="Weighing an idea the persona agreed to hear (no 'yes, but')."
    )
    greeting: list[Line] = Field(default=[], description="Answering a hello or a check-in.")
    off_topic: list[Line] = Field(
        default=[], description="Answering small talk or an unrelated question, then steering back."
    )
    wrong_name: list[Line] = Field(
        default=[], description="Correcting a wrong name; each line holds {name}."
    )
    estimate: list[Line] = Field(
        default=[], description="Short: answering a scaling question with a number, in voice."
    )
    hedge: list[Line] = Field(
        default=[], description="Short: answering a which/when/who question the persona can't pin."
    )


class EndCondition(_Strict):
    """When and how the persona commits to an action."""

    requires: list[LayerId] = Field(min_length=1, description="Layers earned before committing.")
    trust: float = Field(default=0.0, ge=0, le=1, description="Trust needed to commit.")
    option_cues: list[Cue] = Field(
        default=["options", "what could you", "what else", "possibilit", "ideas", "choices"],
        description="Word stems that mark the coach exploring options.",
    )
    will_cues: list[Cue] = Field(
        default=[
            "when",
            "first step",
            "next step",
            "commit",
            "going to do",
            "will you",
            "what will",
            "do first",
        ],
        description="Word stems that mark the coach asking for a concrete action.",
    )
    options: list[Line] = Field(min_length=1, description="The persona's own options.")
    commitment: list[Line] = Field(min_length=1, description="The commitment, with a when.")
    closing: list[Line] = Field(min_length=2, description="Lines after committing.")


class Debrief(_Strict):
    """Shown after the session: what was really going on."""

    real_want: Line = Field(description="What the persona really wanted.")
    facilitator_notes: list[Line] = Field(min_length=1, description="Notes for the facilitator.")


class LearnerView(_Strict):
    """Everything a learner may see before the debrief, and nothing else."""

    id: str
    version: int
    title: str
    context: Context
    difficulty: int
    skills: list[str]
    brief: str
    persona_name: str
    persona_role: str
    opening_line: str


class LayerOutcome(_Strict):
    """One layer in the debrief: what it was, whether it was earned, what earns it."""

    id: str
    kind: LayerKind
    summary: str
    earned: bool
    techniques: list[Technique]


class DebriefView(_Strict):
    """The debrief a learner sees after the session."""

    title: str
    real_want: str
    facilitator_notes: list[str]
    layers: list[LayerOutcome]
    unlocked: list[str]


class Scenario(_Strict):
    """One practice scenario: learner brief, persona, hidden layers, reactions, end and debrief."""

    schema_version: Literal[1] = Field(description="Version of this file format.")
    id: ScenarioId = Field(description="Stable identifier, lowercase with dashes.")
    version: int = Field(
        default=1, ge=1, le=MAX_VERSION, description="Content version; bump on every edit."
    )
    title: Line = Field(description="Title the learner sees.")
    context: Context = Field(description="The relationship being practised.")
    difficulty: int = Field(ge=1, le=5, description="1 gentle … 5 hard.")
    skills: list[Cue] = Field(min_length=1, description="Skills in focus.")
    brief: Line = Field(description="What the learner is told before starting.")
    persona: Persona
    layers: list[Layer] = Field(min_length=1, description="Hidden material, shallow to deep.")
    reactions: Reactions
    end: EndCondition
    debrief: Debrief

    def layer(self, layer_id: str) -> Layer:
        """Return the layer with this id; KeyError if there is none."""
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        raise KeyError(layer_id)

    def learner_view(self) -> LearnerView:
        """Return what the learner may see before the debrief."""
        return LearnerView(
            id=self.id,
            version=self.version,
            title=self.title,
            context=self.context,
            difficulty=self.difficulty,
            skills=list(self.skills),
            brief=self.brief,
            persona_name=self.persona.name,
            persona_role=self.persona.role,
            opening_line=self.persona.opening_line,
        )

    def debrief_view(self, unlocked: list[str]) -> DebriefView:
        """Return the debrief, marking which layers the learner earned."""
        earned = set(unlocked)
        return DebriefView(
            title=self.title,
            real_want=self.debrief.real_want,
            facilitator_notes=list(self.debrief.facilitator_notes),
            layers=[
                LayerOutcome(
                    id=layer.id,
                    kind=layer.kind,
                    summary=layer.summary,
                    earned=layer.id in earned,
                    techniques=list(layer.earn.techniques),
                )
                for layer in self.layers
            ],
            unlocked=[u for u in unlocked if u in {layer.id for layer in self.layers}],
        )

    def structure_problems(self) -> list[tuple[Location, str]]:
        """Return cross-field problems as (location in the file, message); empty when sound."""
        problems: list[tuple[Location, str]] = []
        first: dict[str, int] = {}
        for i, layer in enumerate(self.layers):
            if layer.id in first:
                problems.append(
                    (
                        ("layers", i, "id"),
                        f"duplicate layer id '{layer.id}' (also layer {first[layer.id]})",
                    )
                )
            else:
                first[layer.id] = i
        for i, layer in enumerate(self.layers):
            for j, req in enumerate(layer.earn.requires):
                if req not in first:
                    problems.append(
                        (
                            ("layers", i, "earn", "requires", j),
                            f"unknown prerequisite layer '{req}'",
                        )
                    )
                elif req == layer.id:
                    problems.append(
                        (("layers", i, "earn", "requires", j), "a layer cannot require itself")
                    )
        for j, req in enumerate(self.end.requires):
            if req not in first:
                problems.append((("end", "requires", j), f"unknown layer '{req}'"))
        problems.extend(self._surface_problems(first))
        for j, line in enumerate(self.reactions.wrong_name):
            if "{name}" not in line:
                problems.append((("reactions", "wrong_name", j), "the line must contain {name}"))
        problems.extend(self._cycles(first))
        return problems

    def _surface_problems(self, layers: dict[str, int]) -> list[tuple[Location, str]]:
        problems: list[tuple[Location, str]] = []
        seen: set[str] = set()
        for i, item in enumerate(self.persona.surface):
            if not isinstance(item, SurfaceTopic):
                continue
            if item.id in seen:
                problems.append(
                    (("persona", "surface", i, "id"), f"duplicate topic id '{item.id}'")
                )
            seen.add(item.id)
            for j, hint in enumerate(item.hints):
                if hint not in layers:
                    problems.append(
                        (("persona", "surface", i, "hints", j), f"unknown layer '{hint}'")
                    )
        return problems

    def _cycles(self, index: dict[str, int]) -> list[tuple[Location, str]]:
        graph = {layer.id: [r for r in layer.earn.requires if r in index] for layer in self.layers}
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        found: list[tuple[Location, str]] = []

        def visit(node: str, path: list[str]) -> None:
            state[node] = 1
            for nxt in graph[node]:
                if nxt == node:
                    continue  # reported as "cannot require itself"
                if state.get(nxt) == 1:
                    cycle = [*path[path.index(nxt) :], nxt]
                    found.append(
                        (
                            ("layers", index[node], "earn", "requires"),
                            "prerequisites form a cycle: " + " -> ".join(cycle),
                        )
                    )
                elif nxt not in state:
                    visit(nxt, [*path, nxt])
            state[node] = 2

        for node in graph:
            if node not in state:
                visit(node, [node])
        return found
