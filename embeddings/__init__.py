"""Dense retrieval: the sentence-transformers model (:mod:`embeddings.model`) and the
FAISS vector store (:mod:`embeddings.store`). torch loads only when a model does."""

from __future__ import annotations

from embeddings.model import Encoder, ModelUnavailable, load_encoder
from embeddings.store import APPROX_THRESHOLD, VectorStore

__all__ = ["APPROX_THRESHOLD", "Encoder", "ModelUnavailable", "VectorStore", "load_encoder"]
