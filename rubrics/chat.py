"""The small chat-model interface CoachLab owns: the rubric judge and the LLM persona both use it.

What must stay true:
- This module names no provider and imports no LangChain, OpenAI, app, scenarios or retrieval code;
  implementations live in the app layer (``app.llm``) and any test fake satisfies the protocol
  structurally.
- Implementations do their own retrying; when they give up they raise ``ChatUnavailable`` and
  nothing else for endpoint trouble, with a message that is safe to show to a learner (no keys, no
  prompt text).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal, Protocol

Role = Literal["system", "user", "assistant"]
ChatMessage = tuple[Role, str]


class ChatUnavailable(RuntimeError):
    """The chat endpoint could not answer (down, timing out, refusing us); message safe to show."""


class ChatModel(Protocol):
    """A chat model that answers a list of (role, text) messages."""

    def complete(self, messages: Sequence[ChatMessage]) -> str:
        """Return the model's whole answer; raise ChatUnavailable if the endpoint fails."""
        ...

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        """Yield the answer in text chunks; raise ChatUnavailable if the endpoint fails."""
        ...
