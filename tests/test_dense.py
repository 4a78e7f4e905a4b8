"""Dense retrieval with the tiny session model: loading by path, prompts, the FAISS store
against a brute-force numpy oracle, hybrid fusion (RRF) and the vector cache."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

import qa
from embeddings import APPROX_THRESHOLD, Encoder, PartIndex, VectorStore, load_encoder
from qa.retrieval import CANDIDATES, DEFAULT_FUSION, Fusion, Gate, rrf

QUERIES = ["2018年全市共收到多少份政府信息公开申请？", "IPv6改造", "行政复议申请", "How many applications?"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    v = rng.standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    scores = vectors @ query
    order = np.argsort(-scores, kind="stable")[:k]
    return order, scores[order]


def assert_same_as_oracle(store: VectorStore, vectors: np.ndarray, query: np.ndarray, k: int) -> None:
    got = store.search(query, k)
    _, scores = brute_force(vectors, query, k)
    assert len(got) == min(k, len(vectors))
    np.testing.assert_allclose([s for _, s in got], scores, atol=1e-5)
    exact = vectors @ query
    for i, s in got:  # tie-proof: each returned id really has the score reported
        assert abs(exact[i] - s) < 1e-5
    assert len({i for i, _ in got}) == len(got)


# -- the model ----------------------------------------------------------------------------------


def test_load_encoder_by_path(tiny_encoder, tiny_model_dir):
    assert isinstance(tiny_encoder, Encoder)
    assert tiny_encoder.name == str(tiny_model_dir)
    assert tiny_encoder.dimension == 32
    assert (tiny_encoder.query_prompt, tiny_encoder.passage_prompt) == ("query: ", "passage: ")


def test_prompts_are_applied(tiny_encoder, reference_encode):
    texts = ["x", "全市共收到政府信息公开申请7896份"]
    np.testing.assert_allclose(tiny_encoder.encode_queries(texts), reference_encode([f"query: {t}" for t in texts]), atol=1e-6)
    np.testing.assert_allclose(
        tiny_encoder.encode_passages(texts), reference_encode([f"passage: {t}" for t in texts]), atol=1e-6
    )
    # and they matter: without the prompt the embedding differs
    assert not np.allclose(tiny_encoder.encode_queries(["x"]), reference_encode(["x"]), atol=1e-3)


def test_model_without_family_prompts_gets_none(tiny_model_dir, tmp_path, reference_encode):
    plain = shutil.copytree(tiny_model_dir, tmp_path / "tiny-plain")
    enc = load_encoder(str(plain))
    assert (enc.query_prompt, enc.passage_prompt) == (None, None)
    np.testing.assert_allclose(enc.encode_queries(["申请"]), reference_encode(["申请"]), atol=1e-6)


def test_declared_prompts_win_over_the_family(make_tiny_model, tmp_path):
    d = make_tiny_model(tmp_path / "tiny-e5-declared", prompts={"query": "q: ", "document": "d: "})
    enc = load_encoder(str(d))
    assert (enc.query_prompt, enc.passage_prompt) == (None, None)  # the model picks its own
    ref = enc.model.encode(["q: 申请", "d: 申请"], normalize_embeddings=True)
    np.testing.assert_allclose(enc.encode_queries(["申请"])[0], ref[0], atol=1e-6)
    np.testing.assert_allclose(enc.encode_passages(["申请"])[0], ref[1], atol=1e-6)


def test_embeddings_are_unit_float32(tiny_encoder):
    for out in (tiny_encoder.encode_queries(QUERIES), tiny_encoder.encode_passages(QUERIES, batch_size=2)):
        assert out.dtype == np.float32 and out.shape == (len(QUERIES), 32) and out.flags.c_contiguous
        np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


# -- the vector store ---------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), [(1, 1), (7, 3), (300, 10), (300, 1000)])
def test_flat_store_equals_brute_force_on_random_vectors(n, k):
    rng = np.random.default_rng(n)
    vectors = unit(rng, n, 24)
    store = VectorStore.build(vectors)
    assert store.kind == "flat" and store.size == n and store.dimension == 24
    for q in unit(rng, 5, 24):
        assert_same_as_oracle(store, vectors, q, k)


def test_store_search_with_k_zero_is_empty():
    store = VectorStore.build(unit(np.random.default_rng(0), 5, 8))
    assert store.search(unit(np.random.default_rng(1), 1, 8)[0], 0) == []


def test_flat_store_equals_brute_force_on_real_passages(lexical_qa, tiny_encoder):
    vectors = tiny_encoder.encode_passages([p.context_text for p in lexical_qa.passages])
    store = VectorStore.build(vectors)
    for q in tiny_encoder.encode_queries(QUERIES):
        assert_same_as_oracle(store, vectors, q, 10)


def test_hnsw_store_recall_against_flat(tmp_path):
    rng = np.random.default_rng(7)
    vectors, queries = unit(rng, 2000, 32), unit(rng, 50, 32)
    flat, hnsw = VectorStore.build(vectors), VectorStore.build(vectors, approx_threshold=1)
    assert (flat.kind, hnsw.kind) == ("flat", "hnsw") and APPROX_THRESHOLD > 2000
    hnsw.save(tmp_path / "v.faiss")
    loaded = VectorStore.load(tmp_path / "v.faiss")
    assert loaded.kind == "hnsw" and loaded.size == 2000
    for store in (hnsw, loaded):
        found = sum(
            len({i for i, _ in store.search(q, 10)} & {i for i, _ in flat.search(q, 10)}) for q in queries
        )
        assert found / (10 * len(queries)) >= 0.95


def test_store_load_rejects_garbage(tmp_path):
    bad = tmp_path / "vectors.faiss"
    bad.write_bytes(b"not a faiss index")
    with pytest.raises(ValueError, match="corrupt vector index"):
        VectorStore.load(bad)


# -- fusion -------------------------------------------------------------------------------------


def test_rrf_small_example():
    fused = rrf([[10, 20, 30], [30, 40]], rrf_k=60)
    expected = {10: 1 / 61, 20: 1 / 62, 30: 1 / 63 + 1 / 61, 40: 1 / 62}
    assert [i for i, _ in fused] == [30, 10, 20, 40]  # 20 and 40 tie: the smaller id first
    for i, s in fused:
        assert s == pytest.approx(expected[i])


def test_rrf_against_a_direct_sum():
    rng = np.random.default_rng(3)
    rankings = [list(rng.permutation(30)[: rng.integers(1, 30)]) for _ in range(3)]
    fused = dict(rrf(rankings, rrf_k=5))
    for item in set().union(*rankings):
        direct = sum(1 / (5 + r.index(item) + 1) for r in rankings if item in r)
        assert fused[item] == pytest.approx(direct)
    assert list(fused.values()) == sorted(fused.values(), reverse=True)


# -- the pipeline with the tiny model -----------------------------------------------------------


@pytest.fixture(scope="module")
def hybrid_qa(tiny_model_dir):
    """Built once for this module, without the cache (the cache has its own tests below)."""
    return qa.ReportQA(settings=qa.Settings(embedding_model=str(tiny_model_dir), mode="hybrid", use_cache=False))


def test_hybrid_end_to_end(hybrid_qa, tiny_model_dir):
    status = hybrid_qa.status
    assert status.mode == "hybrid" and status.dense_error is None
    assert status.embedding_model == str(tiny_model_dir)
    hits = hybrid_qa.retrieve("政府信息公开申请", k=10)
    assert [h.rank for h in hits] == list(range(1, 11))
    assert any(h.lexical_rank is not None and h.dense_rank is not None for h in hits)
    for h in hits:
        assert h.lexical_rank is not None or h.dense_rank is not None
        assert squash(hybrid_qa.raw[h.doc][h.start : h.end]) == squash(h.text)


def fused_by_hand(lexical, dense, question):
    """The oracle of the shipped fusion: the gate's weight for the question's language and best BM25
    score, then BM25 / its maximum and min-max scaled cosine, weighted and summed."""
    gate = DEFAULT_FUSION.en if re.search(r"[A-Za-z]{4}", question) and not re.search(r"[\u4e00-\u9fff]", question) else DEFAULT_FUSION.zh
    top = lexical[0][1] if lexical else 0.0
    w = gate.confident if top >= gate.threshold else gate.weak
    scores = {}
    for i, s in lexical:
        scores[i] = (1 - w) * s / top
    hi, lo = max(s for _, s in dense), min(s for _, s in dense)
    for i, s in dense:
        scores[i] = scores.get(i, 0.0) + w * (s - lo) / (hi - lo)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


@pytest.mark.parametrize("question", QUERIES)
def test_hybrid_equals_the_fusion_of_both_retrievers(hybrid_qa, question):
    r = hybrid_qa._ensure()
    dense = r.vectors.search(r.encoder.encode_queries([question])[0], CANDIDATES)
    if question.isascii():  # English: the glossary's terms, then again with the first ranking's meanings
        lexical = r.lexical.search_weighted(r.english_terms(question), CANDIDATES)
        first = fused_by_hand(lexical, dense, question) if lexical else []
        lexical = r.lexical.search_weighted(r.english_terms(question, first), CANDIDATES) if lexical else []
    else:
        lexical = r.lexical.search(question, CANDIDATES)
    hits = hybrid_qa.retrieve(question, k=8)
    if not lexical:
        expected = dense[:8]
    elif DEFAULT_FUSION.weight(question, lexical) == 0:  # the model has no say: not even asked
        expected = lexical[:8]
        dense = []
    else:
        expected = fused_by_hand(lexical, dense, question)[:8]
    assert [(h.passage.chunk_id, h.score) for h in hits] == [
        (r.passages[i].chunk_id, pytest.approx(s)) for i, s in expected
    ]
    lex = {i: (s, n) for n, (i, s) in enumerate(lexical, 1)}
    den = {i: (s, n) for n, (i, s) in enumerate(dense, 1)}
    for h, (i, _) in zip(hits, expected, strict=True):
        assert (h.lexical_score, h.lexical_rank) == lex.get(i, (None, None))
        assert (h.dense_score, h.dense_rank) == den.get(i, (None, None))


def test_weighted_rrf_and_gates():
    assert rrf([[1, 2], [2, 1]], rrf_k=1, weights=(1.0, 0.0)) == [(1, 0.5), (2, 1 / 3)]
    gate = Gate(4.0, 0.0, 0.6)
    assert (gate.weight(4.0), gate.weight(3.9)) == (0.0, 0.6)
    with pytest.raises(ValueError, match="between 0 and 1"):
        Gate(1.0, 1.5, 0.0)
    fusion = Fusion(method="rrf", zh=Gate(0.0, 1.0, 1.0), en=Gate(0.0, 0.0, 0.0), rrf_k=1)
    assert [i for i, _ in fusion.fuse("申请", [(1, 9.0), (2, 1.0)], [(2, 0.9), (1, 0.1)])] == [2, 1]  # zh: dense
    assert [i for i, _ in fusion.fuse("How many requests?", [(1, 9.0), (2, 1.0)], [(2, 0.9), (1, 0.1)])] == [1, 2]


def test_dense_mode_scores_passages_through_their_sentences(hybrid_qa, tiny_encoder, sentence_oracle):
    q = "依申请公开政府信息情况"
    hits = hybrid_qa.retrieve(q, k=5, mode="dense")
    assert [h.dense_rank for h in hits] == [1, 2, 3, 4, 5]
    for h in hits:
        assert h.score == h.dense_score and h.lexical_rank is None and h.lexical_score is None
        assert h.dense_score == pytest.approx(sentence_oracle(tiny_encoder, h.passage, q), abs=1e-4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    every = sorted((sentence_oracle(tiny_encoder, p, q) for p in hybrid_qa.passages), reverse=True)
    assert [h.score for h in hits] == pytest.approx(every[:5], abs=1e-4)


@pytest.mark.parametrize("threshold", [APPROX_THRESHOLD, 1])
def test_part_index_against_a_numpy_oracle(threshold, tmp_path):
    rng = np.random.default_rng(3)
    parts, docs = unit(rng, 90, 16), 30
    owner = np.concatenate([np.arange(docs), rng.integers(0, docs - 1, 60)])  # document 29: one part
    weights = rng.uniform(1, 50, 90)
    index = PartIndex.build(parts, owner, weights, docs, approx_threshold=threshold)
    query = unit(rng, 1, 16)[0]
    pooled = np.zeros((docs, 16))
    np.add.at(pooled, owner, parts * weights[:, None])
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    best = np.full(docs, -np.inf)
    np.maximum.at(best, owner, parts @ query)
    expected = 0.5 * pooled @ query + 0.5 * best
    order = np.argsort(-expected, kind="stable")[:10]
    PartIndex.save(index, tmp_path)
    for ix in (index, PartIndex.load(tmp_path)):
        got = ix.search(query, 10)
        np.testing.assert_allclose([s for _, s in got], expected[order], atol=1e-5)
        assert len({i for i, _ in got}) == 10
    with pytest.raises(ValueError, match="owner"):
        PartIndex.build(parts, owner + 1, weights, docs)
    (tmp_path / "owner.npy").write_bytes(b"not numpy")
    with pytest.raises(ValueError, match="corrupt"):
        PartIndex.load(tmp_path)


def test_k_larger_than_the_corpus_returns_every_passage(hybrid_qa):
    n = len(hybrid_qa.passages)
    for mode in ("dense", "hybrid"):
        hits = hybrid_qa.retrieve("公开", k=10 * n, mode=mode)
        assert sorted(h.passage.chunk_id for h in hits) == sorted(p.chunk_id for p in hybrid_qa.passages)


def _dense_entries(cache_dir):
    entries = []
    for manifest in cache_dir.glob("*/manifest.json"):
        if "model" in json.loads(manifest.read_text("utf-8"))["meta"]:
            entries.append(manifest.parent)
    return entries


def test_vector_cache_is_reused(tiny_model_dir, qa_cache_dir, monkeypatch):
    calls = []
    original = Encoder.encode_passages

    def spy(self, texts, *args, **kwargs):
        calls.append(len(texts))
        return original(self, texts, *args, **kwargs)

    monkeypatch.setattr(Encoder, "encode_passages", spy)
    first = qa.ReportQA(embedding_model=str(tiny_model_dir), mode="hybrid")
    first_hits = first.retrieve("行政复议", k=5)
    sentences = {t.text for p in first.passages for t in p.sentences}
    assert calls == [len(sentences)]  # the sentences, once, at build: passages are pooled from them
    first.answer("行政复议申请有多少件？")
    assert calls == [len(sentences)]  # answering encodes no sentence
    assert len(_dense_entries(qa_cache_dir)) == 1
    second = qa.ReportQA(embedding_model=str(tiny_model_dir), mode="hybrid")
    second_hits = second.retrieve("行政复议", k=5)
    assert calls == [len(sentences)]  # no re-encoding
    assert second.status.from_cache and second.status.mode == "hybrid"
    assert [(h.passage, h.score, h.dense_rank) for h in second_hits] == [
        (h.passage, pytest.approx(h.score), h.dense_rank) for h in first_hits
    ]
    assert len(_dense_entries(qa_cache_dir)) == 1


def test_damaged_vector_cache_is_rebuilt(tiny_model_dir, qa_cache_dir, caplog):
    first = qa.ReportQA(embedding_model=str(tiny_model_dir), mode="hybrid")
    expected = [(h.passage.chunk_id, h.score) for h in first.retrieve("行政复议", k=5)]
    [entry] = _dense_entries(qa_cache_dir)
    (entry / "vectors.faiss").write_bytes(b"\x00" * 64)
    again = qa.ReportQA(embedding_model=str(tiny_model_dir), mode="hybrid")
    got = [(h.passage.chunk_id, h.score) for h in again.retrieve("行政复议", k=5)]
    assert [c for c, _ in got] == [c for c, _ in expected]
    assert [s for _, s in got] == pytest.approx([s for _, s in expected])
    assert any("damaged" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


def test_vector_cache_notices_a_changed_local_model(make_tiny_model, tmp_path, sentence_oracle):
    model_dir = make_tiny_model(tmp_path / "my-e5", seed=1)
    assert qa.ReportQA(embedding_model=str(model_dir), mode="hybrid").status.mode == "hybrid"
    make_tiny_model(model_dir, seed=2)  # retrained in place: same name, same dimension
    rq = qa.ReportQA(embedding_model=str(model_dir), mode="hybrid")
    hit = rq.retrieve("行政复议", k=1, mode="dense")[0]
    enc = rq._ensure().encoder
    assert hit.dense_score == pytest.approx(sentence_oracle(enc, hit.passage, "行政复议"), abs=1e-4)
