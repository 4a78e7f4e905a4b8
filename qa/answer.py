"""Answers: exact, cited, never invented — or an honest "not in the report".

No language model: the answer is the report's own clause that carries the value
(figure, rate, document number, title, list), found by :mod:`qa.extract`; a
comparison is computed from two cited values and shows its working; a follow-up
borrows the terms of the previous questions at a lower weight.

Abstention rules, each general: the question names a year the report's passage
does not cover, or a figure that is not there, or a place the report never
mentions; no value of the kind asked for is found; the unit asked for (money,
people, percent) is not the unit found; or too little of what the question asks
about is near the value (term coverage below :data:`MIN_COVERAGE`, calibrated
on the eval set's unanswerable questions).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qa.extract import VALUE_KINDS, Candidate, Value, candidates, heading_terms, read_sentence
from qa.inputs import clean_question
from qa.question import Question, analyse
from qa.text import tokenize_query
from qa.types import Answer, Hit, Mode, Sentence, Span

if TYPE_CHECKING:
    from qa.pipeline import ReportQA

MIN_COVERAGE = 0.6
MAX_ANSWER_CHARS = 150
PLACE_SUFFIX = re.compile(r"^[\u4e00-\u9fff]{2,}(?:省|市|县|区|州|镇)$")
PHONE_Q = re.compile(r"电话|热线|号码|phone|hotline", re.I)
SITE_Q = re.compile(r"网站|网址|website|web site|url", re.I)
ENABLE_MODEL = (
    "To ask in English, enable the multilingual model: set QA_EMBEDDING_MODEL=intfloat/multilingual-e5-small "
    "(downloaded once from the Hugging Face hub, or a local directory) — or ask in Chinese."
)


def _raw_span(raw: str, sentence: Sentence, a: int, b: int) -> tuple[int, int]:
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


def _window(text: str, clauses: Sequence[tuple[int, int]], focus: int) -> tuple[int, int]:
    """A span of whole clauses around clause ``focus``, at most MAX_ANSWER_CHARS long."""
    if len(text) <= MAX_ANSWER_CHARS:
        return 0, len(text)
    lo = hi = focus
    while True:
        grown = False
        if lo > 0 and clauses[hi][1] - clauses[lo - 1][0] <= MAX_ANSWER_CHARS and lo > focus - 2:
            lo, grown = lo - 1, True
        if hi + 1 < len(clauses) and clauses[hi + 1][1] - clauses[lo][0] <= MAX_ANSWER_CHARS and hi < focus + 1:
            hi, grown = hi + 1, True
        if not grown:
            break
    a, b = clauses[lo][0], clauses[hi][1]
    if b - a > MAX_ANSWER_CHARS:
        b = a + MAX_ANSWER_CHARS
    return a, b


class _Context:
    """What one answer needs from the pipeline: retrieval, term weights, raw texts."""

    def __init__(self, pipeline: ReportQA, mode: Mode, k: int) -> None:
        self.pipeline = pipeline
        self.mode = mode
        self.k = k
        retriever = pipeline._ensure()
        self.idf = retriever.lexical.idf
        self.dense = mode != "lexical" and retriever.dense_available

    def weights(self, text: str, factor: float = 1.0) -> dict[str, float]:
        return {t: self.idf[t] * factor for t in tokenize_query(text) if t in self.idf}

    def hits(self, query: str, k: int | None = None) -> list[Hit]:
        return self.pipeline.retrieve(query, k=k or self.k, mode=self.mode)


def _years_ok(q: Question, hit: Hit, pipeline: ReportQA) -> bool:
    if not q.years:
        return True
    covered = pipeline.years_near(hit.passage)
    return all(y in covered for y in q.years)


def _figures_ok(q: Question, hit: Hit) -> bool:
    text = hit.text + " ".join(hit.passage.section)
    return all(f in text for f in q.figures)


def _unknown_place(q: Question, idf: dict[str, float]) -> str | None:
    for token in tokenize_query(q.text):
        if token not in idf and PLACE_SUFFIX.match(token):
            return token
    return None


def _coverage(terms: dict[str, float], cand: Candidate) -> float:
    total = sum(terms.values())
    if total <= 0:
        return 0.0
    heads = heading_terms(cand.passage.section)
    passage_terms: set[str] = set()
    for s in cand.passage.sentences:
        passage_terms |= read_sentence(s).terms
    got = 0.0
    for term, w in terms.items():
        if term in cand.info.terms:
            got += w
        elif term in heads:
            got += 0.7 * w
        elif term in passage_terms:
            got += 0.5 * w
    return got / total


def _value_kinds(q: Question) -> set[str] | None:
    if q.kind == "name" and re.search(r"〔\d{4}〕\d+号", q.norm):
        return {"title"}
    if PHONE_Q.search(q.text) and q.kind in ("fact", "name", "number"):
        return {"phone", "name"}
    if SITE_Q.search(q.text) and q.kind in ("fact", "name", "place"):
        return {"url"}
    return VALUE_KINDS.get(q.kind)


def _hit_for(cand: Candidate, hits: Sequence[Hit]) -> Hit:
    for h in hits:
        if h.passage.chunk_id == cand.passage.chunk_id:
            return h
    return Hit(cand.passage, cand.score, cand.rank)


def _abstain(q: Question, hits: Sequence[Hit], mode: Mode, reason: str, kind_lang_note: str = "") -> Answer:
    if q.lang == "en":
        text = f"The report does not answer this: {reason}"
    else:
        text = f"报告中没有找到这个问题的答案：{reason}"
    notes = (kind_lang_note,) if kind_lang_note else ()
    return Answer(
        question=q.text, text=text, citations=(), abstained=True, kind=q.kind, confidence=0.0,
        related=tuple(hits[:3]), lang=q.lang, mode=mode, notes=notes,
    )


def _span(pipeline: ReportQA, hit: Hit, sentence: Sentence, a: int, b: int) -> Span:
    start, end = _raw_span(pipeline.raw[hit.doc], sentence, a, b)
    return Span(hit.doc, start, end, sentence.text[a:b])


def _quote(cand: Candidate) -> tuple[str, int, int]:
    info = cand.info
    text = info.sentence.text
    if cand.value is not None and cand.value.item and info.list_span:
        focus = cand.value.clause
        a, b = _window(text, info.clauses, focus)
        return f"{cand.value.item}：{cand.value.text}（原文：{text[a:b]}）", a, b
    focus = cand.value.clause if cand.value else 0
    a, b = _window(text, info.clauses, focus)
    return text[a:b], a, b


def _single(ctx: _Context, q: Question, terms: dict[str, float], current: dict[str, float],
            hits: Sequence[Hit]) -> Answer:
    kinds = _value_kinds(q)
    ranked = [(h.rank, h.passage) for h in hits]
    cands = candidates(ranked, terms, kinds, q.unit)
    if not cands and kinds is not None and q.kind not in ("number", "rate", "docno", "compare"):
        cands = candidates(ranked, terms, None)  # e.g. no phone number: answer with the sentence
    if not cands:
        return _abstain(q, hits, ctx.mode, "检索到的段落中没有这类数值。" if q.lang == "zh" else "no such value in the closest passages.")
    best = cands[0]
    hit = _hit_for(best, hits)
    coverage = _coverage(current, best)
    if q.lang == "zh" or not ctx.dense:
        if not _years_ok(q, hit, ctx.pipeline):
            return _abstain(q, hits, ctx.mode, f"报告的统计期是{ctx.pipeline.report_years()}，没有{('、'.join(q.years))}年的这项数据。")
        if not _figures_ok(q, hit):
            return _abstain(q, hits, ctx.mode, f"报告中没有与“{'、'.join(q.figures)}”相符的内容。")
        if coverage < MIN_COVERAGE:
            return _abstain(q, hits, ctx.mode, "报告中没有与问题相符的内容，下面是最接近的段落，仅供参考。")
    if q.unit_class in ("money", "people", "percent") and best.value is not None and best.value.kind in ("number", "percent"):
        from qa.question import unit_class

        have = "percent" if best.value.kind == "percent" else unit_class(best.value.unit.lstrip("万亿余多"))
        if have != q.unit_class:
            return _abstain(q, hits, ctx.mode, f"报告中没有以“{q.unit}”计的这项数据。")
    quote, a, b = _quote(best)
    highlights = [_span(ctx.pipeline, hit, best.info.sentence, a, b)]
    if best.value is not None:
        highlights.insert(0, _span(ctx.pipeline, hit, best.info.sentence, best.value.start, best.value.end))
    text = quote
    if q.lang == "en":
        text = f"According to the report ({hit.section}): {quote}"
    return Answer(
        question=q.text, text=text, citations=(hit,), abstained=False, kind=q.kind,
        confidence=round(min(1.0, coverage), 3), highlights=tuple(highlights), lang=q.lang, mode=ctx.mode,
    )


def _fmt(x: float) -> str:
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _compare(ctx: _Context, q: Question, hits: Sequence[Hit]) -> Answer | None:
    comp = q.comparison
    assert comp is not None
    own = [ctx.weights(op, 2.0) for op in comp.operands]
    shared = set.intersection(*(set(o) for o in own)) if own else set()
    own = [{t: w for t, w in o.items() if t not in shared} for o in own]
    context = ctx.weights(q.text, 0.8)
    for o in own:
        for t in o:
            context.pop(t, None)
    picked: list[tuple[Candidate, Hit]] = []
    for op_text, op_terms in zip(comp.operands, own, strict=True):
        if not op_terms:
            return None
        op_hits = ctx.hits(op_text + " " + comp.context, 5)
        pool = {h.passage.chunk_id: h for h in [*hits, *op_hits]}
        ranked = [(i, h.passage) for i, h in enumerate(pool.values(), start=1)]
        kinds = {"number"} if comp.op in ("share", "ratio") else {"number", "percent"}
        found = None
        for cand in candidates(ranked, {**context, **op_terms}, kinds, q.unit if comp.op not in ("share", "ratio") else None):
            if cand.value is None or cand.value.amount is None:
                continue
            near = cand.matched & set(op_terms)
            if not near or any(cand.value == p.value and cand.info == p.info for p, _ in picked):
                continue
            found = cand
            break
        if found is None:
            return None
        picked.append((found, _hit_for(found, list(pool.values()))))
    values: list[Value] = [c.value for c, _ in picked]  # type: ignore[misc]
    amounts = [v.amount or 0.0 for v in values]
    unit = re.sub(r"^[万亿]", "", values[0].unit).lstrip("余多")
    in_wan = all(v.unit.startswith("万") for v in values)
    show = [v.text for v in values]

    def result(x: float, u: str = unit) -> str:
        if in_wan and abs(x) >= 1:
            return f"{_fmt(x / 10000)}万{u}（即{_fmt(x)}{u}）"
        return f"{_fmt(x)}{u}"

    op = comp.op
    if op in ("diff", "complement"):
        x = amounts[0] - amounts[1]
        text = f"{show[0]} − {show[1]} = {result(x)}"
    elif op == "sum":
        x = sum(amounts)
        text = " + ".join(show) + f" = {result(x)}"
    elif op == "ratio":
        if amounts[1] == 0:
            return None
        text = f"{show[0]} ÷ {show[1]} ≈ {_fmt(amounts[0] / amounts[1])}倍"
    elif op == "share":
        if amounts[1] == 0:
            return None
        text = f"{show[0]} ÷ {show[1]} ≈ {_fmt(100 * amounts[0] / amounts[1])}%"
    else:
        order = sorted(range(len(amounts)), key=lambda i: amounts[i], reverse=(op == "max"))
        win = order[0]
        rel = "＞" if op == "max" else "＜"
        text = f"{comp.operands[win]}{'更多' if op == 'max' else '更少'}：" + f" {rel} ".join(
            f"{comp.operands[i]}{show[i]}" for i in order
        )
        if comp.also_diff and len(amounts) == 2:
            text += f"；相差 {show[order[0]]} − {show[order[1]]} = {result(abs(amounts[0] - amounts[1]))}"
    citations: list[Hit] = []
    for _, h in picked:
        if all(h.chunk_id != c.chunk_id for c in citations):
            citations.append(h)
    highlights = tuple(
        _span(ctx.pipeline, h, c.info.sentence, c.value.start, c.value.end)  # type: ignore[union-attr]
        for c, h in picked
    )
    if q.lang == "en":
        text = f"Computed from the report: {text}"
    return Answer(
        question=q.text, text=text, citations=tuple(citations), abstained=False, kind="compare",
        confidence=0.8, highlights=highlights, working=text, lang=q.lang, mode=ctx.mode,
    )


def answer_question(
    pipeline: ReportQA, question: str, history: Sequence[str] | None = None, k: int | None = None,
    mode: Mode | None = None,
) -> Answer:
    text = clean_question(question)
    if history is None:
        history = ()
    if isinstance(history, str) or not isinstance(history, Sequence):
        raise TypeError("history must be a list of the previous questions (strings)")
    past = tuple(clean_question(h) for h in history if isinstance(h, str) and h.strip())[-3:]
    q = analyse(text, past)
    use = pipeline._mode(mode)
    ctx = _Context(pipeline, use, max(k or pipeline.settings.k, 5))
    current = ctx.weights(q.text)
    terms = dict(current)
    for age, previous in enumerate(reversed(past)):
        for t, w in ctx.weights(previous, 0.45 / (age + 1)).items():
            terms.setdefault(t, w)
    query = " ".join((*past[-1:], q.text))
    hits = ctx.hits(query)
    if q.lang == "en" and not ctx.dense and sum(current.values()) < 3.0:
        return _abstain(q, hits, use, "this English question matches no words of the (Chinese) report "
                        "and the multilingual model is not loaded. " + ENABLE_MODEL, ENABLE_MODEL)
    if not current and not past:
        return _abstain(q, hits, use, "问题里没有报告中出现的词语。" if q.lang == "zh" else "no words of the report in the question.")
    place = _unknown_place(q, ctx.idf)
    if place:
        return _abstain(q, hits, use, f"报告中没有提到“{place}”。" if q.lang == "zh" else f"the report never mentions {place}.")
    if q.comparison is not None:
        if q.comparison.op == "share":
            direct = _single(ctx, q.__class__(**{**q.__dict__, "kind": "rate", "unit": "%", "unit_class": "percent"}),
                             terms, current, hits)
            first = ctx.weights(q.comparison.operands[0])
            if not direct.abstained and direct.citations and all(
                t in read_sentence(_sentence_of(direct)).terms for t in first
            ):
                return direct
        computed = _compare(ctx, q, hits)
        if computed is not None:
            return computed
    return _single(ctx, q, terms, current, hits)


def _sentence_of(a: Answer) -> Sentence:
    hit = a.citations[0]
    span = a.highlights[0]
    for s in hit.passage.sentences:
        if s.start <= span.start < s.end:
            return s
    return hit.passage.sentences[0]
