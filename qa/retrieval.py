"""Ranking passages for a question: lexical (BM25), dense (FAISS) or both, fused by
reciprocal rank fusion (RRF, Cormack et al. 2009: score = Σ 1 / (rrf_k + rank)).

RRF needs no score calibration between BM25 and cosine, which is why it is the
default; each :class:`~qa.types.Hit` keeps both retrievers' scores and ranks for display.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.lexical import LexicalIndex
from qa.types import Hit, Mode, Passage

if TYPE_CHECKING:
    from embeddings import Encoder, VectorStore

#: How deep each retriever looks before fusion.
CANDIDATES = 50


def rrf(rankings: Sequence[Sequence[int]], rrf_k: int = 60) -> list[tuple[int, float]]:
    """Fuse rankings (lists of ids, best first) into ``(id, score)`` best first.

    >>> rrf([[1, 2, 3], [3, 1]], rrf_k=0)
    [(1, 1.5), (3, 1.3333333333333333), (2, 0.5)]
    """
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (rrf_k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class Retriever:
    passages: Sequence[Passage]
    lexical: LexicalIndex
    encoder: Encoder | None = None
    vectors: VectorStore | None = None
    rrf_k: int = 60

    @property
    def dense_available(self) -> bool:
        return self.encoder is not None and self.vectors is not None

    def search(self, question: str, k: int, mode: Mode) -> list[Hit]:
        depth = max(CANDIDATES, k)
        lexical = self.lexical.search(question, depth) if mode != "dense" else []
        dense: list[tuple[int, float]] = []
        if mode != "lexical" and self.encoder is not None and self.vectors is not None:
            dense = self.vectors.search(self.encoder.query_vector(question), depth)
        lex = {i: (s, r) for r, (i, s) in enumerate(lexical, start=1)}
        den = {i: (s, r) for r, (i, s) in enumerate(dense, start=1)}
        if mode == "lexical" or not dense:
            ranked = lexical
        elif mode == "dense" or not lexical:
            ranked = dense
        else:
            ranked = rrf([[i for i, _ in lexical], [i for i, _ in dense]], self.rrf_k)
        hits = []
        for rank, (i, score) in enumerate(ranked[:k], start=1):
            ls, lr = lex.get(i, (None, None))
            ds, dr = den.get(i, (None, None))
            hits.append(Hit(self.passages[i], score, rank, ls, lr, ds, dr))
        return hits
