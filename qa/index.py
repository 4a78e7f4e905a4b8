"""What the answer step reads from a built index: the :class:`ReportIndex` interface.

The pipeline (:class:`qa.pipeline.ReportQA`) builds the index — passages, BM25 statistics, the
report's title words and years, the glossary and thesaurus, vectors — and hands itself to the answer
step as a ``ReportIndex``. The answer step (:mod:`qa.answering`, :mod:`qa.context`,
:mod:`qa.arithmetic`) imports this interface, never the pipeline, so imports run one way:
pipeline → answer step → index interface.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from qa.thesaurus import Thesaurus
from qa.types import Hit, Mode, Passage


class ReportIndex(Protocol):
    """A built, read-only index over one or more reports."""

    @property
    def raw(self) -> Mapping[str, str]:
        """Each report's raw text by document id (offsets point into it)."""
        ...

    @property
    def thesaurus(self) -> Thesaurus: ...

    @property
    def idf(self) -> Mapping[str, float]:
        """BM25's IDF of every indexed word: what the report's vocabulary is."""
        ...

    @property
    def default_k(self) -> int: ...

    @property
    def dense_available(self) -> bool: ...

    def resolve_mode(self, mode: Mode | None) -> Mode:
        """The mode that will run (hybrid without a model runs lexical)."""
        ...

    def retrieve(self, question: str, k: int | None = None, mode: Mode | None = None) -> list[Hit]: ...

    def model_reranks(self, question: str, mode: Mode) -> bool:
        """Whether the model's sentence similarity should reorder this question's candidates."""
        ...

    def english_terms(self, question: str) -> dict[str, float]:
        """An English question's report words, weighted (the glossary translation)."""
        ...

    def english_groups(self, question: str) -> list[tuple[str, dict[str, float]]]:
        """Each English content word with the report words it may mean."""
        ...

    def english_senses(self, word: str) -> dict[str, float]:
        """The report words an English word may mean, with how specific its best gloss is."""
        ...

    def english_spelt(self, name: str) -> tuple[str, ...]:
        """The report words an English name is the pinyin of ("Yukuaiban" → 渝快办)."""
        ...

    def unwritten_name(self, word: str) -> bool:
        """Whether ``word`` is a name (a place, a body, an app: 成都, 抖音) that the report never writes."""
        ...

    def english_phrase_heads(self, text: str) -> set[str]:
        """The report words whose multi-word glosses ``text`` holds."""
        ...

    def sentence_similarities(self, question: str, sentences: Sequence[str]) -> list[float]: ...

    def is_title_term(self, word: str) -> bool: ...

    def strip_title(self, word: str) -> str: ...

    def years_near(self, passage: Passage) -> frozenset[str]: ...

    def report_years(self) -> str: ...

    def report_year(self) -> str | None: ...
