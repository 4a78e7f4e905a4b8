"""``python -m eval.calibrate``: fit the answer step's decision (:mod:`qa.decision`) and choose its threshold.

For every Chinese question of the eval files that the single-fact path answers, the best candidate's
:class:`~qa.decision.Evidence` is recorded with a label: 1 when that candidate's answer holds an
accepted answer, 0 when it does not or the question is unanswerable. Questions stopped by a hard veto
(a year or figure the report lacks) are left out: the model does not decide them. A logistic
regression (Newton's method, L2 on the weights) is fitted on a development split (ids hashed, 3 of
5 buckets); the threshold is the one with the best decision accuracy on that split; both are then
scored once on the other 2 buckets. The accuracy/coverage curve of both splits is printed, and the
weights to paste into ``qa/decision.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from eval.dataset import EVAL_FILES, load_questions
from eval.score import contains_answer
from qa.decision import BIAS, FEATURES, THRESHOLD, WEIGHTS


def bucket(qid: str) -> int:
    return int(hashlib.sha256(qid.encode()).hexdigest(), 16) % 5


def fit(X: np.ndarray, y: np.ndarray, l2: float = 0.1, steps: int = 50) -> np.ndarray:
    """Logistic regression by Newton's method; returns [bias, weights…]."""
    A = np.hstack([np.ones((len(X), 1)), X])
    w = np.zeros(A.shape[1])
    reg = l2 * np.eye(A.shape[1])
    reg[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-A @ w))
        grad = A.T @ (p - y) + reg @ w
        H = A.T @ (A * (p * (1 - p))[:, None]) + reg
        step = np.linalg.solve(H, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def curve(p: np.ndarray, y: np.ndarray, answerable: np.ndarray, taus: list[float]) -> list[dict[str, float]]:
    rows = []
    for t in taus:
        ans = p >= t
        rows.append({
            "threshold": t,
            "coverage": round(100 * ans.mean(), 1),
            "precision": round(100 * (y[ans].mean() if ans.any() else 1.0), 1),
            "decision_acc": round(100 * ((ans & (y == 1)) | (~ans & (y == 0))).mean(), 1),
            "answerable_right": round(100 * (ans & (y == 1))[answerable].mean(), 1) if answerable.any() else 0.0,
            "unanswerable_abstained": round(100 * (~ans)[~answerable].mean(), 1) if (~answerable).any() else 0.0,
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, action="append", help="eval files (default: every eval file)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "calibrate.json")
    args = parser.parse_args(argv)
    import qa

    pipeline = qa.ReportQA(embedding_model="none")
    rows = []
    for path in args.questions or EVAL_FILES:
        for q in load_questions(path):
            if q.lang != "zh":
                continue
            a = pipeline.answer(q.question, history=list(q.history), mode="lexical")
            e = a.explanation
            if e is None or not e.evidence or e.verdict.startswith("vetoed"):
                continue
            every = q.type == "list" and len(q.answers) > 1
            label = int(q.answerable and contains_answer(e.best, q.answers, every))
            rows.append((q.id, [v for _, v in e.evidence], label, q.answerable))
    X = np.array([r[1] for r in rows], dtype=float)
    y = np.array([r[2] for r in rows], dtype=float)
    answerable = np.array([r[3] for r in rows])
    dev = np.array([bucket(r[0]) < 3 for r in rows])
    w = fit(X[dev], y[dev])
    p = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
    taus = [round(0.05 * i, 2) for i in range(1, 20)]
    dev_curve = curve(p[dev], y[dev], answerable[dev], taus)
    best = max(dev_curve, key=lambda r: (r["decision_acc"], -abs(r["threshold"] - 0.5)))
    held_curve = curve(p[~dev], y[~dev], answerable[~dev], taus)
    weights = {f: round(float(v), 2) for f, v in zip(FEATURES, w[1:], strict=True)}
    print(f"{len(rows)} questions decided by the model ({int(dev.sum())} development, {int((~dev).sum())} held); "
          f"labels: {int(y.sum())} right candidates")
    print(f"WEIGHTS = {weights}\nBIAS = {w[0]:.2f}\nTHRESHOLD = {best['threshold']}")
    for name, c in (("development", dev_curve), ("held", held_curve)):
        print(f"\n{name}: threshold | answered % | right when answered % | decision accuracy % | "
              "answerable answered right % | unanswerable abstained %")
        for r in c:
            mark = " ←" if r["threshold"] == best["threshold"] else ""
            print(f"  {r['threshold']:.2f} | {r['coverage']} | {r['precision']} | {r['decision_acc']} | "
                  f"{r['answerable_right']} | {r['unanswerable_abstained']}{mark}")
    # the model in use, on the same questions: what a refit has to beat on the held split
    w_now = np.array([WEIGHTS[f] for f in FEATURES])
    p_now = 1 / (1 + np.exp(-(BIAS + X @ w_now)))
    now = curve(p_now[~dev], y[~dev], answerable[~dev], [THRESHOLD])[0]
    print(f"\nin use (qa/decision.py), held at {THRESHOLD}: answered {now['coverage']} %, right when answered "
          f"{now['precision']} %, decision accuracy {now['decision_acc']} %, answerable answered right "
          f"{now['answerable_right']} %, unanswerable abstained {now['unanswerable_abstained']} %")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"weights": weights, "bias": round(float(w[0]), 2), "threshold": best["threshold"],
                                    "development": dev_curve, "held": held_curve, "in_use_held": now, "n": len(rows)}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
