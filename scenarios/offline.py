"""The offline persona engine: the state machine's decision, phrased from the scenario's own lines.

What must stay true:
- Same scenario, state, coach text and labels give the same reply; the state's seed varies it.
- A reply is never an earlier reply of the session again, verbatim (case and spacing ignored).
- The reply's words come only from the persona card, the reaction lines and the layers that are
  unlocked by the end of this turn — never from a locked layer or the debrief.
- No model calls beyond one sentence embedding, so a reply takes a few milliseconds.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from rubrics.labels import CoachLabels
from rubrics.transcript import Turn
from scenarios.engine import PersonaReply, PersonaStateMachine, Reaction, TurnDecision
from scenarios.model import Scenario, Voice
from scenarios.state import PersonaState, reply_key
from scenarios.topics import SentenceEmbedder

_TAG_RATE = {"clipped": 0.0, "moderate": 0.25, "rambling": 0.4}
_ASIDE_REACTIONS = frozenset({"engaged", "neutral", "guarded", "closing"})


def reaction_pool(scenario: Scenario, state: PersonaState, decision: TurnDecision) -> list[str]:
    """Return the lines the persona may choose from for this decision."""
    r = scenario.reactions
    end = scenario.end
    if decision.earned:
        return [scenario.layer(decision.earned).reveal[0]]
    if decision.elaborate:
        layer = scenario.layer(decision.elaborate)
        return [layer.reveal[state.told.get(layer.id, 1)]]
    pools: dict[Reaction, list[str]] = {
        "options": list(end.options),
        "commit": list(end.commitment),
        "closing": list(end.closing),
        "advice": list(r.advice),
        "closed_question": list(r.closed_question),
        "leading_question": list(r.leading_question or r.closed_question),
        "judgemental_why": list(r.judgemental_why),
        "stacked_questions": list(r.stacked_questions),
        "guarded": list(r.guarded),
        "engaged": list(scenario.persona.surface),
        "off_frame": list(r.off_frame),
        "neutral": list(r.neutral),
    }
    return pools[decision.reaction]


def _variants(line: str, voice: Voice, reaction: Reaction, rng: random.Random) -> Iterator[str]:
    """Yield decorated versions of one line: the voice's first choice, then every other one."""
    head = line.casefold()
    # a line that already opens with a filler (or closes with a tag) is not decorated again
    fillers = [""] + [f for f in voice.fillers if not head.startswith(f.casefold().rstrip(".?!…"))]
    tags = [""] + [
        t
        for t in (voice.tags if voice.sentence_length != "clipped" else [])
        if not head.endswith(t.casefold())
    ]
    asides = [""]
    if voice.sentence_length == "rambling" and reaction in _ASIDE_REACTIONS:
        asides += list(voice.asides)
    filler = (
        rng.choice(fillers[1:]) if len(fillers) > 1 and rng.random() < voice.filler_rate else ""
    )
    tag = (
        rng.choice(tags[1:])
        if len(tags) > 1 and rng.random() < _TAG_RATE[voice.sentence_length]
        else ""
    )
    aside = rng.choice(asides[1:]) if len(asides) > 1 and rng.random() < 0.5 else ""
    yield _join(filler, line, aside, tag)
    combos = [(f, a, t) for f in fillers for a in asides for t in tags]
    rng.shuffle(combos)
    for f, a, t in combos:
        yield _join(f, line, a, t)


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def phrase(scenario: Scenario, state: PersonaState, decision: TurnDecision) -> str:
    """Choose the persona's words for a decision, never repeating an earlier reply verbatim."""
    pool = reaction_pool(scenario, state, decision)
    voice = scenario.persona.voice
    said = set(state.said)
    # step through a seeded order of the pool so every line is used before any comes back
    order = list(range(len(pool)))
    random.Random(f"{state.seed}|{scenario.id}|{decision.reaction}").shuffle(order)
    used = state.reactions.get(decision.reaction, 0)
    ranked = [pool[order[(used + k) % len(pool)]] for k in range(len(pool))]
    rng = random.Random(f"{state.seed}|{scenario.id}|{state.turn}|{decision.reaction}")
    for line in ranked:
        for text in _variants(line, voice, decision.reaction, rng):
            if reply_key(text) not in said:
                return text
    for i, first in enumerate(ranked):  # every variant said already: pair lines up
        for second in ranked[i + 1 :]:
            text = _join(first, second)
            if reply_key(text) not in said:
                return text
    pause = "…"
    while reply_key(f"{pause} {ranked[0]}") in said:
        pause += "…"
    return f"{pause} {ranked[0]}"


class OfflinePersonaEngine:
    """Plays a scenario's persona without any language model."""

    def __init__(self, embedder: SentenceEmbedder, seed: int = 0, threshold: float = 0.55) -> None:
        self.machine = PersonaStateMachine(embedder, threshold)
        self.seed = seed

    def start(self, scenario: Scenario, seed: int | None = None) -> PersonaReply:
        """Begin a session: the opening line and the first state."""
        state = self.machine.start(scenario, self.seed if seed is None else seed)
        text = scenario.persona.opening_line
        state = state.model_copy(update={"said": [reply_key(text)]})
        return PersonaReply(text=text, state=state)

    def reply(
        self,
        scenario: Scenario,
        state: PersonaState,
        coach_text: str,
        labels: CoachLabels,
        history: Sequence[Turn] = (),
    ) -> PersonaReply:
        """Answer one coach turn; ``history`` is accepted for parity with the LLM engine."""
        if state.scenario_id != scenario.id:
            raise ValueError(
                f"state belongs to scenario {state.scenario_id!r}, not {scenario.id!r}"
            )
        decision = self.machine.decide(scenario, state, coach_text, labels)
        text = phrase(scenario, state, decision)
        new_state = self.machine.advance(state, decision, text)
        return PersonaReply(
            text=text,
            newly_unlocked=[decision.earned] if decision.earned else [],
            state=new_state,
            committed=new_state.committed,
            reaction=decision.reaction,
        )
