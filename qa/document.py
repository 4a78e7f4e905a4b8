"""Reading a report: raw text → unwrapped paragraphs → headings → sentences, with offsets.

The report is hard-wrapped in the middle of sentences (Chinese lines are joined
without a space), paragraphs are separated by blank lines and a sentence may
continue across one. Every character of the unwrapped text keeps its offset in
the raw text, so each :class:`~qa.types.Sentence` points back into the file.

Headings follow the Chinese government style, four levels deep::

    一、工作总体情况                  (standalone line)
    （一）加强组织领导，强化统筹谋划。市委、…   (inline: the first sentence is the heading)
    1．推进政府工作、政策执行阳光透明。…
    （1）脱贫攻坚领域。…

The first short line before any heading is the title; the preamble below it is a
section of its own (its path is the title). A report read from another format
(:mod:`qa.readers`) brings what its format knows: paragraphs its markup calls headings
(taken as headings of that level when the text has no marker), and tables — each a
section of its own under the current heading, one sentence per data row, the table's
remarks left out. Left out: footnotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qa.errors import ReportError
from qa.readers import Source, Table, read_source
from qa.types import Sentence

_CN_NUM = "一二三四五六七八九十百零〇"
#: (level, pattern) — a heading marker at the start of a paragraph.
HEADING_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^[{_CN_NUM}]+、")),
    (2, re.compile(rf"^[（(][{_CN_NUM}]+[）)]")),
    (3, re.compile(r"^\d{1,2}(?:[．、]|\.(?!\d))")),
    (4, re.compile(r"^[（(]\d{1,2}[）)]")),
)
MAX_HEADING_CHARS = 60
MAX_TITLE_CHARS = 80
SENTENCE_END = frozenset("。！？；!?")
# A paragraph that ends with one of these ends its sentence, too.
PARAGRAPH_END = SENTENCE_END | frozenset("：:")
OPENERS = "（(《“‘〔[【「『<"
CLOSERS = "）)》”’〕]】」』>"
_CLOSER_OF = dict(zip(OPENERS, CLOSERS, strict=True))
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 0 = title, 1..4 = 一、 / （一） / 1． / （1）
    text: str  # without the trailing sentence mark
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Section:
    """A run of sentences under one heading path."""

    path: tuple[str, ...]
    heading: Heading | None
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    path: Path | None
    raw: str
    title: str
    sections: tuple[Section, ...]
    #: what the file's format said (pages, headings, tables); a bare Source for a .txt
    source: Source | None = None

    @property
    def sentences(self) -> list[tuple[tuple[str, ...], Sentence]]:
        return [(s.path, sent) for s in self.sections for sent in s.sentences]


class _Text:
    """Unwrapped text that remembers, per character, its offset in the raw text."""

    __slots__ = ("chars", "offsets")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.offsets: list[int] = []

    def add(self, ch: str, offset: int) -> None:
        self.chars.append(ch)
        self.offsets.append(offset)

    def __len__(self) -> int:
        return len(self.chars)

    def text(self, i: int = 0, j: int | None = None) -> str:
        return "".join(self.chars[i:j])

    def sentence(self, i: int, j: int) -> Sentence:
        return Sentence(self.text(i, j), self.offsets[i], self.offsets[j - 1] + 1)


def _starts_heading(line: str) -> bool:
    return any(pattern.match(line) for _, pattern in HEADING_MARKERS)


def _paragraphs(raw: str) -> list[_Text]:
    """Blank-line separated paragraphs, lines joined (Chinese without a space)."""
    paragraphs: list[_Text] = []
    current = _Text()
    pos = 0
    heading_only = False  # the paragraph so far is one standalone heading line ("一、总体")
    for line in raw.splitlines(keepends=True):
        if not line.strip():
            if len(current):
                paragraphs.append(current)
                current = _Text()
        else:
            starts = _starts_heading(line.lstrip())
            if len(current) and starts and (current.chars[-1] in PARAGRAPH_END or heading_only):
                paragraphs.append(current)  # a heading line with no blank line before it
                current = _Text()
            heading_only = not len(current) and starts and len(line.strip()) <= MAX_HEADING_CHARS and not any(
                ch in SENTENCE_END for ch in line.strip()[:-1]
            )
            if len(current) and _ASCII_WORD.match(current.chars[-1]) and _ASCII_WORD.match(line.lstrip()[0]):
                if current.chars[-1].isalpha() and line.lstrip()[0].isalpha():
                    current.add(" ", pos - 1)  # an English word wrapped at the line end
            stripped_end = len(line.rstrip())
            for i, ch in enumerate(line[:stripped_end]):
                if ch.isspace():
                    prev = current.chars[-1] if len(current) else ""
                    nxt = line[i + 1] if i + 1 < stripped_end else ""
                    if ch.isspace() and prev and prev != " " and _ASCII_WORD.match(prev) and _ASCII_WORD.match(nxt):
                        current.add(" ", pos + i)
                    continue
                current.add(ch, pos + i)
        pos += len(line)
    if len(current):
        paragraphs.append(current)
    return paragraphs


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence in ``text``: splits after 。！？； outside brackets,
    quotes and book titles; closing marks right after the stop stay with the sentence.

    >>> [ "一二。三；四"[i:j] for i, j in split_sentences("一二。三；四")]
    ['一二。', '三；', '四']
    """
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    start = 0
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch in _CLOSER_OF and not (ch == "<" and not stack):
            stack.append(_CLOSER_OF[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch in CLOSERS and ch in stack:
            while stack and stack.pop() != ch:  # mend an unbalanced inner bracket
                pass
        elif ch in SENTENCE_END and not stack:
            j = i + 1
            while j < n and (text[j] in SENTENCE_END or text[j] in "”’）)"):
                j += 1
            spans.append((start, j))
            start = j
            i = j
            continue
        i += 1
    if start < n:
        spans.append((start, n))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _heading_level(text: str) -> tuple[int, int] | None:
    """(level, length of the heading) when ``text`` starts with a heading marker."""
    for level, pattern in HEADING_MARKERS:
        m = pattern.match(text)
        if not m:
            continue
        first = split_sentences(text)[0]
        head_end = first[1]
        if head_end - m.end() < 2 or head_end > MAX_HEADING_CHARS:
            return None
        return level, head_end
    return None


def _heading_text(text: str) -> str:
    return text.strip().rstrip("。；;：:.．").strip()


def _table_sentences(raw: str, table: Table) -> tuple[Sentence, ...]:
    return tuple(Sentence(raw[a:b], a, b) for _, a, b in table.rows if raw[a:b].strip())


def parse(raw: str | Source, doc_id: str = "report", path: Path | None = None) -> Document:
    """Parse raw report text (or a :class:`~qa.readers.Source` read from a file) into sections of sentences.

    >>> d = parse("标题\\n\\n一、总体\\n\\n（一）组织。市委重视。\\n")
    >>> [(s.path, [x.text for x in s.sentences]) for s in d.sections]
    [(('一、总体', '（一）组织'), ['市委重视。'])]
    >>> d.title
    '标题'
    """
    source = raw if isinstance(raw, Source) else Source(raw)
    raw = source.text
    format_headings = dict(source.headings)
    tables = sorted(source.tables, key=lambda t: t.start)
    paragraphs = _paragraphs(raw)
    title = ""
    title_heading: Heading | None = None
    stack: list[Heading] = []
    sections: list[Section] = []
    current: list[Sentence] = []
    pending: Sentence | None = None  # a sentence that runs on into the next paragraph

    def flush_pending() -> None:
        nonlocal pending
        if pending is not None:
            current.append(pending)
            pending = None

    def close_section() -> None:
        flush_pending()
        if current:
            if stack:
                sections.append(Section(tuple(h.text for h in stack), stack[-1], tuple(current)))
            else:  # the preamble: a section of its own, named by the title
                sections.append(Section((title,) if title else (), title_heading, tuple(current)))
            current.clear()

    table_index = 0
    for index, para in enumerate(paragraphs):
        while table_index < len(tables) and tables[table_index].end <= para.offsets[0]:
            table_index += 1
        table = tables[table_index] if table_index < len(tables) else None
        if table is not None and table.start <= para.offsets[0]:
            if table.start == para.offsets[0]:  # the table, once: a section of its rows
                close_section()
                path_ = tuple(h.text for h in stack) or ((title,) if title else ())
                rows = _table_sentences(raw, table)
                if rows:
                    sections.append(Section((*path_, table.caption) if table.caption else path_,
                                            stack[-1] if stack else title_heading, rows))
            continue
        text = para.text()
        body_start = 0
        hl = _heading_level(text)
        if hl is None and para.offsets[0] in format_headings and len(text) <= MAX_HEADING_CHARS:
            hl = format_headings[para.offsets[0]], len(text)
        if hl is not None:
            level, head_end = hl
            close_section()
            heading = Heading(level, _heading_text(text[:head_end]), para.offsets[0], para.offsets[head_end - 1] + 1)
            while stack and stack[-1].level >= level:
                stack.pop()
            stack.append(heading)
            body_start = head_end
        elif index == 0 and len(text) <= MAX_TITLE_CHARS and text[-1] not in PARAGRAPH_END and len(paragraphs) > 1:
            title = text.strip()
            title_heading = Heading(0, title, para.offsets[0], para.offsets[-1] + 1)
            continue
        spans = [(a + body_start, b + body_start) for a, b in split_sentences(text[body_start:])]
        for n, (a, b) in enumerate(spans):
            sentence = para.sentence(a, b)
            if n == 0 and pending is not None and hl is None:
                # the previous paragraph stopped mid-sentence: this one continues it
                sentence = Sentence(pending.text + sentence.text, pending.start, sentence.end)
                pending = None
            flush_pending()
            if n == len(spans) - 1 and text[b - 1] not in PARAGRAPH_END and text[b - 1] not in "”’）)》":
                pending = sentence
            else:
                current.append(sentence)
    close_section()
    if not sections:
        raise ReportError(f"report {doc_id!r} has headings but no text under them")
    return Document(doc_id, path, raw, title, tuple(sections), source)


def load(path: str | Path, doc_id: str | None = None) -> Document:
    """Read and parse a report file of any supported format; ``doc_id`` defaults to the file name
    without suffix."""
    p = Path(path)
    return parse(read_source(p), doc_id or p.stem, p)
