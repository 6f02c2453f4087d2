"""The chat model behind the LLM persona and judge: any LangChain chat model, with our own retries.

What must stay true:
- Timeouts, connection failures, 429 and 5xx are retried with exponential backoff and jitter, at
  most ``max_retries`` times; then ``ChatUnavailable`` is raised.  Other refusals (400, 401, 403,
  404…) raise ``ChatUnavailable`` at once.  Endpoint trouble never escapes as any other type.
- A stream is retried only while it has yielded nothing: text the caller has seen is never repeated.
- ``ChatUnavailable`` messages are safe to show: they name the kind of failure, never the API key,
  the prompt or the server's raw error body.
- The LangChain model does no retrying of its own (``max_retries=0``), so retries never multiply.
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable, Iterator, Sequence

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from app.settings import Settings
from rubrics.chat import ChatMessage, ChatModel, ChatUnavailable

_RETRYABLE_STATUS = frozenset({408, 409, 429})


def _transport_errors() -> tuple[type[BaseException], ...]:
    # the openai SDK moved from httpx to httpx2; a stream read can raise either unwrapped
    found: list[type[BaseException]] = [TimeoutError, ConnectionError]
    for name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        found.append(module.TransportError)
    return tuple(found)


_TRANSPORT_ERRORS = _transport_errors()
_ENDPOINT_ERRORS = (openai.OpenAIError, *_TRANSPORT_ERRORS)


def _to_langchain(messages: Sequence[ChatMessage]) -> list[BaseMessage]:
    kinds: dict[str, type[BaseMessage]] = {
        "system": SystemMessage,
        "user": HumanMessage,
        "assistant": AIMessage,
    }
    return [kinds[role](content=text) for role, text in messages]


def _status(exc: BaseException) -> int | None:
    return exc.status_code if isinstance(exc, openai.APIStatusError) else None


def is_retryable(exc: BaseException) -> bool:
    """Return True for failures worth another try: timeouts, connection trouble, 429 and 5xx."""
    if isinstance(exc, openai.APIConnectionError | openai.RateLimitError):
        return True
    status = _status(exc)
    if status is not None:
        return status in _RETRYABLE_STATUS or status >= 500
    return isinstance(exc, _TRANSPORT_ERRORS)


def describe(exc: BaseException, timeout_s: float) -> str:
    """A learner-safe sentence saying why the chat endpoint failed."""
    status = _status(exc)
    if isinstance(exc, openai.APITimeoutError | TimeoutError) or "Timeout" in type(exc).__name__:
        return f"The language model did not answer within {timeout_s:g} s."
    if status in (401, 403):
        return (
            f"The language model endpoint refused our credentials (HTTP {status}): "
            "check the API key setting."
        )
    if status == 429:
        return "The language model endpoint is rate-limiting us (HTTP 429)."
    if status == 404:
        return "The language model endpoint does not know the configured model (HTTP 404)."
    if status is not None and status >= 500:
        return f"The language model endpoint is failing (HTTP {status})."
    if status is not None:
        return f"The language model endpoint rejected the request (HTTP {status})."
    if isinstance(exc, (openai.APIConnectionError, *_TRANSPORT_ERRORS)):
        return "The language model endpoint cannot be reached."
    return f"The language model endpoint failed ({type(exc).__name__})."


class LangChainChatModel:
    """``ChatModel`` over any LangChain chat model, with retries, backoff and safe errors."""

    def __init__(
        self,
        model: BaseChatModel,
        *,
        max_retries: int,
        backoff_s: float = 0.5,
        timeout_s: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_retries < 0 or backoff_s < 0 or timeout_s <= 0:
            raise ValueError("max_retries and backoff_s must be >= 0, timeout_s > 0")
        self.model = model
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self._sleep = sleep

    def complete(self, messages: Sequence[ChatMessage]) -> str:
        """Return the whole answer, retrying transient failures; raise ChatUnavailable."""
        prompt = _to_langchain(messages)
        attempt = 0
        while True:
            try:
                return self.model.invoke(prompt).text
            except Exception as exc:
                self._after_failure(exc, attempt)
            attempt += 1

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        """Yield the answer in chunks; retry only before the first chunk; raise ChatUnavailable."""
        prompt = _to_langchain(messages)
        attempt = 0
        while True:
            yielded = False
            try:
                for chunk in self.model.stream(prompt):
                    text = chunk.text
                    if text:
                        yielded = True
                        yield text
                return
            except Exception as exc:
                if yielded:
                    if not isinstance(exc, _ENDPOINT_ERRORS):
                        raise
                    raise ChatUnavailable(
                        describe(exc, self.timeout_s) + " The answer was cut off."
                    ) from exc
                self._after_failure(exc, attempt)
            attempt += 1

    def _after_failure(self, exc: Exception, attempt: int) -> None:
        """Sleep before the next attempt, or raise ChatUnavailable (or re-raise a non-API bug)."""
        if not isinstance(exc, _ENDPOINT_ERRORS):
            raise exc
        if not is_retryable(exc):
            raise ChatUnavailable(describe(exc, self.timeout_s)) from exc
        if attempt >= self.max_retries:
            tries = attempt + 1
            raise ChatUnavailable(
                f"{describe(exc, self.timeout_s)} Gave up after {tries} "
                f"attempt{'s' if tries > 1 else ''}."
            ) from exc
        self._sleep(self._delay(exc, attempt))

    def _delay(self, exc: BaseException, attempt: int) -> float:
        # full exponential step plus up to 50 % jitter, so many clients do not retry in lockstep
        delay = self.backoff_s * (2**attempt) * (1 + random.random() / 2)
        retry_after = _retry_after(exc)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.timeout_s))
        return delay


def _retry_after(exc: BaseException) -> float | None:
    if not isinstance(exc, openai.APIStatusError):
        return None
    value = exc.response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def build_chat_model(settings: Settings) -> ChatModel | None:
    """The chat model the settings ask for; None for the offline provider."""
    match settings.llm_provider:
        case "offline":
            return None
        case "openai":
            model = ChatOpenAI(
                model=settings.llm_model,
                api_key=settings.llm_api_key() or "not-needed",
                base_url=settings.openai_base_url,
                timeout=settings.llm_timeout_s,
                max_retries=0,
                streaming=True,
            )
            return LangChainChatModel(
                model, max_retries=settings.llm_max_retries, timeout_s=settings.llm_timeout_s
            )
