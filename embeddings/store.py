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


#: :class:`PartIndex`: how much a document's best part counts against its pooled vector.
MAX_PART_WEIGHT = 0.5


class PartIndex:
    """Documents embedded through their parts (a passage through its sentences).

    A document's vector is the length-weighted mean of its parts' vectors, re-normalised, and a
    query scores a document by ``(1 − w)·cos(query, pooled) + w·max cos(query, part)`` with
    ``w =`` :data:`MAX_PART_WEIGHT` — a sentence that answers the query lifts its passage even when
    the rest of the passage is about something else. Both sides live in FAISS (:class:`VectorStore`).

    Why not embed each passage whole: measured on the eval's 748 answerable questions with the
    bundled multilingual-e5-small, dense-only hit@1 (Chinese / English) was 74.9 / 37.4 with whole
    passages, 86.5 / 52.1 with length-weighted sentence means, 91.7 / 55.1 with this mix — and the
    passages need not be encoded at all (the sentences are: the answer step compares sentences),
    which halves the first build. Passages near the 512-token limit dilute into a vague vector;
    sentences stay sharp.
    """

    def __init__(self, pooled: VectorStore, parts: VectorStore, owner: np.ndarray) -> None:
        self.pooled, self.parts = pooled, parts
        self.owner = np.asarray(owner, dtype=np.int64)
        if self.owner.shape != (parts.size,):
            raise ValueError(f"{parts.size} part vectors but {self.owner.size} owners")

    @property
    def size(self) -> int:
        return self.pooled.size

    @property
    def dimension(self) -> int:
        return self.pooled.dimension

    @staticmethod
    def pool(vectors: np.ndarray, owner: np.ndarray, weights: np.ndarray, documents: int) -> np.ndarray:
        """Weighted mean of each document's part vectors, L2-normalised (zero for a document
        without parts)."""
        d = vectors.shape[1] if vectors.ndim == 2 else 0
        out = np.zeros((documents, d), dtype=np.float32)
        np.add.at(out, owner, vectors * weights[:, None].astype(np.float32))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    @classmethod
    def build(cls, vectors: np.ndarray, owner: np.ndarray, weights: np.ndarray, documents: int,
              approx_threshold: int = APPROX_THRESHOLD) -> PartIndex:
        """``vectors[i]`` belongs to document ``owner[i]`` and weighs ``weights[i]`` in its mean."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        owner = np.asarray(owner, dtype=np.int64)
        if len(owner) != len(vectors) or len(weights) != len(vectors):
            raise ValueError("one owner and one weight per part vector")
        if len(owner) and (owner.min() < 0 or owner.max() >= documents):
            raise ValueError("a part's owner is not a document")
        pooled = cls.pool(vectors, owner, np.asarray(weights, dtype=np.float32), documents)
        return cls(VectorStore.build(pooled, approx_threshold), VectorStore.build(vectors, approx_threshold), owner)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` best documents, best first. Exact for flat stores; with HNSW, scores of
        documents outside either candidate list use the lowest score that list returned."""
        if k <= 0 or self.size == 0:
            return []
        pooled_k = self.size if self.pooled.kind == "flat" else max(4 * k, 100)
        parts_k = self.parts.size if self.parts.kind == "flat" else max(20 * k, 400)
        pooled = dict(self.pooled.search(query, pooled_k))
        best: dict[int, float] = {}
        for i, s in self.parts.search(query, parts_k):
            doc = int(self.owner[i])
            if s > best.get(doc, -np.inf):
                best[doc] = s
        pooled_floor = min(pooled.values(), default=0.0)
        part_floor = min(best.values(), default=0.0)
        w = MAX_PART_WEIGHT
        scores = {doc: (1 - w) * pooled.get(doc, pooled_floor) + w * best.get(doc, part_floor)
                  for doc in pooled.keys() | best.keys()}
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]

    def save(self, directory: Path) -> None:
        self.pooled.save(directory / "pooled.faiss")
        self.parts.save(directory / "parts.faiss")
        np.save(directory / "owner.npy", self.owner, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> PartIndex:
        try:
            owner = np.load(directory / "owner.npy", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ValueError(f"corrupt part owners in {directory}: {exc}") from exc
        return cls(VectorStore.load(directory / "pooled.faiss"), VectorStore.load(directory / "parts.faiss"), owner)
