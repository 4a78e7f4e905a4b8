"""Scores of one eval run, grouped by language and question type.

Retrieval: a hit is a passage containing one of the question's evidence snippets
(whitespace removed); hit@1/3/5 and MRR over answerable questions.
Answers: accuracy (an acceptable answer inside the answer text, whitespace removed,
and no abstention), citations (every evidence snippet inside one of the first three
citations), abstention on unanswerable questions, false abstention on answerable ones.
Figure accuracy is stricter: an answer that leads with one figure (the value it highlights) is
right only when that figure is an acceptable answer — not when the report's words quoted after
it hold the right figure beside the wrong one ("8次 — “…3024篇…”").
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from eval.dataset import Question, squash
from qa.types import Answer, Hit


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", squash(text)).replace(",", "")


def _inside(answer: str, text: str) -> bool:
    """``answer`` in ``text``, a figure not as part of a longer one (80 is not in 280 or 800); a
    decimal may be given rounded (5.5 is in 5.52: a computed ratio, answered to more places)."""
    if not answer:
        return False
    before = r"(?<![\d.])" if answer[0].isdigit() else ""
    after = r"(?![\d]|\.\d)" if answer[-1].isdigit() and "." not in answer else ""
    return re.search(before + re.escape(answer) + after, text) is not None


def contains_answer(text: str, answers: Sequence[str], every: bool = False) -> bool:
    """An acceptable answer inside ``text`` (whitespace and thousands separators ignored; a figure
    only as a whole number: "80" is not found in "280"); ``every``: all of them (a list's items).

    >>> contains_answer("共280件", ["80"]), contains_answer("共80件。", ["80"]), contains_answer("≈ 5.52倍", ["5.5"])
    (False, True, True)
    """
    t = _norm(text)
    found = [_inside(_norm(a), t) for a in answers]
    return all(found) if every else any(found)


def figure_right(a: Answer, answers: Sequence[str]) -> bool:
    """Whether the figure an answer leads with — the value it highlights first, when it gives one
    and is not computed — is an acceptable answer; True when the answer gives no single figure or
    the accepted answers are no figures."""
    if a.working or len(a.highlights) < 2 or not any(re.search(r"\d", x) for x in answers):
        return True
    lead = a.highlights[0].text
    return not re.search(r"\d", lead) or contains_answer(lead, answers)


def evidence_rank(hits: Sequence[Hit], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first passage holding any evidence snippet."""
    for rank, hit in enumerate(hits, start=1):
        text = squash(hit.text)
        if any(squash(e) in text for e in evidence):
            return rank
    return None


def cites_all(citations: Sequence[Hit], evidence: Sequence[str]) -> bool:
    texts = [squash(c.text) for c in citations[:3]]
    return all(any(squash(e) in t for t in texts) for e in evidence)


@dataclass
class Row:
    """One question's outcome."""

    q: Question
    rank: int | None = None
    correct: bool = False
    cited: bool = False
    abstained: bool = False
    answer: str = ""
    seconds: float = 0.0
    explain: tuple[str, ...] = ()
    #: right, and the figure the answer leads with (when it gives one) is an acceptable answer
    figure_right: bool = False
    #: the answer decision's confidence and whether its best candidate would have been right
    #: (None: no scored decision — a comparison, a hard veto, no candidate)
    confidence: float | None = None
    would_be_correct: bool = False


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    mode: str = ""
    passages: int = 0
    mean_chars: float = 0.0

    def groups(self) -> dict[str, list[Row]]:
        g: dict[str, list[Row]] = defaultdict(list)
        for r in self.rows:
            g["all"].append(r)
            g[r.q.lang].append(r)
            g[f"{r.q.lang}/{r.q.type}"].append(r)
        return dict(sorted(g.items(), key=lambda kv: (kv[0] != "all", kv[0].count("/"), kv[0])))

    @staticmethod
    def metrics(rows: Sequence[Row]) -> dict[str, Any]:
        ans = [r for r in rows if r.q.answerable]
        una = [r for r in rows if not r.q.answerable]
        ranked = [r for r in ans if r.q.type != "followup"]
        m: dict[str, Any] = {"n": len(rows)}

        def pct(xs: Sequence[bool]) -> float | None:
            return round(100 * sum(xs) / len(xs), 1) if xs else None

        if ranked:
            m["hit@1"] = pct([r.rank == 1 for r in ranked])
            m["hit@3"] = pct([r.rank is not None and r.rank <= 3 for r in ranked])
            m["hit@5"] = pct([r.rank is not None and r.rank <= 5 for r in ranked])
            m["mrr"] = round(sum(1 / r.rank for r in ranked if r.rank) / len(ranked), 3)
        m["answer_acc"] = pct([r.correct for r in ans])
        m["figure_acc"] = pct([r.figure_right for r in ans])
        m["citation_acc"] = pct([r.cited for r in ans])
        m["false_abstain"] = pct([r.abstained for r in ans])
        m["abstain_unanswerable"] = pct([r.abstained for r in una])
        return m

    def summary(self) -> dict[str, Any]:
        return {k: self.metrics(v) for k, v in self.groups().items()}

    def misses(self) -> dict[str, list[str]]:
        return {
            "answer": [r.q.id for r in self.rows if r.q.answerable and not r.correct],
            "citation": [r.q.id for r in self.rows if r.q.answerable and not r.cited],
            "retrieval@1": [r.q.id for r in self.rows if r.q.answerable and r.q.type != "followup" and r.rank != 1],
            "not_abstained": [r.q.id for r in self.rows if not r.q.answerable and not r.abstained],
            "false_abstained": [r.q.id for r in self.rows if r.q.answerable and r.abstained],
        }


def run(
    questions: Sequence[Question],
    retrieve: Callable[[str], list[Hit]],
    answer: Callable[[str, Sequence[str]], Answer],
    progress: Callable[[Sequence[Question]], Any] = lambda qs: qs,
) -> Report:
    report = Report()
    for q in progress(questions):
        row = Row(q)
        if q.answerable and q.type != "followup":
            row.rank = evidence_rank(retrieve(q.question), q.evidence)
        started = time.perf_counter()
        a = answer(q.question, q.history)
        row.seconds = time.perf_counter() - started
        row.answer, row.abstained = a.text, a.abstained
        row.explain = tuple(a.explanation.lines()[:3]) if a.explanation else ()
        e = a.explanation
        if e is not None and e.best and not e.verdict.startswith("vetoed"):
            row.confidence = e.confidence
            row.would_be_correct = q.answerable and contains_answer(e.best, q.answers)
        if q.answerable:
            every = q.type == "list" and len(q.answers) > 1
            row.correct = not a.abstained and contains_answer(a.text, q.answers, every)
            row.figure_right = row.correct and figure_right(a, q.answers)
            row.cited = not a.abstained and cites_all(a.citations, q.evidence)
        report.rows.append(row)
    return report


#: Thresholds of the accuracy/coverage curve.
CURVE_THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def coverage_curve(rows: Sequence[Row], thresholds: Sequence[float] = CURVE_THRESHOLDS) -> list[dict[str, float]]:
    """What the answer decision would do at each threshold, over the rows it scored: coverage (% of
    answerable questions answered), precision (% of answers given that are right — an answer to an
    unanswerable question is wrong) and % of unanswerable questions abstained."""
    scored = [r for r in rows if r.confidence is not None]
    out = []
    for tau in thresholds:
        given = [r for r in scored if (r.confidence or 0.0) >= tau]
        answerable = [r for r in scored if r.q.answerable]
        unanswerable = [r for r in scored if not r.q.answerable]
        right = sum(r.would_be_correct for r in given)
        out.append({
            "threshold": tau,
            "coverage": round(100 * sum(r in given for r in answerable) / len(answerable), 1) if answerable else 0.0,
            "precision": round(100 * right / len(given), 1) if given else 0.0,
            "abstain_unanswerable": round(100 * sum(r not in given for r in unanswerable) / len(unanswerable), 1)
            if unanswerable else 0.0,
        })
    return out


def markdown(report: Report, command: str) -> str:
    cols = ["n", "hit@1", "hit@3", "hit@5", "mrr", "answer_acc", "figure_acc", "citation_acc", "false_abstain",
            "abstain_unanswerable"]
    lines = [
        f"Command: `{command}` — mode **{report.mode}**, {report.passages} passages "
        f"(mean {report.mean_chars:.0f} chars); answer latency median "
        f"{1000 * median([r.seconds for r in report.rows] or [0]):.1f} ms.",
        "",
        "| group | " + " | ".join(cols) + " |",
        "|---" * (len(cols) + 1) + "|",
    ]
    for name, m in report.summary().items():
        lines.append(f"| {name} | " + " | ".join("–" if m.get(c) is None else str(m[c]) for c in cols) + " |")
    curve = coverage_curve(report.rows)
    scored = sum(r.confidence is not None for r in report.rows)
    lines += ["", f"Accuracy against coverage: the answer decision at other thresholds, over the {scored} "
              "questions it scored (comparisons and hard vetoes aside; the shipped threshold is 0.5).", "",
              "| threshold | coverage of answerable | precision of answers | unanswerable abstained |",
              "|---|---|---|---|"]
    lines += [f"| {c['threshold']:.1f} | {c['coverage']} | {c['precision']} | {c['abstain_unanswerable']} |" for c in curve]
    lines.append("")
    for kind, ids in report.misses().items():
        lines.append(f"- misses ({kind}): {', '.join(ids) if ids else 'none'}")
    missed = set(report.misses()["answer"]) | set(report.misses()["not_abstained"])
    explained = [r for r in report.rows if r.q.id in missed and r.explain]
    if explained:
        lines += ["", "Why (the answer step's explanation of each miss):", ""]
        lines += [f"- {r.q.id} {r.q.question} — " + "; ".join(r.explain) for r in explained]
    return "\n".join(lines) + "\n"
