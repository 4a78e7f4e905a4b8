"""What a reader makes of a file: one canonical text, and what the format says about it.

Every format is read into the same :class:`Source`: a canonical text (paragraphs separated by
blank lines, exactly what a ``.txt`` report looks like) that every offset of a passage, citation
and highlight points into, plus what the file's format knows and plain text does not: where each
page starts (PDF), which paragraphs its own markup calls headings (``<h2>``, Word heading styles)
and its tables. A table is written into the canonical text as one line per data row, its figures
labelled with their row and column ("本年新收申请数量20（其中自然人12、商业企业5、…）"), so the
same retrieval and answer step read it; :class:`Table` keeps the grid, for rendering, and the
offset of every cell in that text.

Readers build a Source with :class:`SourceBuilder`, which keeps the offsets; they never compute one
by hand.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

from qa.readers.tables import layout

Format = Literal["txt", "pdf", "docx", "html"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure of a table: its grid position and the offsets of its value in the canonical text."""

    row: int
    col: int
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Table:
    """A table as read (spans filled in), where it sits in the canonical text, and its cells.

    ``header_rows`` leading rows label the columns, ``label_cols`` leading columns label the rows;
    ``rows`` holds the canonical-text span of each data row's line (grid row index → span), and
    ``notes`` the rows that are remarks (the template's "第一项加第二项之和…"), not data.
    """

    start: int
    end: int
    caption: str
    grid: tuple[tuple[str, ...], ...]
    header_rows: int
    label_cols: int
    rows: tuple[tuple[int, int, int], ...] = ()  # (grid row, start, end)
    cells: tuple[Cell, ...] = ()
    notes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """A report as read from its file (see the module docstring)."""

    text: str
    format: Format = "txt"
    #: offset at which each page starts (PDF): page ``n`` (1-based) starts at ``pages[n-1]``
    pages: tuple[int, ...] = ()
    #: (offset of a paragraph, level 1–4) for paragraphs the format marks as headings
    headings: tuple[tuple[int, int], ...] = ()
    tables: tuple[Table, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page ``offset`` lies on, or None when the format has no pages.

        >>> Source("a\\n\\nb", "pdf", pages=(0, 3)).page_at(3)
        2
        """
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))


@dataclass
class SourceBuilder:
    """Appends paragraphs, pages and tables to a canonical text and remembers where each went."""

    format: Format
    parts: list[str] = field(default_factory=list)
    size: int = 0
    headings: list[tuple[int, int]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    _page_starts: dict[int, int] = field(default_factory=dict)

    def _append(self, text: str) -> tuple[int, int]:
        if self.parts:
            self.parts.append("\n\n")
            self.size += 2
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        return start, self.size

    def paragraph(self, text: str, heading: int | None = None) -> None:
        """A paragraph (a line break inside is a hard wrap), optionally a heading of level 1–4."""
        self.lines([(line, None) for line in text.splitlines()], heading)

    def lines(self, lines: list[tuple[str, int | None]], heading: int | None = None) -> None:
        """A paragraph of wrapped lines, each with the 1-based page it is printed on (or None)."""
        kept = [(t.strip(), page) for t, page in lines if t.strip()]
        if not kept:
            return
        start, _ = self._append("\n".join(t for t, _ in kept))
        pos = start
        for text, page in kept:
            if page is not None:
                self._page_starts.setdefault(page, pos)
            pos += len(text) + 1
        if heading is not None:
            self.headings.append((start, heading))

    def page(self, number: int) -> None:
        """Page ``number`` starts with whatever is added next (a table, or a page with no text)."""
        self._page_starts.setdefault(number, self.size + (2 if self.parts else 0))

    def table(self, grid: list[list[str | None]], caption: str = "") -> None:
        """A table: its data rows as labelled lines (qa.readers.tables), its grid and cells kept."""
        plan = layout(grid)
        if plan is None:  # no figures in it: its cells are text, read as paragraphs
            for cells_of_row in grid:
                self.paragraph("　".join(dict.fromkeys(c.strip() for c in cells_of_row if c and c.strip())))
            return
        first = self.size + (2 if self.parts else 0)
        rows: list[tuple[int, int, int]] = []
        cells: list[Cell] = []
        for line in plan.lines:
            start, end = self._append("".join(text for text, _ in line.pieces))
            rows.append((line.row, start, end))
            pos = start
            for text, col in line.pieces:
                if col is not None:
                    cells.append(Cell(line.row, col, text, pos, pos + len(text)))
                pos += len(text)
        for note in plan.notes:
            self._append(note)
        self.tables.append(Table(
            first, self.size, caption, tuple(tuple(r) for r in plan.grid), plan.header_rows, plan.label_cols,
            tuple(rows), tuple(cells), tuple(plan.note_rows),
        ))

    def build(self) -> Source:
        pages: list[int] = []
        if self._page_starts:
            for n in range(max(self._page_starts), 0, -1):  # a page without text starts where the next does
                pages.append(self._page_starts.get(n, pages[-1] if pages else self.size))
            pages.reverse()
        return Source("".join(self.parts), self.format, tuple(pages), tuple(self.headings), tuple(self.tables))
