"""Dense retrieval: the embedding backends behind one :class:`Encoder` interface — sentence-transformers
(:mod:`embeddings.model`, any hub or local model) and the bundled 4-bit multilingual-e5-small
(:mod:`embeddings.bundled`) — which one a setting means (:mod:`embeddings.resolve`), and the FAISS
vector stores (:mod:`embeddings.store`: passages searched through their sentences). torch loads only when a sentence-transformers model does."""

from __future__ import annotations

from embeddings.bundled import BUNDLED_ID, BundledEncoder, load_bundled
from embeddings.encoder import Encoder, ModelUnavailable
from embeddings.hubcache import local_snapshot
from embeddings.model import SentenceTransformerEncoder, load_sentence_transformer
from embeddings.resolve import AUTO, FULL_PRECISION, load_encoder
from embeddings.store import APPROX_THRESHOLD, PartIndex, VectorStore

__all__ = [
    "APPROX_THRESHOLD",
    "AUTO",
    "BUNDLED_ID",
    "FULL_PRECISION",
    "BundledEncoder",
    "Encoder",
    "ModelUnavailable",
    "PartIndex",
    "SentenceTransformerEncoder",
    "VectorStore",
    "load_bundled",
    "load_encoder",
    "load_sentence_transformer",
    "local_snapshot",
]
