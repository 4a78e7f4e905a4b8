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
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.encoder import Encoder, Engine, ModelUnavailable
from embeddings.hubcache import local_snapshot

log = logging.getLogger(__name__)

#: Prompts of model families whose hub config does not declare them (query, passage).
FAMILY_PROMPTS: dict[str, tuple[str, str]] = {
    "e5": ("query: ", "passage: "),
    "bge-small-zh": ("为这个句子生成表示以用于检索相关文章：", ""),
    "bge-base-zh": ("为这个句子生成表示以用于检索相关文章：", ""),
    "bge-large-zh": ("为这个句子生成表示以用于检索相关文章：", ""),
}


class SentenceTransformerEncoder(Encoder):
    """A sentence-transformers model with the prompts it expects."""

    engine: Engine = "sentence-transformers"

    def __init__(self, name: str, model: Any, query_prompt: str | None, passage_prompt: str | None,
                 dimension: int, revision: str = "") -> None:
        super().__init__()
        self.name, self.model, self.dimension, self.revision = name, model, dimension, revision
        self.query_prompt, self.passage_prompt = query_prompt, passage_prompt

    def _encode(self, texts: list[str], *, query: bool, batch_size: int, progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if query:
            out = self.model.encode_query(
                texts, prompt=self.query_prompt, normalize_embeddings=True, show_progress_bar=False
            )
        else:
            out = self.model.encode_document(
                texts, prompt=self.passage_prompt, batch_size=batch_size, normalize_embeddings=True,
                show_progress_bar=progress,
            )
        return np.asarray(out, dtype=np.float32)


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


def load_sentence_transformer(name: str, hub_timeout: float = 3.0, snapshot: str | Path | None = None) -> SentenceTransformerEncoder:
    """Load ``name`` (hub id or local directory) as an :class:`Encoder`, or raise
    :class:`ModelUnavailable` within about ``hub_timeout`` seconds.

    >>> load_sentence_transformer("no-such-org/no-such-model", hub_timeout=0.5)  # doctest: +SKIP
    Traceback (most recent call last):
    ModelUnavailable: ...
    """
    started = time.perf_counter()
    local = Path(name).expanduser()
    if snapshot is not None:  # already found in the hub cache (embeddings.resolve)
        source = str(snapshot)
    elif local.is_dir():
        source = str(local)
    elif local.exists() or name.startswith((".", "/", "~")):
        raise ModelUnavailable(f"embedding model path {local} is not a model directory; " + _how_to_fix(name))
    else:
        cached = local_snapshot(name)  # no network, no import of huggingface_hub
        if cached is not None:
            source = str(cached)
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
    return SentenceTransformerEncoder(name, model, query, passage, int(dimension), _revision(source))


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
