"""Sections of sentences → passages (chunks) for retrieval.

A passage never crosses a section (so never a top-level one either): it packs
whole sentences of one section up to ``chunk_size`` characters, balanced so that
a section does not end in a scrap. A sentence longer than ``chunk_size`` is cut
at clause marks (，；、：), and only as a last resort at ``chunk_size``. Headings
are never passages: :attr:`Passage.context_text` puts them in front of the text
that is indexed and embedded, while :attr:`Passage.text` stays the report's words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from qa.document import Document
from qa.types import Passage, Sentence

CLAUSE_MARKS = frozenset("，；、：,;:")


def clause_spans(text: str, limit: int) -> list[tuple[int, int]]:
    """``(start, end)`` pieces of ``text``, each at most ``limit`` characters, cut at clause marks.

    >>> t = "甲乙，丙丁，戊己。"
    >>> [t[a:b] for a, b in clause_spans(t, 6)]
    ['甲乙，', '丙丁，戊己。']
    """
    if len(text) <= limit:
        return [(0, len(text))]
    cuts = [i + 1 for i, ch in enumerate(text) if ch in CLAUSE_MARKS and i + 1 < len(text)]
    pieces: list[tuple[int, int]] = []
    start = 0
    target = len(text) / math.ceil(len(text) / limit)
    while len(text) - start > limit:
        fitting = [c for c in cuts if start < c <= start + limit]
        end = min(fitting, key=lambda c: abs((c - start) - target)) if fitting else start + limit
        pieces.append((start, end))
        start = end
    pieces.append((start, len(text)))
    return pieces


def split_long(raw: str, sentence: Sentence, limit: int) -> list[Sentence]:
    """A sentence longer than ``limit`` as clauses, each with its own offsets in ``raw``."""
    spans = clause_spans(sentence.text, limit)
    if len(spans) == 1:
        return [sentence]
    parts: list[Sentence] = []
    pos = sentence.start
    for a, b in spans:
        piece = sentence.text[a:b]
        # the unwrapped text lacks the raw text's line breaks: walk the raw span to place it
        while pos < sentence.end and raw[pos].isspace():
            pos += 1
        start = pos
        for ch in piece:
            if ch.isspace():
                continue
            while pos < sentence.end and raw[pos] != ch:
                pos += 1
            pos += 1
        parts.append(Sentence(piece, start, pos))
    return parts


def _balanced_groups(lengths: list[int], limit: int) -> Iterator[tuple[int, int]]:
    """Index ranges packing items of ``lengths`` into groups of about equal size ≤ ``limit``."""
    total = sum(lengths)
    target = total / max(1, math.ceil(total / limit))
    start, size = 0, 0
    for i, n in enumerate(lengths):
        if i > start and (size + n > limit or size >= target or size + n / 2 > target):
            yield start, i
            start, size = i, 0
        size += n
    if start < len(lengths):
        yield start, len(lengths)


def chunk(document: Document, chunk_size: int = 200, overlap: int = 0) -> list[Passage]:
    """Passages of ``document``: whole sentences of one section, about ``chunk_size`` chars.

    ``overlap`` repeats that many sentences from the end of one passage at the start of
    the next, within a section.
    """
    passages: list[Passage] = []
    for section in document.sections:
        units: list[Sentence] = []
        for sentence in section.sentences:
            units.extend(split_long(document.raw, sentence, chunk_size))
        for a, b in _balanced_groups([len(u.text) for u in units], chunk_size):
            group = units[max(0, a - overlap) if a else a : b]
            passages.append(
                Passage(
                    chunk_id=f"{document.doc_id}#{len(passages)}",
                    doc=document.doc_id,
                    section=section.path,
                    text="".join(u.text for u in group),
                    start=group[0].start,
                    end=group[-1].end,
                    sentences=tuple(group),
                    page=document.source.page_at(group[0].start) if document.source else None,
                )
            )
    return passages


def chunk_all(documents: Iterable[Document], chunk_size: int = 200, overlap: int = 0) -> list[Passage]:
    return [p for d in documents for p in chunk(d, chunk_size, overlap)]
