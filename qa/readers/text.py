"""Plain-text reports: UTF-8 (a leading BOM dropped), read as they are — the canonical text is the file."""

from __future__ import annotations

from pathlib import Path

from qa.errors import ReportError
from qa.readers.source import Source


def decode_text(data: bytes, path: Path) -> str:
    """``data`` as UTF-8 text; errors name the file and the fix."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportError(
            f"{path} is not UTF-8 text (byte {exc.start}); convert it first, "
            f"e.g. `iconv -f GB18030 -t UTF-8 {path.name} > report.txt`"
        ) from exc
    if "\x00" in text:
        raise ReportError(f"{path} looks like a binary file (it contains NUL bytes); pass a text report")
    return text


def read_text(data: bytes, path: Path) -> Source:
    return Source(decode_text(data, path), "txt")
