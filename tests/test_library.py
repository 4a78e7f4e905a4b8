"""qa.Library: a person's own reports beside the bundled one — copied into a directory of its own,
never into the shared index cache, asked together, named in citations, deleted on close."""

from __future__ import annotations

from pathlib import Path

import pytest

import qa
from eval.formats import template_2019, to_docx, to_pdf
from qa.library import Library
from qa.render import format_answer


@pytest.fixture
def library(lexical_qa):
    lib = Library(lexical_qa)
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def template_pdf(tmp_path_factory) -> Path:
    return to_pdf(template_2019(), tmp_path_factory.mktemp("lib") / "upload.pdf")


def test_an_upload_is_asked_beside_the_bundled_report_and_named_in_citations(library, template_pdf, qa_cache_dir):
    before = sorted(p.name for p in qa_cache_dir.iterdir()) if qa_cache_dir.exists() else []
    entry = library.add(template_pdf, "某市年报.pdf")
    assert entry.name == "某市2019年政府信息公开工作年度报告"
    assert library.names == ["重庆市2018年政府信息公开工作年度报告", entry.name]
    answer, source = library.answer("本年新收申请中商业企业有多少件？")
    assert source is entry and answer.highlights[0].text == "300"
    answer2, source2 = library.answer("2018年全市共收到多少份政府信息公开申请？")
    assert source2.name == "重庆市2018年政府信息公开工作年度报告" and "7896" in answer2.text
    titles = {doc: e.name for e in library.entries for doc in e.pipeline.raw}
    md = format_answer(answer, entry.pipeline.raw, titles=titles)
    assert f"《{entry.name}》" in md and "第1页 / p. 1" in md
    after = sorted(p.name for p in qa_cache_dir.iterdir()) if qa_cache_dir.exists() else []
    assert after == before  # nothing of the upload in the shared cache
    assert [p.name for p in (library.root / "files").iterdir()] == ["某市年报.pdf"]


def test_only_the_chosen_reports_are_asked(library, template_pdf):
    entry = library.add(template_pdf, "a.pdf")
    answer, source = library.answer("2018年全市共收到多少份政府信息公开申请？", names=[entry.name])
    assert source is entry
    assert not (not answer.abstained and "7896" in answer.text)  # the bundled report was not asked
    with pytest.raises(ValueError, match="unknown report"):
        library.answer("多少？", names=["no such report"])


def test_the_same_file_name_twice_gets_two_entries(library, template_pdf, tmp_path):
    docx = to_docx(template_2019(), tmp_path / "upload.docx")
    first = library.add(template_pdf, "年报.pdf")
    second = library.add(docx, "年报.pdf.docx")
    third = library.add(template_pdf, "年报.pdf")
    assert len({first.name, second.name, third.name}) == 3
    assert sorted(p.name for p in (library.root / "files").iterdir()) == ["年报-2.pdf", "年报-pdf.docx", "年报.pdf"]


def test_a_bad_upload_says_why_with_the_users_file_name_and_leaves_nothing(library, tmp_path):
    bad = tmp_path / "x"
    bad.write_bytes(b"%PDF-1.4 truncated")
    with pytest.raises(qa.ReportError) as info:
        library.add(bad, "我的报告.pdf")
    assert "我的报告.pdf" in str(info.value) and str(library.root) not in str(info.value)
    assert list((library.root / "files").iterdir()) == []
    with pytest.raises(qa.ReportError, match="not supported"):
        library.add(bad, "report.exe")
    assert library.names == ["重庆市2018年政府信息公开工作年度报告"]


def test_limits_on_size_and_count(lexical_qa, template_pdf):
    small = Library(lexical_qa, max_bytes=1000, max_reports=1)
    try:
        with pytest.raises(qa.ReportError, match="limit is"):
            small.add(template_pdf, "big.pdf")
    finally:
        small.close()
    one = Library(lexical_qa, max_reports=1)
    try:
        one.add(template_pdf, "a.pdf")
        with pytest.raises(qa.ReportError, match="at most 1"):
            one.add(template_pdf, "b.pdf")
    finally:
        one.close()


def test_close_deletes_the_uploads(lexical_qa, template_pdf):
    lib = Library(lexical_qa)
    entry = lib.add(template_pdf, "a.pdf")
    root = lib.root
    assert entry.pipeline.paths[0].exists()
    lib.close()
    assert not root.exists()
    assert lib.names == ["重庆市2018年政府信息公开工作年度报告"]


def test_remove_an_upload(library, template_pdf):
    entry = library.add(template_pdf, "a.pdf")
    library.remove(entry.name)
    assert library.names == ["重庆市2018年政府信息公开工作年度报告"] and not entry.pipeline.paths[0].exists()
    with pytest.raises(ValueError):
        library.remove("重庆市2018年政府信息公开工作年度报告")  # the bundled report is not an upload


def test_sessions_make_a_library_per_session_and_delete_it_when_it_ends(lexical_qa, template_pdf):
    from qa.library import Sessions

    sessions = Sessions(lambda: lexical_qa, capacity=2)
    assert sessions.get("a") is None and sessions.get(None, create=True) is None
    a = sessions.get("a", create=True)
    assert a is sessions.get("a") and a is not sessions.get("b", create=True)
    with pytest.raises(qa.ReportError, match="try again later"):
        sessions.get("c", create=True)
    a.add(template_pdf, "a.pdf")
    root = a.root
    sessions.close("a")
    assert not root.exists() and sessions.get("a") is None
    sessions.close("never-seen")  # no error
    sessions.close_all()
    assert sessions.get("b") is None
