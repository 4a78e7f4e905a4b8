"""The data types that flow through every stage of report-qa.

A :class:`Passage` is made by chunking, carried by retrieval inside a :class:`Hit`
(passage + scores + rank) and rendered by the answer step, the UI and the eval.
An :class:`Answer` is what :func:`qa.answer` returns.

Offsets (`start`, `end`) always index the report's raw text as decoded from the
file (UTF-8, a leading BOM dropped), in Python string positions; so
``raw[start:end]`` with whitespace removed equals the passage text with
whitespace removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["hybrid", "lexical", "dense"]
QuestionKind = Literal[
    "number", "rate", "list", "docno", "date", "name", "place", "yesno", "compare", "fact"
]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence (or clause of an over-long sentence) of the report."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Passage:
    """A chunk of the report: whole sentences of one section, in the report's own words."""

    chunk_id: str
    doc: str
    section: tuple[str, ...]
    text: str
    start: int
    end: int
    sentences: tuple[Sentence, ...] = ()
    #: the 1-based page the passage starts on, for reports read from a PDF
    page: int | None = None

    @property
    def section_path(self) -> str:
        """The section path as people read it, e.g. ``三、… > （二）申请处理情况``."""
        return " > ".join(self.section)

    @property
    def context_text(self) -> str:
        """The text that is indexed and embedded: headings in front, then the passage."""
        return "\n".join((*self.section, self.text))


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage with its fused score and the score/rank of each retriever.

    ``lexical_rank``/``dense_rank`` are 1-based, ``None`` when that retriever did not
    rank the passage (or was not used).
    """

    passage: Passage
    score: float
    rank: int
    lexical_score: float | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    dense_rank: int | None = None

    @property
    def text(self) -> str:
        return self.passage.text

    @property
    def section(self) -> str:
        return self.passage.section_path

    @property
    def start(self) -> int:
        return self.passage.start

    @property
    def end(self) -> int:
        return self.passage.end

    @property
    def doc(self) -> str:
        return self.passage.doc

    @property
    def chunk_id(self) -> str:
        return self.passage.chunk_id


@dataclass(frozen=True, slots=True)
class Span:
    """A highlighted span of the raw report text (the value that answers the question)."""

    doc: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an answer was given or not, as Lucene's ``explain``: the candidates considered (their
    text and score, best first), the best one's named evidence and what each part adds to the
    logit, the confidence against the threshold, and the verdict. ``best`` is the answer the best
    candidate would give, also when the answer step abstained."""

    candidates: tuple[tuple[str, float], ...] = ()
    evidence: tuple[tuple[str, float], ...] = ()
    contributions: tuple[tuple[str, float], ...] = ()
    confidence: float = 0.0
    threshold: float = 0.0
    verdict: str = ""
    best: str = ""

    def lines(self) -> list[str]:
        out = [f"verdict: {self.verdict}", f"confidence {self.confidence:.3f} (threshold {self.threshold:.2f})"]
        if self.evidence:
            parts = dict(self.contributions)
            out.append("evidence: " + ", ".join(f"{k}={v:g} ({parts.get(k, 0):+.2f})" for k, v in self.evidence))
        if self.best:
            out.append(f"best candidate: {self.best}")
        out += [f"  #{i} {score:.2f}  {text}" for i, (text, score) in enumerate(self.candidates, 1)]
        return out


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to one question.

    ``text`` is short and in the report's own words (or a computed result whose
    operands are cited); ``citations`` back it, primary first; when the report does
    not contain the answer, ``abstained`` is True and ``related`` holds the closest
    passages as further reading (not as citations).
    """

    question: str
    text: str
    citations: tuple[Hit, ...]
    abstained: bool
    kind: QuestionKind
    confidence: float
    highlights: tuple[Span, ...] = ()
    related: tuple[Hit, ...] = ()
    working: str = ""
    lang: Literal["zh", "en"] = "zh"
    mode: Mode = "lexical"
    notes: tuple[str, ...] = field(default=())
    explanation: Explanation | None = None
