"""Loading a multilingual sentence-transformers model, quickly or not at all.

``SentenceTransformer("intfloat/multilingual-e5-small")`` on a machine without
internet retries for over a minute before it fails. A user should not wait: we
look in the local Hugging Face cache first (no network), then ask the hub once
with a short timeout, and give up with :class:`ModelUnavailable`, whose message
says how to get the model. The caller falls back to lexical retrieval.

torch and sentence-transformers are imported here only, and only when a model
is actually loaded, so the lexical path never pays for them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: Prompts of model families whose hub config does not declare them (query, passage).
FAMILY_PROMPTS: dict[str, tuple[str, str]] = {
    "e5": ("query: ", "passage: "),
    "bge-small-zh": ("为这个句子生成表示以用于检索相关文章：", ""),
    "bge-base-zh": ("为这个句子生成表示以用于检索相关文章：", ""),
    "bge-large-zh": ("为这个句子生成表示以用于检索相关文章：", ""),
}


class ModelUnavailable(RuntimeError):
    """The embedding model cannot be loaded here; the message says how to fix it."""


@dataclass
class Encoder:
    """A loaded model with the prompts it expects. Embeddings are L2-normalised float32."""

    name: str
    model: Any
    query_prompt: str | None
    passage_prompt: str | None
    dimension: int
    #: Identifies the weights (hub revision, or a local directory's files) for the vector cache.
    revision: str = ""
    _queries: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def query_vector(self, text: str) -> np.ndarray:
        """The (memoised) embedding of one question: retrieval and the answer step share it."""
        vector = self._queries.get(text)
        if vector is None:
            vector = self.encode_queries([text])[0]
            if len(self._queries) >= 1024:
                self._queries.clear()
            self._queries[text] = vector
        return vector

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        out = self.model.encode_query(
            texts, prompt=self.query_prompt, normalize_embeddings=True, show_progress_bar=False
        )
        return np.ascontiguousarray(out, dtype=np.float32)

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        out = self.model.encode_document(
            texts,
            prompt=self.passage_prompt,
            batch_size=batch_size,
            normalize_embeddings=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(out, dtype=np.float32)


def _prompts_for(name: str, model: Any) -> tuple[str | None, str | None]:
    """The model's own prompts when it declares them, else its family's, else none."""
    declared = getattr(model, "prompts", {}) or {}
    if declared.get("query"):
        return None, None  # encode_query / encode_document pick the declared ones
    base = Path(name).name.lower()
    for key, (query, passage) in FAMILY_PROMPTS.items():
        if key in base:
            return query, passage
    return None, None


def _hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")


def _cached_snapshot(repo_id: str) -> str | None:
    """The local snapshot directory of a hub model, without touching the network."""
    try:
        from huggingface_hub import snapshot_download

        return str(snapshot_download(repo_id=repo_id, local_files_only=True))
    except Exception:
        return None


def _hub_reachable(repo_id: str, timeout: float) -> bool:
    url = f"{_hub_endpoint()}/api/models/{repo_id}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return True
    except urllib.error.HTTPError as exc:
        return exc.code < 500 and exc.code != 404
    except (OSError, ValueError):
        return False


def _how_to_fix(name: str) -> str:
    return (
        f"to use it, run once with internet access (or set HF_ENDPOINT to a mirror such as "
        f"https://hf-mirror.com) so it is downloaded to the Hugging Face cache, or set "
        f"QA_EMBEDDING_MODEL to a local model directory; QA_EMBEDDING_MODEL=none turns dense "
        f"retrieval off. ({name})"
    )


def load_encoder(name: str, hub_timeout: float = 3.0) -> Encoder:
    """Load ``name`` (hub id or local directory) as an :class:`Encoder`, or raise
    :class:`ModelUnavailable` within about ``hub_timeout`` seconds.

    >>> load_encoder("no-such-org/no-such-model", hub_timeout=0.5)  # doctest: +SKIP
    Traceback (most recent call last):
    ModelUnavailable: ...
    """
    started = time.perf_counter()
    local = Path(name).expanduser()
    if local.is_dir():
        source = str(local)
    elif local.exists() or name.startswith((".", "/", "~")):
        raise ModelUnavailable(f"embedding model path {local} is not a model directory; " + _how_to_fix(name))
    else:
        snapshot = _cached_snapshot(name)
        if snapshot is not None:
            source = snapshot
        elif _offline():
            raise ModelUnavailable(f"model {name!r} is not in the local cache and HF_HUB_OFFLINE is set; " + _how_to_fix(name))
        elif not _hub_reachable(name, hub_timeout):
            raise ModelUnavailable(
                f"model {name!r} is not in the local cache and {_hub_endpoint()} could not be "
                f"reached (waited at most {hub_timeout:g} s); " + _how_to_fix(name)
            )
        else:
            source = name  # reachable: let sentence-transformers download it
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - the package depends on it
        raise ModelUnavailable(
            "sentence-transformers is not installed: pip install 'sentence-transformers>=5' torch"
        ) from exc
    try:
        model = SentenceTransformer(source, device="cpu", local_files_only=source != name or local.is_dir())
    except Exception as exc:
        raise ModelUnavailable(f"could not load embedding model {name!r}: {exc}; " + _how_to_fix(name)) from exc
    dimension = model.get_embedding_dimension()
    if not dimension:
        raise ModelUnavailable(f"model {name!r} does not report an embedding dimension; is it a sentence-transformers model?")
    query, passage = _prompts_for(name, model)
    log.info("loaded embedding model %s (dim %d) in %.1f s", name, dimension, time.perf_counter() - started)
    return Encoder(name, model, query, passage, int(dimension), _revision(source))


def _revision(source: str) -> str:
    """What identifies the weights: a hub snapshot's path names its commit; a local
    directory is identified by its files' names, sizes and modification times."""
    path = Path(source)
    if not path.is_dir():
        return source
    if "snapshots" in path.parts:
        return str(path)
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        st = f.stat()
        h.update(f"{f.relative_to(path)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]
