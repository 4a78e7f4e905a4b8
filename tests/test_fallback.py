"""Without the embedding model the pipeline goes lexical-only, quickly, with one clear warning.

No test here reaches the network: the "hub" is a closed loopback port or a loopback socket
that never answers, and the Hugging Face cache is an empty tmp dir (see conftest.py).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import qa

HUB_MODEL = "intfloat/multilingual-e5-small"


def warnings_from_us(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith(("qa", "embeddings"))]


@pytest.fixture
def warm() -> None:
    """Build the lexical index into this test's cache first (jieba's dictionary, the word table, the
    glossaries), so timings measure the fallback — the wait for the hub — not the first build."""
    assert not qa.ReportQA(embedding_model="none").status.from_cache


def assert_lexical_fallback(rq: qa.ReportQA, caplog: pytest.LogCaptureFixture, mentions: str) -> None:
    status = rq.status
    assert status.mode == "lexical"
    assert status.embedding_model is None
    assert status.dense_error and "QA_EMBEDDING_MODEL" in status.dense_error and mentions in status.dense_error
    hits = rq.retrieve("全市共收到政府信息公开申请多少份", k=3)
    assert hits and "7896" in hits[0].text
    assert all(h.dense_rank is None and h.lexical_rank == h.rank for h in hits)
    assert rq.retrieve("IPv6", k=1, mode="hybrid")[0].dense_score is None  # asked for hybrid: lexical
    _ = rq.status
    records = warnings_from_us(caplog)
    assert len(records) == 1, [r.getMessage() for r in records]
    assert mentions in records[0].getMessage() and "lexical" in records[0].getMessage()


@pytest.mark.parametrize("hub", ["offline", "refused", "hanging"])
def test_hub_model_falls_back_to_lexical_quickly(hub, warm, monkeypatch, caplog, hanging_endpoint):
    if hub == "offline":
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    else:
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        if hub == "hanging":
            monkeypatch.setenv("HF_ENDPOINT", hanging_endpoint)
    caplog.set_level(logging.WARNING)
    started = time.perf_counter()
    rq = qa.ReportQA(embedding_model=HUB_MODEL, mode="hybrid")
    _ = rq.status
    assert time.perf_counter() - started < 5.0
    assert_lexical_fallback(rq, caplog, HUB_MODEL)
    if hub == "offline":
        assert "HF_HUB_OFFLINE" in rq.status.dense_error
    else:
        assert "could not be reached" in rq.status.dense_error


def test_hub_timeout_setting_bounds_the_wait(warm, monkeypatch, caplog, hanging_endpoint):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", hanging_endpoint)
    monkeypatch.setenv("QA_HUB_TIMEOUT", "0.5")
    caplog.set_level(logging.WARNING)
    started = time.perf_counter()
    rq = qa.ReportQA(embedding_model=HUB_MODEL, mode="hybrid")
    assert rq.settings.hub_timeout == 0.5
    _ = rq.status
    assert time.perf_counter() - started < 2.5
    assert "0.5 s" in rq.status.dense_error


def _empty_dir(tmp_path: Path) -> Path:
    d = tmp_path / "empty-model"
    d.mkdir()
    return d


def _garbage_config(tmp_path: Path) -> Path:
    d = tmp_path / "garbage-model"
    d.mkdir()
    (d / "config.json").write_text("{this is not json", "utf-8")
    return d


def _a_file(tmp_path: Path) -> Path:
    f = tmp_path / "model.bin"
    f.write_bytes(b"\x00" * 16)
    return f


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "no-such-model"


@pytest.mark.parametrize("make", [_empty_dir, _garbage_config, _a_file, _missing], ids=lambda f: f.__name__.strip("_"))
def test_broken_local_model_falls_back_with_a_clear_message(make, tmp_path, caplog):
    path = make(tmp_path)
    caplog.set_level(logging.WARNING)
    rq = qa.ReportQA(embedding_model=str(path), mode="hybrid")
    assert_lexical_fallback(rq, caplog, str(path))


def test_embedding_model_none_means_no_dense_and_no_warning(monkeypatch, caplog):
    monkeypatch.setenv("QA_EMBEDDING_MODEL", "none")
    caplog.set_level(logging.DEBUG)
    rq = qa.ReportQA(mode="hybrid")
    assert rq.settings.embedding_model == "none" and not rq.settings.dense_enabled
    status = rq.status
    assert (status.mode, status.embedding_model) == ("lexical", None)
    assert "off" in status.dense_error
    assert rq.retrieve("IPv6", k=1)[0].lexical_rank == 1
    assert warnings_from_us(caplog) == []


def test_lexical_path_never_imports_torch(tmp_path):
    """Heavy imports are lazy: a lexical-only pipeline does not load torch or sentence-transformers."""
    code = (
        "import sys, qa\n"
        "rq = qa.ReportQA(mode='hybrid')\n"
        "assert rq.status.mode == 'lexical'\n"
        "assert rq.retrieve('IPv6', k=1)\n"
        "heavy = sorted(m for m in ('torch', 'sentence_transformers', 'transformers', 'faiss') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    env = {**os.environ, "QA_EMBEDDING_MODEL": "none", "QA_CACHE_DIR": str(tmp_path / "cache")}
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
