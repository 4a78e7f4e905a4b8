"""Command line: ``python -m qa ask "问题"`` and ``python -m qa index``.

    python -m qa ask "2018年全市共收到多少份政府信息公开申请？"
    python -m qa ask --retrieve -k 3 "IPv6"            # passages only
    python -m qa ask --history "市政府部门的答复率是多少？" "那区县政府呢？"
    python -m qa ask --explain "政府公报出了多少期？"        # candidates, evidence, confidence
    python -m qa index [REPORT ...]                    # build the cache (progress bar)
    python -m qa status                                # which model and mode are running
    python -m qa download-model                        # the full-precision model, into the HF cache
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from qa.errors import QAError
from qa.types import Answer, Hit


def _hit_line(n: int, hit: Hit, scores: bool) -> str:
    where = f"{hit.doc}:{hit.start}-{hit.end}"
    extra = ""
    if scores:
        parts = [f"score {hit.score:.3f}"]
        if hit.lexical_rank is not None:
            parts.append(f"bm25 #{hit.lexical_rank} {hit.lexical_score:.2f}")
        if hit.dense_rank is not None:
            parts.append(f"dense #{hit.dense_rank} {hit.dense_score:.3f}")
        extra = " (" + ", ".join(parts) + ")"
    return f"[{n}] {hit.section or hit.doc}  [{where}]{extra}\n    {hit.text}"


def format_answer(a: Answer, scores: bool = False) -> str:
    lines = [("（未找到）" if a.abstained else "") + a.text]
    if a.working and a.working not in a.text:
        lines.append(f"计算：{a.working}")
    if a.citations:
        lines.append("\n出处 / Sources:")
        lines += [_hit_line(i, h, scores) for i, h in enumerate(a.citations, start=1)]
    if a.related:
        lines.append("\n相关段落（仅供参考，不是答案的出处） / Related:")
        lines += [_hit_line(i, h, scores) for i, h in enumerate(a.related, start=1)]
    return "\n".join(lines)


def _download(model: str) -> int:
    """Fetch ``model`` into the Hugging Face cache, where ``QA_EMBEDDING_MODEL=auto`` finds it."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        print("error: huggingface_hub is not installed: pip install huggingface_hub", file=sys.stderr)
        return 2
    try:
        path = snapshot_download(repo_id=model)
    except Exception as exc:  # offline, unknown repo, disk full: one line, not a traceback
        print(f"error: could not download {model}: {exc}\n(set HF_ENDPOINT to a mirror such as "
              "https://hf-mirror.com if huggingface.co is not reachable)", file=sys.stderr)
        return 2
    print(f"downloaded {model} to {path}; the next start uses it (QA_EMBEDDING_MODEL=auto)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa", description="Ask the Chongqing 2018 report.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the pipeline does")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer a question (or --retrieve: list passages)")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=None, help="number of passages")
    ask.add_argument("--mode", choices=["hybrid", "lexical", "dense"], default=None)
    ask.add_argument("--retrieve", action="store_true", help="print the retrieved passages only")
    ask.add_argument("--history", action="append", default=[], help="a previous question (repeatable)")
    ask.add_argument("--scores", action="store_true", help="show retrieval scores")
    ask.add_argument("--explain", action="store_true",
                     help="show why: the candidates considered, the evidence and the confidence")
    ask.add_argument("--report", action="append", type=Path, help="report file(s) instead of the bundled one")
    index = sub.add_parser("index", help="build the index cache")
    index.add_argument("reports", nargs="*", type=Path)
    sub.add_parser("status", help="say which retrieval mode and embedding model are running")
    download = sub.add_parser("download-model", help="download a full-precision model into the Hugging Face cache")
    download.add_argument("model", nargs="?", default="intfloat/multilingual-e5-small")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    from qa import ReportQA

    try:
        if args.command == "index":
            started = time.perf_counter()
            rq = ReportQA(args.reports or None, show_progress=True)
            st = rq.status
            cached = "loaded from cache" if st.from_cache else "built"
            print(
                f"{st.passages} passages from {st.documents} report(s) {cached} in "
                f"{time.perf_counter() - started:.1f} s; mode {st.mode}"
                + f"; model: {st.model_description}"
                + (f"; dense off: {st.dense_error}" if st.dense_error else "")
            )
            return 0
        if args.command == "status":
            st = ReportQA().status
            print(f"mode: {st.mode}\nmodel: {st.model_description}\npassages: {st.passages} "
                  f"({'from the cache' if st.from_cache else 'built now'})"
                  + (f"\ndense retrieval: {st.dense_error}" if st.dense_error else ""))
            return 0
        if args.command == "download-model":
            return _download(args.model)
        rq = ReportQA(args.report or None)
        if args.retrieve:
            hits = rq.retrieve(args.question, k=5 if args.k is None else args.k, mode=args.mode)
            if not hits:
                print("没有匹配的段落 / no matching passage")
            for n, hit in enumerate(hits, start=1):
                print(_hit_line(n, hit, args.scores))
        else:
            answer = rq.answer(args.question, history=args.history, k=args.k, mode=args.mode)
            print(format_answer(answer, args.scores))
            if args.explain:
                lines = answer.explanation.lines() if answer.explanation else ["computed (a comparison): see the working"]
                from qa.render import printable

                print("\nexplain:\n" + "\n".join(printable(x) for x in lines))
        return 0
    except (QAError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
