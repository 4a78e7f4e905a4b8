"""PDF reports with a text layer, read with pdfplumber.

Why pdfplumber: it gives each text line with its position (so paragraphs are found by their
first-line indent and by the gaps between them, not guessed from line lengths) and it finds ruled
tables with their merged cells, which the national report template is made of; it is pure Python
over pdfminer.six. pypdf reads text only, PyMuPDF is AGPL.

A paragraph starts where a line is indented past the body's left margin, after a vertical gap
larger than the line spacing, after a centred line (a title), or where the line before stopped
although this line's first word would have fitted on it. Page numbers alone on a line
("- 3 -", "第3页", "3/12") are not report text. Lines inside a table's box are the table's.
Left out: OCR (a scanned PDF is refused with a message), multi-column layouts, footnotes.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from qa.errors import ReportError
from qa.readers.source import Source, SourceBuilder

log = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")


@dataclass(frozen=True)
class _Line:
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    text: str


def _lines(page: Any, number: int, boxes: list[tuple[float, float, float, float]]) -> list[_Line]:
    def outside(obj: dict) -> bool:  # type: ignore[type-arg]
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    text_page = page.filter(outside) if boxes else page
    out = []
    for line in text_page.extract_text_lines(strip=True, return_chars=True):
        text = line["text"].strip()
        if not text:
            continue
        sizes = [c.get("size", 0) for c in line["chars"] if not c["text"].isspace()]
        out.append(_Line(number, line["x0"], line["x1"], line["top"], line["bottom"],
                         statistics.median(sizes) if sizes else 10.0, text))
    return out


def _edges(values: set[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > 1.0:  # one grid line, drawn a hair apart in different cells
            out.append(v)
    return out


def _grid(table: object) -> list[list[str | None]]:
    """The table's texts on its grid; a position a merged cell covers gets that cell's text (found
    by geometry: pdfplumber leaves it None, whichever way the cell spans)."""
    texts = table.extract()  # type: ignore[attr-defined]
    rows = table.rows  # type: ignore[attr-defined]
    boxes = [(bbox, texts[r][c]) for r, row in enumerate(rows) for c, bbox in enumerate(row.cells)
             if bbox is not None and r < len(texts) and c < len(texts[r])]
    xs = _edges({b[0] for b, _ in boxes} | {b[2] for b, _ in boxes})
    ys = _edges({b[1] for b, _ in boxes} | {b[3] for b, _ in boxes})
    out: list[list[str | None]] = []
    for r, row in enumerate(rows):
        line: list[str | None] = []
        for c, bbox in enumerate(row.cells):
            text = texts[r][c] if r < len(texts) and c < len(texts[r]) else None
            if bbox is None and c + 1 < len(xs) and r + 1 < len(ys):
                cx, cy = (xs[c] + xs[c + 1]) / 2, (ys[r] + ys[r + 1]) / 2
                text = next((t for b, t in boxes if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]), None)
            line.append(text)
        out.append(line)
    return out


def read_pdf(data: bytes, path: Path, max_pages: int) -> Source:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError as exc:  # pragma: no cover - installed with the project
        raise ReportError(f"reading {path.name} needs pdfplumber: pip install pdfplumber") from exc
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except PDFPasswordIncorrect as exc:
        raise ReportError(f"{path} is an encrypted PDF; open it, remove the password and save it again") from exc
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise ReportError(f"{path} is an encrypted PDF; remove the password and save it again") from exc
        raise ReportError(f"{path} is not a readable PDF (truncated or damaged: {exc or type(exc).__name__}); "
                          "download it again or export it from the original") from exc
    with pdf:
        if len(pages) > max_pages:
            raise ReportError(f"{path.name} has {len(pages)} pages, more than the limit of {max_pages}; "
                              "split it, or pass a larger max_pages")
        items: list[tuple[int, float, object]] = []  # (page, top, a _Line or a table grid)
        try:
            for number, page in enumerate(pages, 1):
                tables = [t for t in page.find_tables() if t.rows and len(t.rows) > 1]
                boxes = [t.bbox for t in tables]
                items += [(number, ln.top, ln) for ln in _lines(page, number, boxes)]
                items += [(number, t.bbox[1], _grid(t)) for t in tables]
        except Exception as exc:
            raise ReportError(f"{path} could not be read past a damaged page ({exc}); "
                              "download it again or export it from the original") from exc
    items.sort(key=lambda it: (it[0], it[1]))
    items = _join_continued_tables(items)
    lines = [it[2] for it in items if isinstance(it[2], _Line)]
    if not lines and not any(not isinstance(it[2], _Line) for it in items):
        raise ReportError(f"{path} has no text layer (a scanned PDF?); OCR is not supported — "
                          "export the report as text, or run it through OCR first")
    return _assemble(items, lines)


# a line's first word as line breaking treats it: opening marks stay with what follows, closing
# marks with what precedes, a run of Latin letters or digits is never broken
_FIRST_WORD = re.compile(r"^[“‘（(《〔【「『\[]*(?:[A-Za-z0-9.,%—\-－/:]+|.)[”’）)》〕】」』\]，。、；：！？,.;:!?]*")


def _fits(prev: _Line, line: _Line, right: float) -> bool:
    """Whether the first word of ``line`` would have fitted at the end of ``prev``: then the line
    break was the author's (a paragraph ends), not the wrapping's."""
    word = _FIRST_WORD.match(line.text)
    width = sum(0.55 if ch.isascii() else 1.0 for ch in (word[0] if word else "")) * line.size
    return prev.x1 + width < right - 0.5 * line.size


def _continues(prev: object, grid: list[list[str | None]]) -> list[list[str | None]] | None:
    """``grid``'s rows fitted to ``prev``'s columns when ``grid`` is the rest of ``prev`` carried over
    a page break (it starts with a row of figures, no header), else None. A carried-over row often
    has fewer cells (its label's merged cells collapse): the last label cell is repeated to fill."""
    from qa.readers.tables import clean_cell, is_figure

    if not isinstance(prev, list) or not prev or not grid or not isinstance(grid[0], list):
        return None
    width = max(len(r) for r in prev)
    if not any(is_figure(clean_cell(c) or "") for c in grid[0]):
        return None
    out: list[list[str | None]] = []
    for row in grid:
        if len(row) > width:
            return None
        lead = 0
        while lead < len(row) and not is_figure(clean_cell(row[lead]) or ""):
            lead += 1
        if lead == len(row) or lead == 0:  # a remark across the table, or no label: pad at the end
            out.append([*row, *([None] * (width - len(row)))])
        else:
            out.append([*row[:lead], *([row[lead - 1]] * (width - len(row))), *row[lead:]])
    return out


def _join_continued_tables(items: list[tuple[int, float, object]]) -> list[tuple[int, float, object]]:
    """``items`` without page numbers, a table carried over a page break joined to its start."""
    out: list[tuple[int, float, object]] = []
    for item in items:
        page, _, grid = item
        if out and not isinstance(grid, _Line) and out[-1][0] == page - 1 and not isinstance(out[-1][2], _Line):
            # the previous item, a table, ended its page (page numbers are not items any more)
            joined = _continues(out[-1][2], grid)  # type: ignore[arg-type]
            if joined is not None:
                out[-1] = (out[-1][0], out[-1][1], [*out[-1][2], *joined])  # type: ignore[misc]
                continue
        if isinstance(grid, _Line) and _PAGE_NUMBER.match(grid.text):
            continue
        out.append(item)
    return out


def _assemble(items: list[tuple[int, float, object]], body: list[_Line]) -> Source:
    """Paragraphs and tables in reading order; ``body`` are the text lines (page numbers dropped)."""
    builder = SourceBuilder("pdf")
    size = statistics.median(ln.size for ln in body) if body else 10.0
    left = min((ln.x0 for ln in body), default=0.0)
    # where a full line ends: the median end of lines the next line continues (not indented)
    wrapped = [a.x1 for a, b in pairwise(body) if a.page == b.page and b.x0 <= a.x0 + 0.8 * size]
    right = statistics.median(wrapped) if len(wrapped) >= 5 else max((ln.x1 for ln in body), default=0.0)
    gaps = [b.top - a.top for a, b in pairwise(body) if a.page == b.page and b.top > a.top]
    spacing = statistics.median(gaps) if gaps else size * 1.5
    paragraph: list[tuple[str, int | None]] = []
    prev: _Line | None = None

    def flush() -> None:
        if paragraph:
            builder.lines(list(paragraph))
            paragraph.clear()

    for page, _top, item in items:
        if not isinstance(item, _Line):
            flush()
            builder.page(page)
            builder.table([list(row) for row in item])  # type: ignore[attr-defined]
            prev = None
            continue
        indented = item.x0 > left + 0.8 * size
        centred = prev is not None and prev.x0 > left + 0.8 * size and prev.x1 < right - 2 * size
        gap = prev is not None and prev.page == item.page and item.top - prev.top > 1.6 * spacing
        ended = prev is not None and prev.page == item.page and _fits(prev, item, right)
        if prev is None or indented or centred or gap or ended or item.size > size * 1.15 or prev.size > size * 1.15:
            flush()
        paragraph.append((item.text, page))
        prev = item
    flush()
    return builder.build()
