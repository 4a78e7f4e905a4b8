"""Web-page reports (.html/.htm), read with lxml.

Why lxml: it is already installed for python-docx, it parses the broken HTML real sites serve
(libxml2's HTML parser), and its tree gives tables with their ``colspan``/``rowspan``. Scripts,
styles, navigation, headers, footers, forms and asides are not report text and are dropped.
``<h2>``–``<h5>`` mark headings of levels 1–4 (``<h1>`` is the title: a paragraph of its own).
A table whose cells hold paragraphs or other tables lays the page out and is read as flow text.
The encoding is the BOM's, else the page's ``<meta charset>``, else UTF-8, else GB18030.
Left out: text drawn by scripts, frames, CSS-hidden text.
"""

from __future__ import annotations

import re
from pathlib import Path

from qa.errors import ReportError
from qa.readers.source import Source, SourceBuilder

_DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe",
         "svg", "button", "select", "textarea", "object", "embed", "head")
_BLOCK = frozenset(("p", "div", "li", "ul", "ol", "dl", "dt", "dd", "section", "article", "main", "blockquote",
                    "pre", "body", "center", "figure", "figcaption", "caption", "address", "tr", "hr"))
_HEADINGS = {"h1": None, "h2": 1, "h3": 2, "h4": 3, "h5": 4, "h6": 4}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_html(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    m = _META_CHARSET.search(data[:4096])
    if m:
        try:
            return data.decode(m[1].decode("ascii").lower().replace("gb2312", "gb18030").replace("gbk", "gb18030"))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


class _Walker:
    def __init__(self) -> None:
        self.builder = SourceBuilder("html")
        self.buffer: list[str] = []

    def flush(self, heading: int | None = None) -> None:
        text = "".join(self.buffer)
        self.buffer.clear()
        lines = [re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n")]
        self.builder.paragraph("\n".join(ln for ln in lines if ln), heading)

    def text(self, t: str | None) -> None:
        if t:
            self.buffer.append(t.replace("\n", " "))

    def walk(self, el: object) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""  # type: ignore[attr-defined]
        tag = tag.lower()
        if tag == "br":
            self.buffer.append("\n")
        elif tag in _HEADINGS:
            self.flush()
            self.text(el.text_content())  # type: ignore[attr-defined]
            self.flush(_HEADINGS[tag])
        elif tag == "table" and not _is_layout(el):
            self.flush()
            caption = el.find("caption")  # type: ignore[attr-defined]
            if caption is not None:
                self.builder.paragraph(caption.text_content().strip())
            self.builder.table(_grid(el))
        else:
            block = tag in _BLOCK or tag in ("table", "td", "th")
            if block:
                self.flush()
            if tag:
                self.text(el.text)  # type: ignore[attr-defined]
                for child in el:  # type: ignore[attr-defined]
                    self.walk(child)
            if block:
                self.flush()
        self.text(getattr(el, "tail", None))


def _rows(table: object) -> list[object]:
    out = []
    for child in table:  # type: ignore[attr-defined]
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            out.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            out += [r for r in child if isinstance(r.tag, str) and r.tag.lower() == "tr"]
    return out


def _is_layout(table: object) -> bool:
    """A table that lays out a page (cells with paragraphs, tables or long text), not one of figures."""
    for cell in table.iter("td", "th"):  # type: ignore[attr-defined]
        if cell.find(".//table") is not None or cell.find(".//p") is not None or cell.find(".//div") is not None:
            return True
        if len(cell.text_content()) > 200:
            return True
    return False


def _span(cell: object, name: str) -> int:
    try:
        return max(1, min(100, int(cell.get(name, "1"))))  # type: ignore[attr-defined]
    except ValueError:
        return 1


def _grid(table: object) -> list[list[str | None]]:
    """The table's cells on a grid, a spanning cell's text repeated in every position it covers."""
    grid: dict[tuple[int, int], str] = {}
    rows = _rows(table)
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:  # type: ignore[attr-defined]
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            text = " ".join(cell.text_content().split())
            for dr in range(_span(cell, "rowspan")):
                for dc in range(_span(cell, "colspan")):
                    grid.setdefault((r + dr, c + dc), text)
            c += _span(cell, "colspan")
    if not grid:
        return []
    height = len(rows)
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)]


def read_html(data: bytes, path: Path) -> Source:
    import lxml.etree
    import lxml.html

    text = _XML_DECL.sub("", decode_html(data))
    if "\x00" in text:
        raise ReportError(f"{path} looks like a binary file (it contains NUL bytes), not a web page")
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ReportError(f"{path} is not a readable web page ({exc})") from exc
    for bad in root.xpath("|".join(f"//{t}" for t in _DROP) + "|//*[@role='navigation']|//*[@hidden]"):
        bad.drop_tree()
    for comment in root.xpath("//comment()"):
        comment.drop_tree()
    walker = _Walker()
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return walker.builder.build()
