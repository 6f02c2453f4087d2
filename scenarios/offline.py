"""The offline persona engine: the reply plan, phrased from the scenario's own lines.

What must stay true:
- Same scenario, state, coach text and labels give the same reply; the state's seed varies it.
- A reply is never an earlier reply of the session again, and never repeats a sentence of eight
  or more words said before (the plan avoids such lines; variants and pools are checked here).
- The reply's words come only from the persona card, the reaction lines and the layers that are
  unlocked by the end of this turn — never from a locked layer or the debrief.
- No model calls beyond sentence embeddings, so a reply takes a few milliseconds.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence

from rubrics.labels import CoachLabels
from rubrics.transcript import Turn
from scenarios.engine import (
    Ack,
    PersonaReply,
    PersonaStateMachine,
    PoolName,
    Reaction,
    TurnDecision,
)
from scenarios.model import Scenario, Voice
from scenarios.state import PersonaState, long_sentence_keys, reply_key
from scenarios.topics import SentenceEmbedder

_TAG_RATE = {"clipped": 0.0, "moderate": 0.25, "rambling": 0.4}
_ASIDE_REACTIONS = frozenset({"engaged", "neutral", "guarded", "closing"})
# decorations tried per line before moving to the next line (a rich voice has hundreds)
_MAX_VARIANTS = 24
# Used when a scenario file has no lines of its own for an acknowledgement (older files).
FALLBACK_ACKS: dict[Ack, tuple[str, ...]] = {
    "confirm": ("Yes. That's it.", "Yeah, pretty much.", "That's about right."),
    "correct": ("Not quite.", "Sort of. Not exactly, though.", "Hm. Not really."),
    "thanks": ("Thanks.", "Oh. Thank you.", "That's kind of you."),
    "permission_granted": ("Go on.", "Sure, go ahead.", "Okay. Go on, then."),
    "greeting": ("Hi.", "Hello. I'm all right, thanks.", "Hi. Fine, thanks."),
    "hello": ("Hi.", "Hello."),
    "off_topic": ("Not much to say about that, really. Anyway.", "Hm. Anyway."),
    "estimate": ("A five, maybe. Six on a good day.", "Somewhere in the middle.", "Six, I'd say."),
    "hedge": ("Hard to say.", "Depends on the day, honestly.", "I'm not sure, to be honest."),
}
FALLBACK_WRONG_NAME = "It's {name}, actually."
_HELLO = re.compile(
    r"^(?:oh,? )?(?:hi|hello|hey|hiya|morning|afternoon|evening|good (?:morning|afternoon|evening))"
    r"\b[^.!?]{0,16}[.!]",
    re.IGNORECASE,
)
# a reaction line quoting words back ("Oh, I should 'rise above it', should I?") only fits when
# the coach said them
_QUOTED = re.compile(r"['‘\"“]([A-Za-z][^'’\"”]{2,40})['’\"”]")


def ack_lines(scenario: Scenario, ack: Ack) -> list[str]:
    """The persona's own lines for an acknowledgement, or generic ones for older files."""
    r = scenario.reactions
    if ack == "hello":  # the hello of each greeting line, without its "I'm fine, thanks"
        hellos = [m.group(0) for line in r.greeting if (m := _HELLO.match(line))]
        return list(dict.fromkeys(hellos)) or list(FALLBACK_ACKS[ack])
    own = {
        "confirm": r.confirm,
        "correct": r.correct,
        "thanks": r.thanks,
        "permission_granted": r.permission_granted,
        "greeting": r.greeting,
        "off_topic": r.off_topic,
        "estimate": r.estimate,
        "hedge": r.hedge,
    }[ack]
    return list(own) or list(FALLBACK_ACKS[ack])


def pool_lines(scenario: Scenario, pool: PoolName) -> list[str]:
    """A reaction pool's lines (leading questions fall back to the closed-question lines and an
    idea asked for to the neutral lines, for older files)."""
    r = scenario.reactions
    pools: dict[PoolName, list[str]] = {
        "advice": r.advice,
        "advice_with_permission": r.advice_with_permission or r.neutral,
        "closed_question": r.closed_question,
        "leading_question": r.leading_question or r.closed_question,
        "judgemental_why": r.judgemental_why,
        "stacked_questions": r.stacked_questions,
        "guarded": r.guarded,
        "off_frame": r.off_frame,
        "neutral": r.neutral,
    }
    return list(pools[pool])


def content_lines(scenario: Scenario, decision: TurnDecision) -> list[str]:
    """The candidate lines for the plan's content, preferred first."""
    plan, end = decision.plan, scenario.end
    if plan.content in ("reveal", "elaborate") and plan.layer:
        reveal = scenario.layer(plan.layer).reveal
        return [reveal[plan.line or 0]]
    if plan.content == "surface" and plan.topic:
        topic = next(t for t in scenario.persona.surface_topics() if t.id == plan.topic)
        return [topic.lines[plan.line or 0]]
    if plan.content == "reaction" and plan.pool:
        return pool_lines(scenario, plan.pool)
    if plan.content == "options":
        return list(end.options)
    if plan.content == "commit":
        return list(end.commitment)
    if plan.content == "closing":
        return list(end.closing)
    return []


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
    for f, a, t in combos[:_MAX_VARIANTS]:
        yield _join(f, line, a, t)


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _rotated(lines: Sequence[str], key: str, used: int) -> list[str]:
    """``lines`` in a seeded order, starting where this pool left off, so all come round."""
    order = list(range(len(lines)))
    random.Random(key).shuffle(order)
    return [lines[order[(used + k) % len(lines)]] for k in range(len(lines))]


def _fits(line: str, coach_text: str) -> bool:
    """False for a line quoting words the coach did not say."""
    said = coach_text.casefold()
    return all(q.casefold() in said for q in _QUOTED.findall(line))


def phrase(
    scenario: Scenario, state: PersonaState, decision: TurnDecision, coach_text: str = ""
) -> str:
    """Word a decision's plan: the name correction, the acknowledgement, then the content."""
    plan, voice = decision.plan, scenario.persona.voice
    seed = f"{state.seed}|{scenario.id}"
    opening: list[str] = []
    if plan.wrong_name:
        names = list(scenario.reactions.wrong_name) or [FALLBACK_WRONG_NAME]
        line = _rotated(names, f"{seed}|name", state.turn)[0]
        opening.append(line.replace("{name}", scenario.persona.first_name))
    if plan.ack:
        acks = _rotated(ack_lines(scenario, plan.ack), f"{seed}|{plan.ack}", state.turn)
        opening.append(next((a for a in acks if not state.has_said(a)), acks[0]))
    head = _join(*opening)
    lines = content_lines(scenario, decision)
    used = state.reactions.get(decision.reaction, 0)
    if plan.content == "reaction":
        lines = _rotated(lines, f"{seed}|{decision.reaction}", used)
        lines = [line for line in lines if _fits(line, coach_text)] or lines
    rng = random.Random(f"{seed}|{state.turn}|{decision.reaction}")
    said = set(state.sentences)
    for line in lines:
        if any(key in said for key in long_sentence_keys(line)):
            continue  # no decoration hides a long sentence already said
        for text in _variants(line, voice, decision.reaction, rng):
            reply = _join(head, text)
            if not state.has_said(reply):
                return reply
    if head and not state.has_said(head):
        return head  # the content is used up: answering the turn is enough
    short = [n for n in scenario.reactions.neutral if not state.has_said(_join(head, n))]
    if short:
        return _join(head, short[0])
    # everything is said: a pause, lengthened until new (a pause has no long sentence, so this
    # ends; a long neutral line after it would repeat however long the pause)
    base = "" if any(key in said for key in long_sentence_keys(head)) else head
    pause = "…"
    while state.has_said(_join(pause, base)):
        pause += "…"
    return _join(pause, base)


class OfflinePersonaEngine:
    """Plays a scenario's persona without any language model."""

    def __init__(self, embedder: SentenceEmbedder, seed: int = 0, threshold: float = 0.55) -> None:
        self.machine = PersonaStateMachine(embedder, threshold)
        self.seed = seed

    def start(self, scenario: Scenario, seed: int | None = None) -> PersonaReply:
        """Begin a session: the opening line and the first state."""
        state = self.machine.start(scenario, self.seed if seed is None else seed)
        return PersonaReply(text=scenario.persona.opening_line, state=state)

    def reply(
        self,
        scenario: Scenario,
        state: PersonaState,
        coach_text: str,
        labels: CoachLabels,
        history: Sequence[Turn] = (),
    ) -> PersonaReply:
        """Answer one coach turn; ``history`` is the conversation so far (its last client turn
        is what the coach is answering)."""
        if state.scenario_id != scenario.id:
            raise ValueError(
                f"state belongs to scenario {state.scenario_id!r}, not {scenario.id!r}"
            )
        decision = self.machine.decide(scenario, state, coach_text, labels, history)
        text = phrase(scenario, state, decision, coach_text)
        new_state = self.machine.advance(state, decision, text)
        return PersonaReply(
            text=text,
            newly_unlocked=[decision.earned] if decision.earned else [],
            state=new_state,
            committed=new_state.committed,
            reaction=decision.reaction,
            trace=decision.trace,
        )


__all__ = ["OfflinePersonaEngine", "phrase", "reply_key"]
