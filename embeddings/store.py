"""The vector store: normalised float32 embeddings in FAISS, searched by inner product (= cosine).

Up to :data:`APPROX_THRESHOLD` vectors we use ``IndexFlatIP``: exact, no training. A flat scan
grows linearly — measured here (``python -m eval.bench``, 2 cores, 384 dimensions) at 10–30 ms for
60k vectors and 46–65 ms for 100k — while HNSW answers in 1.4–1.7 ms with recall@10 above 0.98
on embedding-like data (0.35 on uniform random vectors, its worst case). So from 30,000 vectors,
where a flat scan starts to cost more than encoding the question, libraries switch to
``IndexHNSWFlat`` (M=32, efSearch=128): no training (IVF would need it), incremental builds, at
the cost of ~M·8 bytes per vector and a slower build (~18 s for 60k vectors).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

APPROX_THRESHOLD = 30_000
HNSW_M = 32
HNSW_EF_SEARCH = 128


class VectorStore:
    """Exact or HNSW FAISS index over passage embeddings; ``search`` → (index, score) best first."""

    def __init__(self, index: object) -> None:
        self._index = index

    @property
    def size(self) -> int:
        return int(self._index.ntotal)  # type: ignore[attr-defined]

    @property
    def dimension(self) -> int:
        return int(self._index.d)  # type: ignore[attr-defined]

    @property
    def kind(self) -> str:
        return "hnsw" if "HNSW" in type(self._index).__name__ else "flat"

    @classmethod
    def build(cls, vectors: np.ndarray, approx_threshold: int = APPROX_THRESHOLD) -> VectorStore:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, d = vectors.shape
        index: faiss.Index
        if n >= approx_threshold:
            index = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            index = faiss.IndexFlatIP(d)
        index.add(vectors)
        return cls(index)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, self.size)
        if k <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(q, k)  # type: ignore[attr-defined]
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))  # type: ignore[call-overload]

    @classmethod
    def load(cls, path: Path) -> VectorStore:
        import faiss

        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise ValueError(f"corrupt vector index {path}: {exc}") from exc
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index)
