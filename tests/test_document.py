"""Reading the report: worked examples from the real report, sentence splitting, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import qa
from qa import document

TITLE = "重庆市2018年政府信息公开工作年度报告"
PAIRS = ("《》", "“”", "（）", "〔〕")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def section(doc: document.Document, path: tuple[str, ...]) -> document.Section:
    found = [s for s in doc.sections if s.path == path]
    assert len(found) == 1, f"no single section {path}; have {[s.path for s in doc.sections]}"
    return found[0]


def texts(doc: document.Document) -> list[str]:
    return [s.text for _, s in doc.sentences]


# -- worked examples from the real report -------------------------------------------------------


def test_title_and_doc_id(report_doc, report_path):
    assert report_doc.title == TITLE
    assert report_doc.doc_id == report_path.stem
    assert report_doc.path == report_path


def test_preamble_is_its_own_section_named_by_the_title(report_doc, report_raw):
    pre = report_doc.sections[0]
    assert pre.path == (TITLE,)
    assert pre.heading is not None and pre.heading.level == 0
    assert report_raw[pre.heading.start : pre.heading.end] == TITLE
    assert [s.text for s in pre.sentences][-1] == (
        "如对本报告有疑问，可与市政府办公厅联系（联系地址：重庆市渝中区人民路232号，邮编：400010；电话：023—89011906）。"
    )
    assert pre.sentences[0].text.startswith("本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求")
    assert len(pre.sentences) == 5


def test_top_level_sections_in_order(report_doc):
    tops = []
    for s in report_doc.sections[1:]:
        if s.path[0] not in tops:
            tops.append(s.path[0])
    assert tops == [
        "一、工作总体情况",
        "二、主动公开政府信息情况",
        "三、依申请公开政府信息情况",
        "四、存在的主要问题及改进措施",
    ]


def test_level_two_section_with_its_sentences(report_doc):
    s = section(report_doc, ("三、依申请公开政府信息情况", "（二）申请处理情况"))
    assert s.heading is not None and s.heading.level == 2
    assert s.sentences[0].text == (
        "2018年，全市答复政府信息公开申请7747件（其余149件按《条例》规定顺延至下年度答复），"
        "其中，市政府办公厅答复554件，答复率100%；"
    )
    assert s.sentences[-1].text == "告知通过其他途径办理的有320件，占总数的4%。"
    assert len(s.sentences) == 11


def test_inline_heading_is_the_first_sentence_and_the_rest_is_body(report_doc, report_raw):
    s = section(report_doc, ("一、工作总体情况", "（一）加强组织领导，强化统筹谋划"))
    assert report_raw[s.heading.start : s.heading.end] == "（一）加强组织领导，强化统筹谋划。"
    assert s.sentences[0].text == (
        "市委、市政府高度重视政务公开工作，将政务公开作为加强政府自身建设的重要抓手，写入2018年《重庆市人民政府工作报告》。"
    )
    assert s.sentences[0].start == s.heading.end
    assert all("加强组织领导" not in x.text for x in s.sentences)


def test_numbered_levels_nest(report_doc):
    paths = [s.path for s in report_doc.sections]
    assert (
        "二、主动公开政府信息情况",
        "（一）围绕建设法治政府全面推进政务公开",
        "1．推进政府工作、政策执行阳光透明",
    ) in paths
    poverty = (
        "二、主动公开政府信息情况",
        "（二）围绕重点领域加大主动公开力度",
        "4．推进社会公益事业建设领域政府信息公开",
        "（1）脱贫攻坚领域",
    )
    i = paths.index(poverty)
    assert paths[i - 1] == poverty[:3]  # 4．'s own body comes before its first （1）
    assert paths[i + 1] == (*poverty[:3], "（2）社会救助和社会福利领域")  # siblings replace each other
    assert section(report_doc, poverty).heading.level == 4
    # after （7）, a level-1 heading pops the whole stack
    after = paths[paths.index((*poverty[:3], "（7）文化旅游领域")) + 1]
    assert after == ("三、依申请公开政府信息情况",)


def test_heading_without_body_appears_only_in_paths(report_doc):
    # "（一）围绕建设法治政府全面推进政务公开。" stands alone: a heading, never a sentence
    heading = "（一）围绕建设法治政府全面推进政务公开"
    assert any(heading in s.path for s in report_doc.sections)
    assert not any(heading in x for x in texts(report_doc))


def test_hard_wrapped_lines_are_joined_without_spaces(report_doc, report_raw):
    wrapped = "整合全市政务服务资源与数据，建成“渝快办”移动政务服务平台，打造“渝快办——重庆政务掌上办”移动政务服务品牌。"
    [s] = [s for _, s in report_doc.sentences if s.text == wrapped]
    assert "\n" in report_raw[s.start : s.end]
    assert not any(re.search(r"\s", t) for t in texts(report_doc))


def test_sentences_keep_brackets_and_quotes_intact(report_doc):
    for t in texts(report_doc):
        for o, c in PAIRS:
            assert t.count(o) == t.count(c), f"unbalanced {o}{c} in {t}"
    notice = "《重庆市人民政府办公厅关于进一步做好重庆市网上办事大厅政府信息公开有关工作的通知》（渝府办发〔2018〕29号）"
    assert any(notice in t for t in texts(report_doc))
    # "；" inside （…） does not end the sentence
    [zone] = [t for t in texts(report_doc) if "“1277”" in t]
    assert zone.startswith("在市政府门户网站开设专门的“招商引资”版块，聚合发布") and zone.endswith("增强市场主体获取政府信息的精准度和便捷性。")


def test_no_sentence_boundary_inside_a_book_title(report_doc, report_raw):
    titles = [m.span() for m in re.finditer(r"《[^》]*》", report_raw)]
    assert len(titles) > 20
    for _, s in report_doc.sentences:
        for a, b in titles:
            assert not a < s.start < b and not a < s.end < b, (s.text, report_raw[a:b])


def test_sentence_continues_across_a_paragraph_break(report_raw):
    # the real report wraps "写入2018年" / "《重庆市人民政府工作报告》。"; make that a blank line
    cut = report_raw.replace("写入2018年\n《重庆市", "写入2018年\n\n《重庆市", 1)
    assert cut != report_raw
    before, after = document.parse(report_raw), document.parse(cut)
    assert texts(after) == texts(before)
    sentence = "市委、市政府高度重视政务公开工作，将政务公开作为加强政府自身建设的重要抓手，写入2018年《重庆市人民政府工作报告》。"
    [s] = [s for _, s in after.sentences if s.text == sentence]
    assert squash(cut[s.start : s.end]) == sentence and "\n\n" in cut[s.start : s.end]


def test_crlf_and_bom_give_the_same_sentences(report_raw, tmp_path):
    p = tmp_path / "report.txt"
    p.write_bytes(b"\xef\xbb\xbf" + report_raw.replace("\n", "\r\n").encode("utf-8"))
    doc = document.load(p)
    assert not doc.raw.startswith("\ufeff")
    assert texts(doc) == texts(document.parse(report_raw))
    assert [s.path for s in doc.sections] == [s.path for s in document.parse(report_raw).sections]
    for _, s in doc.sentences:
        assert squash(doc.raw[s.start : s.end]) == squash(s.text)


# -- sentence splitting on small inputs ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一二。三；四", ["一二。", "三；", "四"]),
        ("甲《乙。丙》丁。戊。", ["甲《乙。丙》丁。", "戊。"]),
        ("印发《关于…的通知》（渝府办发〔2018〕29号）。下一句。", ["印发《关于…的通知》（渝府办发〔2018〕29号）。", "下一句。"]),
        ("（注：甲；乙）丙。", ["（注：甲；乙）丙。"]),
        ("他说“好。”然后走了。", ["他说“好。”然后走了。"]),
        ("真的吗！？是的。", ["真的吗！？", "是的。"]),
        ("未完", ["未完"]),
    ],
)
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in document.split_sentences(text)] == expected


def test_document_without_headings_is_one_section():
    d = document.parse("甲乙丙。丁戊己。\n\n庚辛壬。\n")
    assert [s.path for s in d.sections] == [()]
    assert texts(d) == ["甲乙丙。", "丁戊己。", "庚辛壬。"]
    assert d.title == ""


def test_short_first_line_is_the_title():
    d = document.parse("某市年度报告\n\n正文第一句。正文第二句。\n")
    assert d.title == "某市年度报告"
    assert [s.path for s in d.sections] == [("某市年度报告",)]


def test_headings_without_text_are_an_error():
    with pytest.raises(qa.ReportError, match="no text"):
        document.parse("标题\n\n一、总体\n\n二、其他\n", doc_id="only-headings")


def test_heading_line_right_after_a_sentence_starts_a_new_paragraph():
    d = document.parse("标题\n\n（一）组织。市委重视。\n（二）宣传。报道及时。\n")
    assert [(s.path, [x.text for x in s.sentences]) for s in d.sections] == [
        (("（一）组织",), ["市委重视。"]),
        (("（二）宣传",), ["报道及时。"]),
    ]


# -- errors name the file -----------------------------------------------------------------------


def bad_report(kind: str, tmp_path: Path, raw: str) -> Path:
    """A report file that cannot be used, of the given kind."""
    path = tmp_path / f"{kind}.txt"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "whitespace-only":
        path.write_text(" \n\u3000\n\t\n", "utf-8")
    elif kind == "gb18030":
        path.write_bytes(raw.encode("gb18030"))
    elif kind == "directory":
        path.mkdir()
    elif kind == "binary":
        path.write_bytes(b"\x00\x01abc\x00")
    return path  # "missing": never written


@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("missing", "not found"),
        ("empty", "empty"),
        ("whitespace-only", "empty"),
        ("gb18030", "UTF-8"),
        ("directory", "directory"),
        ("binary", "NUL"),
    ],
)
def test_report_errors_name_the_file(tmp_path, report_raw, kind, needle):
    path = bad_report(kind, tmp_path, report_raw)
    with pytest.raises(qa.ReportError) as info:
        document.load(path)
    assert path.name in str(info.value)
    assert needle in str(info.value)
    assert isinstance(info.value, qa.QAError) and isinstance(info.value, ValueError)
    # and the same error through the pipeline, when it builds
    with pytest.raises(qa.ReportError, match=re.escape(path.name)):
        _ = qa.ReportQA(path, embedding_model="none").status


def test_gb18030_error_says_how_to_convert(tmp_path, report_raw):
    with pytest.raises(qa.ReportError, match="iconv -f GB18030"):
        document.load(bad_report("gb18030", tmp_path, report_raw))


# -- known bugs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\x07"], ids=["zwsp", "soft-hyphen", "bel"])
def test_invisible_characters_keep_the_offsets_invariant(invisible):
    raw = f"标题\n\n一、总体\n\n（一）组织。市委{invisible}重视。\n"
    d = document.parse(raw)
    for _, s in d.sentences:
        assert squash(raw[s.start : s.end]) == squash(s.text)


def test_sentence_continues_across_two_paragraph_breaks():
    d = document.parse("标题\n\n一、总体\n\n（一）组织。市委重视\n\n政务公开\n\n工作。下一句。\n")
    assert texts(d) == ["市委重视政务公开工作。", "下一句。"]


def test_heading_line_right_after_a_standalone_heading():
    d = document.parse("标题\n\n一、总体\n（一）组织。市委重视。\n")
    assert [s.path for s in d.sections] == [("一、总体", "（一）组织")]
