"""Unit tests of the chat UI: formatting and handlers with hand-built Answers and a fake pipeline.

No server, no browser; one test builds the real lexical index to check the full-report renderer
against the bundled report.
"""

from __future__ import annotations

import doctest
import html
import re
from dataclasses import dataclass, field
from typing import Any

import gradio as gr
import pytest

import app
import qa
from qa import render
from qa.settings import MAX_QUESTION_CHARS
from qa.types import Answer, Hit, Passage, Span

DOC = "report"
# Hard-wrapped like the real report: Chinese lines are joined without a space.
RAW = (
    "示例报告\n\n一、申请情况\n\n"
    "全市共收到政府信息公开申请7896份，其中，市政府办公厅受理申请554件，\n区县政府受理申请5208件。\n\n"
    "二、答复情况\n\n"
    "市政府部门答复2046件，答复率96%。政务微博发布信息10万条，政务微信发布信息5万条。"
)


def passage(n: int, sentence: str, section: tuple[str, ...]) -> Passage:
    start = RAW.index(sentence)
    return Passage(f"{DOC}#{n}", DOC, section, sentence.replace("\n", ""), start, start + len(sentence))


P1 = passage(1, "全市共收到政府信息公开申请7896份，其中，市政府办公厅受理申请554件，\n区县政府受理申请5208件。",
             ("一、申请情况",))
P2 = passage(2, "市政府部门答复2046件，答复率96%。", ("二、答复情况",))
P3 = passage(3, "政务微博发布信息10万条，政务微信发布信息5万条。", ("二、答复情况",))
PASSAGES = [P1, P2, P3]


def hit(p: Passage, rank: int = 1) -> Hit:
    return Hit(p, score=1 / (60 + rank), rank=rank, lexical_score=5.5 / rank, lexical_rank=rank)


def span(text: str, p: Passage = P1) -> Span:
    start = RAW.index(text, p.start)
    return Span(DOC, start, start + len(text), text)


def make_answer(**kw: Any) -> Answer:
    base: dict[str, Any] = dict(
        question="2018年全市共收到多少份政府信息公开申请？", text="全市共收到政府信息公开申请7896份",
        citations=(hit(P1),), abstained=False, kind="number", confidence=0.9, highlights=(span("7896份"),),
    )
    return Answer(**{**base, **kw})


@dataclass
class FakePipeline:
    """What the handlers use of a ReportQA: answer(), raw, passages, status, settings."""

    result: Answer | Exception = field(default_factory=make_answer)
    calls: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=lambda: {DOC: RAW})
    passages: list[Passage] = field(default_factory=lambda: list(PASSAGES))
    settings: qa.Settings = field(default_factory=lambda: qa.Settings(embedding_model="none"))
    status: qa.Status = field(default_factory=lambda: qa.Status("lexical", None, "dense is off", 3, 1, 0.1, False))

    def answer(self, question: str, history: Any = None, k: Any = None, mode: Any = None) -> Answer:
        self.calls.append(dict(question=question, history=history, k=k, mode=mode))
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def visible_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


# -- format_answer -----------------------------------------------------------------------------
def test_answer_bolds_the_value_and_cites_with_markers_and_sources() -> None:
    md = render.format_answer(make_answer(citations=(hit(P1), hit(P2, 2))), {DOC: RAW})
    first = md.split("\n\n")[0]
    assert "<strong>7896份</strong>" in first
    assert f'href="#{render.anchor_id(P1.chunk_id)}"' in first and ">[1]</a>" in first and ">[2]</a>" in first
    assert "来源 / Sources" in md and "一、申请情况" in md and "二、答复情况" in md
    # the answering span is marked at its offsets; the hard wrap is joined without a space
    assert "申请<mark><strong>7896份</strong></mark>，其中" in md
    assert "554件，区县政府" in md
    assert md.count('class="qa-cite"') == 4  # two markers, two "full report" links
    assert "score" not in md


def test_passage_without_its_report_is_marked_by_text() -> None:
    md = render.format_answer(make_answer(), raw_texts={})
    assert "<mark>7896份</mark>" in md


def test_abstention_looks_different_and_offers_related_passages() -> None:
    ans = make_answer(question="2019年收到多少申请？", text="报告只涵盖2018年。", citations=(), abstained=True,
                      highlights=(), related=(hit(P1), hit(P2, 2)), confidence=0.1)
    md = render.format_answer(ans, {DOC: RAW})
    assert 'class="qa-abstain"' in md and "报告中没有找到" in md
    assert "相关段落 / Related" in md and "来源 / Sources" not in md
    assert ">[1]</a>" not in md  # related passages are further reading, not citations
    assert "一、申请情况" in md and "答复率96%" in md and "报告只涵盖2018年。" in md


def test_english_answer_leads_with_english_labels() -> None:
    ans = make_answer(question="How many disclosure applications were received in 2018?", lang="en")
    md = render.format_answer(ans, {DOC: RAW})
    assert "Sources / 来源" in md and "Full report / 在原文中查看" in md
    abst = render.format_answer(make_answer(lang="en", abstained=True, citations=(), related=(hit(P2),)), {DOC: RAW})
    assert abst.index("The report does not answer") < abst.index("报告中没有找到")


def test_arithmetic_working_and_notes_are_shown() -> None:
    ans = make_answer(question="政务微博和政务微信合计公开了多少条信息？", text="合计15万条", kind="compare",
                      citations=(hit(P3),), highlights=(span("10万条", P3), span("5万条", P3)),
                      working="10万条 + 5万条 = 15万条", notes=("由两个数字相加得出",))
    md = render.format_answer(ans, {DOC: RAW})
    assert "计算 / Working" in md and "10万条 + 5万条 = 15万条" in md
    assert "由两个数字相加得出" in md
    assert "<mark><strong>10万条</strong></mark>" in md and "<mark><strong>5万条</strong></mark>" in md


def test_show_scores() -> None:
    md = render.format_answer(make_answer(), {DOC: RAW}, show_scores=True)
    assert "score 0.0164" in md and "lexical #1 (5.50)" in md and "confidence 0.90" in md


def test_links_off_for_the_api() -> None:
    md = render.format_answer(make_answer(citations=(hit(P1), hit(P2, 2))), {DOC: RAW}, links=False)
    assert "<a " not in md and "[1]" in md and "[2]" in md


def test_html_and_markdown_from_the_report_are_escaped() -> None:
    raw = "一、<b>标题</b>\n\n<script>alert(1)</script>共收到*7896*份[链接](http://x.example)$$x$$。"
    p = Passage("evil#1", "evil", ("一、<b>标题</b>",), raw.split("\n\n")[1], raw.index("<script>"), len(raw))
    ans = make_answer(text="<img src=x onerror=alert(1)> *7896*", citations=(hit(p),), highlights=(),
                      working="<i>1+1</i>", notes=("<u>note</u>",))
    md = render.format_answer(ans, {"evil": raw}, show_scores=True)
    for bad in ("<script", "<img", "<b>", "<i>", "<u>", "](http", "*7896*", "$$"):
        assert bad not in md, bad
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "共收到&#42;7896&#42;份" in md
    report = render.render_report({"evil": raw}, [p], ans)
    assert "<script" not in report and "<b>" not in report and "&lt;script&gt;" in report


def test_escape_md_keeps_line_starts_from_becoming_lists() -> None:
    assert render.md_line(render.escape_md("1. 第一")) == "&#49;. 第一"
    assert render.md_line(render.escape_md("- 条目")) == "&#45; 条目"
    assert render.escape_md("7 + 8 = 15") == "7 + 8 = 15"
    assert html.unescape(render.escape_md("# <x> *y* [z](u) `c` $$m$$ | ~")) == "# <x> *y* [z](u) `c` $$m$$ | ~"
    assert doctest.testmod(app).failed == 0


# -- render_report -----------------------------------------------------------------------------
def test_render_report_anchors_every_passage_and_marks_the_cited_one() -> None:
    report = render.render_report({DOC: RAW}, PASSAGES, make_answer())
    for p in PASSAGES:
        assert report.count(f'id="{render.anchor_id(p.chunk_id)}"') == 1
    cited = re.search(rf'<span class="([^"]+)" id="{render.anchor_id(P1.chunk_id)}" data-p="[^"]+">(.*?)</span>', report)
    assert cited and "qa-cited" in cited[1] and "<mark><strong>7896份</strong></mark>" in cited[2]
    assert "qa-cited" not in re.search(rf'<span class="([^"]+)" id="{render.anchor_id(P2.chunk_id)}"', report)[1]
    assert report.count("<p") == 5 and '<p class="qa-h">一、申请情况</p>' in report
    assert "".join(visible_text(report).split()) == "".join(RAW.split())


def test_render_report_of_the_bundled_report(tmp_path: Any) -> None:
    """Invariant over the real report: every passage has one anchor and no text is lost or added."""
    pipeline = qa.ReportQA(embedding_model="none", cache_dir=tmp_path)
    hits = pipeline.retrieve("2018年全市共收到多少份政府信息公开申请？", k=2)
    doc, raw = hits[0].doc, pipeline.raw[hits[0].doc]
    start = raw.index("7896", hits[0].start)
    clause_start = raw.index("全市共收到", hits[0].start)
    value = Span(doc, start, start + 5, raw[start:start + 5])
    clause = Span(doc, clause_start, start + 6, raw[clause_start:start + 6])  # the clause that states the value
    ans = make_answer(citations=tuple(hits), highlights=(value, clause))
    report = render.render_report(pipeline.raw, pipeline.passages, ans)
    for p in pipeline.passages:
        assert report.count(f'id="{render.anchor_id(p.chunk_id)}"') == 1
    assert "".join(visible_text(report).split()) == "".join(raw.split())
    assert "<mark>全市共收到政府信息公开申请<strong>7896份</strong>，</mark>" in report
    assert report.startswith('<div class="qa-report"><p class="qa-h">重庆市2018年政府信息公开工作年度报告</p>')
    md = render.format_answer(ans, pipeline.raw)
    assert "<mark>全市共收到政府信息公开申请<strong>7896份</strong>，</mark>" in md and hits[0].section.split(" > ")[-1] in md
    assert "<strong>7896份</strong>" in md.split("\n\n")[0]


# -- status line -------------------------------------------------------------------------------
def test_status_line_is_short_with_details_folded() -> None:
    ok = render.status_markdown(qa.Status("hybrid", "bundled:multilingual-e5-small-q4", None, 60, 1, 1.0, True, "bundled"))
    line, details = ok.split("<details>", 1)
    assert "中英文" in line and "60" in line and "bundled" not in line  # short, for a citizen
    assert "bundled:multilingual-e5-small-q4" in details and "hybrid" in details and "README" in details
    missing = render.status_markdown(qa.Status("lexical", None, "cannot reach <hub>; it's 'offline'", 60, 1, 1.0, False))
    line, details = missing.split("<details>", 1)
    assert "关键词检索" in line and "未加载" in line
    assert "无法加载" in details and "QA_EMBEDDING_MODEL" in details
    # escaped once: markup is inert, quotes are shown as typed (no &#x27; on screen)
    assert "&lt;hub&gt;" in details and "<hub>" not in details and "it's 'offline'" in details and "&#x27;" not in missing
    assert "已关闭" in render.status_markdown(qa.Status("lexical", None, "off", 60, 1, 1.0, False), dense_enabled=False)


def test_page_start_gives_status_and_report() -> None:
    status, report = app.page_start(FakePipeline())  # type: ignore[arg-type]
    assert "lexical" in status and f'id="{render.anchor_id(P1.chunk_id)}"' in report


# -- respond (the chat handler) ----------------------------------------------------------------
def test_respond_appends_question_and_answer_and_marks_the_report() -> None:
    fake = FakePipeline()
    history, box, report = app.respond("2018年全市共收到多少份政府信息公开申请？", [], "lexical", 3, False,
                                       pipeline=fake)  # type: ignore[arg-type]
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[0]["content"] == "2018年全市共收到多少份政府信息公开申请？"
    assert "<strong>7896份</strong>" in history[1]["content"]
    assert box == "" and "qa-cited" in report
    assert fake.calls == [dict(question="2018年全市共收到多少份政府信息公开申请？", history=[], k=3, mode="lexical")]


def test_follow_ups_pass_earlier_questions_as_typed() -> None:
    fake = FakePipeline()
    first = "<img src=x onerror=alert(1)> 2018年全市共收到多少份申请？"
    history, _, _ = app.respond(first, None, "hybrid", 5.0, False, pipeline=fake)  # type: ignore[arg-type]
    assert "<img" not in history[0]["content"] and "&lt;img" in history[0]["content"]
    # Gradio hands the history back with content as a list of parts
    as_sent = [{"role": m["role"], "content": [{"type": "text", "text": m["content"]}]} for m in history]
    history2, _, _ = app.respond("那2019年呢？", as_sent, "hybrid", 5, True, pipeline=fake)  # type: ignore[arg-type]
    assert fake.calls[1]["history"] == [first]
    assert len(history2) == 4 and "score" in history2[3]["content"]


def test_too_long_question_warns_without_calling_the_pipeline() -> None:
    fake = FakePipeline()
    question = "问" * (MAX_QUESTION_CHARS + 1)
    with pytest.warns(UserWarning, match="问题太长了"):
        history, box, report = app.respond(question, [], "hybrid", 5, False, pipeline=fake)  # type: ignore[arg-type]
    assert history == [] and box == question and fake.calls == []
    assert isinstance(report, type(gr.skip()))


@pytest.mark.parametrize("question", ["", "   \n "])
def test_empty_question_warns(question: str) -> None:
    with pytest.warns(UserWarning, match="请输入"):
        history, _, _ = app.respond(question, [], "hybrid", 5, False, pipeline=FakePipeline())  # type: ignore[arg-type]
    assert history == []


def test_bad_input_from_the_library_is_a_friendly_warning() -> None:
    fake = FakePipeline(result=ValueError("k must be at least 1, not 0"))
    with pytest.warns(UserWarning, match="无法回答这个问题.*k must be at least 1"):
        history, _, _ = app.respond("多少？", [], "hybrid", 0, False, pipeline=fake)  # type: ignore[arg-type]
    assert history == []
    with pytest.warns(UserWarning, match="必须是文字"):
        app.respond(None, [], "hybrid", 5, False, pipeline=fake)  # type: ignore[arg-type]


def test_warning_text_is_escaped() -> None:
    fake = FakePipeline(result=ValueError("mode must be hybrid, lexical or dense, not '<b>x</b>'"))
    with pytest.warns(UserWarning, match="&lt;b&gt;x&lt;/b&gt;"):
        app.respond("多少？", [], "<b>x</b>", 5, False, pipeline=fake)  # type: ignore[arg-type]


def test_internal_error_shows_no_internals() -> None:
    fake = FakePipeline(result=RuntimeError("secret internal detail"))
    with pytest.raises(gr.Error) as info:
        app.respond("多少？", [], "hybrid", 5, False, pipeline=fake)  # type: ignore[arg-type]
    assert "secret" not in str(info.value) and "出错了" in str(info.value)


# -- ask (the API endpoint) --------------------------------------------------------------------
def test_ask_returns_markdown_without_page_links(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakePipeline()
    monkeypatch.setattr(qa, "default_pipeline", lambda: fake)
    md = app.ask("2018年全市共收到多少份政府信息公开申请？")
    assert "7896" in md and "[1]" in md and "<a " not in md
    assert fake.calls[0]["history"] == []
    with pytest.raises(gr.Error, match="问题太长了"):
        app.ask("问" * (MAX_QUESTION_CHARS + 1))


def test_demo_exposes_only_ask_and_uses_no_web_fonts() -> None:
    public = [fn.api_name for fn in app.demo.fns.values() if fn.api_visibility == "public"]
    assert public == ["ask"]
    assert not any(isinstance(f, gr.themes.GoogleFont) for f in [*app.THEME._font, *app.THEME._font_mono])
    assert "fonts.googleapis" not in app.THEME._get_theme_css() and not app.THEME._stylesheets
    assert app.demo.analytics_enabled is False


# -- launch options --------------------------------------------------------------------------------
def test_loopback_detection() -> None:
    assert app._is_loopback("127.0.0.1") and app._is_loopback("localhost") and app._is_loopback("::1")
    assert not app._is_loopback("0.0.0.0") and not app._is_loopback("192.168.1.5")


def test_login_needs_both_user_and_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_AUTH_USER", "alice")
    monkeypatch.delenv("QA_AUTH_PASSWORD", raising=False)
    with pytest.raises(SystemExit):
        app.main(["--host", "0.0.0.0", "--port", "7999"])


def test_bad_port_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADIO_SERVER_PORT", "http")
    with pytest.raises(SystemExit):
        app.main([])


def test_a_passage_over_a_paragraph_break_is_one_passage_in_two_paragraphs() -> None:
    raw = "一、标题\n\n第一句话。\n\n第二句话。"
    p = Passage("d#1", "d", ("一、标题",), "第一句话。第二句话。", raw.index("第一"), len(raw))
    report = render.render_report({"d": raw}, [p], make_answer(citations=(hit(p),), highlights=()))
    assert report.count('data-p="p-d-1"') == 2 and report.count('id="p-d-1"') == 1
    assert report.count("qa-cited") == 2 and report.count("<p") == 3
    snippet = render.format_answer(make_answer(citations=(hit(p),), highlights=()), {"d": raw})
    assert "第一句话。<br>第二句话。" in snippet


def test_working_and_notes_are_not_repeated() -> None:
    text = "124685条 + 138837条 = 263522条"
    md = render.format_answer(make_answer(text=text, working=text, notes=(text, "另一条说明")), {DOC: RAW})
    assert md.count("263522条") == 1 and "计算 / Working" not in md and "另一条说明" in md
