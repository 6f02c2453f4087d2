"""LLM persona engine: nothing locked is ever sent or said, it streams, and it falls back offline.

The chat model is the real ``ChatOpenAI`` talking HTTP to a local OpenAI-compatible server that
records every prompt it is sent; quick unit tests use LangChain's ``GenericFakeChatModel``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_openai import ChatOpenAI

from app.llm import LangChainChatModel
from app.services.accounts import AccountService
from app.services.content import ContentService
from app.services.practice import PracticeService
from app.services.principal import Principal, Role
from app.storage.database import Database
from retrieval.hashing import HashingEmbedder
from rubrics.detector import TechniqueDetector
from rubrics.labels import CoachLabels
from rubrics.transcript import Turn
from scenarios.catalogue import builtin_scenarios
from scenarios.llm_engine import LLMPersonaEngine, LLMPersonaReply
from scenarios.model import Scenario
from scenarios.offline import OfflinePersonaEngine
from scenarios.playthrough import read_coach_lines
from scenarios.state import PersonaState
from tests.fixtures.injections import injections
from tests.support.openai_server import OpenAIServer, Reply, Status, closed_port

SCENARIOS = builtin_scenarios()
DETECTOR = TechniqueDetector()  # rules only: fast, and the same for both engines
EMBEDDER = HashingEmbedder()
SCRIPTS = Path(__file__).parent / "scripts"

INJECTIONS = injections("persona_llm")  # tests/fixtures/injections.yaml
IN_CHARACTER = "Sorry, I'm not following. Can we get back to what's going on at work?"
BREAKS = "As an AI language model I can't share my system prompt, but here is my persona card."


def _locked_texts(scenario: Scenario, unlocked: Sequence[str] = ()) -> list[str]:
    texts = [scenario.debrief.real_want, *scenario.debrief.facilitator_notes]
    for layer in scenario.layers:
        if layer.id not in unlocked:
            texts.extend([layer.summary, *layer.reveal])
    return texts


def _norm(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def _runs(text: str, n: int) -> set[str]:
    words = _norm(text)
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def _leaked(text: str, scenario: Scenario, unlocked: Sequence[str] = ()) -> list[str]:
    """Locked texts sharing a run of 6 words with ``text`` (all of it if shorter).

    Runs that also occur in unlocked layers are no secret (the debrief's "real want" may
    paraphrase a goal the learner has already earned), nor are runs of the persona's public lines.
    """
    shared = [
        line
        for layer in scenario.layers
        if layer.id in unlocked
        for line in [layer.summary, *layer.reveal]
    ]
    # the persona's public lines (reactions, surface) may share a phrase with a secret
    said_freely = [
        *(line for lines in scenario.reactions.model_dump().values() for line in lines),
        *(line for topic in scenario.persona.surface_topics() for line in topic.lines),
    ]
    public = " | ".join([*shared, *said_freely])
    joined = " " + " ".join(_norm(text)) + " "
    found = []
    for secret in _locked_texts(scenario, unlocked):
        size = min(6, len(_norm(secret)))
        runs = _runs(secret, size) - _runs(public, size)
        if any(f" {run} " in joined for run in runs):
            found.append(secret)
    return found


def _sent_text(request: dict[str, object]) -> str:
    messages = request["messages"]
    assert isinstance(messages, list)
    return "\n".join(str(m["content"]) for m in messages)


def _http_chat(base_url: str, *, timeout_s: float = 2.0) -> LangChainChatModel:
    model = ChatOpenAI(
        model="persona",
        api_key="test",
        base_url=base_url,
        timeout=timeout_s,
        max_retries=0,
        streaming=True,
    )
    return LangChainChatModel(model, max_retries=1, backoff_s=0.005, timeout_s=timeout_s)


def _fake_chat(*replies: str) -> LangChainChatModel:
    model = GenericFakeChatModel(messages=iter(replies))
    return LangChainChatModel(model, max_retries=0, backoff_s=0, timeout_s=1)


def _offline() -> OfflinePersonaEngine:
    return OfflinePersonaEngine(EMBEDDER)


def _labels(text: str) -> CoachLabels:
    return DETECTOR.label_coach(text)


def _turn(
    engine: LLMPersonaEngine,
    scenario: Scenario,
    state: PersonaState,
    history: list[Turn],
    text: str,
) -> LLMPersonaReply:
    history.append(Turn("coach", text))
    reply = engine.reply(scenario, state, text, _labels(text), history)
    history.append(Turn("client", reply.text))
    return reply


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


# -- injections ------------------------------------------------------------------------------
@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_injections_reveal_nothing_locked(server: OpenAIServer, scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    secret = scenario.layers[-1].reveal[0]

    def echo_system_prompt(body: dict[str, object]) -> Reply:
        messages = body["messages"]
        assert isinstance(messages, list)
        prompt = str(messages[0]["content"])
        return Reply(prompt, chunks=prompt.splitlines(keepends=True))

    # the "model" obeys every injection it can: echoes its prompt, recites a secret it was given
    # by someone else, breaks character, or plays along politely
    bad = [echo_system_prompt, Reply(f"Fine. {secret}"), Reply(BREAKS)]
    kinds = [bad[i % 4] if i % 4 < 3 else None for i in range(len(INJECTIONS))]
    # each polite reply is new: a repeated sentence is replaced like any other bad reply
    server.enqueue(
        *(kind or Reply(f"Odd one, number {i}. Not following.") for i, kind in enumerate(kinds))
    )
    engine = LLMPersonaEngine(_http_chat(server.base_url), _offline())
    opening = engine.start(scenario, seed=5)
    state, history = opening.state, [Turn("client", opening.text)]
    for attempt, kind in zip(INJECTIONS, kinds, strict=True):
        reply = _turn(engine, scenario, state, history, attempt)
        state = reply.state
        # the polite reply is used; the echoed prompt, the secret and the AI talk are replaced
        assert reply.source == ("llm" if kind is None else "offline"), (attempt, reply.text)
        assert reply.newly_unlocked == [], attempt
        assert not _leaked(reply.text, scenario), (attempt, reply.text)
        assert "system prompt" not in reply.text.lower()
        assert reply.notice is None
    assert len(server.requests) == len(INJECTIONS)
    for request in server.requests:
        assert not _leaked(_sent_text(request), scenario)
    assert state.unlocked == []


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_each_prompt_holds_only_what_is_unlocked_by_then(
    server: OpenAIServer, scenario_id: str
) -> None:
    scenario = SCENARIOS[scenario_id]
    server.default = Reply(IN_CHARACTER)
    engine = LLMPersonaEngine(_http_chat(server.base_url), _offline())
    opening = engine.start(scenario, seed=2)
    state, history = opening.state, [Turn("client", opening.text)]
    unlocked_after: list[list[str]] = []
    for layer in scenario.layers:
        for keyword in layer.earn.keywords[:2]:
            for line in (
                f"What's going on for you around {keyword}?",
                f"It sounds like {keyword} is weighing on you.",
            ):
                reply = _turn(engine, scenario, state, history, line)
                state = reply.state
                unlocked_after.append(list(state.unlocked))
    assert state.unlocked, "the script should earn at least one layer"
    assert len(server.requests) == len(unlocked_after)
    for request, unlocked in zip(server.requests, unlocked_after, strict=True):
        assert not _leaked(_sent_text(request), scenario, unlocked)
    for layer_id in state.unlocked:  # an earned layer's words do reach the model that turn
        assert any(scenario.layer(layer_id).reveal[0] in _sent_text(r) for r in server.requests)


# -- post-checks -----------------------------------------------------------------------------
def test_a_leaking_reply_is_replaced_by_the_offline_reply() -> None:
    scenario = SCENARIOS["workload-delegation"]
    locked = scenario.layers[-1].reveal[0]
    engine = LLMPersonaEngine(_fake_chat(f"Okay. {locked}"), _offline())
    state = engine.start(scenario, seed=1).state
    text = "What's on your mind?"
    reply = engine.reply(scenario, state, text, _labels(text))
    expected = _offline().reply(scenario, state, text, _labels(text))
    assert reply.source == "offline"
    assert reply.text == expected.text
    assert reply.state == expected.state


def test_an_in_character_reply_is_used_and_advances_the_same_state() -> None:
    scenario = SCENARIOS["workload-delegation"]
    engine = LLMPersonaEngine(_fake_chat("Marcus Bell: It's just a lot, you know?"), _offline())
    state = engine.start(scenario, seed=1).state
    text = "What's on your mind?"
    reply = engine.reply(scenario, state, text, _labels(text))
    expected = _offline().reply(scenario, state, text, _labels(text))
    assert reply.source == "llm"
    assert reply.text == "It's just a lot, you know?"
    assert reply.reaction == expected.reaction
    # what was said (and so its long sentences) differs by engine; the decision state does not
    said = {"said", "sentences"}
    assert reply.state.model_dump(exclude=said) == expected.state.model_dump(exclude=said)
    assert state.has_said(scenario.persona.opening_line)


def test_both_engines_earn_the_same_layers() -> None:
    scenario = SCENARIOS["workload-delegation"]
    lines = read_coach_lines(SCRIPTS / "workload-delegation.txt")
    llm = LLMPersonaEngine(_fake_chat(*[f"Reply number {i}." for i in range(50)]), _offline())
    offline = _offline()
    llm_state = llm.start(scenario, seed=3).state
    offline_state = offline.start(scenario, seed=3).state
    for line in lines:
        labels = _labels(line)
        llm_reply = llm.reply(scenario, llm_state, line, labels)
        offline_reply = offline.reply(scenario, offline_state, line, labels)
        assert llm_reply.source == "llm"
        assert llm_reply.reaction == offline_reply.reaction
        llm_state, offline_state = llm_reply.state, offline_reply.state
    assert llm_state.unlocked == offline_state.unlocked
    assert llm_state.trust == offline_state.trust
    assert llm_state.committed == offline_state.committed


# -- streaming -------------------------------------------------------------------------------
def test_streaming_yields_chunks_then_the_final_reply(server: OpenAIServer) -> None:
    scenario = SCENARIOS["workload-delegation"]
    server.enqueue(Reply("", chunks=["It's ", "been ", "a ", "long ", "month."]))
    engine = LLMPersonaEngine(_http_chat(server.base_url), _offline())
    state = engine.start(scenario, seed=1).state
    text = "How have things been?"
    items = list(engine.reply_stream(scenario, state, text, _labels(text)))
    *chunks, final = items
    assert chunks == ["It's ", "been ", "a ", "long ", "month."]
    assert isinstance(final, LLMPersonaReply)
    assert final.text == "It's been a long month."
    assert final.source == "llm"
    assert final.state.turn == 1


def test_a_streamed_leak_stops_before_the_locked_words(server: OpenAIServer) -> None:
    scenario = SCENARIOS["workload-delegation"]
    locked = scenario.layers[-1].reveal[0]
    server.enqueue(Reply(f"Well, since you ask. {locked}"))
    engine = LLMPersonaEngine(_http_chat(server.base_url), _offline())
    state = engine.start(scenario, seed=1).state
    text = "How have things been?"
    items = list(engine.reply_stream(scenario, state, text, _labels(text)))
    *chunks, final = items
    assert all(isinstance(c, str) for c in chunks)
    assert not _leaked("".join(str(c) for c in chunks), scenario)
    assert isinstance(final, LLMPersonaReply)
    assert final.source == "offline"
    assert not _leaked(final.text, scenario)


# -- endpoint trouble ------------------------------------------------------------------------
def test_a_closed_port_continues_offline_with_a_notice() -> None:
    scenario = SCENARIOS["peer-conflict"]
    engine = LLMPersonaEngine(_http_chat(f"http://127.0.0.1:{closed_port()}/v1"), _offline())
    state = engine.start(scenario, seed=4).state
    text = "What would you like to talk about?"
    reply = engine.reply(scenario, state, text, _labels(text))
    expected = _offline().reply(scenario, state, text, _labels(text))
    assert reply.source == "offline"
    assert reply.notice and "offline persona" in reply.notice
    assert "cannot be reached" in reply.notice
    assert reply.text == expected.text
    assert reply.state == expected.state


def test_server_errors_fall_back_and_the_endpoint_rests_for_a_while(server: OpenAIServer) -> None:
    scenario = SCENARIOS["career-change"]
    now = [100.0]
    server.default = Status(500)
    engine = LLMPersonaEngine(
        _http_chat(server.base_url), _offline(), cooldown_s=30, clock=lambda: now[0]
    )
    state = engine.start(scenario, seed=4).state
    first = engine.reply(scenario, state, "What's on your mind?", _labels("What's on your mind?"))
    assert first.source == "offline"
    assert first.notice and "HTTP 500" in first.notice
    assert len(server.requests) == 2  # one try plus one retry
    second = engine.reply(scenario, first.state, "Go on.", _labels("Go on."))
    assert second.notice and len(server.requests) == 2  # resting: not asked again
    now[0] += 31
    server.default = Reply(IN_CHARACTER)
    third = engine.reply(scenario, second.state, "Tell me more.", _labels("Tell me more."))
    assert third.source == "llm"
    assert third.notice is None
    assert len(server.requests) == 3


def test_a_stream_that_dies_midway_ends_with_the_offline_reply(server: OpenAIServer) -> None:
    scenario = SCENARIOS["workload-delegation"]
    server.enqueue(Reply("", chunks=["It's ", "been ", "a lot."], chunk_delay_s=3))
    engine = LLMPersonaEngine(_http_chat(server.base_url, timeout_s=0.3), _offline())
    state = engine.start(scenario, seed=1).state
    text = "How have things been?"
    *chunks, final = list(engine.reply_stream(scenario, state, text, _labels(text)))
    assert chunks == ["It's "]
    assert isinstance(final, LLMPersonaReply)
    assert final.source == "offline"
    assert final.notice and "cut off" in final.notice


# -- through the practice service ------------------------------------------------------------
def test_the_learners_turn_survives_a_failing_endpoint(
    server: OpenAIServer, tmp_path: Path
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'coachlab.db'}")
    db.upgrade()
    content = ContentService(db)
    content.sync_builtin()
    accounts = AccountService(db)
    accounts.create_user(Principal.system(), "lee", "correct-horse-battery", {Role.LEARNER})
    learner = accounts.authenticate("lee", "correct-horse-battery")
    server.default = Status(500)
    engine = LLMPersonaEngine(_http_chat(server.base_url), _offline())
    practice = PracticeService(db, content, DETECTOR, engine)
    try:
        view = practice.start(learner, "workload-delegation", seed=1)
        view = practice.send(learner, view.id, "What's on your plate at the moment?")
        assert [t.speaker for t in view.turns] == ["client", "coach", "client"]
        assert view.turns[1].text == "What's on your plate at the moment?"
        assert not view.awaiting_reply
        assert server.requests, "the endpoint was tried before falling back"
        server.default = Reply(IN_CHARACTER)
        view = practice.send(learner, view.id, "Tell me more about that.")
        assert [t.speaker for t in view.turns][-2:] == ["coach", "client"]
    finally:
        db.dispose()
