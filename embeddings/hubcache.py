"""Where the Hugging Face hub cache keeps a model, read from its documented layout.

Read here instead of asking ``huggingface_hub``, whose import costs about a second — most of a
lexical cold start, and all of a quick fallback when the model is not there.
"""

from __future__ import annotations

import os
from pathlib import Path


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, by the variables huggingface_hub reads (``HF_HUB_CACHE``,
    ``HF_HOME``)."""
    explicit = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface"
    )
    return Path(home).expanduser() / "hub"


def local_snapshot(repo_id: str) -> Path | None:
    """The cached snapshot of ``repo_id`` (``models--org--name/snapshots/<commit>``, the commit that
    ``refs/main`` names), if it holds a sentence-transformers model; no network, no import."""
    repo = hub_cache_dir() / ("models--" + repo_id.replace("/", "--"))
    try:
        commit = (repo / "refs" / "main").read_text("utf-8").strip()
    except OSError:
        return None
    snapshot = repo / "snapshots" / commit
    if (snapshot / "modules.json").is_file() and any((snapshot / w).is_file() for w in ("model.safetensors", "pytorch_model.bin")):
        return snapshot
    return None
