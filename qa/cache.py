"""The on-disk index cache: one directory per fingerprint, written atomically, checked on load.

A fingerprint hashes everything that shapes an index (report contents, chunking
settings, model id and dimension, package version), so a mismatched cache is
simply never found. Each entry holds a ``manifest.json`` with the SHA-256 of every
file; an entry whose files do not match (truncated, corrupted, half-written) is
logged, removed and rebuilt. Entries are written to a temporary directory and
renamed into place, so a process killed mid-write leaves no partial entry.
A cache directory that cannot be written is not an error: the index then lives
in memory and a warning says so.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"


def fingerprint(**parts: Any) -> str:
    """A short stable hash of ``parts`` (JSON-serialisable values)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST)


class IndexCache:
    """Entries under ``root``, each a directory named by its fingerprint."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def load(self, key: str) -> tuple[Path, dict[str, Any]] | None:
        """The entry's directory and metadata when it exists and is intact, else None."""
        if self.root is None:
            return None
        entry = self.root / key
        manifest_path = entry / MANIFEST
        if not manifest_path.is_file():
            return None
        try:
            manifest = json.loads(manifest_path.read_text("utf-8"))
            expected: dict[str, str] = manifest["files"]
            actual = {str(p.relative_to(entry)): _sha256(p) for p in _files(entry)}
            if actual != expected:
                raise ValueError("file checksums differ from the manifest")
            meta: dict[str, Any] = manifest["meta"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("index cache entry %s is damaged (%s); rebuilding it", entry, exc)
            shutil.rmtree(entry, ignore_errors=True)
            return None
        return entry, meta

    def save(self, key: str, write: Callable[[Path], None], meta: dict[str, Any]) -> bool:
        """Write an entry atomically with ``write(tmpdir)``; False (and a warning) if the
        cache cannot be written — the caller keeps its in-memory index."""
        if self.root is None:
            return False
        tmp: Path | None = None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=self.root))
            write(tmp)
            files = {str(p.relative_to(tmp)): _sha256(p) for p in _files(tmp)}
            (tmp / MANIFEST).write_text(json.dumps({"files": files, "meta": meta}, ensure_ascii=False), "utf-8")
            entry = self.root / key
            if entry.exists():
                shutil.rmtree(entry, ignore_errors=True)  # damaged or concurrent: ours replaces it
            os.rename(tmp, entry)
            tmp = None
            return True
        except OSError as exc:
            log.warning("cannot write the index cache in %s (%s); working in memory", self.root, exc)
            return False
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
