"""The on-disk index cache: reuse, one entry per setting, damage is repaired, no write access
is not an error, leftovers of an interrupted write are harmless."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest

import qa
from qa.cache import MANIFEST, IndexCache

QUESTIONS = ["2018年全市共收到多少份政府信息公开申请？", "IPv6", "行政复议申请468件", "政府网站"]


def lexical(**overrides) -> qa.ReportQA:
    return qa.ReportQA(embedding_model="none", mode="lexical", **overrides)


def answers(rq: qa.ReportQA) -> list[list[tuple]]:
    return [
        [(h.passage, h.score, h.rank, h.lexical_rank) for h in rq.retrieve(q, k=5)] for q in QUESTIONS
    ]


def entries(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) if root.exists() else []


def warnings_from_us(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("qa")]


@pytest.fixture(scope="module")
def fresh_answers() -> list[list[tuple]]:
    """What the pipeline answers without any cache: the oracle for every cached variant."""
    return answers(qa.ReportQA(settings=qa.Settings(embedding_model="none", mode="lexical", use_cache=False)))


def test_second_pipeline_loads_from_cache(qa_cache_dir, fresh_answers):
    first = lexical()
    assert not first.status.from_cache
    assert answers(first) == fresh_answers
    [entry] = entries(qa_cache_dir)
    assert (entry / MANIFEST).is_file() and (entry / "passages.json").is_file()
    second = lexical()
    assert second.status.from_cache
    assert answers(second) == fresh_answers
    assert [p for p in second.passages] == [p for p in first.passages]
    assert entries(qa_cache_dir) == [entry]


def test_use_cache_false_writes_nothing(qa_cache_dir):
    assert not lexical(use_cache=False).status.from_cache
    assert entries(qa_cache_dir) == []


def test_chunking_settings_get_their_own_entries(qa_cache_dir):
    default = lexical()
    assert not default.status.from_cache
    small = lexical(chunk_size=80, chunk_overlap=0)
    assert not small.status.from_cache
    assert len(entries(qa_cache_dir)) == 2
    assert max(len(p.text) for p in small.passages) <= 80
    other_overlap = (default.settings.chunk_overlap + 1) % 4
    assert not lexical(chunk_overlap=other_overlap).status.from_cache
    assert len(entries(qa_cache_dir)) == 3
    assert lexical(chunk_size=80, chunk_overlap=0).status.from_cache
    assert lexical().status.from_cache


def test_different_report_gets_its_own_entry(qa_cache_dir, report_raw, tmp_path):
    assert not lexical().status.from_cache
    changed = tmp_path / "chongqing-2018-government-information-disclosure-report.txt"
    changed.write_text(report_raw.replace("7896", "7897"), "utf-8")
    other = qa.ReportQA(changed, embedding_model="none", mode="lexical")
    assert not other.status.from_cache
    assert "7897" in other.retrieve("7897", k=1)[0].text
    assert len(entries(qa_cache_dir)) == 2


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("target", "damage"),
    [
        ("passages.json", _truncate),
        ("passages.json", _flip),
        ("bm25/data.csc.index.npy", _truncate),
        ("bm25/indices.csc.index.npy", _flip),
        ("bm25/vocab.index.json", Path.unlink),
        (MANIFEST, lambda p: p.write_text("{not json", "utf-8")),
        (MANIFEST, lambda p: p.write_text(json.dumps({"files": {}}), "utf-8")),
    ],
    ids=["passages-truncated", "passages-flipped", "npy-truncated", "npy-flipped", "vocab-deleted",
         "manifest-garbage", "manifest-no-meta"],
)
def test_damaged_entry_is_logged_rebuilt_and_correct(qa_cache_dir, fresh_answers, caplog, target, damage):
    assert not lexical().status.from_cache
    [entry] = entries(qa_cache_dir)
    assert (entry / target).is_file(), sorted(str(p.relative_to(entry)) for p in entry.rglob("*"))
    damage(entry / target)
    caplog.set_level(logging.WARNING)
    rebuilt = lexical()
    assert not rebuilt.status.from_cache
    assert answers(rebuilt) == fresh_answers
    messages = warnings_from_us(caplog)
    assert len(messages) == 1 and str(entry) in messages[0] and "rebuild" in messages[0]
    again = lexical()  # the repaired entry is used again
    assert again.status.from_cache and answers(again) == fresh_answers


def test_damage_behind_a_valid_manifest_is_rebuilt(qa_cache_dir, fresh_answers, caplog):
    """A file that matches its manifest but cannot be read (written by a buggy version, say)."""
    assert not lexical().status.from_cache
    [entry] = entries(qa_cache_dir)
    (entry / "passages.json").write_text("[{]", "utf-8")
    manifest = json.loads((entry / MANIFEST).read_text("utf-8"))
    import hashlib

    manifest["files"]["passages.json"] = hashlib.sha256(b"[{]").hexdigest()
    (entry / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    caplog.set_level(logging.WARNING)
    rebuilt = lexical()
    assert not rebuilt.status.from_cache and answers(rebuilt) == fresh_answers
    assert any("unreadable" in m for m in warnings_from_us(caplog))
    assert lexical().status.from_cache


def test_read_only_cache_dir_works_in_memory(qa_cache_dir, fresh_answers, caplog):
    qa_cache_dir.mkdir(parents=True)
    qa_cache_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)  # 0o500
    try:
        if os.access(qa_cache_dir, os.W_OK):
            pytest.skip("running as root: chmod does not stop writes (see the not-a-directory test)")
        caplog.set_level(logging.WARNING)
        rq = lexical()
        assert not rq.status.from_cache and answers(rq) == fresh_answers
        assert any("working in memory" in m for m in warnings_from_us(caplog))
        assert entries(qa_cache_dir) == []
    finally:
        qa_cache_dir.chmod(0o700)


def test_unwritable_cache_dir_works_in_memory(tmp_path, monkeypatch, fresh_answers, caplog):
    """A cache dir that cannot be created (its parent is a file): the same path as a read-only
    directory, and it works for root too."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", "utf-8")
    monkeypatch.setenv("QA_CACHE_DIR", str(blocker / "cache"))
    caplog.set_level(logging.WARNING)
    rq = lexical()
    assert not rq.status.from_cache and answers(rq) == fresh_answers
    messages = warnings_from_us(caplog)
    assert len(messages) == 1 and "working in memory" in messages[0] and str(blocker) in messages[0]
    assert blocker.read_text("utf-8") == "not a directory"


def test_leftovers_of_an_interrupted_write_are_harmless(qa_cache_dir, fresh_answers):
    # before anything was written: junk temp dirs in the cache root
    junk = qa_cache_dir / ".0123456789abcdef01234567.tmp_dead"
    junk.mkdir(parents=True)
    (junk / "passages.json").write_text("[", "utf-8")
    first = lexical()
    assert answers(first) == fresh_answers
    [entry] = entries(qa_cache_dir)
    # a write of the same entry killed half-way: its temp dir sits next to the entry
    partial = qa_cache_dir / f".{entry.name}.abcd1234"
    (partial / "bm25").mkdir(parents=True)
    (partial / "passages.json").write_text('[{"chunk_id": ', "utf-8")
    second = lexical()
    assert second.status.from_cache and answers(second) == fresh_answers
    # an entry without a manifest (e.g. copied by hand) is rebuilt and replaced
    (entry / MANIFEST).unlink()
    third = lexical()
    assert not third.status.from_cache and answers(third) == fresh_answers
    assert (entry / MANIFEST).is_file()


def test_write_failure_mid_entry_leaves_no_partial_entry(tmp_path, caplog):
    cache = IndexCache(tmp_path / "root")

    def write(tmp: Path) -> None:
        (tmp / "half.json").write_text("{", "utf-8")
        raise OSError(28, "No space left on device")

    caplog.set_level(logging.WARNING)
    assert cache.save("k" * 24, write, {}) is False
    assert list((tmp_path / "root").iterdir()) == []
    assert cache.load("k" * 24) is None
    assert any("working in memory" in m for m in warnings_from_us(caplog))


def test_cache_dir_comes_from_the_environment(qa_cache_dir, monkeypatch, tmp_path):
    home_cache = tmp_path / "xdg-cache" / "report-qa"
    assert lexical().settings.resolved_cache_dir == qa_cache_dir
    assert not lexical().status.from_cache
    assert entries(qa_cache_dir) and not home_cache.exists()
    monkeypatch.delenv("QA_CACHE_DIR")
    assert lexical().settings.resolved_cache_dir == home_cache  # XDG_CACHE_HOME, never ~/.cache here
