"""jieba's word frequencies, without the one-second load.

jieba keeps its whole dictionary (~500k entries with prefixes) in a dict that takes about a
second to unmarshal — longer than everything else a warm start does. Cutting a question needs
only a few hundred lookups, so after the first full load the table is written once to an
SQLite file beside the index cache, and later processes give jieba a mapping that reads it on
demand (and remembers what it read). Cutting is then exactly what it would be with the whole
dictionary in memory; building an index still loads the dictionary itself.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, MutableMapping
from pathlib import Path

log = logging.getLogger(__name__)


class SqliteFreq(MutableMapping[str, int]):
    """A read-through view of a frequency table in SQLite; writes (user words) stay in memory."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        # a damaged page would otherwise surface mid-question; the check reads the whole file once
        if self._db.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise sqlite3.DatabaseError("integrity check failed")
        self._memo: dict[str, int | None] = {}
        self._lock = threading.Lock()
        row = self._db.execute("SELECT f FROM meta WHERE k = 'total'").fetchone()
        self.total = int(row[0])

    def _lookup(self, word: str) -> int | None:
        try:
            return self._memo[word]
        except KeyError:
            pass
        with self._lock:
            row = self._db.execute("SELECT f FROM freq WHERE w = ?", (word,)).fetchone()
        value = None if row is None else int(row[0])
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[word] = value
        return value

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._lookup(word) is not None

    def __getitem__(self, word: str) -> int:
        value = self._lookup(word)
        if value is None:
            raise KeyError(word)
        return value

    def get(self, word: str, default: int | None = None) -> int | None:  # type: ignore[override]
        value = self._lookup(word)
        return default if value is None else value

    def __setitem__(self, word: str, freq: int) -> None:
        self._memo[word] = freq

    def __delitem__(self, word: str) -> None:
        self._memo[word] = None

    def __iter__(self) -> Iterator[str]:
        raise TypeError("SqliteFreq does not list its words")

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM freq").fetchone()[0])


def save(freq: dict[str, int], total: int, path: Path) -> bool:
    """Write ``freq`` atomically to ``path``; False (logged) when the directory is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".wordfreq.", dir=path.parent)
        os.close(fd)
        db = sqlite3.connect(tmp)
        db.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, f INTEGER) WITHOUT ROWID")
        db.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, f INTEGER)")
        db.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
        db.execute("INSERT INTO meta VALUES ('total', ?)", (total,))
        db.commit()
        db.close()
        os.replace(tmp, path)
        return True
    except (OSError, sqlite3.Error) as exc:
        log.warning("cannot write the word table %s (%s); next start loads jieba's dictionary", path, exc)
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
        return False


def load(path: Path) -> SqliteFreq | None:
    """The table at ``path``, or None when it is missing or damaged (then it is logged and
    removed, so the caller writes a new one)."""
    if not path.is_file():
        return None
    try:
        return SqliteFreq(path)
    except (sqlite3.Error, TypeError, ValueError) as exc:
        log.warning("word table %s is unreadable (%s); loading jieba's dictionary instead", path, exc)
        try:
            path.unlink()
        except OSError:
            pass
        return None
