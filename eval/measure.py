"""Small measurements shared by the benchmark's parts (:mod:`eval.bench`, :mod:`eval.bench_bundled`)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from eval.dataset import squash


def summarize(xs: Sequence[float]) -> dict[str, float | int]:
    """n, median, p95 (linear interpolation), mean, min, max of ``xs``."""
    if not xs:
        return {"n": 0}
    s = sorted(xs)
    pos = 0.95 * (len(s) - 1)
    lo = int(pos)
    p95 = s[lo] + (s[min(lo + 1, len(s) - 1)] - s[lo]) * (pos - lo)
    return {"n": len(s), "p50": statistics.median(s), "p95": p95, "mean": statistics.fmean(s),
            "min": s[0], "max": s[-1]}


def evidence_rank(texts: Sequence[str], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first text holding an evidence snippet (as :mod:`eval.score`)."""
    snippets = [squash(e) for e in evidence]
    for rank, text in enumerate(texts, start=1):
        t = squash(text)
        if any(s in t for s in snippets):
            return rank
    return None


def hit_rates(ranks: Sequence[int | None]) -> dict[str, float | int]:
    n = len(ranks)
    return {"n": n,
            "hit@1": round(100 * sum(r == 1 for r in ranks) / n, 1) if n else 0.0,
            "hit@5": round(100 * sum(r is not None and r <= 5 for r in ranks) / n, 1) if n else 0.0}
