"""Pick the embedder implementation from settings.

What must stay true: this is the only place that maps a setting to an Embedder class, and
"hashing" always works offline with no model files.  ``minilm-int8`` loads at once, so a CPU on
which it would not be faithful refuses at start-up (``EmbedderUnavailable``), not at a learner's
first turn.
"""

from __future__ import annotations

from typing import Literal, get_args

from retrieval.embedder import Embedder

EmbedderKind = Literal["minilm", "minilm-int8", "hashing", "openai"]
# the kinds that run on this machine alone (command-line choices of training and benchmarks)
OFFLINE_KINDS: tuple[str, ...] = tuple(k for k in get_args(EmbedderKind) if k != "openai")


def build_embedder(
    kind: EmbedderKind,
    *,
    openai_model: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    openai_dimension: int | None = None,
    threads: int | None = None,
) -> Embedder:
    """Return the embedder named by ``kind`` (imports only the chosen implementation).

    ``threads`` caps the cores the local model spreads a large batch over (None: one per core).
    """
    match kind:
        case "minilm":
            from retrieval.minilm import MiniLMEmbedder

            return MiniLMEmbedder(threads=threads)
        case "minilm-int8":
            from retrieval.minilm import MiniLMEmbedder

            int8 = MiniLMEmbedder(threads=threads, precision="int8")
            int8.load()
            return int8
        case "hashing":
            from retrieval.hashing import HashingEmbedder

            return HashingEmbedder()
        case "openai":
            if not openai_model or not api_key:
                raise ValueError("the openai embedder needs openai_model and api_key")
            from retrieval.openai_embedder import OpenAIEmbedder

            return OpenAIEmbedder(openai_model, api_key, base_url, openai_dimension)
        case _:
            raise ValueError(
                f"unknown embedder kind {kind!r}; expected minilm, minilm-int8, hashing or openai"
            )
