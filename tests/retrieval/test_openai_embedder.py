"""OpenAIEmbedder against a local OpenAI-compatible stub server, over real HTTP."""

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest

from retrieval.openai_embedder import OpenAIEmbedder

DIMENSION = 4


class EmbeddingsStub(BaseHTTPRequestHandler):
    """Answers POST /v1/embeddings with unnormalised vectors derived from each input."""

    requests: ClassVar[list[dict]] = []
    width: ClassVar[int] = DIMENSION

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        data = []
        for i, text in enumerate(body["input"]):
            vector = np.zeros(self.width, dtype=np.float32)
            vector[:2] = [3.0 * (len(text) + 1), 4.0 * (len(text) + 1)]
            if body.get("encoding_format") == "base64":
                embedding: object = base64.b64encode(vector.tobytes()).decode()
            else:
                embedding = vector.tolist()
            data.append({"object": "embedding", "index": i, "embedding": embedding})
        payload = json.dumps(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def base_url() -> Iterator[str]:
    EmbeddingsStub.requests = []
    EmbeddingsStub.width = DIMENSION
    server = ThreadingHTTPServer(("127.0.0.1", 0), EmbeddingsStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_returns_normalised_float32_rows(base_url: str) -> None:
    embedder = OpenAIEmbedder("stub-embed", "test-key", base_url, DIMENSION)
    vectors = embedder.embed(["hello", "a longer text"])
    assert vectors.shape == (2, DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(vectors[:, :2], [[0.6, 0.8], [0.6, 0.8]], atol=1e-6)
    assert EmbeddingsStub.requests[0]["input"] == ["hello", "a longer text"]


def test_empty_strings_are_sent_as_a_space(base_url: str) -> None:
    OpenAIEmbedder("stub-embed", "test-key", base_url, DIMENSION).embed(["", "x"])
    assert EmbeddingsStub.requests[0]["input"] == [" ", "x"]


def test_empty_batch_makes_no_request(base_url: str) -> None:
    embedder = OpenAIEmbedder("stub-embed", "test-key", base_url, DIMENSION)
    assert embedder.embed([]).shape == (0, DIMENSION)
    assert EmbeddingsStub.requests == []


def test_width_mismatch_raises(base_url: str) -> None:
    embedder = OpenAIEmbedder("stub-embed", "test-key", base_url, DIMENSION + 1)
    with pytest.raises(ValueError, match="expected"):
        embedder.embed(["hello"])
