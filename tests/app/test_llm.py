"""LangChainChatModel: retries, backoff and safe errors, over real HTTP to a local OpenAI stub."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_openai import ChatOpenAI

from app.llm import LangChainChatModel, build_chat_model
from app.settings import Settings
from rubrics.chat import ChatMessage, ChatUnavailable
from tests.support.openai_server import OpenAIServer, Reply, Status, closed_port

MESSAGES: list[ChatMessage] = [
    ("system", "You are Sam, a team lead."),
    ("user", "What is on your mind?"),
    ("assistant", "Work, mostly."),
    ("user", "Tell me more."),
]
TIMEOUT_S = 0.5


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


def _chat(base_url: str, *, retries: int = 2, timeout_s: float = TIMEOUT_S) -> LangChainChatModel:
    model = ChatOpenAI(
        model="test-model",
        api_key="test-key",
        base_url=base_url,
        timeout=timeout_s,
        max_retries=0,
        streaming=True,
    )
    return LangChainChatModel(model, max_retries=retries, backoff_s=0.01, timeout_s=timeout_s)


def test_complete_sends_the_roles_and_returns_the_text(server: OpenAIServer) -> None:
    server.enqueue(Reply("Honestly, the reports."))
    assert _chat(server.base_url).complete(MESSAGES) == "Honestly, the reports."
    (body,) = server.requests
    assert [(m["role"], m["content"]) for m in body["messages"]] == list(MESSAGES)
    assert body["model"] == "test-model"


def test_stream_yields_the_chunks_in_order(server: OpenAIServer) -> None:
    server.enqueue(Reply("", chunks=["It's ", "the ", "reports."]))
    assert list(_chat(server.base_url).stream(MESSAGES)) == ["It's ", "the ", "reports."]
    assert server.requests[0]["stream"] is True


def test_a_non_streaming_model_is_served_json(server: OpenAIServer) -> None:
    model = ChatOpenAI(model="m", api_key="k", base_url=server.base_url, timeout=1, max_retries=0)
    server.enqueue(Reply("Plain JSON."))
    chat = LangChainChatModel(model, max_retries=0, timeout_s=1)
    assert chat.complete(MESSAGES) == "Plain JSON."
    assert not server.requests[0].get("stream")


def test_rate_limits_are_retried_until_success(server: OpenAIServer) -> None:
    server.enqueue(Status(429), Status(429), Reply("Third time lucky."))
    assert _chat(server.base_url, retries=2).complete(MESSAGES) == "Third time lucky."
    assert len(server.requests) == 3


def test_a_stream_is_retried_before_its_first_chunk(server: OpenAIServer) -> None:
    server.enqueue(Status(503), Reply("Back again."))
    assert "".join(_chat(server.base_url).stream(MESSAGES)) == "Back again."
    assert len(server.requests) == 2


def test_server_errors_give_up_with_a_clear_message(server: OpenAIServer) -> None:
    server.enqueue(*[Status(500, "secret internals")] * 3)
    with pytest.raises(ChatUnavailable) as info:
        _chat(server.base_url, retries=2).complete(MESSAGES)
    message = str(info.value)
    assert "HTTP 500" in message
    assert "3 attempts" in message
    assert "secret internals" not in message
    assert len(server.requests) == 3


def test_timeouts_are_retried_then_reported(server: OpenAIServer) -> None:
    server.enqueue(*[Reply("too late", delay_s=5)] * 2)
    started = time.monotonic()
    with pytest.raises(ChatUnavailable, match=r"did not answer within 0\.3 s.*2 attempts"):
        _chat(server.base_url, retries=1, timeout_s=0.3).complete(MESSAGES)
    assert time.monotonic() - started < 3
    assert len(server.requests) == 2


def test_a_timeout_then_success_recovers(server: OpenAIServer) -> None:
    server.enqueue(Reply("too late", delay_s=5), Reply("On time."))
    assert "".join(_chat(server.base_url, timeout_s=0.3).stream(MESSAGES)) == "On time."


def test_a_refused_key_is_not_retried(server: OpenAIServer) -> None:
    server.enqueue(Status(401, "Incorrect API key provided: test-key"))
    with pytest.raises(ChatUnavailable, match=r"HTTP 401.*API key") as info:
        _chat(server.base_url, retries=3).complete(MESSAGES)
    assert "test-key" not in str(info.value)
    assert len(server.requests) == 1


def test_a_bad_request_is_not_retried(server: OpenAIServer) -> None:
    server.enqueue(Status(400, "bad"))
    with pytest.raises(ChatUnavailable, match="HTTP 400"):
        list(_chat(server.base_url, retries=3).stream(MESSAGES))
    assert len(server.requests) == 1


def test_a_closed_port_is_unreachable() -> None:
    chat = _chat(f"http://127.0.0.1:{closed_port()}/v1", retries=1)
    with pytest.raises(ChatUnavailable, match=r"cannot be reached.*2 attempts"):
        chat.complete(MESSAGES)


def test_a_stream_cut_off_mid_answer_is_not_retried(server: OpenAIServer) -> None:
    server.enqueue(Reply("", chunks=["One ", "two ", "three"], chunk_delay_s=2.0))
    seen: list[str] = []
    with pytest.raises(ChatUnavailable, match="cut off"):
        for chunk in _chat(server.base_url, retries=3, timeout_s=0.3).stream(MESSAGES):
            seen.append(chunk)
    assert seen == ["One "]
    assert len(server.requests) == 1


def test_backoff_grows_and_honours_retry_after(server: OpenAIServer) -> None:
    delays: list[float] = []
    model = ChatOpenAI(model="m", api_key="k", base_url=server.base_url, timeout=1, max_retries=0)
    chat = LangChainChatModel(model, max_retries=3, backoff_s=0.1, timeout_s=1, sleep=delays.append)
    limited = Status(429, headers={"Retry-After": "0.9"})
    server.enqueue(Status(500), Status(500), limited, Reply("ok"))
    assert chat.complete(MESSAGES) == "ok"
    assert 0.1 <= delays[0] <= 0.15
    assert 0.2 <= delays[1] <= 0.3
    assert delays[2] == pytest.approx(0.9)


class _Broken(GenericFakeChatModel):
    """A chat model with a bug in it (not an endpoint failure)."""

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("a bug, not an outage")


def test_fake_models_work_and_bugs_are_not_swallowed() -> None:
    fake = GenericFakeChatModel(messages=iter(["Word by word."]))
    chat = LangChainChatModel(fake, max_retries=2, backoff_s=0, timeout_s=1)
    assert "".join(chat.stream(MESSAGES)) == "Word by word."
    broken = LangChainChatModel(_Broken(messages=iter([])), max_retries=2, backoff_s=0, timeout_s=1)
    with pytest.raises(ValueError, match="a bug"):
        broken.complete(MESSAGES)


def test_build_chat_model_follows_the_settings(server: OpenAIServer) -> None:
    assert build_chat_model(Settings(llm_provider="offline")) is None
    settings = Settings(
        llm_provider="openai",
        llm_model="persona-model",
        OPENAI_BASE_URL=server.base_url,
        llm_timeout_s=2,
        llm_max_retries=1,
    )
    chat = build_chat_model(settings)
    assert isinstance(chat, LangChainChatModel)
    server.enqueue(Status(500), Reply("Built."))
    assert chat.complete(MESSAGES) == "Built."
    assert server.requests[-1]["model"] == "persona-model"
    assert server.requests[-1]["stream"] is True
