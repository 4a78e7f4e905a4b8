"""The eval set is valid: evidence is in the report, every kind of question is there, and the
loader rejects malformed files with the line number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.dataset import QUESTIONS, TYPES, load_questions, squash


@pytest.fixture(scope="module")
def questions():
    return load_questions()


@pytest.fixture(scope="module")
def lines() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text("utf-8").splitlines() if line.strip()]


def test_loader_accepts_the_eval_set(questions, lines):
    assert len(questions) == len(lines) >= 100
    assert len({q.id for q in questions}) == len(questions)


def test_both_languages_and_every_type(questions):
    assert {q.lang for q in questions} == {"zh", "en"}
    assert {q.type for q in questions} == set(TYPES)
    for lang in ("zh", "en"):
        assert sum(q.lang == lang for q in questions) >= 20


def test_every_evidence_snippet_is_in_the_report(questions, report_raw):
    report = squash(report_raw)
    missing = [(q.id, e) for q in questions for e in q.evidence if squash(e) not in report]
    assert missing == []


def test_every_evidence_snippet_fits_in_one_passage(questions, lexical_qa):
    """Otherwise retrieval could never be scored a hit for that question at default settings."""
    passages = [squash(p.text) for p in lexical_qa.passages]
    split = [(q.id, e) for q in questions for e in q.evidence if not any(squash(e) in p for p in passages)]
    assert split == []


def test_answerable_questions_have_answers_and_evidence(questions):
    for q in questions:
        if q.answerable:
            assert q.answers and q.evidence and all(a.strip() for a in q.answers), q.id
        else:
            assert not q.evidence, q.id
        if q.type == "followup":
            assert q.history, q.id


def _write(tmp_path: Path, rows: list[str]) -> Path:
    p = tmp_path / "questions.jsonl"
    p.write_text("\n".join(rows) + "\n", "utf-8")
    return p


GOOD = {"id": "t-1", "question": "全市共收到多少份申请？", "lang": "zh", "type": "number",
        "answers": ["7896份"], "evidence": ["全市共收到政府信息公开申请7896份"], "section": ""}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not a valid eval question"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "question"}), "not a valid eval question"),
        (json.dumps({**GOOD, "type": "trivia"}), "type must be one of"),
        (json.dumps({**GOOD, "lang": "fr"}), "lang zh/en"),
        (json.dumps({**GOOD, "id": "t-1"}), "duplicate id t-1"),
        (json.dumps({**GOOD, "id": "t-9", "evidence": []}), "needs answers and evidence"),
        ("[1, 2]", "not a valid eval question"),
    ],
    ids=["json", "missing-key", "type", "lang", "duplicate", "no-evidence", "not-an-object"],
)
def test_malformed_line_names_its_number(tmp_path, bad, message):
    path = _write(tmp_path, [json.dumps(GOOD), "", bad])  # the bad one is line 3 (blank lines count)
    with pytest.raises(ValueError, match=message) as info:
        load_questions(path)
    assert f"{path}:3:" in str(info.value)


def test_unanswerable_needs_no_evidence(tmp_path):
    row = {"id": "u-1", "question": "重庆有多少人口？", "lang": "zh", "type": "unanswerable"}
    [q] = load_questions(_write(tmp_path, [json.dumps(row)]))
    assert not q.answerable and q.evidence == ()


def test_answers_must_be_a_list(tmp_path):
    path = _write(tmp_path, [json.dumps({**GOOD, "answers": "7896"})])
    with pytest.raises(ValueError, match=":1:"):
        load_questions(path)


def test_coverage_curve_counts_what_each_threshold_would_answer():
    from eval.dataset import Question
    from eval.score import Row, coverage_curve

    def q(i: int, answerable: bool) -> Question:
        return Question(id=f"t{i}", question="?", lang="zh", type="number" if answerable else "unanswerable",
                        answers=("1件",) if answerable else (), evidence=("x",) if answerable else (), section="")

    rows = [Row(q(1, True), confidence=0.9, would_be_correct=True),
            Row(q(2, True), confidence=0.45, would_be_correct=False),
            Row(q(3, False), confidence=0.6),
            Row(q(4, False), confidence=0.1),
            Row(q(5, True))]  # no scored decision: left out
    low, mid, high = coverage_curve(rows, (0.4, 0.5, 0.95))
    assert low == {"threshold": 0.4, "coverage": 100.0, "precision": 33.3, "abstain_unanswerable": 50.0}
    assert mid == {"threshold": 0.5, "coverage": 50.0, "precision": 50.0, "abstain_unanswerable": 50.0}
    assert high == {"threshold": 0.95, "coverage": 0.0, "precision": 0.0, "abstain_unanswerable": 100.0}


def test_a_figure_is_found_only_as_a_whole_number():
    from eval.score import contains_answer

    assert not contains_answer("政府回复说自己手300 − 这份信息20 = 280", ["80"])  # 80 is not in 280
    assert contains_answer("答复率99%。", ["99%"]) and contains_answer("共80件。", ["80"])
    assert not contains_answer("2018年", ["201"]) and not contains_answer("共800件", ["80"])
    assert contains_answer("≈ 5.52倍", ["5.5"]) and not contains_answer("15.33%", ["5.3"])  # a rounded decimal
    assert contains_answer("1,266,912条", ["1266912"])  # thousands separators ignored
    assert contains_answer("渝府办发〔2018〕76号", ["渝府办发〔2018〕76号"])


def test_figure_accuracy_is_the_figure_an_answer_leads_with():
    from eval.score import figure_right
    from qa.types import Answer, Span

    def answer(value: str, quote: str, working: str = "") -> Answer:
        spans = (Span("r", 0, len(value), value), Span("r", 0, len(quote), quote))
        return Answer(question="?", text=f"{value} — “{quote}”", citations=(), abstained=False, kind="number",
                      confidence=1.0, highlights=spans, working=working)

    quote = "2018年公开灾害事故救援领域政府信息3024篇，回应公众关注热点与舆情8次"
    assert figure_right(answer("3024篇", quote), ["3024篇"])
    assert not figure_right(answer("8次", quote), ["3024篇"])  # the right figure only in the quote
    assert figure_right(answer("8次", quote, working="a − b"), ["3024篇"])  # computed: judged by its text
    assert figure_right(answer("8次", quote), ["基本持平"])  # not a figure asked
