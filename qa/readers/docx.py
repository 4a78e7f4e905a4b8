"""Word (.docx) reports, read with python-docx.

Why python-docx: the standard, well-kept reader of the format; it walks the body in order, so
paragraphs and tables keep their places, and it gives each paragraph its style, so Word's
heading styles ("Heading 2", "标题 2") mark headings even where the text has no 一、 marker.
Before python-docx opens the file, the zip is checked: not a zip, an old binary .doc, or a zip
that would inflate far past its size (a zip bomb) are refused with a message.
Left out: text boxes, footnotes, comments, tracked changes, embedded objects.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from qa.errors import ReportError
from qa.readers.source import Source, SourceBuilder

#: inflated size limits: the whole archive, and its ratio to the file's own size
MAX_INFLATED = 200 * 1024 * 1024
MAX_RATIO = 100
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def _check_zip(data: bytes, path: Path) -> None:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReportError(f"{path.name} is an old Word 97–2003 file (.doc); open it in Word or LibreOffice "
                          "and save it as .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ReportError(f"{path} is not a Word .docx file (not a zip archive, or truncated); "
                          "save it again as .docx") from exc
    inflated = sum(i.file_size for i in infos)
    if inflated > MAX_INFLATED or inflated > MAX_RATIO * max(len(data), 1):
        raise ReportError(f"{path.name} would inflate to {inflated // (1024 * 1024)} MB from {len(data) // 1024} KB "
                          "(a zip bomb?); it is not read")
    if "word/document.xml" not in names:
        raise ReportError(f"{path.name} is a zip archive but not a Word document (no word/document.xml)")


def _grid(table: object) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    for row in table.rows:  # type: ignore[attr-defined]
        # a merged cell repeats in every grid position it covers: its text labels them all (the
        # labels of a row or column are deduplicated when the table is laid out)
        rows.append([cell.text for cell in row.cells])
    return rows


def _level(paragraph: object) -> int | None:
    style = getattr(paragraph, "style", None)
    name = getattr(style, "name", "") or ""
    m = _HEADING_STYLE.match(name.strip())
    if m and 1 <= int(m[1]) <= 4:
        return int(m[1])
    return None


def read_docx(data: bytes, path: Path) -> Source:
    _check_zip(data, path)
    try:
        from docx import Document as open_docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - installed with the project
        raise ReportError(f"reading {path.name} needs python-docx: pip install python-docx") from exc
    try:
        doc = open_docx(io.BytesIO(data))
    except Exception as exc:
        raise ReportError(f"{path} is not a readable Word document ({exc}); save it again as .docx") from exc
    builder = SourceBuilder("docx")
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(block, doc)
            builder.paragraph(p.text, _level(p))
        elif tag == "tbl":
            builder.table(_grid(Table(block, doc)))
    return builder.build()
