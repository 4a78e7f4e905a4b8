"""Comparisons computed from the report: difference, sum, ratio, share, which is larger, and
"…中未…的" (the rest of a whole). Each operand is a cited value found like a single fact,
for its own words; an English question's operands are first looked for among the figures the
report lists together, each the one its words name (the glossary is loose, the asker elliptical:
"more by letter than online"). The working is shown (``区县政府5208件 − 市政府部门2134件 = 3074件``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import permutations

from qa.context import SCOPE_TERM, Context, hit_for, span
from qa.extract import (
    Candidate,
    Value,
    bare_unit,
    candidates,
    heading_terms,
    name_after,
    read_sentence,
    sentence_index,
    value_class,
)
from qa.question import Question
from qa.text import tokenize
from qa.types import Answer, Hit, Sentence


def _fmt(x: float) -> str:
    if abs(x - round(x)) < 1e-9:
        return str(round(x))
    return f"{x:.2f}".rstrip("0").rstrip(".")


TOTAL_WORD = re.compile(r"总|共|全部|合计")
_RATE_ASKED = re.compile(r"率|比例|比重|占比|百分")
_TOP_ASKED = re.compile(r"前[\d一二三四五六七八九十两]+[个位名家项]?")


def _is_total(c: Candidate) -> bool:
    v = c.value
    assert v is not None
    start = c.info.clauses[v.clause][0]
    return bool(TOTAL_WORD.search(c.info.sentence.text[start : v.start]))


def _comparable(a: Value, b: Value) -> bool:
    if (a.kind == "percent") != (b.kind == "percent"):
        return False
    ua, ub = value_class(a), value_class(b)
    return ua is None or ub is None or ua == ub


def whole_without_part(q: Question, best: Candidate) -> str | None:
    """A figure the question states as the whole it asks a part of ("政府网站公开的628088条信息中，
    市本级…") that is neither in the answer's sentence nor the one before: a part of it would be
    given with it, so the report does not give the part."""
    at = sentence_index(best) or 0
    near = best.info.sentence.text + (best.passage.sentences[at - 1].text if at > 0 else "")
    text = q.norm.replace(",", "")
    for f in q.figures:
        n = re.escape(f)
        if f not in near and (re.search(rf"(?<![\d.]){n}[^，,。？?]{{0,12}}(?:中|里|当中)", text) or re.search(
                rf"\b(?:of|out of|among)\s+(?:the|those|these|all|all the)?\s*{n}(?![\d.])", text, re.I)):
            return f  # "…628088条信息中", "of the 628,088 items …"
    return None


def _listed_part(cand: Candidate, op_terms: dict[str, float], picked: Sequence[tuple[Candidate, Hit]]) -> bool:
    """Whether a figure is a part's among parts the report lists together: in the passage of the
    parts found so far, and named near it by half its words (its clause and the two before)."""
    if picked and cand.passage.chunk_id != picked[0][0].passage.chunk_id:
        return False
    return sum(w for t, w in op_terms.items() if t in cand.close) >= 0.5 * sum(op_terms.values())


def _label_before(c: Candidate) -> str:
    """The report's words that name a figure: from its clause's start (or the figure before it)."""
    v = c.value
    if v is None:
        return ""
    text = c.info.sentence.text
    start = c.info.clauses[v.clause][0]
    start = max([start, *(o.end for o in c.info.values if start <= o.end <= v.start)])
    label = re.sub(r"^[，,、；;：:（(其中和及与为是有]+|[，,、；;：:为是有共计达]+$", "", text[start : v.start].strip())
    return label[-16:]


#: An English operand's figure must have a meaning of at least this share of the operand's words
#: in its sentence or headings (the glossary is loose: a weak match computes a wrong figure).
EN_OPERAND_COVERAGE = 0.6
_UNIT_FAMILIES = ("件份", "个项")


def _english_operand_ok(groups: Sequence[frozenset[str]], cand: Candidate,
                        picked: Sequence[tuple[Candidate, Hit]]) -> bool:
    if not groups:
        return False
    near = cand.info.terms | heading_terms(cand.passage.section)
    if sum(bool(g & near) for g in groups) / len(groups) < EN_OPERAND_COVERAGE:
        return False
    if picked and cand.value is not None and picked[0][0].value is not None:
        return _alike(picked[0][0].value, cand.value)  # counted alike (not 人次 beside a bare 超过50万)
    return True


def compare(ctx: Context, q: Question, hits: Sequence[Hit]) -> Answer | None:
    """The comparison computed from the operands' cited figures, None when they are not found."""
    assert q.comparison is not None
    picked = _listed_operands(ctx, q, hits) if q.lang == "en" else None
    picked = picked or _each_operand(ctx, q, hits)
    return None if picked is None else _computed(ctx, q, picked)


def _kinds(q: Question) -> set[str]:
    """The kinds of figure a comparison compares."""
    comp = q.comparison
    assert comp is not None
    if comp.op in ("share", "ratio"):
        return {"number"}
    if comp.op in ("max", "min") and _RATE_ASKED.search(comp.measure or ""):
        return {"percent"}  # "谁的答复率最低": the rates, not the counts beside them
    return {"number", "percent"}


def _alike(a: Value, b: Value) -> bool:
    """Two figures counted alike: both rates, or counts of one unit (件 and 份 are one)."""
    ua, ub = bare_unit(a), bare_unit(b)
    return a.kind == b.kind and (ua == ub or any(ua in f and ub in f for f in _UNIT_FAMILIES if ua and ub))


#: How closely a word names a figure: its own words (its 分别 item, the noun after it in an
#: enumeration, the words before it in its clause), the clause before, the one before that, the
#: rest of its sentence.
NAME_LEVELS = (1.0, 0.6, 0.45, 0.25)


def _naming(c: Candidate) -> list[tuple[float, frozenset[str]]]:
    """The report's words about one figure, closest first, with how closely each level names it:
    "网络申请、当面申请…分别为1908件、1868件" (网络申请 for 1908件), "惠及89.2万名城乡低保对象",
    "审批项目239个，总投资953.8亿元" (审批项目 in the clause before)."""
    v = c.value
    assert v is not None
    info = c.info
    # a 分别 list's figure is named by its item, an enumerated one by the noun after it, not by the
    # words of the items before it ("449项市级行政审批事项、342项区县通用…")
    own = frozenset(tokenize(v.item or _name_after(c))) or v.label
    before = [info.clause_terms[v.clause - k] if v.clause >= k else frozenset() for k in (1, 2)]
    return list(zip(NAME_LEVELS, (own, *before, info.terms), strict=True))


def _named(group: frozenset[str], naming: Sequence[tuple[float, frozenset[str]]]) -> float:
    """How closely the report's words about a figure name one of the meanings in ``group``."""
    return next((level for level, words in naming if group & words), 0.0)


def _listed_operands(ctx: Context, q: Question, hits: Sequence[Hit]) -> list[tuple[Candidate, Hit]] | None:
    """An English comparison's figures among the figures the report lists together (one sentence
    and those joined to it by "；", else the passage): each operand is the figure its words name —
    words that name every figure ("requests … filed") tell nothing apart, and the asker's ellipsis
    ("than in person") leaves them out. One best assignment or none: a tie is no answer."""
    comp = q.comparison
    assert comp is not None
    own = [ctx.english_groups(op) for op in comp.operands]
    if not all(own):
        return None
    asked = ctx.english_groups(q.text)
    pool = candidates([(h.rank, h.passage) for h in hits], ctx.english_weights(q.text), _kinds(q), q.unit)
    seen: set[tuple[str, tuple[int, ...]]] = set()
    for best in pool[:6]:
        at = sentence_index(best)
        if at is None or best.value is None:
            continue
        # the sentences listed with the best-fitting figure's, then its whole passage
        for run in (_run_of(best.passage.sentences, at), list(range(len(best.passage.sentences)))):
            if (best.passage.chunk_id, tuple(run)) in seen:
                continue
            seen.add((best.passage.chunk_id, tuple(run)))
            picked = _assigned(q, own, asked, best, run)
            if picked is not None:
                return [(c, hit_for(c, hits)) for c in picked]
    return None


def _assigned(q: Question, own: Sequence[Sequence[frozenset[str]]], asked: Sequence[frozenset[str]],
              best: Candidate, run: Sequence[int]) -> list[Candidate] | None:
    """The operands' figures among the figures of ``run`` (sentences of ``best``'s passage) counted
    as ``best`` is, each named by a meaning of the operand's words (``own``) that tells it from
    the others; ``asked`` are the meanings of the question's words."""
    comp = q.comparison
    assert comp is not None and best.value is not None
    figures = [Candidate(best.passage, best.rank, info, v, best.score, best.matched)
               for info in (read_sentence(best.passage.sentences[i]) for i in run)
               for v in info.values if v.amount is not None and _alike(v, best.value)]
    if len(figures) < len(own):
        return None
    namings = [_naming(f) for f in figures]
    fit = [[[_named(g, n) for g in mine] for n in namings] for mine in own]
    choice = _assignment(fit, summed=comp.op == "sum")
    if choice is None:
        return None
    picked = [figures[j] for j in choice]
    near = heading_terms(best.passage.section).union(*(f.info.terms for f in picked))

    def covered(groups: Sequence[frozenset[str]]) -> float:
        return sum(bool(g & near) for g in groups) / max(len(groups), 1)

    # the question's words are about these figures, as a single answer's must be, and half of
    # each operand's at least (the glossary's "city" is 全市, where the report says 市本级)
    if covered(asked) < EN_OPERAND_COVERAGE or any(covered(groups) < 0.5 for groups in own):
        return None
    a, b = (c.value.amount or 0.0 for c in picked[:2])  # type: ignore[union-attr]
    if (comp.op == "complement" and not b < a) or (comp.op == "share" and not a < b):
        return None  # a part is smaller than its whole
    return picked


def _assignment(fit: Sequence[Sequence[Sequence[float]]], summed: bool = False) -> tuple[int, ...] | None:
    """The one best way to give each operand a figure of its own: ``fit[i][j][k]`` is how closely
    figure j is named by the k-th word of operand i. Each operand's figure must be named, near it,
    by one of the operand's words more closely than another operand's figure is ("online" names
    网络申请 1908件, not 当面申请 1868件; "requests" names both and tells nothing). None when no
    way fits or two fit equally well. A sum (``summed``) needs the right figures, in any order: each
    named near it by one of its operand's words."""
    def tells(i: int, cols: tuple[int, ...]) -> bool:
        return any(fit[i][cols[i]][k] >= NAME_LEVELS[2]
                   and (summed or min(fit[i][j][k] for n, j in enumerate(cols) if n != i) < fit[i][cols[i]][k])
                   for k in range(len(fit[i][0])))

    named = [j for j in range(len(fit[0])) if any(max(row[j]) >= NAME_LEVELS[2] for row in fit)]
    scored = sorted(((sum(sum(fit[i][j]) / len(fit[i][j]) for i, j in enumerate(cols)), cols)
                     for cols in permutations(named, len(fit))
                     if all(tells(i, cols) for i in range(len(fit)))), reverse=True)
    if summed:  # one set of figures, however the operands are matched to them
        best = max(scored, default=None)
        scored = [best] if best and not any(set(c) != set(best[1]) for _, c in scored) else scored
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


def _subjects(ctx: Context, q: Question, text: str) -> list[str]:
    """Who or where an operand is about: the report's scope words (区县政府, 市政府部门), or the
    English words the glossary reads as such ("district and county governments")."""
    if q.lang != "en":
        return ctx.scopes(text)
    words = [w for w, g in ctx.english_word_groups(text) if any(SCOPE_TERM.search(t) for t in g)]
    return [" ".join(words)] if words else []  # read together: "district county govern" is 区县政府


def _each_operand(ctx: Context, q: Question, hits: Sequence[Hit]) -> list[tuple[Candidate, Hit]] | None:
    """Each operand's figure found like a single fact, for the operand's own words."""
    comp = q.comparison
    assert comp is not None
    weights = ctx.english_weights if q.lang == "en" else ctx.weights  # an English question: its glossary words
    own = [weights(op, 2.0) for op in comp.operands]
    shared = set.intersection(*(set(o) for o in own)) if own else set()
    own = [{t: w for t, w in o.items() if t not in shared} for o in own]
    context = weights(q.text, 0.8)
    for o in own:
        for t in o:
            context.pop(t, None)
    context.update(weights(comp.measure, 2.0) if comp.measure else {})  # what is compared counts as much
    picked: list[tuple[Candidate, Hit]] = []
    for n, (op_text, op_terms) in enumerate(zip(comp.operands, own, strict=True)):
        if not op_terms:
            return None
        op_hits = ctx.hits(op_text + " " + comp.context, 5)
        pool = {h.passage.chunk_id: h for h in [*hits, *op_hits]}
        ranked = [(i, h.passage) for i, h in enumerate(pool.values(), start=1)]
        kinds = _kinds(q)
        unit = q.unit if comp.op not in ("share", "ratio") else None
        if picked and picked[0][0].value is not None:
            unit = bare_unit(picked[0][0].value) or unit  # operands are counted alike
        groups = ctx.english_groups(op_text) if q.lang == "en" else []
        if n >= 1 and (comp.op == "complement" or (comp.op in ("diff", "sum") and not _subjects(ctx, q, op_text))):
            # an operand that names no subject has the first one's: "A中未B的", "区县政府受理的比答复的多"
            # (市政府部门受理… → 市政府部门答复…, 区县政府受理… → 区县政府答复…; "… than they answered")
            for scope in _subjects(ctx, q, comp.operands[0]):
                op_terms = {**weights(scope, 2.0), **op_terms}
                groups = [*groups, *ctx.english_groups(scope)] if q.lang == "en" else groups
        if comp.op == "share" and n == 1:
            unit = None  # a total may be counted with another word (申请7896份 vs 受理5208件)
        pool_cands = candidates(ranked, {**context, **op_terms}, kinds, unit)
        if TOTAL_WORD.search(op_text):  # "总量/总数/共": prefer the figure introduced as a total
            pool_cands.sort(key=lambda c: -c.score * (1.3 if c.value and _is_total(c) else 1.0))
        found = None
        for cand in pool_cands:
            v = cand.value
            if v is None or v.amount is None or not (cand.matched & set(op_terms)):
                continue
            if any(v == p.value and cand.info == p.info for p, _ in picked):
                continue
            if whole_without_part(q, cand):
                continue  # "11499篇政策解读信息中，市本级和区县各占多少": parts given with the whole
            if picked and not _comparable(picked[0][0].value, v):  # type: ignore[arg-type]
                continue
            if picked and comp.op in ("sum", "each") and not _alike(picked[0][0].value, v):  # type: ignore[arg-type]
                continue  # a sum adds what is counted alike: not 篇 and 次
            if comp.loose and not _listed_part(cand, op_terms, picked):
                continue  # "A和B一共": parts the report lists together, each named where its figure is
            if q.lang == "en" and not _english_operand_ok(groups, cand, picked):
                continue
            first = picked[0][0].value.amount if picked else None  # type: ignore[union-attr]
            # a part is smaller than its whole: "A中未B的" needs B < A, "A占B" needs A < B
            if first is not None and comp.op == "complement" and not v.amount < first:
                continue
            if first is not None and comp.op == "share" and not v.amount > first:
                continue
            found = cand
            break
        if found is None:
            return None
        picked.append((found, hit_for(found, list(pool.values()))))
    return picked


def _computed(ctx: Context, q: Question, picked: Sequence[tuple[Candidate, Hit]]) -> Answer | None:
    """The working and result of the comparison over the picked figures."""
    comp = q.comparison
    assert comp is not None
    values: list[Value] = [c.value for c, _ in picked]  # type: ignore[misc]
    amounts = [v.amount or 0.0 for v in values]
    unit = bare_unit(values[0])
    scale = next((m for m in ("亿", "万") if all(v.unit.startswith(m) for v in values)), "")
    show = [v.text for v in values]
    # a year in the asker's words (去年 read as 2018年) names when, not a figure of the working
    names = [re.sub(r"(?:19|20)\d{2}年(?:度)?", "", name) or name for name in comp.operands]
    if q.lang == "en":  # each operand named by the report's own words before its figure, not the asker's
        names = [figure_name(c) or name for (c, _), name in zip(picked, names, strict=True)]
    named = [f"{name}{v.text}" for name, v in zip(names, values, strict=True)]

    # "70余次", "500＋": an operand the report gives as about so many makes the result about so many
    about = "约" if any(re.search(r"[余多＋+]", v.unit) for v in values) else ""

    def result(x: float, u: str = unit) -> str:
        if scale:
            factor = 1e8 if scale == "亿" else 1e4
            exact = f"（即{_fmt(x)}{u}）" if scale == "万" else ""
            return f"{about}{_fmt(x / factor)}{scale}{u}{exact}"
        return f"{about}{_fmt(x)}{u}"

    op = comp.op
    if op in ("diff", "complement"):
        x = amounts[0] - amounts[1]
        text = f"{named[0]} − {named[1]} = {result(x)}"
        if x < 0 and op == "diff":  # "A比B多多少" when A is the smaller: say so, with the positive gap
            text = f"{named[1]} − {named[0]} = {result(-x)}" + (
                f"：{names[0]}比{names[1]}少{result(-x)}" if q.lang == "zh" else f": {names[0]} is {result(-x)} fewer")
    elif op == "sum":
        x = sum(amounts)
        text = " + ".join(named) + f" = {result(x)}"
    elif op == "each":
        text = "；".join(named)
    elif op == "ratio":
        if amounts[1] == 0:
            return None
        text = f"{named[0]} ÷ {named[1]} ≈ {_fmt(amounts[0] / amounts[1])}倍"
    elif op == "share":
        if amounts[1] == 0:
            return None
        text = f"{named[0]} ÷ {named[1]} ≈ {_fmt(100 * amounts[0] / amounts[1])}%"
    else:
        order, chain = _ranking(amounts, named, op)
        win = order[0]
        more, less = ("更高", "更低") if values[0].kind == "percent" else ("更多", "更少")  # rates are high, not many
        text = f"{names[win]}{more if op == 'max' else less}：{chain}"
        if len(set(amounts)) == 1:  # neither: say so
            text = "一样多：" + " ＝ ".join(named)
        if comp.also_diff and len(amounts) == 2:
            text += f"；相差 {show[order[0]]} − {show[order[1]]} = {result(abs(amounts[0] - amounts[1]))}"
    return computed_answer(ctx, q, picked, text)


def _ranking(amounts: Sequence[float], named: Sequence[str], op: str) -> tuple[list[int], str]:
    """The figures' order, largest first for "max", and the working: "A 5 ＞ B 3 ＞ C 1"."""
    order = sorted(range(len(amounts)), key=lambda i: amounts[i], reverse=op == "max")
    return order, f" {'＞' if op == 'max' else '＜'} ".join(named[i] for i in order)


def computed_answer(ctx: Context, q: Question, picked: Sequence[tuple[Candidate, Hit]], working: str) -> Answer:
    """The answer for a figure computed from cited values: the working, each operand's passage
    cited once, each operand highlighted."""
    citations: list[Hit] = []
    for _, h in picked:
        if all(h.chunk_id != c.chunk_id for c in citations):
            citations.append(h)
    highlights = tuple(
        span(ctx.pipeline, h, c.info.sentence, c.value.start, c.value.end)  # type: ignore[union-attr]
        for c, h in picked
    )
    text = f"Computed from the report: {working}" if q.lang == "en" else working
    return Answer(
        question=q.text, text=text, citations=tuple(citations), abstained=False, kind="compare",
        confidence=0.8, highlights=highlights, working=text, lang=q.lang, mode=ctx.mode,
    )


#: "哪一类人数最多": the superlatives an extreme among the report's figures answers.
_EXTREME = {"最多": "max", "最高": "max", "最大": "max", "最少": "min", "最低": "min"}
def _name_after(c: Candidate) -> str:
    """The noun right after a figure in an enumeration ("89.2万名城乡低保对象、…"), or ''."""
    v = c.value
    assert v is not None
    span = name_after(c.info.sentence.text, v.end)
    return c.info.sentence.text[span[0] : span[1]] if span else ""


def figure_name(c: Candidate, measure: frozenset[str] = frozenset()) -> str:
    """The report's words for what a figure is of: its item of a 分别 list (网络申请), the noun after
    it in an enumeration (城乡低保对象), or the words before it — the figure before's when those
    are only the measure asked (市政府办公厅答复554件，答复率100% → 市政府办公厅答复)."""
    v = c.value
    assert v is not None
    if v.item:
        return v.item
    after = _name_after(c)
    if after:
        return after
    name = _label_before(c)
    if not name or set(tokenize(name)) <= measure | {"占", "总数", "的"}:
        before = [o for o in c.info.values if o.end <= v.start and o.kind in ("number", "percent")]
        if before:
            prev = Candidate(c.passage, c.rank, c.info, before[-1], c.score, c.matched)
            name = _label_before(prev) or name
    return re.sub(r"(?:的有|的是|的|有|为)$", "", name)


#: "从公开渠道来看，…": a sentence that opens a new way of breaking the figures down.
_NEW_VIEW = re.compile(r"^\s*从[^，,]{1,10}(?:来)?看")


def _run_of(sentences: Sequence[Sentence], at: int) -> list[int]:
    """The sentence and the ones joined to it by "；" (the report's lists of parallel clauses), as
    far as one that breaks the figures down another way (从公开层级来看 … ；从公开渠道来看 …)."""
    def joined(i: int) -> bool:  # sentence i continues sentence i − 1
        return sentences[i - 1].text.rstrip().endswith(("；", ";")) and not _NEW_VIEW.match(sentences[i].text)
    first = at
    while first > 0 and not _NEW_VIEW.match(sentences[first].text) and joined(first):
        first -= 1
    last = at
    while last + 1 < len(sentences) and joined(last + 1):
        last += 1
    return list(range(first, last + 1))


def _measure(q: Question, terms: dict[str, float], best: Candidate) -> frozenset[str]:
    """The words of what is compared (the superlative and the question words found at the figure):
    not a name of any of the figures."""
    return frozenset(tokenize(q.ranked or "")) | {t for t in terms if t in best.matched}


def _listed_with(best: Candidate, q: Question, terms: dict[str, float], excluded: set[str]) -> list[Candidate]:
    """The figures of ``best``'s run of sentences counted as it is, totals and ruled-out ones left out."""
    assert best.value is not None
    sentences = best.passage.sentences
    at = sentence_index(best)
    if at is None:
        return []
    measure = _measure(q, terms, best)
    out: list[Candidate] = []
    for i in _run_of(sentences, at):
        info = read_sentence(sentences[i])
        for v in info.values:
            if v.amount is None or v.kind != best.value.kind or bare_unit(v) != bare_unit(best.value):
                continue
            cand = Candidate(best.passage, best.rank, info, v, best.score, best.matched)
            if _is_total(cand) or re.match(r"[\d.]+", v.text).group(0) in q.figures:  # type: ignore[union-attr]
                continue  # 全市共收到申请7896份, the 38个区县 the question states: not one of the kinds
            if excluded and set(tokenize(figure_name(cand, measure))) & excluded:
                continue  # 不算信函申请
            out.append(cand)
    return out


def extreme(ctx: Context, q: Question, terms: dict[str, float], hits: Sequence[Hit]
            ) -> tuple[Answer, list[Candidate]] | None:
    """"各类对象中哪一类人数最多": no operands named — the answer is the largest (smallest) of the
    figures the report lists together, each named by the report's words, the working shown (with the
    figures, the answer's first). None when the best-fitting sentence lists fewer than two comparable
    figures."""
    op = _EXTREME.get(q.ranked or "")
    if op is None or q.comparison is not None or q.lang != "zh" or _TOP_ASKED.search(q.norm):
        return None  # "最多的前五个是哪几个" asks for the report's ranking, not one figure
    ranked = [(h.rank, h.passage) for h in hits]
    percent = bool(_RATE_ASKED.search(q.norm))
    pool = candidates(ranked, terms, {"percent"} if percent else {"number"}, q.unit)
    excluded = {t for phrase in q.ruled_out for t in tokenize(phrase)}
    for best in pool[:5]:  # the best-fitting figure that is listed with others counted alike
        figures = _listed_with(best, q, terms, excluded)
        if len(figures) >= 2:
            break
    else:
        return None
    names = [figure_name(c, _measure(q, terms, best)) for c in figures]
    if len(set(names)) < len(names) or not all(names):
        return None  # the figures are not of distinct, named things
    values: list[Value] = [c.value for c in figures]  # type: ignore[misc]
    order, chain = _ranking([v.amount or 0.0 for v in values], [f"{n}{v.text}" for n, v in zip(names, values, strict=True)], op)
    win = order[0]
    needs = [n for n in q.needs if n.role != "last"]  # the smallest of the figures is the bottom asked
    if values[order[0]].amount == values[order[1]].amount or not all(n.met(names[win]) for n in needs):
        return None  # a tie at the top: no one answer; 区县政府 when a 局 is asked
    hit = hit_for(figures[win], list(hits))
    text = f"{names[win]}{q.ranked}：{chain}"
    return computed_answer(ctx, q, [(figures[i], hit) for i in order], text), [figures[i] for i in order]
