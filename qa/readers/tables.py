"""A table's grid → lines of text that say what each figure is.

Government reports put their core figures in tables whose labels are in the margins: leading rows
name the columns (a header may span columns and have two levels: 法人或其他组织 › 商业企业), leading
columns name the rows (a label may span rows: 三、本年度办理结果 › （一）予以公开). A figure alone in a
cell means nothing to a text search, so each data row is written as one line that carries its labels:

    三、本年度办理结果·（一）予以公开总计30（其中自然人10、法人或其他组织·商业企业5、…）。

With a total column (总计/合计) the total comes first and the other columns are its parts, in
the report's own "（其中…）" form, so the answer step reads the total for a question about the row
and a part for a question that names a column, exactly as for prose. Without one, the line lists
``列值`` pairs in one clause after the label's (规章：本年新制作数量3、本年新公开数量3、…), so the
row's label is as near to each figure. Rows with no figures are group labels (their text labels the rows below) or
remarks ("注：第一项加第二项之和…"), which are kept as notes, never as data.

The grid comes from a reader with spans filled in (``None`` marks a cell covered by a span: filled
from the left in header rows, from above in label columns). Left out: tables whose labels are not in
leading rows and columns, and tables inside tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FIGURE = re.compile(r"^[-+]?\d[\d,，]*(?:\.\d+)?\s*(?:%|％|[件个份条项次人名家万元亿]{0,3})$")
_EMPTY = frozenset({"", "-", "—", "--", "——", "/", "／", "无"})
_TOTAL = re.compile(r"^(?:总计|合计|总数|共计|小计|总量)$")
_NOTE = re.compile(r"^(?:注|说明|备注)|之和|等于")
_SPACE = re.compile(r"\s+")
JOIN = "·"  # between the levels of a label


@dataclass(frozen=True)
class Line:
    """One data row as text pieces; a piece's column is set where the piece is a figure."""

    row: int
    pieces: tuple[tuple[str, int | None], ...]


@dataclass(frozen=True)
class Layout:
    grid: list[list[str]]
    header_rows: int
    label_cols: int
    lines: list[Line]
    notes: list[str]
    note_rows: list[int]


def clean_cell(text: str | None) -> str | None:
    """A cell's text with line breaks joined (a space only between two ASCII characters)."""
    if text is None:
        return None
    parts = [p for p in _SPACE.split(text.strip()) if p]
    out = ""
    for p in parts:
        out += (" " if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum() else "") + p
    return out


def is_figure(text: str) -> bool:
    return bool(_FIGURE.match(text))


def _fill(raw: list[list[str | None]], header_rows: int, label_cols: int) -> list[list[str]]:
    width = max(len(r) for r in raw)
    grid: list[list[str | None]] = [[clean_cell(c) for c in r] + [""] * (width - len(r)) for r in raw]
    out: list[list[str]] = []
    for r, row in enumerate(grid):
        filled: list[str] = []
        for c, cell in enumerate(row):
            if cell is None:
                if r < header_rows and c > 0:
                    cell = filled[c - 1]
                elif c < label_cols and r > 0:
                    cell = out[r - 1][c]
                else:
                    cell = ""
            filled.append(cell)
        out.append(filled)
    return out


def _label(texts: list[str]) -> str:
    seen: list[str] = []
    for t in texts:
        if t and t not in _EMPTY and t not in seen:
            seen.append(t)
    return JOIN.join(seen)


def _segments(columns: dict[int, str], first: int, width: int) -> list[tuple[list[int], int | None]]:
    """Data columns grouped under their totals: each total column (总计/合计 …) heads the columns since
    the previous total; columns after the last total stand alone."""
    out: list[tuple[list[int], int | None]] = []
    parts: list[int] = []
    for c in range(first, width):
        if _TOTAL.match(columns[c].split(JOIN)[-1] if columns[c] else ""):
            out.append((parts, c))
            parts = []
        else:
            parts.append(c)
    if parts:
        out.append((parts, None))
    return out


def _short(label: str, total: str) -> str:
    """A part's label without the levels it shares with its total's (申请人情况·自然人 → 自然人)."""
    mine, theirs = label.split(JOIN), total.split(JOIN)[:-1]
    while len(mine) > 1 and theirs and mine[0] == theirs[0]:
        mine, theirs = mine[1:], theirs[1:]
    return JOIN.join(mine)


def _line(r: int, label: str, row: list[str], columns: dict[int, str],
          segments: list[tuple[list[int], int | None]]) -> Line:
    pieces: list[tuple[str, int | None]] = [(label, None)] if label else []
    written = 0
    for parts, total in segments:
        # a figure repeated under the same label is one cell spanning columns
        figures = [c for i, c in enumerate(parts) if is_figure(row[c])
                   and not (i and row[parts[i - 1]] == row[c] and columns[parts[i - 1]] == columns[c])]
        if total is not None and is_figure(row[total]):
            name = columns[total]
            # a table-wide total says only its own word (总计), a group's total its group too
            said = name.split(JOIN)[-1] if len(segments) == 1 else name
            pieces.append((("，" if written else "") + said, None))
            pieces.append((row[total], total))
            if figures:
                pieces.append(("（其中", None))
                for i, c in enumerate(figures):
                    pieces += [(("、" if i else "") + (_short(columns[c], name) or f"第{c + 1}列"), None), (row[c], c)]
                pieces.append(("）", None))
            written += 1
        else:  # the label a clause of its own, the figures one clause: the label is as near to each
            for i, c in enumerate(figures):
                sep = ("，" if written else ("：" if label else "")) if i == 0 else "、"
                pieces += [(sep + (columns[c] or f"第{c + 1}列"), None), (row[c], c)]
            written += bool(figures)
    pieces.append(("。", None))
    return Line(r, tuple(pieces))


def layout(raw: list[list[str | None]]) -> Layout | None:
    """The labelled lines of a table, or None when it holds no figures (a layout table of text).

    A figure-less row inside the body is a remark (kept as a note), a new header for the rows
    below (several labels: the template repeats "信息内容 | 本年新制作数量 | …" per block) or a group
    label (one label, "第二十条第（五）项", put before the labels of the rows below).
    """
    rows = [r for r in raw if any(c is not None and c.strip() for c in r)]
    if not rows:
        return None
    cleaned = [[clean_cell(c) or "" for c in r] for r in rows]
    has_figure = [any(is_figure(c) for c in r) for r in cleaned]
    if not any(has_figure):
        return None
    header_rows = has_figure.index(True)
    width = max(len(r) for r in cleaned)
    data = [r + [""] * (width - len(r)) for r in cleaned[header_rows:]]
    label_cols = 0
    while label_cols < width - 1 and not any(is_figure(r[label_cols]) for r in data):
        label_cols += 1
    grid = _fill(rows, header_rows, label_cols)
    # a header row with one text across the table (第二十条第（一）项) names the rows, not a column level
    banners = [r for r in range(header_rows) if len({t for t in grid[r] if t}) == 1]
    group = _label([grid[r][0] for r in banners])
    columns = {c: _label([grid[r][c] for r in range(header_rows) if r not in banners])
               for c in range(label_cols, width)}
    segments = _segments(columns, label_cols, width)
    lines: list[Line] = []
    notes: list[str] = []
    note_rows: list[int] = []
    for r in range(header_rows, len(grid)):
        row = grid[r]
        if not any(is_figure(row[c]) for c in range(label_cols, width)):
            texts = [t for t in dict.fromkeys(row) if t and t not in _EMPTY]
            joined = _label(row)
            if joined and _NOTE.search(joined):
                notes.append(joined if joined[-1] in "。；！？" else joined + "。")
                note_rows.append(r)
            elif len(texts) >= 2 and len({row[c] for c in range(label_cols, width) if row[c]}) >= 2:
                columns = {c: row[c] for c in range(label_cols, width)}  # a header for the rows below
                segments = _segments(columns, label_cols, width)
            elif len(texts) == 1:
                group = texts[0]
            continue
        label = _label([group, *row[:label_cols]])
        lines.append(_line(r, label, row, columns, segments))
    return Layout(grid, header_rows, label_cols, lines, notes, note_rows)
