"""Finding the value that answers a question inside retrieved passages.

Each sentence of a candidate passage is read once (and memoised): its clauses
(split at ，；： outside brackets), the values in it — figures with their unit,
percentages, document numbers 〔…〕号, titles 《…》, dates, phone numbers, web
addresses — and, for "A、B、C分别为x、y、z", which item each value belongs to.

A candidate (a value, or a whole sentence for list/fact questions) is scored by
the question's terms it is near: in its clause, in the clause before, in the
sentence, in the section headings; each term weighted by its IDF in the
corpus. Nothing here knows any particular question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.document import CLOSERS, OPENERS
from qa.numerals import parse_value
from qa.question import unit_class
from qa.text import tokenize, tokenize_query
from qa.types import Passage, Sentence

_UNIT = r"(?:万人次|人次|万元|亿元|场次|万户|万条|万件|万名|[个件份条项次篇宗期批户名人家组场所座元类只位倍天年号万亿]|余[个件份条项次篇名人]?|多[个件份条项次篇名人]?)*"
VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("docno", re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号")),
    ("title", re.compile(r"《[^《》]{2,80}》")),
    ("date", re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")),
    ("phone", re.compile(r"\d{3,4}[—\-－]\d{7,8}")),
    ("url", re.compile(r"(?:https?://)?www\.[A-Za-z0-9.-]+")),
    ("percent", re.compile(r"\d+(?:\.\d+)?[%％]")),
    ("number", re.compile(rf"\d+(?:\.\d+)?{_UNIT}[＋+]?")),
)
VALUE_KINDS = {
    "number": {"number", "percent"},
    "rate": {"percent"},
    "docno": {"docno"},
    "date": {"date"},
    "compare": {"number", "percent"},
}
CLAUSE_SPLIT = "，；：,;:"
#: A sentence that ranks: 列前5位的分别为…, 排名第一, 位居全国前列, 最多的是….
RANKING = re.compile(r"列前[\d一二三四五六七八九十]+位|前[\d一二三四五六七八九十]+(?:位|名)|排名第|位居|居首|最多的是|最高的是")
#: A sentence's score for a "which one is first" question: (one that does not rank, one that ranks).
RANK_FACTORS = (0.6, 1.5)
#: A sentence's score for a list question: (one that does not list, one that lists).
LIST_FACTORS = (0.7, 1.3)


def lists(sentence: str) -> bool:
    """Whether a sentence enumerates: items joined by 、, or 分别 naming each."""
    return sentence.count("、") >= 2 or "分别" in sentence


_CN_COUNT = "零一二三四五六七八九十"
#: A sentence that states as many things as a list question asks for: 7大版块, 五类政策信息, 列前5位.
LISTED_FACTOR = 1.3


def counts(sentence: str, n: int) -> bool:
    """Whether a sentence says there are ``n`` things (7大版块, 五类政策信息, 三大领域, 列前5位) or
    lists ``n`` items (A、B、C和D: four).

    >>> counts("设置“首页、市政府领导、重庆发展”7大版块", 7), counts("三大领域政府信息公开", 3)
    (True, True)
    >>> counts("大足区、北碚区、巫山县、渝北区和长寿区", 5), counts("开设7个专栏", 5)
    (True, False)
    """
    words = [str(n)] + ([_CN_COUNT[n]] if n <= 10 else []) + (["两"] if n == 2 else [])
    for w in words:
        if re.search(rf"(?<![\d.{_CN_COUNT}百千万两]){w}(?:[个类项种大家条位名]|\s*[“\"])|前{w}[位名]", sentence):
            return True
    for segment in re.split(r"[，。；：,;:]", sentence):
        if "、" in segment:
            last = segment.rsplit("、", 1)[1]
            if segment.count("、") + 1 + bool(re.search(r"[和及与]", last)) == n:
                return True
    return False

_ITEM_SPLIT = re.compile(r"、|和|及|与")


@dataclass(frozen=True)
class Value:
    kind: str  # docno, title, date, phone, url, percent, number, year, rank
    text: str
    start: int  # in the sentence text
    end: int
    clause: int
    amount: float | None
    unit: str
    item: str | None = None  # the item of a "分别" list this value belongs to
    label: frozenset[str] = frozenset()  # words between the previous value (or clause start) and this one
    #: words only inside the "（其中A a、B b）" right after this value: they name its parts, not it
    breakdown: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SentenceInfo:
    sentence: Sentence
    clauses: tuple[tuple[int, int], ...]
    clause_terms: tuple[frozenset[str], ...]
    terms: frozenset[str]
    values: tuple[Value, ...]
    list_span: tuple[int, int] | None  # the "A、B、C" items of a 分别 list


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
        elif ch in CLAUSE_SPLIT and depth == 0:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


def _values(text: str, clauses: list[tuple[int, int]]) -> list[Value]:
    taken: list[tuple[int, int]] = []
    out: list[Value] = []
    for kind, pattern in VALUE_PATTERNS:
        for m in pattern.finditer(text):
            a, b = m.span()
            if any(a < y and x < b for x, y in taken):
                continue
            taken.append((a, b))
            vtext = m.group(0)
            unit = re.sub(r"^[\d.]+", "", vtext)
            k = kind
            if kind == "number":
                before, after = text[a - 1] if a else "", text[b] if b < len(text) else ""
                if re.fullmatch(r"(?:19|20)\d{2}年?", vtext) or (after and after in "年—-" and len(vtext) == 4):
                    k = "year"
                elif (before and before in "前第") or unit.startswith("位"):
                    k = "rank"
                elif re.match(r"[A-Za-z]", after) or re.match(r"[A-Za-z]", before):
                    k = "name"  # 4A级, IPv6, 5G: a grade or a version, not a quantity
                elif after == "”" or before == "“":
                    k = "name"  # “12345”, “1277”: a name, not a quantity (40个“网上客厅” is one)
                elif (unit.startswith("号") and re.search(r"[路街巷道]$", text[:a])) or re.search(r"邮编[:：]?$", text[:a]):
                    k = "name"  # 人民路232号, 邮编：400010: an address, not a quantity
            clause = next(i for i, (x, y) in enumerate(clauses) if x <= a < y)
            amount = parse_value(vtext) if k in ("number", "percent") else None
            out.append(Value(k, vtext, a, b, clause, amount, unit))
    return sorted(out, key=lambda v: v.start)


def _align_lists(text: str, values: list[Value]) -> tuple[list[Value], tuple[int, int] | None]:
    """Give each value of "A、B、C分别为x、y、z" its item; the items' span is returned."""
    at = text.find("分别")
    if at < 0:
        return values, None
    start = max(text.rfind(ch, 0, at) for ch in "，；：,;:")
    head_start = start + 1
    head = text[head_start:at]
    if "、" not in head and start >= 0:  # "…A、B、C，分别发布…": the list ends the clause before
        prev = max(text.rfind(ch, 0, start) for ch in "，；：,;:")
        head_start, head = prev + 1, text[prev + 1 : start]
    items = [i for i in _ITEM_SPLIT.split(head) if i]
    if len(items) < 2:
        return values, None
    out = list(values)
    groups: list[list[int]] = []
    for idx, v in enumerate(values):
        if v.start < at or v.kind not in ("number", "percent"):
            continue
        if groups and text[values[groups[-1][-1]].end : v.start] in ("、", "和", "及"):
            groups[-1].append(idx)
        else:
            groups.append([idx])
    for group in groups:
        if len(group) < 2 or len(group) > len(items):
            continue
        names = items[-len(group) :]
        for name, idx in zip(names, group, strict=True):
            out[idx] = Value(**{**out[idx].__dict__, "item": name.strip("“”")})
    return out, (head_start, head_start + len(head))


_BREAKDOWN = re.compile(r"\s*(?P<open>[（(])其中")


def _with_breakdown(text: str, clauses: list[tuple[int, int]], v: Value) -> Value:
    """A total followed by its parts in brackets — 信息6.6万条（其中市级1.7万条、区县4.9万条） — keeps
    the parts' names out of its own words, so "区县" finds 4.9万条, not the total."""
    m = _BREAKDOWN.match(text, v.end)
    if not m:
        return v
    depth, end = 0, len(text)
    for i in range(m.start("open"), len(text)):
        if text[i] in OPENERS:
            depth += 1
        elif text[i] in CLOSERS:
            depth -= 1
            if depth == 0:
                end = i + 1
                break
    a, b = clauses[v.clause]
    outside = frozenset(tokenize(text[a : v.end] + text[end:b]))
    return Value(**{**v.__dict__, "breakdown": frozenset(tokenize(text[v.end : end])) - outside})


#: The thing a figure counts when the report names it after the figure: "89.2万名城乡低保对象、".
_NAME_AFTER = re.compile(r"[\u4e00-\u9fff]{2,12}?(?=[、，,；;。）)]|和|及|$)")
_LAST_NAME = re.compile(r"[\u4e00-\u9fff]{2,12}")
#: What joins the figures of an enumeration (…城乡低保对象、18.5万名…).
_JOINED = re.compile(r"[、和及]|以及")


def name_after(text: str, end: int) -> tuple[int, int] | None:
    """The span of the noun right after a figure ending at ``end`` ("89.2万名城乡低保对象、…"), or None."""
    if not re.match(r"[\u4e00-\u9fff]", text[end : end + 1]):
        return None
    m = _NAME_AFTER.match(text, end)
    return m.span() if m else None


def _enumerated(text: str, values: list[Value]) -> tuple[list[Value], tuple[int, int] | None]:
    """Give each figure of "惠及89.2万名城乡低保对象、18.5万名城乡特困供养人员、…" the thing named after
    it as its item — two figures or more, each followed by its name and joined by 、/和/及 — so that
    城乡低保 finds 89.2万名 and not the next figure (whose words before it are the previous name);
    the enumeration's span is returned as a list's is (:func:`_align_lists`)."""
    names: dict[int, tuple[int, int]] = {}

    def joined(i: int) -> bool:  # figure i follows figure i − 1's name, joined by 、/和/及
        return i - 1 in names and bool(_JOINED.fullmatch(text[names[i - 1][1] : values[i].start]))

    for i, v in enumerate(values):
        span = name_after(text, v.end)
        if span is None and joined(i) and re.match(r"[\u4e00-\u9fff]", text[v.end : v.end + 1]):
            m = _LAST_NAME.match(text, v.end)  # the last of them may run on into the verb ("…事项全部实现")
            span = m.span() if m else None
        if span:
            names[i] = span
    runs: list[list[int]] = []
    for i in sorted(names):
        if runs and runs[-1][-1] == i - 1 and joined(i):
            runs[-1].append(i)
        else:
            runs.append([i])
    runs = [r for r in runs if len(r) >= 2]
    if not runs:
        return values, None
    out = list(values)
    for run in runs:
        for i in run:
            a, b = names[i]
            out[i] = Value(**{**values[i].__dict__, "item": text[a:b]})
    first, last = runs[0][0], runs[0][-1]
    return out, (values[first].start, names[last][1])


@lru_cache(maxsize=65536)
def read_sentence(sentence: Sentence) -> SentenceInfo:
    text = sentence.text
    clauses = _clauses(text)
    values, list_span = _align_lists(text, _values(text, clauses))
    if list_span is None:
        values, list_span = _enumerated(text, values)
    labelled = []
    for i, v in enumerate(values):
        start = clauses[v.clause][0]
        if i and values[i - 1].clause == v.clause:
            start = values[i - 1].end
        labelled.append(Value(**{**v.__dict__, "label": frozenset(tokenize(text[start : v.start]))}))
    values = [_with_breakdown(text, clauses, v) for v in labelled]
    clause_terms = tuple(frozenset(tokenize(text[a:b])) for a, b in clauses)
    return SentenceInfo(
        sentence, tuple(clauses), clause_terms, frozenset().union(*clause_terms), tuple(values), list_span
    )


@lru_cache(maxsize=16384)
def passage_words(passage: Passage) -> frozenset[str]:
    """Every indexed word of a passage's sentences (read once per passage)."""
    return frozenset().union(*(read_sentence(s).terms for s in passage.sentences))


@lru_cache(maxsize=16384)
def heading_terms(section: tuple[str, ...]) -> frozenset[str]:
    return frozenset(tokenize(" ".join(section)))


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    rank: int  # the passage's retrieval rank, 1-based
    info: SentenceInfo
    value: Value | None
    score: float
    matched: frozenset[str]  # question terms found near it (clause, sentence or headings)
    focus: int = 0  # the clause that matches best (for a sentence without a value)
    close: frozenset[str] = frozenset()  # the terms found in its own or the two previous clauses

    @property
    def clause_index(self) -> int:
        return self.value.clause if self.value else self.focus


def sentence_index(c: Candidate) -> int | None:
    """Where the candidate's sentence is among its passage's sentences."""
    return next((i for i, s in enumerate(c.passage.sentences) if s == c.info.sentence), None)


#: Terms found with at least this factor are in the value's own or the previous clause.
CLOSE = 0.6


def term_weights(terms: dict[str, float], info: SentenceInfo, clause: int | None, headings: frozenset[str],
                 item: str | None = None, list_span: tuple[int, int] | None = None,
                 label: frozenset[str] = frozenset(),
                 breakdown: frozenset[str] = frozenset()) -> tuple[float, dict[str, float]]:
    """Sum of term weights by where each term is found, and each found term's factor."""
    total, found = 0.0, {}
    item_terms = frozenset(tokenize_query(item)) if item else frozenset()  # memoised: read for every value
    listed: frozenset[str] = frozenset()
    if item and list_span:
        listed = frozenset(tokenize_query(info.sentence.text[list_span[0] : list_span[1]])) - item_terms
    for term, weight in terms.items():
        if term in item_terms:
            factor = 1.0
        elif term in listed:
            factor = 0.0  # another item of the same list: not this value's
        elif term in label:
            factor = 1.0
        elif term in breakdown:
            continue  # the name of one of its parts
        elif clause is not None and term in info.clause_terms[clause]:
            factor = 0.7
        elif clause is not None and clause > 0 and term in info.clause_terms[clause - 1]:
            factor = 0.6
        elif clause is not None and clause > 1 and term in info.clause_terms[clause - 2]:
            factor = 0.45
        elif term in info.terms:
            factor = 0.35 if clause is not None else 1.0
        elif term in headings:
            factor = 0.55
        else:
            continue
        if weight < 0:  # a word the question rules out counts against the value it names, no other
            if factor >= 0.7:
                total += weight * factor
            continue
        total += weight * factor
        found[term] = factor
    return total, found


def weigh(terms: dict[str, float], info: SentenceInfo, value: Value | None, headings: frozenset[str]
          ) -> tuple[float, dict[str, float]]:
    """:func:`term_weights` for a value of a sentence (its clause, item, label, breakdown), or for
    the sentence itself when ``value`` is None."""
    if value is None:
        return term_weights(terms, info, None, headings)
    return term_weights(terms, info, value.clause, headings, value.item, info.list_span, value.label,
                        value.breakdown)


def candidates(
    passages: list[tuple[int, Passage]],
    terms: dict[str, float],
    value_kinds: set[str] | None,
    unit: str | None = None,
    phrases: dict[str, float] | None = None,
    list_bonus: bool = False,
    rank_bonus: bool = False,
    listed: int | None = None,
) -> list[Candidate]:
    """Scored candidates best first: values of the wanted kinds, or sentences when
    ``value_kinds`` is None."""
    wanted_class = unit_class(unit)
    out: list[Candidate] = []
    for rank, passage in passages:
        headings = heading_terms(passage.section)
        prior = 0.15 / rank
        for sentence in passage.sentences:
            info = read_sentence(sentence)
            bonus = sum(w for p, w in (phrases or {}).items() if p in sentence.text) + prior
            if value_kinds is None:
                score, found = weigh(terms, info, None, headings)
                if list_bonus:  # a list question is answered by a sentence that lists
                    score *= LIST_FACTORS[lists(sentence.text)]
                    if listed and counts(sentence.text, listed):  # "哪五个": the sentence with five
                        score *= LISTED_FACTOR
                if rank_bonus:  # "哪个…最多" is answered by a sentence that ranks
                    score *= RANK_FACTORS[bool(RANKING.search(sentence.text))]
                focus = max(range(len(info.clauses)), key=lambda i: sum(terms.get(t, 0.0) for t in info.clause_terms[i]))
                out.append(Candidate(passage, rank, info, None, score + bonus, frozenset(found), focus,
                                     frozenset(found)))
                continue
            for value in info.values:
                if value.kind not in value_kinds:
                    continue
                score, found = weigh(terms, info, value, headings)
                if unit and value.kind in ("number", "percent"):
                    score *= unit_fit(unit, wanted_class, value)
                close = frozenset(t for t, f in found.items() if f >= CLOSE)
                out.append(Candidate(passage, rank, info, value, score + bonus, frozenset(found), 0, close))
    out.sort(key=lambda c: -c.score)
    return out


#: Classes a figure must match when asked for: a count is not money, people, a rate or a rank.
STRICT_CLASSES = frozenset({"percent", "money", "people", "rank", "year", "date", "days"})


def bare_unit(value: Value) -> str:
    """The unit without its multiplier or "about": 13.8万件 → 件, 70多个 → 个, 500＋ → ''."""
    return value.unit.lstrip("万亿余多").rstrip("＋+")


def value_class(value: Value) -> str | None:
    """The class of thing a figure counts, None when its unit does not say (``50万``)."""
    if value.kind == "percent":
        return "percent"
    unit = bare_unit(value)
    if not unit:
        return None
    return unit_class(unit)


def unit_fit(unit: str, wanted_class: str | None, value: Value) -> float:
    """How well a value's unit fits the unit asked for (multiplier on its score)."""
    have = value_class(value)
    if have is None:
        return 0.95
    if bare_unit(value) == unit.lstrip("万亿"):
        return 1.2
    if have == wanted_class:
        return 1.0
    return 0.55 if (have in STRICT_CLASSES or wanted_class in STRICT_CLASSES) else 0.85
