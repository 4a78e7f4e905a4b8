"""Readers: a report file (.txt, .pdf, .docx, .html/.htm) → one :class:`~qa.readers.source.Source`.

The format is taken from the file's first bytes (``%PDF``, a zip with ``word/document.xml``, an
HTML tag), not only from its name, so a PDF saved as ``report.txt`` is still read as a PDF; the
suffix decides only between plain text and HTML when the bytes do not. Every failure is a
:class:`~qa.errors.ReportError` that names the file and says what to do; nothing else escapes.

    read_source(path)          # Source(text, format, pages, headings, tables)

Limits (``max_bytes``, ``max_pages``) keep a 500-page or 1 GB file from tying up the machine.
"""

from __future__ import annotations

from pathlib import Path

from qa.errors import ReportError
from qa.readers.source import Cell, Format, Source, SourceBuilder, Table

__all__ = ["FORMATS", "MAX_BYTES", "MAX_PAGES", "Cell", "Format", "Source", "SourceBuilder", "Table",
           "read_source", "sniff"]

#: suffixes people can give (the UI's file control lists these)
FORMATS = (".txt", ".pdf", ".docx", ".html", ".htm")
MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 300


def sniff(data: bytes, suffix: str) -> Format:
    """The format of a file from its first bytes, the suffix breaking ties.

    >>> sniff(b"%PDF-1.7 ...", ".txt"), sniff(b"<!DOCTYPE html><p>x", ".txt"), sniff(b"abc", ".htm")
    ('pdf', 'html', 'html')
    """
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "docx"
    lowered = head[:200].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered or b"<body" in lowered:
        return "html"
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".docx":
        return "docx"
    return "txt"


def read_source(path: str | Path, *, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> Source:
    """Read a report file of any supported format into its canonical text, pages and tables."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise ReportError(f"{p} is a directory; pass the path of a report file ({', '.join(FORMATS)})")
        if size > max_bytes:
            raise ReportError(f"{p.name} is {size / 1024 / 1024:.1f} MB, more than the limit of "
                              f"{max_bytes / 1024 / 1024:.0f} MB; split it, or pass a larger max_bytes")
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise ReportError(f"report file not found: {p} — check the path") from exc
    except OSError as exc:
        raise ReportError(f"cannot read report file {p}: {exc.strerror}") from exc
    if not data.strip():
        raise ReportError(f"report file is empty: {p}")
    kind = sniff(data, p.suffix.lower())
    try:
        if kind == "pdf":
            from qa.readers.pdf import read_pdf

            source = read_pdf(data, p, max_pages)
        elif kind == "docx":
            from qa.readers.docx import read_docx

            source = read_docx(data, p)
        elif kind == "html":
            from qa.readers.html import read_html

            source = read_html(data, p)
        else:
            from qa.readers.text import read_text

            source = read_text(data, p)
    except ReportError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise ReportError(f"{p.name} is too large or too deeply nested to read") from exc
    except Exception as exc:  # a library's own error on a malformed file: said as ours
        raise ReportError(f"{p} could not be read as {kind} ({type(exc).__name__}: {exc}); "
                          "check that the file opens, or export it again") from exc
    if not source.text.strip():
        raise ReportError(f"report file is empty: {p} (no text in it, read as {kind}); check that it is the report")
    return source
