"""The lexical index: BM25 (bm25s) over jieba words of each passage's heading path + text.

Scores come from bm25s' precomputed sparse matrix, so a query costs one sparse
row-sum; the corpus is tokenised once, at build time, and saved with the index.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from qa.text import tokenize, tokenize_query
from qa.types import Passage

log = logging.getLogger(__name__)


def _bm25s():  # type: ignore[no-untyped-def]
    """bm25s, its logger kept at WARNING (it sets its own to DEBUG when imported)."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class LexicalIndex:
    """BM25 over passages. ``search`` returns ``(passage index, score)`` best first, score > 0."""

    def __init__(self, retriever: object, size: int) -> None:
        self._bm25 = retriever
        self.size = size

    @classmethod
    def build(cls, passages: Sequence[Passage], show_progress: bool = False) -> LexicalIndex:
        bm25s = _bm25s()

        corpus = [tokenize(p.context_text) or [""] for p in passages]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=show_progress)
        return cls(retriever, len(passages))

    def search(self, question: str, k: int) -> list[tuple[int, float]]:
        vocab = self._bm25.vocab_dict  # type: ignore[attr-defined]
        ids = [vocab[t] for t in tokenize_query(question) if t in vocab]
        if not ids:
            return []
        scores = np.asarray(self._bm25.get_scores(ids))  # type: ignore[attr-defined]
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k] if k < self.size else np.arange(self.size)
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def search_weighted(self, terms: dict[str, float], k: int) -> list[tuple[int, float]]:
        """Like :meth:`search` for terms with weights (Σ weight · BM25 of the term): a translated
        English question, whose words mean report words with some confidence."""
        vocab = self._bm25.vocab_dict  # type: ignore[attr-defined]
        matrix = self._bm25.scores  # type: ignore[attr-defined]
        data, indices, indptr = matrix["data"], matrix["indices"], matrix["indptr"]
        scores = np.zeros(self.size, dtype=np.float64)
        for term, w in terms.items():
            t = vocab.get(term)
            if t is None or w <= 0 or t + 1 >= len(indptr):
                continue
            a, b = int(indptr[t]), int(indptr[t + 1])
            np.add.at(scores, indices[a:b], w * data[a:b])
        k = min(k, self.size)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    @property
    def vocabulary(self) -> list[str]:
        return [t for t in self._bm25.vocab_dict if t]  # type: ignore[attr-defined]

    @cached_property
    def idf(self) -> dict[str, float]:
        """Inverse document frequency of every indexed term (BM25's formula)."""
        df = np.diff(np.asarray(self._bm25.scores["indptr"]))  # type: ignore[attr-defined]
        n = self.size
        return {
            term: math.log(1 + (n - int(df[i]) + 0.5) / (int(df[i]) + 0.5))
            for term, i in self._bm25.vocab_dict.items()  # type: ignore[attr-defined]
            if term and i < len(df)
        }

    def save(self, directory: Path) -> None:
        self._bm25.save(str(directory), show_progress=False)  # type: ignore[attr-defined]

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        bm25s = _bm25s()

        retriever = bm25s.BM25.load(str(directory), show_progress=False)
        return cls(retriever, size)
