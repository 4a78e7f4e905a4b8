"""Offsets point back into the raw report: ``raw[start:end]`` with whitespace removed is the
passage (or sentence) text with whitespace removed — on the real report and on generated ones.

The generated reports follow the format qa/document.py documents: a title, headings of four
levels (一、 / （一） / 1． / （1）), inline or on their own line, paragraphs separated by blank
lines, hard wraps anywhere, sentences that may run on across one paragraph break.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qa
from qa import chunking, document

SETTINGS = [(40, 0), (40, 3), (80, 1), (200, 0), (200, 2), (500, 0), (4000, 1)]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_offsets(raw: str, passages: list[qa.Passage]) -> None:
    for p in passages:
        assert p.text.strip(), p
        assert squash(raw[p.start : p.end]) == squash(p.text), p.chunk_id
        assert squash(p.text) == squash("".join(s.text for s in p.sentences))
        assert p.sentences[0].start == p.start and p.sentences[-1].end == p.end
        for s in p.sentences:
            assert p.start <= s.start < s.end <= p.end
            assert squash(raw[s.start : s.end]) == squash(s.text), (p.chunk_id, s)


def check_sections(doc: document.Document, passages: list[qa.Passage]) -> None:
    """Passages never cross a section and are never a heading alone."""
    spans = {}
    for s in doc.sections:
        spans.setdefault(s.path, []).append((s.sentences[0].start, s.sentences[-1].end))
    headings = {squash(h) for s in doc.sections for h in s.path}
    for p in passages:
        assert any(a <= p.start and p.end <= b for a, b in spans[p.section]), p.chunk_id
        assert squash(p.text) not in headings and squash(p.text).rstrip("。") not in headings


# -- the real report ----------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "overlap"), SETTINGS)
def test_real_report_offsets(report_doc, size, overlap):
    passages = chunking.chunk(report_doc, size, overlap)
    assert passages
    check_offsets(report_doc.raw, passages)
    check_sections(report_doc, passages)
    assert len({p.chunk_id for p in passages}) == len(passages)
    if overlap == 0:
        for a, b in itertools.pairwise(passages):
            assert a.end <= b.start
        for p in passages:
            assert len(p.text) <= size


def test_real_report_loses_no_text(report_doc, report_raw):
    """Every non-space character of the report is in a passage, the title or a heading."""
    passages = chunking.chunk(report_doc)
    pos = 0
    for p in passages:
        gap = squash(report_raw[pos : p.start])
        for h in p.section:  # the headings that open this passage's section, in order
            if gap.startswith(squash(h)):
                gap = gap[len(squash(h)) :].removeprefix("。")
        assert gap == "", (p.chunk_id, gap)
        pos = p.end
    assert squash(report_raw[pos:]) == ""


def test_real_report_default_passages_are_short(lexical_qa):
    defaults = qa.Settings()
    assert (lexical_qa.settings.chunk_size, lexical_qa.settings.chunk_overlap) == (defaults.chunk_size, defaults.chunk_overlap)
    lengths = [len(p.text) for p in lexical_qa.passages]
    assert sum(lengths) / len(lengths) <= 300


def test_pipeline_hits_point_into_the_raw_report(lexical_qa):
    for q in ("政府信息公开申请", "IPv6", "行政复议"):
        for hit in lexical_qa.retrieve(q, k=5):
            raw = lexical_qa.raw[hit.doc]
            assert squash(raw[hit.start : hit.end]) == squash(hit.text)


def test_long_sentence_is_cut_at_clause_marks(report_doc):
    long = max((s for _, s in report_doc.sentences), key=lambda s: len(s.text))
    parts = chunking.split_long(report_doc.raw, long, 60)
    assert len(parts) > 1 and all(len(p.text) <= 60 for p in parts)
    assert "".join(p.text for p in parts) == long.text
    assert all(p.text[-1] in "，；、：,;:。" for p in parts)  # the report has marks close enough


# -- generated reports --------------------------------------------------------------------------

#: Chinese characters without numerals, so body text never looks like a heading marker.
HAN = "政府信息公开工作报告重庆市区县部门申请办理情况建设平台网站服务群众领域加强推进落实制度发布主动依法统计数据"
ASCII_WORDS = ["IPv6", "APP", "12345", "2018年", "www.cq.gov.cn"]
BRACKETS = ["《》", "“”", "（）", "〔〕"]
STOPS = "。！？；"
CN = "一二三四五六七八九十"
CLOSERS = "）)》”’〕]】」』>"

plain = st.text(alphabet=HAN, min_size=1, max_size=6)


@st.composite
def bracketed(draw: st.DrawFn) -> str:
    o, c = draw(st.sampled_from(BRACKETS))
    inner = draw(st.lists(st.one_of(plain, plain.map(lambda s: s + "。"), plain.map(lambda s: s + "；")), min_size=1, max_size=3))
    return o + "".join(inner) + c


segment = st.one_of(
    plain,
    plain.map(lambda s: s + "，"),
    plain.map(lambda s: s + "、"),
    plain.map(lambda s: s + "："),
    bracketed(),
    st.sampled_from(ASCII_WORDS),
)


@st.composite
def sentence(draw: st.DrawFn) -> str:
    body = draw(plain) + "".join(draw(st.lists(segment, max_size=5)))
    return body + draw(st.sampled_from(STOPS))


@dataclass
class Para:
    text: str
    heading: str | None = None  # marker + title, as the parser should report it
    level: int = 0
    standalone: bool = False
    sentences: list[str] = field(default_factory=list)  # body sentences in this paragraph


@st.composite
def heading(draw: st.DrawFn, previous: int) -> tuple[int, str]:
    # half of the time one level deeper than the previous heading, so paths of four occur
    level = min(previous + 1, 4) if draw(st.booleans()) else draw(st.integers(1, 4))
    n = draw(st.integers(1, 10))
    marker = {
        1: f"{CN[n - 1]}、",
        2: f"（{CN[n - 1]}）",
        3: f"{n}{draw(st.sampled_from(['．', '、', '.']))}",
        4: f"（{n}）",
    }[level]
    title = draw(plain) + draw(st.sampled_from(["", "，", "“", ""])) + draw(plain)
    if "“" in title:
        title += "”" + draw(plain)
    return level, marker + title


@st.composite
def report(draw: st.DrawFn) -> tuple[str, list[tuple[tuple[str, ...], list[str]]], list[str]]:
    """(raw text, expected sections as (path, sentences), headings in order)."""
    paras: list[Para] = []
    title = draw(st.one_of(st.none(), st.text(alphabet=HAN, min_size=4, max_size=20)))
    if title:
        paras.append(Para(title))
    expected: list[tuple[tuple[str, ...], list[str]]] = []
    stack: list[tuple[int, str]] = []

    def body_paragraphs(path: tuple[str, ...], first_inline: Para | None) -> None:
        sentences: list[str] = []
        n_paras = draw(st.integers(0, 3))
        for i in range(n_paras):
            ss = draw(st.lists(sentence(), min_size=1, max_size=4))
            sentences += ss
            if i == 0 and first_inline is not None and draw(st.booleans()):
                first_inline.text += "".join(ss)
                first_inline.sentences = ss
            else:
                paras.append(Para("".join(ss), sentences=ss))
        if sentences:
            expected.append((path, sentences))

    if draw(st.booleans()):  # a preamble
        ss = draw(st.lists(sentence(), min_size=1, max_size=3))
        paras.append(Para("".join(ss), sentences=ss))
        expected.append(((title,) if title else (), ss))
    for _ in range(draw(st.integers(0, 8))):
        level, text = draw(heading(stack[-1][0] if stack else 0))
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
        standalone = draw(st.booleans())
        p = Para(text if standalone else text + "。", heading=text, level=level, standalone=standalone)
        paras.append(p)
        body_paragraphs(tuple(t for _, t in stack), None if standalone else p)
    if not expected:  # a report needs some text
        ss = draw(st.lists(sentence(), min_size=1, max_size=2))
        paras.append(Para("".join(ss), sentences=ss))
        expected.append(((tuple(t for _, t in stack) or ((title,) if title else ())), ss))

    # a sentence may run on across one paragraph break (not in the first paragraph: that could
    # be taken for a title; not after "：" or a closing mark, which end a paragraph's sentence)
    texts: list[tuple[str, bool]] = []  # (paragraph, starts with a heading marker)
    for i, p in enumerate(paras):
        if p.sentences and i > 0 and draw(st.integers(0, 3)) == 0:
            last = p.sentences[-1]
            depth, cuts = 0, []
            for k, ch in enumerate(last[:-1]):
                depth += (ch in "《“（〔") - (ch in "》”）〕")
                if depth == 0 and ch not in "：:" + CLOSERS:
                    cuts.append(k + 1)
            if cuts:
                k = draw(st.sampled_from(cuts))
                cut = len(p.text) - len(last) + k
                texts += [(p.text[:cut], p.heading is not None), (p.text[cut:], False)]
                continue
        texts.append((p.text, p.heading is not None))

    def wrapped(t: str, protect: int) -> str:
        positions = sorted(set(draw(st.lists(st.integers(protect + 1, max(protect + 1, len(t) - 1)), max_size=4))))
        out, prev = [], 0
        for pos in positions:
            if pos < len(t):
                out.append(t[prev:pos])
                out.append(draw(st.sampled_from(["\n", "\r\n", " \n", "\n\u3000", "\n  "])))
                prev = pos
        out.append(t[prev:])
        return "".join(out)

    raw = draw(st.sampled_from(["", "\n", "\n\n  \n"]))
    for i, (t, is_heading) in enumerate(texts):
        protect = 0
        if i > 0:
            tight = is_heading and texts[i - 1][0][-1] in document.PARAGRAPH_END and draw(st.booleans())
            if tight:
                raw += "\n"  # a heading line right after a sentence, no blank line
                protect = 6  # ... whose marker is not wrapped
            else:
                raw += "\n" + draw(st.sampled_from(["\n", "\n\n", " \n", "\u3000\n\n"]))
        raw += draw(st.sampled_from(["", "\u3000\u3000", "  "])) + wrapped(t, protect)
    raw += draw(st.sampled_from(["", "\n", "\n\n"]))
    headings = [p.heading for p in paras if p.heading]
    return raw, expected, headings


@settings(max_examples=60, deadline=None)
@given(report(), st.sampled_from(SETTINGS))
def test_generated_reports_keep_offsets_and_structure(generated, chunk_settings):
    raw, expected, headings = generated
    doc = document.parse(raw)
    got = [(s.path, [squash(x.text) for x in s.sentences]) for s in doc.sections]
    assert got == [(path, [squash(x) for x in ss]) for path, ss in expected]
    for _, s in doc.sentences:
        assert squash(raw[s.start : s.end]) == squash(s.text)
    # every heading that has text under it is recovered, in order
    seen: list[str] = []
    for s in doc.sections:
        for h in s.path:
            if h not in seen and h != doc.title:
                seen.append(h)
    with_text = {h for path, _ in expected for h in path} - {doc.title}
    assert set(seen) == with_text
    rest = iter(headings)
    assert all(h in rest for h in seen), (seen, headings)  # a subsequence: in order
    size, overlap = chunk_settings
    passages = chunking.chunk(doc, size, overlap)
    check_offsets(raw, passages)
    check_sections(doc, passages)


@settings(max_examples=60, deadline=None)
@given(st.lists(sentence(), min_size=1, max_size=12), st.integers(40, 120), st.integers(0, 3))
def test_generated_long_section_chunks(sentences, size, overlap):
    """One section of many sentences, chunk sizes near the sentence lengths: long sentences
    are cut, passages stay within ``size`` (without overlap) and keep their offsets."""
    raw = "标题\n\n一、总体\n\n" + "".join(sentences) + "\n"
    doc = document.parse(raw)
    passages = chunking.chunk(doc, size, overlap)
    check_offsets(raw, passages)
    if overlap == 0:
        assert all(len(p.text) <= size for p in passages)
        assert "".join(p.text for p in passages) == "".join(sentences)
