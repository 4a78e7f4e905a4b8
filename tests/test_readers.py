"""Reports as people have them: the bundled report rendered to PDF, Word and a web page (by
eval/formats.py) reads into the same sentences and sections as the .txt — the .txt is the oracle —
and gives the same answers; tables are read with their labels; bad files get clear errors."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import qa
from eval.dataset import EVAL_FILES, load_questions, squash
from eval.formats import RENDERERS, paragraphs_of, template_2019
from qa import document
from qa.readers import read_source, sniff
from qa.readers.tables import layout

FORMATS = sorted(RENDERERS)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, report_raw) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("formats")
    return {fmt: render(paragraphs_of(report_raw), out / f"report.{fmt}") for fmt, render in RENDERERS.items()}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("template")
    return {fmt: render(template_2019(), out / f"template-2019.{fmt}") for fmt, render in RENDERERS.items()}


def _sentences(doc: document.Document) -> list[tuple[tuple[str, ...], str]]:
    return [(path, s.text) for path, s in doc.sentences]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_into_the_sentences_and_sections_of_the_txt(rendered, report_doc, fmt):
    doc = document.load(rendered[fmt])
    assert doc.title == report_doc.title
    assert _sentences(doc) == _sentences(report_doc)


@pytest.mark.parametrize("fmt", FORMATS)
def test_offsets_point_into_the_canonical_text(rendered, fmt):
    rq = qa.ReportQA(rendered[fmt], embedding_model="none", use_cache=False)
    raw = rq.raw["report"]
    for p in rq.passages:
        assert squash(raw[p.start : p.end]) == squash(p.text)
        for s in p.sentences:
            assert squash(raw[s.start : s.end]) == squash(s.text)


def test_pdf_passages_name_the_page_they_start_on(rendered):
    import pdfplumber

    with pdfplumber.open(rendered["pdf"]) as pdf:
        pages = [squash(page.extract_text() or "") for page in pdf.pages]
    rq = qa.ReportQA(rendered["pdf"], embedding_model="none", use_cache=False)
    assert len(pages) > 3
    for p in rq.passages:
        assert p.page is not None
        assert squash(p.sentences[0].text)[:12] in pages[p.page - 1] + pages[min(p.page, len(pages) - 1)]
    assert {p.page for p in rq.passages} == set(range(1, len(pages) + 1))
    assert "-1-" not in squash(rq.raw["report"])  # the page numbers are not report text


@pytest.fixture(scope="module")
def chinese_answerable():
    return [q for f in EVAL_FILES for q in load_questions(f) if q.lang == "zh" and q.answerable]


def _key(a: qa.Answer) -> tuple[bool, str, str]:
    value = a.highlights[0].text if a.highlights else a.text
    return a.abstained, value, a.citations[0].section if a.citations else ""


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_answers_the_eval_as_the_txt_does(rendered, lexical_qa, chinese_answerable, fmt):
    rq = qa.ReportQA(rendered[fmt], embedding_model="none", use_cache=False)
    same = 0
    for q in chinese_answerable:
        same += _key(rq.answer(q.question, history=list(q.history))) == _key(
            lexical_qa.answer(q.question, history=list(q.history)))
    assert same / len(chinese_answerable) >= 0.95, f"{fmt}: {same}/{len(chinese_answerable)}"


def test_web_page_clutter_is_not_report_text(rendered):
    text = read_source(rendered["html"]).text
    for clutter in ("网站导航", "无障碍浏览", "脚本里的文字", "text-indent", "版权所有", "网站标识码"):
        assert clutter not in text


def test_html_in_gb18030_with_a_meta_charset(tmp_path):
    page = "<html><head><meta charset='gb2312'></head><body><h1>某市报告</h1><p>全年收到申请12件。</p></body></html>"
    path = tmp_path / "r.htm"
    path.write_bytes(page.encode("gb18030"))
    assert "全年收到申请12件。" in read_source(path).text


def test_a_layout_table_is_read_as_text(tmp_path):
    page = ("<html><body><table><tr><td><p>某市年度报告</p><p>一、总体情况</p>"
            "<p>全年收到申请12件，办结11件。</p></td></tr></table></body></html>")
    path = tmp_path / "layout.html"
    path.write_text(page, "utf-8")
    doc = document.load(path)
    assert [s.text for _, s in doc.sentences] == ["全年收到申请12件，办结11件。"]
    assert doc.sections[0].path == ("一、总体情况",)


def test_word_heading_styles_are_headings_without_a_marker(tmp_path):
    from docx import Document

    d = Document()
    d.add_paragraph("某市年度报告", style="Title")
    d.add_heading("总体情况", level=1)
    d.add_paragraph("全年收到申请12件。")
    d.add_heading("存在的问题", level=1)
    d.add_paragraph("答复不够规范。")
    d.save(str(tmp_path / "r.docx"))
    doc = document.load(tmp_path / "r.docx")
    assert [(s.path, [x.text for x in s.sentences]) for s in doc.sections] == [
        (("总体情况",), ["全年收到申请12件。"]), (("存在的问题",), ["答复不够规范。"])]


def test_a_pdf_named_txt_is_read_as_a_pdf(rendered, tmp_path):
    disguised = tmp_path / "report.txt"
    disguised.write_bytes(rendered["pdf"].read_bytes())
    assert read_source(disguised).format == "pdf"
    assert sniff(b"%PDF-1.4", ".txt") == "pdf" and sniff(b"PK\x03\x04", ".bin") == "docx"


# -- tables ---------------------------------------------------------------------------------------
def test_a_template_table_is_laid_out_with_its_labels():
    from eval.formats import template_table

    grid, spans = template_table()
    filled = [row[:] for row in grid]
    for r, c, rs, cs in spans:  # as a Word or HTML reader gives it: a span's text in every cell
        for dr in range(rs):
            for dc in range(cs):
                filled[r + dr][c + dc] = grid[r][c]
    plan = layout(filled)  # type: ignore[arg-type]
    assert plan is not None and plan.header_rows == 3 and plan.label_cols == 3
    lines = ["".join(t for t, _ in line.pieces) for line in plan.lines]
    assert lines[0] == ("一、本年新收政府信息公开申请数量总计1600（其中自然人1200、法人或其他组织·商业企业300、"
                        "法人或其他组织·科研机构20、法人或其他组织·社会公益组织15、法人或其他组织·法律服务机构25、"
                        "法人或其他组织·其他40）。")
    assert lines[4].startswith("三、本年度办理结果·（三）不予公开·1．属于国家秘密总计12（其中自然人9、")
    assert plan.notes == ["注：第一项加第二项之和，等于第三项加第四项之和。"]
    assert len(lines) == 9  # the note is not a data row


def test_a_table_without_figures_is_text(tmp_path):
    assert layout([["甲", "乙"], ["丙", "丁"]]) is None
    assert layout([]) is None and layout([[None, ""]]) is None


WORKED = [  # (question, figure, row label, column label or None for the row's total)
    ("本年新收政府信息公开申请数量是多少？", "1600", "一、本年新收政府信息公开申请数量", None),
    ("本年新收申请中商业企业有多少件？", "300", "一、本年新收政府信息公开申请数量", "商业企业"),
    ("予以公开的申请里自然人有多少？", "600", "（一）予以公开", "自然人"),
    ("不予公开中属于国家秘密的有几件？", "12", "1．属于国家秘密", None),
    ("结转下年度继续办理的有多少", "264", "四、结转下年度继续办理", None),
    ("规范性文件本年新公开数量是多少", "30", "规范性文件", "本年新公开数量"),
    ("行政复议结果纠正的有几件", "8", "", "结果纠正"),
]


def test_a_comparison_of_two_rows_shares_the_column_named_once(template):
    rq = qa.ReportQA(template["html"], embedding_model="none", use_cache=False)
    a = rq.answer("规范性文件的对外公开总数量比规章多多少件？")  # "A的M比B": M is B's too
    assert "412 − 规章45 = 367" in a.text, a.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_cell_questions_are_answered_from_the_cell_and_cite_its_row(template, fmt):
    rq = qa.ReportQA(template[fmt], embedding_model="none", use_cache=False)
    source = rq.sources["template-2019"]
    for question, figure, row_label, column in WORKED:
        a = rq.answer(question)
        assert not a.abstained, question
        key = a.highlights[0]
        assert key.text == figure, (question, a.text)
        cell = next(c for t in source.tables for c in t.cells if c.start <= key.start and key.end <= c.end)
        table = next(t for t in source.tables if cell in t.cells)
        labels = "".join(table.grid[cell.row]) + "".join(table.grid[r][cell.col] for r in range(table.header_rows))
        assert row_label in labels and (column is None or column in labels), (question, labels)
        assert row_label in a.citations[0].text
        if fmt == "pdf":
            assert a.citations[0].passage.page in (1, 2)


def test_the_full_report_view_renders_tables_with_the_answer_cell_marked(template):
    from qa.render import render_report

    rq = qa.ReportQA(template["html"], embedding_model="none", use_cache=False)
    a = rq.answer("本年新收申请中商业企业有多少件？")
    view = render_report(rq.raw, rq.passages, a, tables={d: s.tables for d, s in rq.sources.items()})
    assert view.count("<table") == 3
    assert "<mark><strong>300</strong></mark>" in view
    assert "注：第一项加第二项之和" not in view  # the check note below the table is not a row of it


# -- bad files ------------------------------------------------------------------------------------
def _error(path: Path, **limits: int) -> str:
    with pytest.raises(qa.ReportError) as info:
        read_source(path, **limits)
    assert isinstance(info.value, ValueError)
    return str(info.value)


def test_a_scanned_pdf_says_it_has_no_text_layer(tmp_path):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "scan.pdf"))
    c.rect(100, 100, 300, 500, fill=1)  # a page of "image", no text
    c.showPage()
    c.save()
    assert "no text layer" in _error(tmp_path / "scan.pdf") and "OCR" in _error(tmp_path / "scan.pdf")


def test_an_encrypted_pdf_says_so(tmp_path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "locked.pdf"),
                      encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner", canPrint=0))
    c.drawString(100, 700, "hello")
    c.showPage()
    c.save()
    assert "encrypted" in _error(tmp_path / "locked.pdf")


def test_a_truncated_pdf_says_it_is_damaged(rendered, tmp_path):
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(rendered["pdf"].read_bytes()[:1500])
    message = _error(cut)
    assert "cut.pdf" in message and ("damaged" in message or "no text layer" in message)


def test_a_pdf_over_the_page_cap_is_refused(tmp_path):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "long.pdf"))
    for n in range(500):
        c.drawString(100, 700, f"page {n}")
        c.showPage()
    c.save()
    message = _error(tmp_path / "long.pdf")
    assert "500 pages" in message and "300" in message


def test_a_file_over_the_size_cap_is_refused(rendered):
    assert "limit" in _error(rendered["pdf"], max_bytes=1000)


def test_a_docx_that_is_not_a_zip(tmp_path):
    (tmp_path / "fake.docx").write_text("这不是Word文件", "utf-8")
    assert "not a zip" in _error(tmp_path / "fake.docx")


def test_an_old_binary_doc_is_refused_with_the_fix(tmp_path):
    (tmp_path / "old.doc.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "save it as .docx" in _error(tmp_path / "old.doc.docx")


def test_a_zip_bomb_is_not_inflated(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<" + b"0" * (50 * 1024 * 1024))
        z.writestr("[Content_Types].xml", "<Types/>")
    (tmp_path / "bomb.docx").write_bytes(buf.getvalue())
    assert "zip bomb" in _error(tmp_path / "bomb.docx")


def test_a_zip_that_is_no_word_document(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    (tmp_path / "x.docx").write_bytes(buf.getvalue())
    assert "not a Word document" in _error(tmp_path / "x.docx")


def test_html_with_only_scripts_has_no_report_text(tmp_path):
    (tmp_path / "s.html").write_text("<html><body><script>document.write('报告')</script></body></html>", "utf-8")
    assert "empty" in _error(tmp_path / "s.html")


def test_an_empty_table_is_no_passage(tmp_path):
    page = "<html><body><h1>某市报告</h1><p>全年收到申请12件。</p><table><tr><td></td><td> </td></tr></table></body></html>"
    (tmp_path / "e.html").write_text(page, "utf-8")
    rq = qa.ReportQA(tmp_path / "e.html", embedding_model="none", use_cache=False)
    assert [p.text for p in rq.passages] == ["全年收到申请12件。"]


def test_bad_files_through_the_pipeline_name_the_file(tmp_path):
    (tmp_path / "fake.pdf").write_bytes(b"%PDF-1.4\n garbage")
    with pytest.raises(qa.ReportError, match=r"fake\.pdf"):
        _ = qa.ReportQA(tmp_path / "fake.pdf", embedding_model="none", use_cache=False).status
