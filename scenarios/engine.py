"""The persona state machine shared by all engines: what a coach turn earns, how the persona reacts.

Both the offline engine and the LLM engine call ``PersonaStateMachine.decide`` and
``PersonaStateMachine.advance``; only the wording of the reply differs.  What must stay true:
- A layer is earned only through technique: one of its techniques in the turn, its topic matched,
  its prerequisites earned and enough trust.  At most one layer is earned per turn.
- Advice, a judgemental "why", stacked questions and out-of-frame remarks (prompt injection,
  role swaps, questions about the scenario itself) never earn anything.
- Decisions are pure functions of (scenario, state, coach text, labels, embedder): no randomness.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rubrics.labels import CoachLabels
from scenarios.model import Persona, Scenario
from scenarios.state import PersonaState, reply_key
from scenarios.topics import MatchedBy, SentenceEmbedder, TopicMatcher

Reaction = Literal[
    "reveal",
    "elaborate",
    "options",
    "commit",
    "closing",
    "advice",
    "closed_question",
    "leading_question",
    "judgemental_why",
    "stacked_questions",
    "guarded",
    "engaged",
    "off_frame",
    "neutral",
]

GOOD_TECHNIQUES: frozenset[str] = frozenset(
    {
        "question_open",
        "reflection_simple",
        "reflection_complex",
        "summary",
        "affirmation",
        "permission",
    }
)
_GAINS = {
    "reflection_complex": 0.12,
    "summary": 0.10,
    "affirmation": 0.07,
    "reflection_simple": 0.06,
    "question_open": 0.05,
    "permission": 0.04,
}
_LOSSES = {
    "advice": 0.10,
    "judgemental_why": 0.12,
    "leading_question": 0.04,
    "stacked_questions": 0.03,
    "self_focus": 0.04,
    "question_closed": 0.01,
}

# Remarks that step outside the conversation: injection attempts, role swaps, questions about
# the scenario or the machinery.  Matching one never earns anything, whatever its technique.
_OFF_FRAME = re.compile(
    r"\b(ignore|disregard|forget|override) "
    r"(all |any |of |your |the |previous |prior |above |earlier )*"
    r"(instructions|rules|prompt|guidelines|programming|directions)"
    r"|system prompt|your (prompt|instructions|rules|script|programming|character|persona|brief)\b"
    r"|hidden (goal|layer|agenda|instruction|information|material|motive|secret|text|notes?)"
    r"|your (secrets?|real goal|true goal)|the real goal"
    r"|locked (layer|material|content|secret|information)|(next|hidden|locked) layers?\b"
    r"|debrief|facilitator|scenario (file|card|text|description|notes)|\byaml\b|\bjson\b"
    r"|pretend (you|to be|that you)|from now on,? you"
    r"|(you are|you're) now (a|an|the|my|playing|acting|in|going to (be|act|play))\b"
    r"|act as (a|an|the|my) (coach|facilitator|ai|assistant|system|narrator|developer|trainer)"
    r"|role.?play|in character|out of character|break(ing)? character"
    r"|as an ai|an ai\b|language model|chatbot|\bbot\b|\bllm\b|\bgpt|ai assistant"
    r"|developer mode|jailbreak|\bsudo\b|admin mode|debug mode|test mode|maintenance mode"
    r"|reveal (your|the|everything|all)|print (your|the|out|everything|all)"
    r"|repeat (everything|the text|the above|your)|verbatim|word for word"
    r"|what were you told to|who (made|programmed|wrote|created) you"
    r"|(swap|switch|reverse) roles|i am the client|i'm the client|you are the coach"
    r"|you're the coach|you are the facilitator",
    re.IGNORECASE,
)


def looks_off_frame(text: str) -> bool:
    """Return True if the coach's turn steps outside the coaching conversation."""
    return bool(_OFF_FRAME.search(text))


def starting_trust(persona: Persona) -> float:
    """Trust at the first turn, from the persona's openness."""
    return round(0.08 * persona.openness, 4)


def trust_change(persona: Persona, labels: CoachLabels) -> float:
    """How far one turn moves trust: best technique's gain less every weakness, by resistance."""
    gain = max((_GAINS.get(t, 0.0) for t in labels.techniques), default=0.0)
    losses = [_LOSSES[t] for t in labels.techniques if t == "advice"]
    if labels.primary == "question_closed":
        losses.append(_LOSSES["question_closed"])
    losses.extend(_LOSSES[f] for f in labels.flags if f in _LOSSES)
    if losses:
        gain /= 2  # a good move in a flawed turn counts for less
    gain_factor = 1.1 - 0.1 * persona.resistance
    loss_factor = 0.8 + 0.1 * persona.resistance
    return gain * gain_factor - sum(losses) * loss_factor


class TurnDecision(BaseModel):
    """What the state machine decided for one coach turn; the engines only phrase it."""

    model_config = ConfigDict(frozen=True)

    reaction: Reaction = Field(description="How the persona responds.")
    trust_before: float
    trust_after: float
    earned: str | None = Field(default=None, description="Layer earned by this turn.")
    elaborate: str | None = Field(default=None, description="Unlocked layer to say more about.")
    matched_by: MatchedBy | None = Field(default=None, description="How the topic matched.")

    @property
    def commits(self) -> bool:
        """True if the persona commits to an action on this turn."""
        return self.reaction == "commit"


class PersonaReply(BaseModel):
    """One persona turn and the state after it."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="What the persona says.")
    newly_unlocked: list[str] = Field(default=[], description="Layer ids earned by this turn.")
    state: PersonaState = Field(description="State after this turn.")
    committed: bool = Field(default=False, description="The persona has committed to an action.")
    reaction: Reaction | None = Field(default=None, description="None for the opening line.")


class PersonaStateMachine:
    """Decides, for any engine, what a coach turn earns and which reaction applies."""

    def __init__(self, embedder: SentenceEmbedder, threshold: float = 0.55) -> None:
        self.topics = TopicMatcher(embedder, threshold)

    def start(self, scenario: Scenario, seed: int = 0) -> PersonaState:
        """Return the state before the first coach turn, warming the topic cache."""
        cues = [cue for layer in scenario.layers for cue in layer.earn.topic_cues]
        self.topics.warm(cues)
        return PersonaState(
            scenario_id=scenario.id,
            scenario_version=scenario.version,
            seed=seed,
            trust=starting_trust(scenario.persona),
        )

    def decide(
        self, scenario: Scenario, state: PersonaState, coach_text: str, labels: CoachLabels
    ) -> TurnDecision:
        """Decide the persona's reaction to one coach turn."""
        before = state.trust
        if looks_off_frame(coach_text):
            return TurnDecision(reaction="off_frame", trust_before=before, trust_after=before)
        after = min(1.0, max(0.0, before + trust_change(scenario.persona, labels)))
        techniques = set(labels.techniques)
        flags = set(labels.flags)

        def made(reaction: Reaction, **extra: object) -> TurnDecision:
            return TurnDecision(reaction=reaction, trust_before=before, trust_after=after, **extra)  # type: ignore[arg-type]

        if state.committed:
            return made("closing")
        if "judgemental_why" in flags:
            return made("judgemental_why")
        if "advice" in techniques:
            return made("advice")
        if "stacked_questions" in flags:
            return made("stacked_questions")

        turn = self.topics.turn(coach_text)
        unlocked = set(state.unlocked)
        blocked_by_trust = False
        for layer in scenario.layers:
            rule = layer.earn
            if layer.id in unlocked or not set(rule.requires) <= unlocked:
                continue
            if not techniques & set(rule.techniques):
                continue
            matched = (
                turn.match(rule.keywords, rule.topic_cues)
                if rule.keywords or rule.topic_cues
                else "keyword"
            )
            if matched is None:
                continue
            if after < rule.trust:
                blocked_by_trust = True
                continue
            return made("reveal", earned=layer.id, matched_by=matched)

        end = scenario.end
        ready = set(end.requires) <= unlocked and after >= end.trust
        if ready and not techniques.isdisjoint(GOOD_TECHNIQUES | {"question_closed"}):
            asks_will = labels.grow_stage == "will" or turn.match(end.will_cues, [])
            asks_options = labels.grow_stage == "options" or turn.match(end.option_cues, [])
            if not state.options_explored and (asks_will or asks_options):
                return made("options", matched_by="keyword")
            if state.options_explored and asks_will:
                return made("commit", matched_by="keyword")

        if labels.primary == "question_closed":
            return made("closed_question")
        if "leading_question" in flags:
            return made("leading_question")
        if techniques & GOOD_TECHNIQUES:
            for layer_id in state.unlocked:
                layer = scenario.layer(layer_id)
                if state.told.get(layer_id, 1) >= len(layer.reveal):
                    continue
                matched = turn.match(layer.earn.keywords, layer.earn.topic_cues)
                if matched:
                    return made("elaborate", elaborate=layer_id, matched_by=matched)
            return made("guarded" if blocked_by_trust else "engaged")
        return made("neutral")

    @staticmethod
    def advance(state: PersonaState, decision: TurnDecision, reply: str) -> PersonaState:
        """Return the state after the persona said ``reply`` for ``decision``."""
        unlocked = list(state.unlocked)
        told = dict(state.told)
        if decision.earned:
            unlocked.append(decision.earned)
            told[decision.earned] = 1
        if decision.elaborate:
            told[decision.elaborate] = told.get(decision.elaborate, 1) + 1
        reactions = dict(state.reactions)
        reactions[decision.reaction] = reactions.get(decision.reaction, 0) + 1
        return state.model_copy(
            update={
                "trust": round(decision.trust_after, 4),
                "unlocked": unlocked,
                "told": told,
                "options_explored": state.options_explored or decision.reaction == "options",
                "committed": state.committed or decision.commits,
                "turn": state.turn + 1,
                "said": [*state.said, reply_key(reply)],
                "reactions": reactions,
            }
        )
