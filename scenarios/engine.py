"""The persona state machine shared by all engines: what a coach turn earns and what the reply does.

Both engines call ``PersonaStateMachine.decide`` then ``advance``; only the wording differs.  A
decision holds the *reply plan* — first answer the turn (confirm or correct a reflection, take an
affirmation, grant a permission, answer small talk, correct a wrong name), then add content (a
layer earned now, more of an earned layer, an unused surface line, a reaction) — and a *trace* of
why each layer was or was not earned, for facilitators.

What must stay true:
- A layer is earned only through technique, by meaning (``scenarios.earning``), with its
  prerequisites earned and enough trust (``scenarios.trust``); at most one layer per turn.
- Advice (reassurance included), a judgemental "why", stacked questions and out-of-frame remarks
  (prompt injection, role swaps, questions about the scenario) never earn anything.
- The plan never points at a line whose long sentences were said before in the session.
- Decisions are pure functions of (scenario, state, coach text, labels, previous reply,
  embedder): no randomness; the state's seed only varies wording, in the engines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rubrics.labels import CoachLabels
from rubrics.transcript import Turn
from scenarios.earning import (
    EarningModel,
    LayerEvidence,
    LayerTrace,
    LockReason,
    earnable,
    locked_layers,
    pointed_at,
    score_layer,
)
from scenarios.model import Scenario, SurfaceTopic
from scenarios.moves import (
    asks_for_a_number,
    asks_how_are_you,
    asks_yes_or_no,
    ends_with_check,
    is_greeting,
    wrong_name,
)
from scenarios.state import PersonaState, long_sentence_keys, reply_key
from scenarios.topics import SentenceEmbedder, TopicMatcher, TurnTopics
from scenarios.trust import starting_trust, trust_change

Reaction = Literal[
    "reveal",
    "elaborate",
    "options",
    "commit",
    "closing",
    "advice",
    "advice_welcome",
    "closed_question",
    "leading_question",
    "judgemental_why",
    "stacked_questions",
    "guarded",
    "engaged",
    "reflected",
    "affirmed",
    "permission",
    "greeting",
    "off_topic",
    "off_frame",
    "neutral",
]
Ack = Literal[
    "confirm",
    "correct",
    "thanks",
    "permission_granted",
    "greeting",
    "hello",
    "off_topic",
    "estimate",
    "hedge",
]
Content = Literal["reveal", "elaborate", "surface", "reaction", "options", "commit", "closing"]
PoolName = Literal[
    "advice",
    "advice_with_permission",
    "closed_question",
    "leading_question",
    "judgemental_why",
    "stacked_questions",
    "guarded",
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
_REFLECTIVE = frozenset({"reflection_simple", "reflection_complex", "summary"})
_LISTENING = _REFLECTIVE | {"affirmation"}
# A reflection this close to what the client said recently (or to what they have shared) is
# confirmed; one below CORRECT_BELOW gets "not quite" and the persona's own version; in between
# the persona just goes on.
CONFIRM_AT = 0.35
CORRECT_BELOW = 0.2
RECENT_REPLIES = 3
# Below this similarity to everything the scenario is about, a question that is neither a
# reflection nor a recognised coaching move is small talk or off the subject.
OFF_TOPIC_BELOW = 0.22
# A turn about a surface topic at least this close is answered from that topic.
TOPIC_AT = 0.30
# A layer whose evidence is complete and that waited only for trust is told, once trust is
# there, after a good turn at least this close to it (chosen on tests/scenarios/dev).
RELEASE_SIMILARITY = 0.30

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
    r"|what were you told (to|not to)|(told|supposed|allowed|meant) not to (tell|say|share|mention)"
    r"|who (made|programmed|wrote|created) you"
    r"|complete (this|the|my) sentence|never tell anyone|deepest,? (darkest )?secret"
    r"|tell me (everything|it all|all of it)\b"
    r"|(swap|switch|reverse) roles|i am the client|i'm the client|you are the coach"
    r"|you're the coach|you are the facilitator",
    re.IGNORECASE,
)


def looks_off_frame(text: str) -> bool:
    """Return True if the coach's turn steps outside the coaching conversation."""
    return bool(_OFF_FRAME.search(text))


class ReplyPlan(BaseModel):
    """What the reply does: an opening that answers the turn, then its content."""

    model_config = ConfigDict(frozen=True)

    ack: Ack | None = Field(default=None, description="How the reply opens, answering the turn.")
    wrong_name: str | None = Field(default=None, description="A wrong name to correct first.")
    content: Content | None = Field(default=None, description="What the reply goes on to say.")
    layer: str | None = Field(default=None, description="Layer of a reveal or elaboration.")
    topic: str | None = Field(default=None, description="Surface topic of a surface line.")
    line: int | None = Field(default=None, description="Index of the line in the layer or topic.")
    pool: PoolName | None = Field(default=None, description="Reaction pool for content=reaction.")


class TurnTrace(BaseModel):
    """Why the persona answered as it did (test drive and ``coachlab practice`` only)."""

    model_config = ConfigDict(frozen=True)

    technique: str
    confidence: float
    techniques: list[str]
    flags: list[str]
    trust_before: float
    trust_after: float
    reply_similarity: float = Field(description="Similarity of the turn to the previous reply.")
    layers: list[LayerTrace] = Field(default=[], description="Every layer not earned before.")
    plan: str = Field(default="", description="The reply plan in words.")


class TurnDecision(BaseModel):
    """What the state machine decided for one coach turn; the engines only phrase it."""

    model_config = ConfigDict(frozen=True)

    reaction: Reaction = Field(description="What the persona reacts to.")
    trust_before: float
    trust_after: float
    plan: ReplyPlan = Field(default_factory=ReplyPlan)
    earned: str | None = Field(default=None, description="Layer earned by this turn.")
    progress: dict[str, float] = Field(default={}, description="Evidence per locked layer, after.")
    trace: TurnTrace | None = Field(default=None, description="Why; None for off-frame turns.")

    @property
    def elaborate(self) -> str | None:
        """The earned layer the reply says more about, if any."""
        return self.plan.layer if self.plan.content == "elaborate" else None

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
    trace: TurnTrace | None = Field(default=None, description="Why (facilitator tools only).")


class PersonaStateMachine:
    """Decides, for any engine, what a coach turn earns and what the reply does."""

    def __init__(
        self,
        embedder: SentenceEmbedder,
        threshold: float = 0.55,
        model: EarningModel | None = None,
    ) -> None:
        self.topics = TopicMatcher(embedder, threshold)
        self.model = model or EarningModel()

    def start(self, scenario: Scenario, seed: int = 0) -> PersonaState:
        """Return the state before the first coach turn, warming the cue cache."""
        self.topics.warm(_world(scenario))
        opening = scenario.persona.opening_line
        return PersonaState(
            scenario_id=scenario.id,
            scenario_version=scenario.version,
            seed=seed,
            trust=starting_trust(scenario.persona),
            said=[reply_key(opening)],
            sentences=long_sentence_keys(opening),
        )

    def decide(
        self,
        scenario: Scenario,
        state: PersonaState,
        coach_text: str,
        labels: CoachLabels,
        history: Sequence[Turn] = (),
    ) -> TurnDecision:
        """Decide the persona's reaction to one coach turn; ``history`` is the conversation so
        far (it may end with this coach turn)."""
        replies = [t.text for t in history if t.speaker != "coach"][-RECENT_REPLIES:]
        return _Turn(self, scenario, state, coach_text, labels, replies).decide()

    @staticmethod
    def advance(state: PersonaState, decision: TurnDecision, reply: str) -> PersonaState:
        """Return the state after the persona said ``reply`` for ``decision``."""
        plan = decision.plan
        unlocked = list(state.unlocked)
        told = dict(state.told)
        topics = dict(state.topics)
        last_topic = state.last_topic
        if decision.earned:
            unlocked.append(decision.earned)
            told[decision.earned] = 1
            last_topic = decision.earned
        elif plan.content == "elaborate" and plan.layer and plan.line is not None:
            told[plan.layer] = max(told.get(plan.layer, 1), plan.line + 1)
            last_topic = plan.layer
        elif plan.content == "surface" and plan.topic and plan.line is not None:
            topics[plan.topic] = max(topics.get(plan.topic, 0), plan.line + 1)
            last_topic = plan.topic
        progress = {k: v for k, v in decision.progress.items() if k not in unlocked}
        reactions = dict(state.reactions)
        reactions[decision.reaction] = reactions.get(decision.reaction, 0) + 1
        return state.model_copy(
            update={
                "trust": round(decision.trust_after, 4),
                "unlocked": unlocked,
                "told": told,
                "topics": topics,
                "last_topic": last_topic,
                "progress": progress,
                "options_explored": state.options_explored or decision.reaction == "options",
                "committed": state.committed or decision.commits,
                "granted_permission": decision.reaction == "permission",
                "turn": state.turn + 1,
                "said": [*state.said, reply_key(reply)],
                "sentences": [*state.sentences, *long_sentence_keys(reply)],
                "reactions": reactions,
            }
        )


def _world(scenario: Scenario) -> list[str]:
    """Every cue and surface line: what the scenario is about (warmed once per session)."""
    texts: list[str] = []
    for layer in scenario.layers:
        texts.extend(layer.earn.topic_cues)
    for topic in scenario.persona.surface_topics():
        texts.extend(topic.cues)
        texts.extend(topic.lines)
    texts.append(scenario.persona.opening_line)
    return texts


class _Turn:
    """One decision in progress (keeps ``decide`` readable)."""

    def __init__(
        self,
        machine: PersonaStateMachine,
        scenario: Scenario,
        state: PersonaState,
        coach_text: str,
        labels: CoachLabels,
        recent_replies: Sequence[str],
    ) -> None:
        self.machine, self.scenario, self.state = machine, scenario, state
        self.text, self.labels = coach_text, labels
        self.recent = list(recent_replies)
        self.previous = self.recent[-1] if self.recent else None
        self.techniques = set(labels.techniques)
        self.flags = set(labels.flags)
        self.turn: TurnTopics = machine.topics.turn(coach_text)

    def decide(self) -> TurnDecision:
        before = self.state.trust
        if looks_off_frame(self.text):
            plan = ReplyPlan(content="reaction", pool="off_frame")
            return TurnDecision(
                reaction="off_frame", trust_before=before, trust_after=before, plan=plan,
                progress=dict(self.state.progress),
            )  # fmt: skip
        self.reply_similarity = self.turn.similarity(self.previous) if self.previous else 0.0
        welcome = self.state.granted_permission and bool(
            self.techniques & {"advice", "information"}
        )
        change = trust_change(
            self.scenario.persona,
            self.labels,
            reply_similarity=self.reply_similarity,
            advice_welcome=welcome,
        )
        self.after = min(1.0, max(0.0, before + change))
        self.wrong = wrong_name(self.text, self.scenario.persona.name)
        evidence = self._evidence()
        reaction, plan, earned = self._plan(welcome, evidence)
        if self.wrong:
            plan = plan.model_copy(update={"wrong_name": self.wrong})
        progress = {e.layer.id: p for e, p in evidence}
        trace = TurnTrace(
            technique=self.labels.primary,
            confidence=round(self.labels.confidence, 3),
            techniques=list(self.labels.techniques),
            flags=list(self.labels.flags),
            trust_before=round(before, 4),
            trust_after=round(self.after, 4),
            reply_similarity=round(self.reply_similarity, 3),
            layers=self._layer_traces(evidence, earned),
            plan=_describe(reaction, plan),
        )
        return TurnDecision(
            reaction=reaction,
            trust_before=before,
            trust_after=self.after,
            plan=plan,
            earned=earned,
            progress=progress,
            trace=trace,
        )

    # -- earning -------------------------------------------------------------------------------
    def _evidence(self) -> list[tuple[LayerEvidence, float]]:
        """Each earnable layer's evidence this turn and its progress after it (none for turns
        whose technique never earns)."""
        blocked = (
            "judgemental_why" in self.flags
            or "stacked_questions" in self.flags
            or "advice" in self.techniques
            or self.state.committed
        )
        pointers = pointed_at(self.scenario, self.state.last_topic)
        model = self.machine.model
        out = []
        for layer in locked_layers(self.scenario, self.state.unlocked):
            scored = score_layer(layer, self.turn, self.labels, self.previous, pointers, model)
            gained = 0.0 if blocked else scored.evidence
            cap = 1.0 if earnable(layer, self.state.unlocked) else model.primed
            before = self.state.progress.get(layer.id, 0.0)
            progress = max(before, min(cap, before + gained))
            out.append((scored, round(progress, 4)))
        return out

    def _earned(self, evidence: list[tuple[LayerEvidence, float]]) -> tuple[str | None, bool]:
        """The layer earned now (highest progress first, then file order), and whether one
        was ready but held back by trust."""
        # a layer whose evidence was complete before this turn waited only for trust: once trust
        # is there, a listening turn near its topic lets it out (the client has been ready to say
        # it); a question alone does not, or a probing question could pry it loose
        good_turn = bool(self.techniques & GOOD_TECHNIQUES)
        ready = [
            (e, p)
            for e, p in evidence
            if p >= 1.0
            and (
                e.evidence >= self.machine.model.earning_turn
                or (
                    good_turn
                    and e.similarity >= RELEASE_SIMILARITY
                    and self.state.progress.get(e.layer.id, 0.0) >= 1.0
                )
            )
            and earnable(e.layer, self.state.unlocked)
        ]
        held = False
        for e, _ in sorted(ready, key=lambda item: -item[1]):
            if self.after >= e.layer.earn.trust:
                return e.layer.id, held
            held = True
        return None, held

    def _layer_traces(
        self, evidence: list[tuple[LayerEvidence, float]], earned: str | None
    ) -> list[LayerTrace]:
        traces = [
            LayerTrace(layer=layer_id, status="earned_before") for layer_id in self.state.unlocked
        ]
        for e, p in evidence:
            traces.append(
                LayerTrace(
                    layer=e.layer.id,
                    status=self._status(e, p, earned),
                    nearest_cue=e.cue,
                    similarity=e.similarity,
                    evidence=round(e.evidence, 3),
                    progress=p,
                    reason=self._reason(e, p, earned),
                )
            )
        return traces

    def _status(self, e: LayerEvidence, progress: float, earned: str | None) -> LockReason:
        if e.layer.id == earned:
            return "earned"
        if not earnable(e.layer, self.state.unlocked):
            return "needs_layers"
        if not e.technique_ok:
            return "technique"
        if progress >= 1.0 and self.after < e.layer.earn.trust:
            return "trust"
        return "topic"

    def _reason(self, e: LayerEvidence, progress: float, earned: str | None) -> str:
        status = self._status(e, progress, earned)
        if status == "earned":
            return f"earned: {self.labels.primary} close to '{e.cue}' ({e.similarity:.2f})"
        if status == "needs_layers":
            missing = [r for r in e.layer.earn.requires if r not in self.state.unlocked]
            return f"needs {', '.join(missing)} first (primed {progress:.2f})"
        if status == "technique":
            wanted = ", ".join(e.layer.earn.techniques)
            return f"needs {wanted}; this turn is {self.labels.primary}"
        if status == "trust":
            return f"trust {self.after:.2f} below the {e.layer.earn.trust:.2f} it needs"
        if progress >= 1.0:
            return "ready, but another layer was earned this turn"
        return (
            f"topic: nearest '{e.cue}' at {e.similarity:.2f} "
            f"(evidence {e.evidence:.2f}, {progress:.2f} of 1 so far)"
        )

    # -- the reply plan ------------------------------------------------------------------------
    def _plan(
        self, welcome: bool, evidence: list[tuple[LayerEvidence, float]]
    ) -> tuple[Reaction, ReplyPlan, str | None]:
        if self.state.committed:
            return "closing", ReplyPlan(content="closing"), None
        if "judgemental_why" in self.flags:
            return "judgemental_why", _pool("judgemental_why"), None
        if "advice" in self.techniques:
            if welcome:
                return "advice_welcome", _pool("advice_with_permission"), None
            return "advice", _pool("advice"), None
        # a summary that ends "…did I get that right?" asks one question, however it reads
        summary_check = ends_with_check(self.text) and bool(self.techniques & _REFLECTIVE)
        # typed questions stack with their marks; one mark is one question to a listener
        # ("What nerve was it, do you think?", "Did you apply or were you asked?")
        stacked = "stacked_questions" in self.flags and self.text.count("?") >= 2
        if stacked and not summary_check:
            return "stacked_questions", _pool("stacked_questions"), None
        earned, held = self._earned(evidence)
        ack = self._ack(earned)
        if earned:
            return "reveal", ReplyPlan(ack=ack, content="reveal", layer=earned, line=0), earned
        end = self._end_step()
        if end is not None:
            return end, ReplyPlan(ack=ack, content=end), None
        if self.labels.primary == "permission":
            return "permission", ReplyPlan(ack="permission_granted"), None
        if self.labels.primary == "question_closed":
            # the short answers are yes/no answers: a number or a choice is answered in kind,
            # then the reply goes on as to an open question
            if asks_for_a_number(self.text):
                return "closed_question", self._with_content(ReplyPlan(ack="estimate"), held), None
            if not asks_yes_or_no(self.text):
                return "closed_question", self._with_content(ReplyPlan(ack="hedge"), held), None
            return "closed_question", _pool("closed_question"), None
        if "leading_question" in self.flags:
            return "leading_question", _pool("leading_question"), None
        if is_greeting(self.text) and self.state.turn <= 2:
            # "I'm fine, thanks" answers "how are you?", not a hello
            hello: Ack = "greeting" if asks_how_are_you(self.text) else "hello"
            return "greeting", self._with_content(ReplyPlan(ack=hello), held), None
        if self._off_topic():
            return "off_topic", ReplyPlan(ack="off_topic"), None
        if self.techniques & GOOD_TECHNIQUES:
            reaction: Reaction = "engaged"
            if ack in ("confirm", "correct"):
                reaction = "reflected"
            elif ack == "thanks":
                reaction = "affirmed"
            plan = self._with_content(ReplyPlan(ack=ack), held)
            if plan.content == "reaction" and plan.pool == "guarded":
                reaction = "guarded"
            elif plan.content == "elaborate":
                reaction = "elaborate"
            return reaction, plan, None
        return "neutral", _pool("neutral"), None

    def _ack(self, earned: str | None) -> Ack | None:
        if asks_for_a_number(self.text):
            return "estimate"  # whatever else the turn does, the number comes first
        # a question that opens with a reflection is answered, not confirmed
        asks = self.labels.primary in ("question_open", "question_closed")
        if (self.techniques & _REFLECTIVE and not asks) or ends_with_check(self.text):
            known, hidden = self._reflection_fit(earned)
            if known >= CONFIRM_AT:
                return "confirm"
            # a reflection that names something not yet shared is not "not quite": the persona
            # confirms it only when it goes on to share it
            return "correct" if max(known, hidden) < CORRECT_BELOW else None
        if self.labels.primary == "affirmation":
            return "thanks"
        return None

    def _reflection_fit(self, earned: str | None) -> tuple[float, float]:
        """How close a reflection is to what the client said lately or has shared (including a
        layer shared this turn), and to what the client has not shared yet."""
        known = max((self.turn.similarity(reply) for reply in self.recent), default=0.0)
        hidden = 0.0
        for layer in self.scenario.layers:
            texts = [*layer.earn.topic_cues, layer.summary, layer.reveal[0]]
            fit = self.turn.nearest(texts)[0]
            if layer.id in self.state.unlocked or layer.id == earned:
                known = max(known, fit)
            else:
                hidden = max(hidden, fit)
        return known, hidden

    def _end_step(self) -> Literal["options", "commit"] | None:
        end = self.scenario.end
        unlocked = set(self.state.unlocked)
        ready = set(end.requires) <= unlocked and self.after >= end.trust
        if not ready or self.techniques.isdisjoint(GOOD_TECHNIQUES | {"question_closed"}):
            return None
        asks_will = self.labels.grow_stage == "will" or self.turn.match(end.will_cues, [])
        asks_options = self.labels.grow_stage == "options" or self.turn.match(end.option_cues, [])
        if not self.state.options_explored and (asks_will or asks_options):
            return "options"
        if self.state.options_explored and asks_will:
            return "commit"
        return None

    def _off_topic(self) -> bool:
        """Small talk or an unrelated question: far from everything the scenario is about."""
        if self.techniques & _REFLECTIVE or self.labels.primary in ("affirmation", "permission"):
            return False
        if self.labels.grow_stage is not None:  # a goal, options or will question is the work
            return False
        best, _ = self.turn.nearest(_world(self.scenario))
        return best < OFF_TOPIC_BELOW and self.reply_similarity < OFF_TOPIC_BELOW

    def _with_content(self, plan: ReplyPlan, held: bool) -> ReplyPlan:
        """Add what the reply goes on to say: more of an earned layer the turn is about, else
        the surface topic it is about (or the next with something unsaid), else a guarded line."""
        elaboration = self._elaboration()
        if elaboration is not None:
            layer_id, line = elaboration
            return plan.model_copy(update={"content": "elaborate", "layer": layer_id, "line": line})
        if held:
            return plan.model_copy(update={"content": "reaction", "pool": "guarded"})
        surface = self._surface_line()
        if surface is not None:
            topic, line = surface
            return plan.model_copy(update={"content": "surface", "topic": topic, "line": line})
        return plan.model_copy(update={"content": "reaction", "pool": "guarded"})

    def _unsaid(self, lines: Sequence[str], start: int) -> int | None:
        for index in range(start, len(lines)):
            if not self.state.has_said(lines[index]):
                return index
        return None

    def _elaboration(self) -> tuple[str, int] | None:
        """An earned layer the turn is about (or the last one talked about, for a reflection
        that fits), with its next unsaid line."""
        best: tuple[float, str, int] | None = None
        for layer_id in self.state.unlocked:
            layer = self.scenario.layer(layer_id)
            line = self._unsaid(layer.reveal, self.state.told.get(layer_id, 1))
            if line is None:
                continue
            similarity = self.turn.nearest(layer.earn.topic_cues)[0] if layer.earn.topic_cues else 0
            if layer_id == self.state.last_topic:
                similarity = max(similarity, self.reply_similarity)
            if similarity >= self.machine.model.floor and (best is None or similarity > best[0]):
                best = (similarity, layer_id, line)
        return (best[1], best[2]) if best else None

    def _surface_line(self) -> tuple[str, int] | None:
        topics = self.scenario.persona.surface_topics()
        open_topics: list[tuple[SurfaceTopic, int]] = []
        for topic in topics:
            line = self._unsaid(topic.lines, self.state.topics.get(topic.id, 0))
            if line is not None:
                open_topics.append((topic, line))
        if not open_topics:
            return None
        scored = [(self._topic_similarity(topic), n, topic, line) for n, (topic, line) in
                  enumerate(open_topics)]  # fmt: skip
        best = max(scored, key=lambda item: (item[0], -item[1]))
        if best[0] >= TOPIC_AT:
            return best[2].id, best[3]
        # nothing in particular: a topic that points towards what can be earned next (the
        # client drops a hint a listening coach can pick up), else the least talked about
        next_up = {
            layer.id
            for layer in locked_layers(self.scenario, self.state.unlocked)
            if earnable(layer, self.state.unlocked)
        }
        fresh = min(
            open_topics,
            key=lambda item: (
                not (set(item[0].hints) & next_up),
                self.state.topics.get(item[0].id, 0),
            ),
        )
        return fresh[0].id, fresh[1]

    def _topic_similarity(self, topic: SurfaceTopic) -> float:
        texts = [*topic.cues, topic.lines[0]]
        similarity = self.turn.nearest(texts)[0]
        if topic.id == self.state.last_topic:
            similarity = max(similarity, self.reply_similarity)
        return similarity


def _pool(name: PoolName) -> ReplyPlan:
    return ReplyPlan(content="reaction", pool=name)


def _describe(reaction: Reaction, plan: ReplyPlan) -> str:
    parts = []
    if plan.wrong_name:
        parts.append(f"correct the name '{plan.wrong_name}'")
    if plan.ack:
        parts.append(plan.ack.replace("_", " "))
    if plan.content in ("reveal", "elaborate"):
        parts.append(f"{plan.content} {plan.layer} (line {(plan.line or 0) + 1})")
    elif plan.content == "surface":
        parts.append(f"surface topic {plan.topic} (line {(plan.line or 0) + 1})")
    elif plan.content == "reaction":
        parts.append(f"{plan.pool} line")
    elif plan.content:
        parts.append(plan.content)
    return f"{reaction}: " + (", then ".join(parts) if parts else "nothing")
