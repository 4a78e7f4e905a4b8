"""``python -m eval [--questions PATH] [--mode lexical|dense|hybrid] [--report FILE …] [--out DIR]``

Scores retrieval and answers on an eval set and writes ``<out>/eval-<mode>.json`` and
``.md`` (default ``eval/results/``). ``--report`` asks other report files (any format
:mod:`qa.readers` reads) instead of the bundled report.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from eval.dataset import QUESTIONS, load_questions
from eval.score import Report, coverage_curve, markdown, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="eval file (JSON lines)")
    parser.add_argument("--mode", choices=["hybrid", "lexical", "dense"], default=None)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--report", type=Path, action="append", default=None,
                        help="a report file to ask instead of the bundled one (repeatable; .txt .pdf .docx .html)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    import qa

    try:
        questions = load_questions(args.questions)
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    pipeline = qa.ReportQA(args.report) if args.report else qa.default_pipeline()
    try:
        status = pipeline.status
    except qa.ReportError as exc:
        parser.error(str(exc))
    mode = args.mode or status.mode
    if mode != "lexical" and status.mode == "lexical":
        print(f"note: dense retrieval unavailable ({status.dense_error}); scoring lexical", file=sys.stderr)
        mode = "lexical"

    from tqdm import tqdm

    report: Report = run(
        questions,
        retrieve=lambda q: pipeline.retrieve(q, k=args.k, mode=mode),  # type: ignore[arg-type]
        answer=lambda q, h: pipeline.answer(q, history=list(h), mode=mode),  # type: ignore[arg-type]
        progress=lambda qs: tqdm(qs, desc="eval", disable=args.quiet or not sys.stderr.isatty()),
    )
    report.mode = mode
    report.passages = len(pipeline.passages)
    report.mean_chars = sum(len(p.text) for p in pipeline.passages) / max(1, len(pipeline.passages))
    command = "python -m eval" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"eval-{mode}" if args.questions == QUESTIONS else f"eval-{mode}-{args.questions.stem}"
    (args.out / f"{stem}.json").write_text(
        json.dumps(
            {"command": command, "mode": mode, "passages": report.passages, "mean_chars": report.mean_chars,
             "summary": report.summary(), "misses": report.misses(), "coverage_curve": coverage_curve(report.rows),
             "rows": [{"id": r.q.id, "rank": r.rank, "correct": r.correct, "figure_right": r.figure_right, "cited": r.cited,
                       "abstained": r.abstained, "answer": r.answer, "explain": list(r.explain)} for r in report.rows]},
            ensure_ascii=False, indent=1,
        ),
        "utf-8",
    )
    md = markdown(report, command)
    (args.out / f"{stem}.md").write_text(md, "utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
