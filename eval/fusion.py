"""``python -m eval.fusion``: which fusion of lexical and dense rankings, chosen by cross-validation.

For every answerable question of the tuning sets (every eval file by default) both retrievers' candidates are computed once with the loaded
model; then each variant of the family — lexical only, dense only, RRF (equal and weighted, one
weight or one per question language), normalised score combination (one weight or per language),
and lexical-confidence gating (the dense weight depends on how strong the best BM25 score is) — is
fitted on four folds (grid search) and scored on the fifth. The objective is the mean of the Chinese
and the English MRR, so the 3:1 majority of Chinese questions does not decide alone. The table
reports out-of-fold hit@1 / hit@5 per language; pick the variant by those columns, never by its
in-fold fit. ``--questions`` adds files; ``--confirm FILE`` scores the fitted variants once on a
set that took no part in the fitting.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.dataset import EVAL_FILES, Question, load_questions, squash
from qa.retrieval import CANDIDATES, DEFAULT_FUSION, Gate, combine_scores, rrf

GRID = [round(0.1 * i, 1) for i in range(11)]


@dataclass(frozen=True)
class Case:
    q: Question
    lexical: list[tuple[int, float]]
    dense: list[tuple[int, float]]
    relevant: frozenset[int]


Ranker = Callable[[Case], list[int]]


def _rank(ranked: Sequence[int], relevant: frozenset[int]) -> int | None:
    return next((r for r, i in enumerate(ranked, start=1) if i in relevant), None)


def metrics(cases: Sequence[Case], ranker: Ranker) -> dict[str, float]:
    return _summary([_rank(ranker(c)[:10], c.relevant) for c in cases], [c.q.lang for c in cases])


def objective(m: dict[str, float]) -> float:
    langs = [k for k in ("zh_mrr", "en_mrr") if k in m]
    return sum(m[k] for k in langs) / max(1, len(langs))


def variants() -> dict[str, list[tuple[dict[str, Any], Ranker]]]:
    """Each variant's parameter grid: ``[(params, ranker), …]``."""

    def lexical(c: Case) -> list[int]:
        return [i for i, _ in c.lexical] or [i for i, _ in c.dense]

    def dense(c: Case) -> list[int]:
        return [i for i, _ in c.dense]

    def rrf_w(w_zh: float, w_en: float, k: int) -> Ranker:
        def f(c: Case) -> list[int]:
            w = w_en if c.q.lang == "en" else w_zh
            return [i for i, _ in rrf([[i for i, _ in c.lexical], [i for i, _ in c.dense]], k, (1 - w, w))]
        return f

    def score_w(w_zh: float, w_en: float) -> Ranker:
        def f(c: Case) -> list[int]:
            w = w_en if c.q.lang == "en" else w_zh
            return [i for i, _ in combine_scores(c.lexical, c.dense, w)]
        return f

    def gated(tau: float, w_strong: float, w_weak: float) -> Ranker:
        gate = Gate(tau, w_strong, w_weak)

        def f(c: Case) -> list[int]:
            return [i for i, _ in combine_scores(c.lexical, c.dense, gate.weight(c.lexical[0][1] if c.lexical else 0.0))]
        return f

    ks = (5, 20, 60)
    return {
        "lexical only": [({}, lexical)],
        "dense only": [({}, dense)],
        "RRF, equal (k=60)": [({"k": 60}, rrf_w(0.5, 0.5, 60))],
        "RRF, one weight": [({"w": w, "k": k}, rrf_w(w, w, k)) for w in GRID for k in ks],
        "RRF, weight per language": [
            ({"w_zh": a, "w_en": b, "k": k}, rrf_w(a, b, k)) for a in GRID for b in GRID for k in ks
        ],
        "score combination, one weight": [({"w": w}, score_w(w, w)) for w in GRID],
        "score combination, weight per language": [({"w_zh": a, "w_en": b}, score_w(a, b)) for a in GRID for b in GRID],
        "lexical-confidence gating": [
            ({"tau": t, "w_strong": a, "w_weak": b}, gated(t, a, b))
            for t in (2.0, 4.0, 6.0, 8.0, 10.0, 14.0) for a in GRID for b in GRID
        ],
    }


def folds(cases: Sequence[Case], n: int = 5, seed: int = 0) -> list[list[Case]]:
    """``n`` folds, each language spread evenly, the same on every run."""
    out: list[list[Case]] = [[] for _ in range(n)]
    for lang in ("zh", "en"):
        group = [c for c in cases if c.q.lang == lang]
        random.Random(seed).shuffle(group)
        for i, c in enumerate(group):
            out[i % n].append(c)
    return out


def _summary(ranks: Sequence[int | None], langs: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for lang in ("zh", "en"):
        rs = [r for r, g in zip(ranks, langs, strict=True) if g == lang]
        if rs:
            out[f"{lang}_hit1"] = 100 * sum(r == 1 for r in rs) / len(rs)
            out[f"{lang}_hit5"] = 100 * sum(r is not None and r <= 5 for r in rs) / len(rs)
            out[f"{lang}_mrr"] = sum(1 / r for r in rs if r) / len(rs)
    return out


def cross_validate(cases: Sequence[Case], grid: list[tuple[dict[str, Any], Ranker]], per_language: bool = False,
                   n: int = 5) -> dict[str, Any]:
    """Out-of-fold figures of the grid point chosen on the other folds (each case ranked once per
    grid point; folds only regroup those ranks). ``per_language``: each language its own grid
    point, chosen for that language's MRR alone (the objective is a mean of the two, so it separates)."""
    index = {id(c): i for i, c in enumerate(cases)}
    table = [[_rank(ranker(c)[:10], c.relevant) for c in cases] for _, ranker in grid]
    langs = [c.q.lang for c in cases]
    parts = [[index[id(c)] for c in part] for part in folds(cases, n)]

    def pick(rows: Sequence[int]) -> dict[str, int]:
        if per_language:
            return {lang: max(range(len(grid)), key=lambda g: sum(1 / table[g][i] for i in rows
                                                                   if langs[i] == lang and table[g][i]))
                    for lang in ("zh", "en")}
        g = max(range(len(grid)), key=lambda g: objective(_summary([table[g][i] for i in rows], [langs[i] for i in rows])))
        return {"zh": g, "en": g}

    def params(p: dict[str, int]) -> Any:
        return {lang: grid[g][0] for lang, g in p.items()} if per_language else grid[p["zh"]][0]

    held: list[int | None] = [None] * len(cases)
    chosen = []
    for i, test in enumerate(parts):
        p = pick([r for j, part in enumerate(parts) if j != i for r in part])
        chosen.append(params(p))
        for r in test:
            held[r] = table[p[langs[r]]][r]
    out: dict[str, Any] = _summary(held, langs)
    p_all = pick(range(len(cases)))
    out["folds_chose"] = chosen
    out["fitted_on_all"] = params(p_all)
    rankers = {lang: grid[g][1] for lang, g in p_all.items()}
    out["_ranker"] = lambda c: rankers[c.q.lang](c)
    return out


def build_cases(pipeline: Any, questions: Sequence[Question]) -> list[Case]:
    retriever = pipeline._ensure()
    out = []
    for q in questions:
        if not q.answerable or q.type == "followup":
            continue
        lexical, _ = retriever.candidates(q.question, CANDIDATES, "lexical")
        _, dense = retriever.candidates(q.question, CANDIDATES, "dense")
        relevant = frozenset(
            i for i, p in enumerate(retriever.passages) if any(squash(e) in squash(p.text) for e in q.evidence)
        )
        out.append(Case(q, lexical, dense, relevant))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fusion", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, action="append", help="tuning files (default: every eval file)")
    parser.add_argument("--confirm", type=Path, action="append", default=[], help="files scored once, never fitted on")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "fusion.json")
    args = parser.parse_args(argv)
    import qa

    pipeline = qa.default_pipeline()
    if not pipeline.status.embedding_model:
        parser.error(f"no embedding model loaded ({pipeline.status.dense_error}); fusion needs one")
    tuning = [q for path in (args.questions or EVAL_FILES) for q in load_questions(path)]
    cases = build_cases(pipeline, tuning)
    confirm = build_cases(pipeline, [q for path in args.confirm for q in load_questions(path)])
    cols = ["zh_hit1", "zh_hit5", "zh_mrr", "en_hit1", "en_hit5", "en_mrr"]
    print(f"model {pipeline.status.model_description}; {len(cases)} tuning questions "
          f"({sum(c.q.lang == 'en' for c in cases)} English), 5-fold CV (out-of-fold figures)\n")
    print("| variant | " + " | ".join(cols) + " | fitted on all |" + (" confirm " + " | ".join(cols) + " |" if confirm else ""))
    print("|---" * (len(cols) + 2 + (len(cols) if confirm else 0)) + "|")
    results: dict[str, Any] = {"model": pipeline.status.model_description, "n": len(cases), "variants": {}}
    family = variants()
    everything = [({"variant": name, **params}, r) for name, grid in family.items() for params, r in grid]
    for name, grid in [*family.items(), ("each language its own variant", everything)]:
        cv = cross_validate(cases, grid, per_language=grid is everything)
        ranker = cv.pop("_ranker")
        row = " | ".join(f"{cv[c]:.1f}" if "hit" in c else f"{cv[c]:.3f}" for c in cols)
        extra = ""
        if confirm:
            m = metrics(confirm, ranker)
            cv["confirm"] = m
            extra = " " + " | ".join(f"{m.get(c, 0):.1f}" if "hit" in c else f"{m.get(c, 0):.3f}" for c in cols) + " |"
        print(f"| {name} | {row} | {json.dumps(cv['fitted_on_all'])} |{extra}")
        results["variants"][name] = cv
        sys.stdout.flush()
    def shipped(c: Case) -> list[int]:
        return [i for i, _ in DEFAULT_FUSION.fuse(c.q.question, c.lexical, c.dense)] if c.dense else [i for i, _ in c.lexical]

    m_all = metrics(cases, shipped)
    extra = ""
    if confirm:
        m = metrics(confirm, shipped)
        extra = " " + " | ".join(f"{m.get(c, 0):.1f}" if "hit" in c else f"{m.get(c, 0):.3f}" for c in cols) + " |"
        results["shipped_confirm"] = m
    print("| **shipped** `DEFAULT_FUSION` (in-sample) | " + " | ".join(
        f"{m_all[c]:.1f}" if "hit" in c else f"{m_all[c]:.3f}" for c in cols) + f" | {DEFAULT_FUSION} |{extra}")
    results["shipped"] = m_all
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
