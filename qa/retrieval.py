"""Ranking passages for a question: lexical (BM25), dense (FAISS) or both, fused.

How the two are fused is a :class:`Fusion` — a method and how much the dense side weighs for a
question in each language. ``python -m eval.fusion`` measures the family (reciprocal rank fusion,
Cormack et al. 2009, with and without weights; normalised score combination; weights by question
language) with cross-validation on the eval sets and :data:`DEFAULT_FUSION` is the variant that won
on the folds it was not fitted on (numbers in the README). Equal-weight RRF, the textbook default,
lost: with a real model it let dense's weaker Chinese ranking pull the right passage down.

Each :class:`~qa.types.Hit` keeps both retrievers' scores and ranks for display.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from qa.crosslingual import Glossary
from qa.lexical import LexicalIndex
from qa.question import detect_lang
from qa.thesaurus import SYNONYM_WEIGHT, Thesaurus
from qa.types import Hit, Mode, Passage

if TYPE_CHECKING:
    from embeddings import Encoder, PartIndex

#: How deep each retriever looks before fusion.
CANDIDATES = 50
#: English questions: how many first-ranked passages tell which meaning of a word is meant, and
#: how much of the word's weight moves onto the meanings found there.
FEEDBACK_PASSAGES = 3
FEEDBACK = 0.5


def rrf(rankings: Sequence[Sequence[int]], rrf_k: int = 60, weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """Fuse rankings (lists of ids, best first) into ``(id, score)`` best first; score =
    Σ weight / (rrf_k + rank).

    >>> rrf([[1, 2, 3], [3, 1]], rrf_k=0)
    [(1, 1.5), (3, 1.3333333333333333), (2, 0.5)]
    """
    weights = [1.0] * len(rankings) if weights is None else weights
    scores: dict[int, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + w / (rrf_k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def combine_scores(lexical: Sequence[tuple[int, float]], dense: Sequence[tuple[int, float]],
                   dense_weight: float) -> list[tuple[int, float]]:
    """Normalised score combination: BM25 divided by its best score, cosine min–max scaled over the
    dense candidates, then ``(1 − w)·lexical + w·dense``. A passage one side did not return scores 0
    there. Unlike RRF it keeps *how much* better the top passage is, which is what tells a confident
    BM25 match from a weak one.

    >>> [(i, round(s, 3)) for i, s in combine_scores([(0, 4.0), (1, 2.0)], [(1, 0.9), (2, 0.8), (0, 0.7)], 0.5)]
    [(1, 0.75), (0, 0.5), (2, 0.25)]
    """
    out: dict[int, float] = {}
    if lexical:
        top = max(s for _, s in lexical) or 1.0
        for i, s in lexical:
            out[i] = (1.0 - dense_weight) * s / top
    if dense:
        hi, lo = max(s for _, s in dense), min(s for _, s in dense)
        span = (hi - lo) or 1.0
        for i, s in dense:
            out[i] = out.get(i, 0.0) + dense_weight * (s - lo) / span
    return sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass(frozen=True)
class Gate:
    """The dense side's weight for questions of one language: ``confident`` when the best BM25
    score reaches ``threshold`` (the question's words are the report's), ``weak`` below it
    (a paraphrase, or English words the glossary only half knows)."""

    threshold: float
    confident: float
    weak: float

    def __post_init__(self) -> None:
        for w in (self.confident, self.weak):
            if not 0.0 <= w <= 1.0:
                raise ValueError(f"dense weights are between 0 and 1, not {w}")

    def weight(self, top_lexical: float) -> float:
        return self.confident if top_lexical >= self.threshold else self.weak


@dataclass(frozen=True, kw_only=True)
class Fusion:
    """How lexical and dense rankings are fused: ``method``, and a :class:`Gate` per question
    language (0 = lexical only, 1 = dense only)."""

    method: Literal["rrf", "score"] = "score"
    zh: Gate = Gate(0.0, 0.5, 0.5)
    en: Gate = Gate(0.0, 0.5, 0.5)
    rrf_k: int = 60

    def __post_init__(self) -> None:
        if self.rrf_k < 1:
            raise ValueError(f"rrf_k must be at least 1 (60 is usual), not {self.rrf_k}")

    def gate(self, question: str) -> Gate:
        return self.en if detect_lang(question) == "en" else self.zh

    def weight(self, question: str, lexical: Sequence[tuple[int, float]]) -> float:
        return self.gate(question).weight(lexical[0][1] if lexical else 0.0)

    def confident(self, question: str, lexical: Sequence[tuple[int, float]]) -> bool:
        """BM25's best score reaches the question language's gate threshold."""
        return bool(lexical) and lexical[0][1] >= self.gate(question).threshold

    def fuse(self, question: str, lexical: Sequence[tuple[int, float]],
             dense: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
        w = self.weight(question, lexical)
        if self.method == "rrf":
            return rrf([[i for i, _ in lexical], [i for i, _ in dense]], self.rrf_k, (1.0 - w, w))
        return combine_scores(lexical, dense, w)


#: The fusion the eval's cross-validation picked (``python -m eval.fusion``, README "Fusion"): a
#: lexical-confidence gate over normalised scores, the same for both languages. With passages
#: searched through their sentences (:class:`embeddings.PartIndex`) the model ranks Chinese nearly
#: as well as BM25 and the two err on different questions, so it takes 0.6 of the weight when BM25
#: is confident and 0.9 when it is not (a paraphrase, English words the glossary half knows).
#: Thresholds are BM25 scores on this report (60 passages).
DEFAULT_FUSION = Fusion(method="score", zh=Gate(2.0, 0.6, 0.9), en=Gate(2.0, 0.6, 0.9))


@dataclass
class Retriever:
    passages: Sequence[Passage]
    lexical: LexicalIndex
    encoder: Encoder | None = None
    vectors: PartIndex | None = None
    fusion: Fusion = DEFAULT_FUSION
    #: English → report words (cross-lingual lexical retrieval); None: English is matched as typed.
    glossary: Glossary | None = None
    #: Chinese words the report does not use → its words that mean the same (query expansion).
    thesaurus: Thesaurus | None = None
    _passage_words: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)

    @property
    def dense_available(self) -> bool:
        return self.encoder is not None and self.vectors is not None

    def candidates(self, question: str, depth: int, mode: Mode) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """Each retriever's ``(passage index, score)`` best first, ``depth`` deep (empty when unused).
        In hybrid mode the question is not even encoded when the fusion gives the model no weight
        (a gate with a zero weight; :data:`DEFAULT_FUSION` gives it weight on every question)."""
        lexical = self._first_lexical(question, depth) if mode != "dense" else []
        dense: list[tuple[int, float]] = []
        wanted = mode == "dense" or (mode == "hybrid" and (not lexical or self.fusion.weight(question, lexical) > 0))
        if wanted and self.encoder is not None and self.vectors is not None:
            dense = self.vectors.search(self.encoder.query_vector(question), depth)
        if lexical and self.glossary is not None and detect_lang(question) == "en":
            first = self.fusion.fuse(question, lexical, dense) if dense else lexical
            lexical = self.lexical.search_weighted(self.english_terms(question, first), depth)
        return lexical, dense

    def _first_lexical(self, question: str, depth: int) -> list[tuple[int, float]]:
        """BM25 over the question's words — for English, over its glossary translation."""
        if self.glossary is not None and detect_lang(question) == "en":
            return self.lexical.search_weighted(self.english_terms(question), depth)
        expanded = self.synonym_terms(question)
        return self.lexical.search_weighted(expanded, depth) if expanded else self.lexical.search(question, depth)

    def synonym_terms(self, question: str) -> dict[str, float]:
        """The question's words, plus — for each word the report does not use (打官司, 老百姓) — the
        report words the thesaurus gives for it, sharing :data:`SYNONYM_WEIGHT`; empty when there
        is nothing to add (then BM25 runs on the question as asked). Query expansion: without it
        "跟政府打官司的有多少件" never retrieves the passage on 行政诉讼."""
        from qa.text import tokenize_query

        if self.thesaurus is None:
            return {}
        words = tokenize_query(question)
        vocab = self.lexical.idf
        added: dict[str, float] = {}
        for t in words:
            if t in vocab:
                continue
            syns = [w for w in self.thesaurus.of(t) if w in vocab and w not in words]
            for w in syns:
                added[w] = added.get(w, 0.0) + SYNONYM_WEIGHT / len(syns)
        if not added:
            return {}
        terms = {t: 1.0 for t in words}
        for w, x in added.items():
            terms[w] = max(terms.get(w, 0.0), x)
        return terms

    def model_reranks(self, question: str, mode: Mode) -> bool:
        """Whether the answer step lets the model's sentence similarity reorder its candidates: in
        dense mode, and in hybrid mode where BM25 is not confident (its best score below the
        fusion gate's threshold — a paraphrase, English words the glossary half knows). Where BM25
        is confident, the model still fuses into retrieval but reranking sentences by it was
        measured to cost answers (README, "Fusion")."""
        if mode == "lexical" or not self.dense_available:
            return False
        if mode == "dense":
            return True
        lexical = self._first_lexical(question, 1)
        return not lexical or not self.fusion.confident(question, lexical)

    def english_terms(self, question: str, first: Sequence[tuple[int, float]] = ()) -> dict[str, float]:
        """An English question as weighted report words: its glossary translation
        (:meth:`Glossary.weights`), plus the words it shares with the report as typed (IPv6, 12345).

        With ``first`` (a first ranking), :data:`FEEDBACK` of each English word's weight moves onto
        its meanings found in the top :data:`FEEDBACK_PASSAGES` passages — translation
        disambiguation by co-occurrence (Ballesteros & Croft 1998): "applications" near "received"
        and "disclosure" means 申请 there, not 应用. Measured on the eval's English questions:
        hit@5 +2 points.
        """
        from qa.text import tokenize_query

        terms: dict[str, float] = {}
        if self.glossary is not None:
            near = set().union(*(self._words(i) for i, _ in first[:FEEDBACK_PASSAGES])) if first else set()
            terms = self.glossary.weights(question, near, FEEDBACK if first else 0.0)
        for t in tokenize_query(question):
            terms[t] = terms.get(t, 0.0) + 1.0
        return terms

    def use(self, word: str) -> float:
        """How much the report uses ``word``: the passages it is in (BM25's IDF read backwards)."""
        idf = self.lexical.idf  # computed once by the index
        return max((self.lexical.size + 1) * math.exp(-idf[word]) - 0.5, 0.0) if word in idf else 0.0

    def _words(self, i: int) -> frozenset[str]:
        words = self._passage_words.get(i)
        if words is None:
            from qa.text import tokenize

            words = self._passage_words[i] = frozenset(tokenize(self.passages[i].context_text))
        return words

    def search(self, question: str, k: int, mode: Mode) -> list[Hit]:
        lexical, dense = self.candidates(question, max(CANDIDATES, k), mode)
        lex = {i: (s, r) for r, (i, s) in enumerate(lexical, start=1)}
        den = {i: (s, r) for r, (i, s) in enumerate(dense, start=1)}
        if mode == "lexical" or not dense:
            ranked = lexical
        elif mode == "dense" or not lexical:
            ranked = dense
        else:
            ranked = self.fusion.fuse(question, lexical, dense)
        hits = []
        for rank, (i, score) in enumerate(ranked[:k], start=1):
            ls, lr = lex.get(i, (None, None))
            ds, dr = den.get(i, (None, None))
            hits.append(Hit(self.passages[i], score, rank, ls, lr, ds, dr))
        return hits
