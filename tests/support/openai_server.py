"""A scriptable OpenAI-compatible Chat Completions server on 127.0.0.1, for tests over real HTTP.

Use it as a context manager::

    with OpenAIServer() as server:
        server.enqueue(Status(429), Reply("Fine."))
        model = ChatOpenAI(base_url=server.base_url, api_key="test", ...)

Every request body is recorded (``server.requests``, parsed JSON; ``server.bodies``, raw text).
Each request takes the next scripted response; when the script is empty, ``server.default`` answers
(a plain ``Reply`` by default, or any callable taking the parsed body).  A ``Reply`` is sent as JSON
or as SSE chunks, whichever the request asked for (``"stream": true``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Reply:
    """A successful answer; ``chunks`` overrides how a streamed answer is split.

    ``delay_s`` waits before answering; ``chunk_delay_s`` waits before every streamed chunk after
    the first (so a stream can stall mid-answer).
    """

    text: str
    chunks: Sequence[str] | None = None
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0


@dataclass(frozen=True)
class Status:
    """An HTTP error with an OpenAI-style error body (429, 500, 401…)."""

    code: int
    message: str = "scripted failure"
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


Response = Reply | Status
Responder = Callable[[dict[str, Any]], Response]


def _split_words(text: str) -> list[str]:
    words = text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]


class OpenAIServer:
    """Serves ``/v1/chat/completions`` from a script and records what it was sent."""

    def __init__(self, default: Response | Responder | None = None) -> None:
        self.default: Response | Responder = default or Reply("Mm. I'm not sure what to say.")
        self.requests: list[dict[str, Any]] = []
        self.bodies: list[str] = []
        self._script: deque[Response | Responder] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """Base URL for an OpenAI client (ends in ``/v1``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def enqueue(self, *responses: Response | Responder) -> None:
        """Script the next responses, one per request, in order."""
        with self._lock:
            self._script.extend(responses)

    def all_text(self) -> str:
        """Every recorded request body as one string (for "was X ever sent?" checks)."""
        with self._lock:
            return "\n".join(self.bodies)

    def __enter__(self) -> OpenAIServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing.set()  # wakes handlers that are sleeping out a scripted delay
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # -- request handling --------------------------------------------------------------------
    def _next(self, body: dict[str, Any]) -> Response:
        with self._lock:
            item = self._script.popleft() if self._script else self.default
        return item(body) if callable(item) else item

    def _record(self, raw: str) -> dict[str, Any]:
        body = json.loads(raw) if raw else {}
        with self._lock:
            self.bodies.append(raw)
            self.requests.append(body)
        return body

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = server._record(self.rfile.read(length).decode("utf-8"))
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request"}})
                    return
                response = server._next(body)
                if response.delay_s and server._closing.wait(response.delay_s):
                    return
                try:
                    if isinstance(response, Status):
                        self._json(
                            response.code,
                            {"error": {"message": response.message, "type": "scripted"}},
                            response.headers,
                        )
                    elif body.get("stream"):
                        self._sse(body, response)
                    else:
                        self._json(200, _completion(body, response.text))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            def _json(
                self, code: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _sse(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                chunks = _split_words(reply.text) if reply.chunks is None else list(reply.chunks)
                events = [_chunk(body, {"role": "assistant", "content": ""}, None)]
                events += [_chunk(body, {"content": c}, None) for c in chunks]
                events.append(_chunk(body, {}, "stop"))
                for i, event in enumerate(events):
                    # the first content chunk goes out at once, the delay precedes each later one
                    if i >= 2 and reply.chunk_delay_s and server._closing.wait(reply.chunk_delay_s):
                        return
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler


def _completion(body: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "test-model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "test-model"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
