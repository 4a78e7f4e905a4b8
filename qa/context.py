"""What one answer needs from the pipeline: retrieval, question-term weights, scopes, and
offsets of cited spans in the raw report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qa.extract import Candidate
from qa.text import precise_words, tokenize_query
from qa.thesaurus import SYNONYM_WEIGHT
from qa.types import Hit, Mode, Sentence, Span

if TYPE_CHECKING:
    from qa.index import ReportIndex

YEAR_TERM = re.compile(r"(?:19|20)\d{2}")
#: A single Chinese character as a question term counts this much of its IDF.
SINGLE_CHAR_WEIGHT = 0.5
#: Words that name who or where a figure is about (市本级, 区县, 市政府部门, 大足区, 市公安局 …).
SCOPE_TERM = re.compile(r"(?:部门|政府|办公厅|局|委|区县|区|县|市本级|市级|本级|领域)$")
#: Units asked for ("多少件"): matched by unit, not as words.
ASK_UNITS = frozenset("个件份条项次篇宗期批户名人家组场所座元")
GENERIC_SCOPE = frozenset({"部门", "政府", "单位", "机关", "国家", "地区", "区域"})
CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")
QUOTED = re.compile(r"[“\"《「]([^”\"》」]{2,40})[”\"》」]")


class Context:
    """What one answer needs from the pipeline: retrieval, term weights, raw texts."""

    def __init__(self, pipeline: ReportIndex, mode: Mode, k: int) -> None:
        self.pipeline = pipeline
        self.mode = mode
        self.k = k
        self.idf = pipeline.idf
        self.dense = mode != "lexical" and pipeline.dense_available

    def model_reranks(self, question: str) -> bool:
        """Whether the model's sentence similarity reorders the candidates (never without one)."""
        return self.dense and self.pipeline.model_reranks(question, self.mode)

    def weights(self, text: str, factor: float = 1.0) -> dict[str, float]:
        """Question terms found in the report, weighted by IDF: years are checked apart, words of
        the report's title (what every passage is about) count less, scope words more; a word the
        report does not use brings its thesaurus synonyms that it does, at :data:`SYNONYM_WEIGHT`."""
        out: dict[str, float] = {}
        for t in tokenize_query(text):
            if t not in self.idf:
                for syn in self.pipeline.thesaurus.of(t):
                    if syn in self.idf and syn not in out:
                        out[syn] = SYNONYM_WEIGHT * self.idf[syn] * factor
                continue
            if YEAR_TERM.fullmatch(t) or t in ASK_UNITS:
                continue
            w = self.idf[t] * factor
            if len(t) == 1 and CJK_WORD.fullmatch(t):
                w *= SINGLE_CHAR_WEIGHT  # 要, 最, 人: a single character says little of what is asked
            if self.pipeline.is_title_term(t):
                w *= 0.3
            elif len(t) > 1 and SCOPE_TERM.search(t):
                w *= 1.5
            out[t] = w
        return out

    def english_weights(self, text: str, factor: float = 1.0) -> dict[str, float]:
        """An English question's report words (its glossary translation, :mod:`qa.crosslingual`),
        each weighted by IDF times its share of the English word it translates."""
        terms = self.pipeline.english_terms(text)
        return {t: w * self.idf[t] * factor for t, w in terms.items()
                if t in self.idf and not YEAR_TERM.fullmatch(t) and not self.pipeline.is_title_term(t)}

    def english_groups(self, text: str) -> list[frozenset[str]]:
        """For each English content word the glossary knows, the report words it may mean."""
        return [g for _, g in self.english_word_groups(text)]

    def english_word_groups(self, text: str) -> list[tuple[str, frozenset[str]]]:
        """:meth:`english_groups` with the English word (its stem) each group is the meanings of."""
        groups = [(word, frozenset(t for t in cands if t in self.idf and not self.pipeline.is_title_term(t)))
                  for word, cands in self.pipeline.english_groups(text)]
        return [(w, g) for w, g in groups if g]

    def group_weight(self, group: frozenset[str]) -> float:
        """How telling an English word is: the IDF of its most specific meaning in the report
        ("WeChat" → 微信 tells more than "items" → 条目, 事项, 项目), as a Chinese word counts by its IDF."""
        return max(self.idf[t] for t in group)

    def scopes(self, text: str) -> list[str]:
        """Who/where the question is about (大足区, 市公安局, 区县政府), title words dropped."""
        words = precise_words(text)
        out: list[str] = []
        for i, w in enumerate(words):
            if len(w) >= 2 and i + 1 < len(words) and words[i + 1] in ("区", "县", "局", "委", "省", "市"):
                w = w + words[i + 1]
            elif not (len(w) >= 2 and SCOPE_TERM.search(w)):
                continue
            elif w == "领域":  # "救援领域", "环境保护领域": the word before names the field
                if i == 0 or len(words[i - 1]) < 2 or not CJK_WORD.fullmatch(words[i - 1]) or re.search(
                    r"哪|什么|几|类", words[i - 1]
                ):
                    continue
                w = words[i - 1] + w
            core = self.pipeline.strip_title(w)
            if len(core) >= 2 and core not in GENERIC_SCOPE and not self.pipeline.is_title_term(core):
                out.append(core)
        return out

    def phrases(self, text: str) -> dict[str, float]:
        """Quoted names in the question (“…”, 《…》): a sentence holding one verbatim gains its weight."""
        return {p: sum(self.weights(p).values()) for p in QUOTED.findall(text)}

    def hits(self, query: str, k: int | None = None) -> list[Hit]:
        return self.pipeline.retrieve(query, k=k or self.k, mode=self.mode)


def hit_for(cand: Candidate, hits: Sequence[Hit]) -> Hit:
    for h in hits:
        if h.passage.chunk_id == cand.passage.chunk_id:
            return h
    return Hit(cand.passage, cand.score, cand.rank)


def raw_span(raw: str, sentence: Sentence, a: int, b: int) -> tuple[int, int]:
    """Offsets in ``raw`` of ``sentence.text[a:b]`` (the raw text may hold line breaks)."""
    pos, i = sentence.start, 0
    start = sentence.start
    while i < b and pos < len(raw):
        if raw[pos].isspace() and not sentence.text[i].isspace():
            pos += 1
            continue
        if i == a:
            start = pos
        pos += 1
        i += 1
    return start, pos


def span(pipeline: ReportIndex, hit: Hit, sentence: Sentence, a: int, b: int) -> Span:
    start, end = raw_span(pipeline.raw[hit.doc], sentence, a, b)
    return Span(hit.doc, start, end, sentence.text[a:b])
