"""The LLM persona engine: the shared state machine decides, a chat model phrases the reply.

What must stay true:
- Trust, what is unlocked and which reaction applies are decided by ``PersonaStateMachine``
  exactly as offline; the chat model only words the decision.
- The prompt (``scenarios.prompting.build_persona_messages``) holds only the persona card, the
  layers unlocked by the end of this turn and the decision — never a locked layer or the debrief.
  The prompt is checked before it is sent: if it ever held locked text, no call is made.
- Whatever the model says is checked before anyone sees it: a reply that shares a run of words
  with a locked layer or the debrief, or that breaks character ("as an AI", "system prompt"…), is
  replaced by the offline engine's reply for the same decision.  While streaming, each chunk is
  checked together with everything before it, so no streamed text holds such a run either.
- If the endpoint is unavailable the turn is answered by the offline engine, with a visible notice;
  for ``cooldown_s`` afterwards the endpoint is not tried again, so a session never stalls on it.
- The final ``LLMPersonaReply`` is authoritative: when it replaces streamed text, show its text.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Literal

from pydantic import Field

from rubrics.chat import ChatMessage, ChatModel, ChatUnavailable, Role
from rubrics.labels import CoachLabels
from rubrics.transcript import Turn
from scenarios.engine import PersonaReply, TurnDecision
from scenarios.model import Scenario
from scenarios.offline import OfflinePersonaEngine, phrase
from scenarios.prompting import build_persona_messages
from scenarios.state import PersonaState

NGRAM = 5  # a run of this many words shared with locked text counts as a leak
_MIN_WORDS = 3  # shorter locked lines are too generic to police ("I don't know")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_OUT_OF_CHARACTER = re.compile(
    r"\bas an ai\b|\blanguage model|\bsystem (prompt|message)"
    r"|\bmy (instructions|prompt|programming|guidelines|persona|character card)\b"
    r"|\b(i am|i'm) (just )?(an? )?(ai|assistant|chatbot|bot|simulation|llm)\b|\bai assistant"
    r"|\bchatgpt\b|\bopenai\b|\bllm\b|\b(hidden|locked) (layer|material|goal|information)"
    r"|\bpersona card\b|\bfacilitator notes?\b|\brole-?play(ing)?\b|\bin character\b",
    re.IGNORECASE,
)
HISTORY_TURNS = 40  # the prompt carries the latest turns only, so long sessions stay affordable
# prompting speaks LangChain's role names; accept ours too should it switch
_ROLES: dict[str, Role] = {
    "system": "system",
    "human": "user",
    "ai": "assistant",
    "user": "user",
    "assistant": "assistant",
}
UNAVAILABLE_NOTICE = "The AI persona is unavailable, so the offline persona is answering for now."


class LLMPersonaReply(PersonaReply):
    """A persona reply from the LLM engine: says who phrased it, and any notice for the learner."""

    source: Literal["llm", "offline"] = Field(
        default="llm", description="llm, or offline when the offline engine phrased the reply."
    )
    notice: str | None = Field(default=None, description="Shown to the learner, e.g. a fallback.")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("\u2019", "'"))


def _grams(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _contains(words: Sequence[str], phrase_words: tuple[str, ...]) -> bool:
    n = len(phrase_words)
    return any(tuple(words[i : i + n]) == phrase_words for i in range(len(words) - n + 1))


class LeakGuard:
    """Spots text that shares a run of words with locked material, or that breaks character.

    ``scaffold`` is the prompt's own wording: echoing a run of it (beyond the persona's lines)
    means the model is reciting its instructions, which breaks character.
    """

    def __init__(
        self, locked: Iterable[str], allowed: Iterable[str], scaffold: Iterable[str] = ()
    ) -> None:
        allowed_words = [_words(text) for text in allowed]
        allowed_grams: set[tuple[str, ...]] = set()
        for words in allowed_words:
            allowed_grams |= _grams(words, NGRAM)
        self._scaffold: set[tuple[str, ...]] = set()
        for text in scaffold:
            self._scaffold |= _grams(_words(text), NGRAM) - allowed_grams
        self._grams: set[tuple[str, ...]] = set()
        self._short: list[tuple[str, ...]] = []
        for text in locked:
            words = _words(text)
            if len(words) >= NGRAM:
                # a run that also appears in allowed text (a stock phrase, the learner's own
                # words) is no secret
                self._grams |= _grams(words, NGRAM) - allowed_grams
            elif len(words) >= _MIN_WORDS and not any(
                _contains(a, tuple(words)) for a in allowed_words
            ):
                self._short.append(tuple(words))

    @classmethod
    def for_turn(
        cls,
        scenario: Scenario,
        unlocked: Iterable[str],
        said: Iterable[str],
        scaffold: Iterable[str] = (),
    ) -> LeakGuard:
        """A guard for one turn: ``unlocked`` may be voiced; ``said`` is the conversation so far."""
        open_ids = set(unlocked)
        persona, reactions, end = scenario.persona, scenario.reactions, scenario.end
        locked: list[str] = [scenario.debrief.real_want, *scenario.debrief.facilitator_notes]
        allowed: list[str] = [
            persona.name,
            persona.role,
            persona.opening_line,
            *(line for topic in persona.surface_topics() for line in topic.lines),
            *(cue for topic in persona.surface_topics() for cue in topic.cues),
            *persona.voice.traits,
            *persona.voice.lexicon,
            *persona.voice.tags,
            *persona.voice.asides,
            *(line for lines in reactions.model_dump().values() for line in lines),
            *end.options,
            *end.commitment,
            *end.closing,
            *said,
        ]
        for layer in scenario.layers:
            target = allowed if layer.id in open_ids else locked
            target.extend([layer.summary, *layer.reveal])
        return cls(locked, allowed, scaffold)

    def leaks(self, text: str) -> bool:
        """Return True if ``text`` holds a run of words from locked material."""
        words = _words(text)
        if _grams(words, NGRAM) & self._grams:
            return True
        return any(_contains(words, short) for short in self._short)

    def violation(self, text: str) -> str | None:
        """Why ``text`` must not be shown ("leak" or "character"), or None if it is fine."""
        if self.leaks(text):
            return "leak"
        if _OUT_OF_CHARACTER.search(text) or _grams(_words(text), NGRAM) & self._scaffold:
            return "character"
        return None


class LLMPersonaEngine:
    """Plays a scenario's persona with a chat model, on the offline engine's state machine."""

    def __init__(
        self,
        chat: ChatModel,
        offline: OfflinePersonaEngine,
        *,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.chat = chat
        self.offline = offline
        self.machine = offline.machine
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._down_until = float("-inf")
        self._down_reason = ""

    def start(self, scenario: Scenario, seed: int | None = None) -> PersonaReply:
        """Begin a session: the scenario's own opening line and the first state."""
        return self.offline.start(scenario, seed)

    def reply(
        self,
        scenario: Scenario,
        state: PersonaState,
        coach_text: str,
        labels: CoachLabels,
        history: Sequence[Turn] = (),
    ) -> LLMPersonaReply:
        """Answer one coach turn (the last item of ``reply_stream``)."""
        final: LLMPersonaReply | None = None
        for item in self.reply_stream(scenario, state, coach_text, labels, history):
            if isinstance(item, LLMPersonaReply):
                final = item
        assert final is not None
        return final

    def reply_stream(
        self,
        scenario: Scenario,
        state: PersonaState,
        coach_text: str,
        labels: CoachLabels,
        history: Sequence[Turn] = (),
    ) -> Iterator[str | LLMPersonaReply]:
        """Yield the reply's text chunks as they arrive, then the final LLMPersonaReply."""
        if state.scenario_id != scenario.id:
            raise ValueError(
                f"state belongs to scenario {state.scenario_id!r}, not {scenario.id!r}"
            )
        decision = self.machine.decide(scenario, state, coach_text, labels, history)
        if self._clock() < self._down_until:
            yield self._offline(scenario, state, decision, self._notice(), coach_text)
            return
        unlocked = [*state.unlocked, *([decision.earned] if decision.earned else [])]
        turns = _with_coach_turn(history, coach_text)
        messages = [
            (_ROLES[role], text)
            for role, text in build_persona_messages(scenario, state, decision, turns)
        ]
        system = [text for role, text in messages if role == "system"]
        guard = LeakGuard.for_turn(scenario, unlocked, [t.text for t in turns], system)
        if any(guard.leaks(text) for _, text in messages):
            # the prompt builder broke its promise: never send locked text anywhere
            yield self._offline(scenario, state, decision, None, coach_text)
            return
        shown: list[str] = []
        try:
            rejected = yield from self._guarded(messages, guard, shown)
        except ChatUnavailable as exc:
            self._down_until = self._clock() + self.cooldown_s
            self._down_reason = str(exc)
            yield self._offline(scenario, state, decision, self._notice(), coach_text)
            return
        text = _tidy("".join(shown), scenario.persona.name)
        if rejected or not text or state.has_said(text):
            yield self._offline(scenario, state, decision, None, coach_text)
            return
        yield self._finish(state, decision, text, "llm", None)

    def _guarded(
        self, messages: Sequence[ChatMessage], guard: LeakGuard, shown: list[str]
    ) -> Generator[str, None, bool]:
        """Yield chunks that keep the text so far clean; return True if the model's text was cut."""
        stream = self.chat.stream(messages)
        try:
            for chunk in stream:
                if guard.violation("".join(shown) + chunk):
                    return True
                shown.append(chunk)
                yield chunk
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # stop reading (and paying for) a reply we will not use
        return False

    def _notice(self) -> str:
        return f"{UNAVAILABLE_NOTICE} {self._down_reason}".strip()

    def _offline(
        self,
        scenario: Scenario,
        state: PersonaState,
        decision: TurnDecision,
        notice: str | None,
        coach_text: str,
    ) -> LLMPersonaReply:
        text = phrase(scenario, state, decision, coach_text)
        return self._finish(state, decision, text, "offline", notice)

    def _finish(
        self,
        state: PersonaState,
        decision: TurnDecision,
        text: str,
        source: Literal["llm", "offline"],
        notice: str | None,
    ) -> LLMPersonaReply:
        new_state = self.machine.advance(state, decision, text)
        return LLMPersonaReply(
            text=text,
            newly_unlocked=[decision.earned] if decision.earned else [],
            state=new_state,
            committed=new_state.committed,
            reaction=decision.reaction,
            trace=decision.trace,
            source=source,
            notice=notice,
        )


def _tidy(text: str, name: str) -> str:
    """Strip whitespace, wrapping quotes and a leading "Name:" the model may add."""
    text = text.strip()
    names = "|".join(re.escape(n) for n in (name, name.split()[0]))
    prefix = re.compile(rf"^\s*\**(?:{names})\**\s*:\s*", re.IGNORECASE)
    text = prefix.sub("", text).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def _with_coach_turn(history: Sequence[Turn], coach_text: str) -> list[Turn]:
    """The latest turns, ending with the coach's turn (callers may or may not include it)."""
    turns = list(history[-HISTORY_TURNS:])
    if not turns or turns[-1].speaker != "coach" or turns[-1].text != coach_text:
        turns.append(Turn(speaker="coach", text=coach_text))
    return turns
