"""The eval set: one JSON object a line (see README, "Eval set format")."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"
#: Every eval file: the first set, the held-out set and the sets written apart (README, Eval).
EVAL_FILES = tuple(QUESTIONS.with_name(n) for n in (
    "questions.jsonl", "heldout.jsonl", "apart-a.jsonl", "apart-b.jsonl", "apart-c.jsonl", "apart-d.jsonl",
    "apart-e.jsonl", "apart-f.jsonl", "apart-g.jsonl", "apart-h.jsonl",
    "apart-i.jsonl", "apart-j.jsonl", "apart-k.jsonl",
    "apart-l.jsonl", "apart-m.jsonl", "apart-n.jsonl",
    "apart-o.jsonl", "apart-p.jsonl", "apart-q.jsonl", "apart-r.jsonl",
    "apart-s.jsonl", "apart-t.jsonl", "apart-u.jsonl", "apart-v.jsonl", "apart-w.jsonl",
    "apart-x.jsonl", "apart-y.jsonl", "apart-z.jsonl", "apart-aa.jsonl", "apart-ab.jsonl", "apart-ac.jsonl", "apart-ad.jsonl"))
#: Questions about another report (the 2019 national template, tables): run with
#: ``--report`` on a file ``python -m eval.formats DIR`` writes (README, "Other reports and formats").
TABLES_2019 = QUESTIONS.with_name("tables-2019.jsonl")
TYPES = ("number", "rate", "list", "docno", "fact", "paraphrase", "compare", "followup", "unanswerable")
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text with all whitespace removed: how answers and evidence are compared."""
    return _WS.sub("", text)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    type: str
    answers: tuple[str, ...]
    evidence: tuple[str, ...]
    section: str
    history: tuple[str, ...] = field(default=())

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def load_questions(path: str | Path = QUESTIONS) -> list[Question]:
    """Read and check an eval file; errors name the line and what is wrong."""
    p = Path(path)
    out: list[Question] = []
    seen: set[str] = set()
    for n, line in enumerate(p.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            if not isinstance(d, dict):
                raise TypeError("each line must be a JSON object")
            for name in ("answers", "evidence", "history"):
                value = d.get(name, [])
                if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                    raise TypeError(f"{name} must be a list of strings")
            q = Question(
                id=d["id"], question=d["question"], lang=d["lang"], type=d["type"],
                answers=tuple(d.get("answers", ())), evidence=tuple(d.get("evidence", ())),
                section=d.get("section", ""), history=tuple(d.get("history", ())),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{p}:{n}: not a valid eval question ({exc})") from exc
        if q.type not in TYPES or q.lang not in ("zh", "en"):
            raise ValueError(f"{p}:{n}: type must be one of {TYPES} and lang zh/en")
        if q.id in seen:
            raise ValueError(f"{p}:{n}: duplicate id {q.id}")
        if q.answerable and not (q.answers and q.evidence):
            raise ValueError(f"{p}:{n}: an answerable question needs answers and evidence")
        seen.add(q.id)
        out.append(q)
    return out
