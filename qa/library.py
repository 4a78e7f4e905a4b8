"""The reports one person asks: the bundled report and the files they added, each its own pipeline.

A chat session (the UI) or a script holds a :class:`Library`. :meth:`Library.add` copies a file
into the library's own temporary directory (never the shared index cache: a person's upload is
theirs), checks its type and size, reads and indexes it (raising :class:`~qa.errors.ReportError`
with the reason when it cannot) and names it by its title. :meth:`Library.answer` asks the chosen
reports and keeps the answer the decision is most confident in; its citations say which report
they come from. :meth:`Library.close` deletes the directory and everything in it.

The pipelines share one embedding model (the base pipeline's), so an upload costs the encoding
of its own sentences and nothing more. Left out: asking several reports as one index (an answer
comes from one report), keeping uploads between sessions.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qa.errors import ReportError
from qa.pipeline import ReportQA
from qa.readers import FORMATS, MAX_BYTES, MAX_PAGES
from qa.types import Answer, Mode

if TYPE_CHECKING:
    from embeddings import Encoder

log = logging.getLogger(__name__)

MAX_REPORTS = 8  # uploads per library


@dataclass(frozen=True)
class Entry:
    """One report of a library: its display name, its pipeline, whether it was added by the user."""

    name: str
    pipeline: ReportQA
    uploaded: bool


def _safe_stem(filename: str) -> str:
    stem = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", Path(filename).stem).strip("-")
    return stem[:60] or "report"


class Library:
    """Reports to ask, by name; the base pipeline first (see the module docstring)."""

    def __init__(self, base: ReportQA | None = None, *, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES,
                 max_reports: int = MAX_REPORTS) -> None:
        self.max_bytes, self.max_pages, self.max_reports = max_bytes, max_pages, max_reports
        self._entries: list[Entry] = []
        self._lock = threading.Lock()
        self._root: Path | None = None
        self._base = base
        if base is not None:
            self._entries.append(Entry(self._title(base), base, uploaded=False))

    @staticmethod
    def _title(pipeline: ReportQA) -> str:
        titles = pipeline.titles
        return next(iter(titles.values()), "") or pipeline.paths[0].stem

    @property
    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    @property
    def root(self) -> Path:
        """The library's own directory (made on first use); uploads and their indexes live here."""
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="report-qa-session-"))
        return self._root

    def add(self, path: str | Path, filename: str | None = None, *, show_progress: bool | None = None) -> Entry:
        """Copy ``path`` into the library, read and index it; the new entry. ``filename`` is the name
        the user gave the file (its suffix says the format when the bytes do not); ``show_progress``
        draws the indexing's progress bars (a UI tracks them)."""
        src = Path(path)
        filename = filename or src.name
        suffix = Path(filename).suffix.lower()
        if suffix not in FORMATS:
            raise ReportError(f"{filename}: files of type {suffix or '(none)'} are not supported; "
                              f"upload {', '.join(FORMATS)}")
        if sum(e.uploaded for e in self.entries) >= self.max_reports:
            raise ReportError(f"at most {self.max_reports} reports can be added; remove one first")
        try:
            size = src.stat().st_size
        except OSError as exc:
            raise ReportError(f"{filename} could not be read ({exc.strerror}); upload it again") from exc
        if size > self.max_bytes:
            raise ReportError(f"{filename} is {size / 2**20:.1f} MB; the limit is {self.max_bytes / 2**20:.0f} MB")
        taken = {p.stem for e in self.entries for p in e.pipeline.paths}
        stem, n = _safe_stem(filename), 2
        unique = stem
        while unique in taken:
            unique, n = f"{stem}-{n}", n + 1
        target = self.root / "files" / f"{unique}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        base_settings = self._base.settings if self._base is not None else None
        overrides = {"cache_dir": self.root / "index", "max_bytes": self.max_bytes, "max_pages": self.max_pages,
                     "show_progress": show_progress}
        try:
            pipeline = ReportQA(target, settings=base_settings, encoder=self._shared_encoder(), **overrides)
            pipeline.status  # noqa: B018 - read and index it now: errors belong to the upload
        except ReportError as exc:
            target.unlink(missing_ok=True)
            raise ReportError(str(exc).replace(str(target), filename).replace(target.name, filename)) from exc
        except Exception:
            target.unlink(missing_ok=True)
            raise
        names = set(self.names)
        name, n = self._title(pipeline), 2
        if name == unique or not name:
            name = filename
        base_name = name
        while name in names:
            name, n = f"{base_name} ({n})", n + 1
        entry = Entry(name, pipeline, uploaded=True)
        with self._lock:
            self._entries.append(entry)
        return entry

    def _shared_encoder(self) -> Encoder | None:
        if self._base is None:
            return None
        try:
            return self._base.encoder
        except ReportError:
            return None

    def remove(self, name: str) -> None:
        with self._lock:
            entry = next((e for e in self._entries if e.name == name and e.uploaded), None)
            if entry is None:
                raise ValueError(f"no uploaded report named {name!r}")
            self._entries.remove(entry)
        for p in entry.pipeline.paths:
            p.unlink(missing_ok=True)

    def select(self, names: Sequence[str] | None) -> list[Entry]:
        """The entries named (all when ``names`` is None or empty); unknown names are an error."""
        entries = self.entries
        if not names:
            return entries
        known = {e.name: e for e in entries}
        missing = [n for n in names if n not in known]
        if missing:
            raise ValueError(f"unknown report {missing[0]!r}; choose from: {', '.join(known)}")
        return [known[n] for n in names]

    def answer(self, question: str, names: Sequence[str] | None = None, history: Sequence[str] | None = None,
               k: int | None = None, mode: Mode | None = None) -> tuple[Answer, Entry]:
        """Ask each chosen report; the answer given with the highest confidence (an abstention only
        when every report abstains), and the entry it came from."""
        entries = self.select(names)
        if not entries:
            raise ValueError("the library has no reports; add one first")
        results = [(e.pipeline.answer(question, history=history, k=k, mode=mode), e) for e in entries]
        return max(results, key=lambda r: (not r[0].abstained, r[0].confidence))

    def close(self) -> None:
        """Delete the library's directory: the uploaded files and their indexes."""
        with self._lock:
            self._entries = [e for e in self._entries if not e.uploaded]
            root, self._root = self._root, None
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)
            log.info("removed %s", root)


class Sessions:
    """Libraries by session key (a browser session's id): made on a session's first upload, closed
    when it ends; at most ``capacity`` at once (each holds its reports' indexes in memory)."""

    def __init__(self, base: Callable[[], ReportQA], capacity: int = 200) -> None:
        self._base, self.capacity = base, capacity
        self._libraries: dict[str, Library] = {}
        self._lock = threading.Lock()

    def get(self, key: str | None, create: bool = False) -> Library | None:
        """The session's library; made when ``create`` (a ReportError when there are too many)."""
        if not key:
            return None
        with self._lock:
            library = self._libraries.get(key)
            if library is None and create:
                if len(self._libraries) >= self.capacity:
                    raise ReportError(f"{self.capacity} sessions already hold uploaded reports; try again later")
                library = self._libraries[key] = Library(self._base())
        return library

    def close(self, key: str | None) -> None:
        """The session ended: delete its uploads and their indexes."""
        with self._lock:
            library = self._libraries.pop(key or "", None)
        if library is not None:
            library.close()

    def close_all(self) -> None:
        for key in list(self._libraries):
            self.close(key)
