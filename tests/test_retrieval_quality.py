"""Regression guard for the issue's "done when": lexical retrieval alone, on the Chinese
answerable questions of the eval set (follow-ups excluded: they need the history), puts a
passage holding the evidence first for ≥ 92% of them and in the top 5 for ≥ 99%."""

from __future__ import annotations

import pytest

from eval.dataset import load_questions
from eval.score import evidence_rank


@pytest.fixture(scope="module")
def ranks(lexical_qa) -> dict[str, int | None]:
    questions = [q for q in load_questions() if q.lang == "zh" and q.answerable and q.type != "followup"]
    assert len(questions) >= 100
    return {q.id: evidence_rank(lexical_qa.retrieve(q.question, k=5), q.evidence) for q in questions}


def test_lexical_hit_at_5(ranks):
    missed = sorted(i for i, r in ranks.items() if r is None)
    assert (len(ranks) - len(missed)) / len(ranks) >= 0.99, f"not in the top 5: {missed}"


def test_lexical_hit_at_1(ranks):
    missed = sorted(i for i, r in ranks.items() if r != 1)
    assert (len(ranks) - len(missed)) / len(ranks) >= 0.92, f"not first: {missed}"
