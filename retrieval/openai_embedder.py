"""Embeddings from an OpenAI(-compatible) ``/v1/embeddings`` endpoint via LangChain.

What must stay true:
- rows are re-normalised here, so every backend honours the Embedder contract;
- ``dimension`` is checked against what the server returns (a mismatch raises, never pads);
- no tokenizer download: ``check_embedding_ctx_length`` is off, so texts go to the server
  as strings (tiktoken would fetch its encoding files from the internet on first use). The
  server then rejects over-long texts instead of LangChain chunking them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from retrieval.embedder import EmbedderUnavailable, FloatMatrix, empty_matrix, l2_normalise

if TYPE_CHECKING:
    from langchain_openai import OpenAIEmbeddings

KNOWN_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


class OpenAIEmbedder:
    """An Embedder backed by ``langchain_openai.OpenAIEmbeddings``."""

    def __init__(
        self,
        model: str,
        api_key: str,
        base_url: str | None = None,
        dimension: int | None = None,
    ) -> None:
        try:
            from langchain_openai import OpenAIEmbeddings
        except ImportError as exc:  # pragma: no cover - part of the base install
            raise EmbedderUnavailable(
                "pip install langchain-openai to use OpenAI embeddings"
            ) from exc
        resolved = dimension if dimension is not None else KNOWN_DIMENSIONS.get(model)
        if resolved is None:
            raise ValueError(f"unknown embedding width for model {model!r}; pass dimension=")
        if not api_key:
            raise EmbedderUnavailable(
                "an API key is required (any non-empty string for local servers)"
            )
        self.name = f"openai:{model}"
        self.dimension = resolved
        self._client: OpenAIEmbeddings = OpenAIEmbeddings(
            model=model,
            api_key=api_key,  # type: ignore[arg-type]
            base_url=base_url,
            check_embedding_ctx_length=False,
        )

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Return unit-length float32 vectors, shape (len(texts), dimension)."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not a single string")
        if len(texts) == 0:
            return empty_matrix(self.dimension)
        # The embeddings API rejects empty strings; a single space embeds "nothing" instead.
        vectors = self._client.embed_documents([text or " " for text in texts])
        matrix = l2_normalise(vectors)
        if matrix.shape != (len(texts), self.dimension):
            raise ValueError(
                f"{self.name} returned vectors of shape {matrix.shape}, "
                f"expected ({len(texts)}, {self.dimension})"
            )
        return matrix
