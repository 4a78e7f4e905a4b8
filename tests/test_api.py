"""The public API: names, types, input checking at the boundary, odd questions, several reports."""

from __future__ import annotations

import dataclasses
import inspect
import pkgutil
import unicodedata

import pytest

import qa
from qa.settings import MAX_QUESTION_CHARS
from qa.text import tokenize, tokenize_query

PUBLIC = {
    "Answer", "Hit", "InvalidQuestion", "Mode", "Passage", "QAError", "ReportError", "ReportQA",
    "Sentence", "Settings", "SettingsError", "Span", "Status", "answer", "default_pipeline", "retrieve",
}


@pytest.fixture
def default_lexical(monkeypatch, lexical_qa):
    """``qa.retrieve`` and friends use the session's lexical pipeline (restored afterwards)."""
    monkeypatch.setattr(qa, "_default", lexical_qa)
    return lexical_qa


# -- names and types ----------------------------------------------------------------------------


def test_all_lists_exactly_the_public_names():
    assert sorted(qa.__all__) == sorted(PUBLIC) and len(qa.__all__) == len(set(qa.__all__))
    for name in qa.__all__:
        assert getattr(qa, name) is not None
    # nothing defined by the package is exported without being listed
    defined_here = {
        name
        for name, obj in vars(qa).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and getattr(obj, "__module__", "").startswith("qa")
    }
    assert defined_here <= set(qa.__all__)
    assert qa.__version__ == qa.pipeline.VERSION
    # a submodule named like an exported function would replace it once imported (qa.answer)
    submodules = {m.name for m in pkgutil.iter_modules(qa.__path__)}
    assert submodules.isdisjoint(qa.__all__)


def test_hit_is_a_frozen_dataclass_with_its_fields(lexical_qa):
    assert dataclasses.is_dataclass(qa.Hit) and qa.Hit.__dataclass_params__.frozen
    hit = lexical_qa.retrieve("IPv6", k=1)[0]
    assert isinstance(hit, qa.Hit)
    p = hit.passage
    assert (hit.text, hit.start, hit.end, hit.doc, hit.chunk_id) == (p.text, p.start, p.end, p.doc, p.chunk_id)
    assert hit.section == " > ".join(p.section) == "一、工作总体情况 > （二）狠抓平台建设，夯实公开基础"
    assert isinstance(hit.score, float) and hit.rank == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.score = 0.0  # type: ignore[misc]
    for cls in (qa.Passage, qa.Sentence, qa.Span, qa.Answer, qa.Status):
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen


def test_errors_form_one_hierarchy():
    assert issubclass(qa.ReportError, qa.QAError) and issubclass(qa.SettingsError, qa.QAError)
    assert issubclass(qa.QAError, ValueError)
    assert issubclass(qa.InvalidQuestion, ValueError) and issubclass(qa.InvalidQuestion, TypeError)


# -- bad input at the boundary ------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "\n\t\u3000", "\x00\u200f\ud800"])
def test_empty_question_is_a_value_error(default_lexical, question):
    with pytest.raises(ValueError, match=r"question is empty.*e\.g\."):
        qa.retrieve(question)


@pytest.mark.parametrize("question", [None, 42, b"7896", ["7896"]])
def test_non_str_question_is_invalid(default_lexical, question):
    with pytest.raises(qa.InvalidQuestion, match=f"must be a str, not {type(question).__name__}") as info:
        qa.retrieve(question)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("k", "error", "message"),
    [(0, ValueError, "at least 1, not 0"), (-1, ValueError, "at least 1, not -1"),
     (True, TypeError, "int, not bool"), (2.0, TypeError, "int, not float"), ("3", TypeError, "int, not str")],
)
def test_bad_k(default_lexical, k, error, message):
    with pytest.raises(error, match=message):
        qa.retrieve("IPv6", k=k)


def test_too_long_question_names_the_limit(default_lexical):
    with pytest.raises(ValueError, match=f"limit is {MAX_QUESTION_CHARS}") as info:
        qa.retrieve("申" * 100_000)
    assert "100000" in str(info.value)
    assert qa.retrieve("申请" + " " * (MAX_QUESTION_CHARS - 2))  # at the limit: fine


def test_bad_mode(default_lexical):
    with pytest.raises(ValueError, match="mode must be"):
        qa.retrieve("IPv6", mode="fast")  # type: ignore[arg-type]


def test_k_larger_than_the_corpus_returns_every_matching_passage(default_lexical):
    """Lexical ranking returns every passage sharing a word with the question (BM25 > 0) —
    here the oracle is the word overlap itself."""
    question = "政府信息公开申请"
    words = set(tokenize_query(question))
    expected = {p.chunk_id for p in default_lexical.passages if words & set(tokenize(p.context_text))}
    hits = qa.retrieve(question, k=10_000)
    assert {h.chunk_id for h in hits} == expected
    assert len(hits) == len(expected) <= len(default_lexical.passages)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


# -- odd but valid questions --------------------------------------------------------------------


@pytest.mark.parametrize(
    "noisy",
    [
        "全市共收到政府信息公开申请\x00多少份\x07？",
        "全市共收到政府信息公开申请多少份？\u200f\u202e",
        "全市共收到\ud800政府信息公开申请多少份？",
        "🙂全市共收到政府信息公开申请多少份？🙂",
        "全市共收到政府信息公开申请多少份？\ue000",
    ],
    ids=["nul-bel", "rtl-marks", "lone-surrogate", "emoji", "private-use"],
)
def test_noisy_questions_work_like_the_clean_one(default_lexical, noisy):
    clean = "全市共收到政府信息公开申请多少份？"
    got = qa.retrieve(noisy, k=5)
    assert [(h.chunk_id, h.score) for h in got] == [(h.chunk_id, h.score) for h in qa.retrieve(clean, k=5)]
    assert "7896" in got[0].text


def test_question_of_symbols_only_returns_nothing(default_lexical):
    assert qa.retrieve("🙂🙂？", k=5) == []


@pytest.mark.parametrize("query", ["IPv6", "12345", "7896", "７８９６", "ipv6", "1266912", "1,266,912"])
def test_mixed_and_numeric_queries_find_their_passage_first(default_lexical, query):
    hits = qa.retrieve(query, k=3)
    needle = unicodedata.normalize("NFKC", query).replace(",", "")
    assert needle.lower() in hits[0].text.lower()


# -- several reports ----------------------------------------------------------------------------


def test_two_copies_keep_their_doc_ids(report_raw, tmp_path):
    a, b = tmp_path / "report-a.txt", tmp_path / "report-b.txt"
    a.write_text(report_raw, "utf-8")
    b.write_text(report_raw, "utf-8")
    rq = qa.ReportQA([a, b], embedding_model="none")
    assert rq.status.documents == 2
    hits = rq.retrieve("7896", k=2)
    assert {h.doc for h in hits} == {"report-a", "report-b"}
    assert hits[0].text == hits[1].text and hits[0].start == hits[1].start
    assert len({p.chunk_id for p in rq.passages}) == len(rq.passages)
    assert sorted(rq.raw) == ["report-a", "report-b"]


def test_same_file_name_in_two_folders_gets_distinct_ids(report_raw, tmp_path):
    paths = []
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        paths.append(tmp_path / folder / "report.txt")
        paths[-1].write_text(report_raw, "utf-8")
    rq = qa.ReportQA(paths, embedding_model="none")
    assert {h.doc for h in rq.retrieve("7896", k=2)} == {"report", "report-2"}


def test_report_qa_needs_a_report():
    with pytest.raises(ValueError, match="at least one report"):
        qa.ReportQA([], embedding_model="none")


# -- settings -----------------------------------------------------------------------------------


def test_settings_reject_unknown_keywords():
    with pytest.raises(TypeError, match=r"unknown setting.*chunksize"):
        qa.ReportQA(chunksize=100)
    with pytest.raises(TypeError):
        qa.Settings(chunksize=100)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unknown setting"):
        qa.Settings().with_(mdoe="lexical")
    with pytest.raises(TypeError):
        qa.Settings("intfloat/multilingual-e5-small")  # type: ignore[misc]  # keyword-only


@pytest.mark.parametrize(
    "bad",
    [{"mode": "fast"}, {"mode": "Lexical"}, {"chunk_size": 10}, {"chunk_overlap": 5}, {"k": 0}, {"hub_timeout": 0}],
)
def test_settings_reject_bad_values(bad):
    with pytest.raises(qa.SettingsError):
        qa.Settings(**bad)
    with pytest.raises(qa.SettingsError):
        qa.ReportQA(**bad)


def test_settings_from_env():
    s = qa.Settings.from_env(
        {"QA_MODE": " LEXICAL ", "QA_EMBEDDING_MODEL": "none", "QA_CHUNK_SIZE": "120", "QA_HUB_TIMEOUT": "1.5"}
    )
    assert (s.mode, s.embedding_model, s.chunk_size, s.hub_timeout, s.dense_enabled) == ("lexical", "none", 120, 1.5, False)
    with pytest.raises(qa.SettingsError, match="QA_CHUNK_SIZE"):
        qa.Settings.from_env({"QA_CHUNK_SIZE": "big"})
    with pytest.raises(qa.SettingsError, match="mode must be one of hybrid, lexical, dense"):
        qa.Settings.from_env({"QA_MODE": "fast"})
    assert "chunk_size=200" in repr(qa.Settings())


def test_default_pipeline_is_built_once_from_the_environment(monkeypatch):
    monkeypatch.setenv("QA_EMBEDDING_MODEL", "none")
    monkeypatch.setattr(qa, "_default", None)
    first = qa.default_pipeline()
    assert first is qa.default_pipeline()
    assert first.settings.embedding_model == "none"


def test_settings_reject_negative_rrf_k():
    with pytest.raises(qa.SettingsError):
        qa.Settings(rrf_k=-1)


def test_qa_answer_can_be_called_twice(default_lexical, monkeypatch):
    """The first answer imports the answering module; it must not shadow the function ``qa.answer``
    (a submodule named ``qa/answer.py`` would: importing it binds ``qa.answer`` to the module)."""
    monkeypatch.setattr(qa, "answer", qa.answer)  # whatever happens, restore the name afterwards
    question = "2018年全市共收到多少份政府信息公开申请？"
    first = qa.answer(question)
    second = qa.answer(question)
    assert second.text == first.text and "7896" in first.text
