"""Faults around the pipeline: the index cache written by another version, on a full or read-only
disk, or left half-written by a killed process; the word table damaged; an embedding model that is
broken or changes dimension under a cached index; report files that cannot be used.

Each fault is either repaired (rebuilt, with a warning) or reported with a message that names
the file. Covered elsewhere and not repeated: truncated and corrupted cache entries, leftovers of
an interrupted write, an uncreatable cache dir (test_cache); no model and no network, an empty or
garbage model directory (test_fallback); a damaged vector cache, a retrained model of the same
dimension (test_dense); bad report files through ``document.load`` and ``ReportQA`` (test_document).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import qa
import qa.cache
from qa.__main__ import main as cli_main
from qa.cache import MANIFEST
from qa.lexical import LexicalIndex

ROOT = Path(__file__).resolve().parent.parent
PROBE = "2018年全市共收到多少份政府信息公开申请？"
QUESTIONS = [PROBE, "IPv6", "行政复议申请468件", "政府网站"]


def lexical(**overrides: Any) -> qa.ReportQA:
    return qa.ReportQA(embedding_model="none", mode="lexical", **overrides)


def answers(rq: qa.ReportQA) -> list[list[tuple[Any, ...]]]:
    return [[(h.passage, h.score, h.rank) for h in rq.retrieve(q, k=5)] for q in QUESTIONS]


def entries(root: Path) -> list[Path]:
    """Complete cache entries (a directory with a manifest), temp dirs excluded."""
    return sorted(p.parent for p in root.glob(f"*/{MANIFEST}") if not p.parent.name.startswith("."))


def temp_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.glob(".*") if p.is_dir()) if root.exists() else []


def warnings_from(caplog: pytest.LogCaptureFixture, prefix: str = "qa") -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith(prefix)]


@pytest.fixture(scope="module")
def fresh_answers() -> list[list[tuple[Any, ...]]]:
    """What the pipeline answers without any cache: the oracle for every faulty variant."""
    return answers(qa.ReportQA(settings=qa.Settings(embedding_model="none", mode="lexical", use_cache=False)))


def env_for(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(QA_CACHE_DIR=str(cache), QA_EMBEDDING_MODEL="none", PYTHONPATH=str(ROOT), **extra)
    return env


# -- the index cache -----------------------------------------------------------------------------
def test_index_of_another_version_is_not_reused(qa_cache_dir, fresh_answers, monkeypatch):
    """The fingerprint holds the package version: another version's entry is never loaded."""
    assert not lexical().status.from_cache
    [ours] = entries(qa_cache_dir)
    with monkeypatch.context() as m:
        m.setattr(qa.pipeline, "VERSION", "0.0.1")
        older = lexical()
        assert not older.status.from_cache and answers(older) == fresh_answers
        assert len(entries(qa_cache_dir)) == 2
        assert lexical().status.from_cache  # the older version's own entry, next time
    assert lexical().status.from_cache and ours in entries(qa_cache_dir)


def _fail_path_write(name: str, err: int) -> Callable[..., Any]:
    original = Path.write_text

    def write_text(self: Path, *args: Any, **kwargs: Any) -> int:
        if self.name == name:
            original(self, "[{\"chunk_id\"", "utf-8")  # part of it reached the disk
            raise OSError(err, os.strerror(err), str(self))
        return original(self, *args, **kwargs)

    return write_text


def _fail_bm25_save(err: int) -> Callable[..., Any]:
    original = LexicalIndex.save

    def save(self: LexicalIndex, directory: Path) -> None:
        original(self, directory)
        first = sorted(directory.iterdir())[0]
        first.write_bytes(first.read_bytes()[:10])  # the last file was cut short
        raise OSError(err, os.strerror(err), str(first))

    return save


def _fail_call(err: int) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(err, os.strerror(err))

    return fail


#: (what fails, how): a full disk at each write, a read-only or forbidden directory.
FAULTS: dict[str, tuple[Any, str, Callable[[], Any]]] = {
    "full-disk-passages": (Path, "write_text", lambda: _fail_path_write("passages.json", errno.ENOSPC)),
    "full-disk-bm25": (LexicalIndex, "save", lambda: _fail_bm25_save(errno.ENOSPC)),
    "full-disk-manifest": (Path, "write_text", lambda: _fail_path_write(MANIFEST, errno.ENOSPC)),
    "read-only-fs": (qa.cache.tempfile, "mkdtemp", lambda: _fail_call(errno.EROFS)),
    "permission-denied": (qa.cache.tempfile, "mkdtemp", lambda: _fail_call(errno.EACCES)),
    "rename-io-error": (qa.cache.os, "rename", lambda: _fail_call(errno.EIO)),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_unwritable_cache_works_in_memory_with_one_warning(fault, qa_cache_dir, fresh_answers, monkeypatch, caplog):
    target, name, make = FAULTS[fault]
    caplog.set_level(logging.WARNING)
    with monkeypatch.context() as m:
        m.setattr(target, name, make())
        rq = lexical()
        assert not rq.status.from_cache and answers(rq) == fresh_answers
        assert "7896" in rq.answer(PROBE).text
    messages = [w for w in warnings_from(caplog) if "index cache" in w]
    assert len(messages) == 1 and "working in memory" in messages[0], warnings_from(caplog)
    assert entries(qa_cache_dir) == [] and temp_dirs(qa_cache_dir) == []  # nothing half-written left
    if fault == "full-disk-bm25":  # the disk has room again: the entry is written, then used
        healed = lexical()
        assert not healed.status.from_cache and len(entries(qa_cache_dir)) == 1
        assert lexical().status.from_cache and answers(lexical()) == fresh_answers


KILLER = textwrap.dedent('''
    """Build the index and hang at STAGE until killed; MARKER says we got there."""
    import os, shutil, sys, time
    from pathlib import Path

    import qa
    from qa.lexical import LexicalIndex

    stage, marker = sys.argv[1], Path(sys.argv[2])

    def hang(where):
        marker.write_text(str(where), "utf-8")
        time.sleep(120)

    if stage == "index-files":
        save = LexicalIndex.save
        def half_save(self, directory):
            save(self, directory)
            last = sorted(directory.iterdir())[-1]
            last.write_bytes(last.read_bytes()[: last.stat().st_size // 2])  # half of the last file
            hang(last)
        LexicalIndex.save = half_save
    else:  # before-rename, replacing-entry: everything written, not yet renamed into place
        rename = os.rename
        def slow_rename(src, dst):
            hang(dst)
            rename(src, dst)
        os.rename = slow_rename
    qa.ReportQA(embedding_model="none", mode="lexical").status
    sys.exit("not killed")
''')


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["index-files", "before-rename", "replacing-entry"])
def test_process_killed_while_writing_the_index(stage, qa_cache_dir, fresh_answers, tmp_path, caplog):
    """A real process building the index is SIGKILLed mid-write; the next start is consistent."""
    if stage == "replacing-entry":  # a damaged entry is being replaced when the kill comes
        assert not lexical().status.from_cache
        [entry] = entries(qa_cache_dir)
        (entry / "passages.json").write_text("[]", "utf-8")
    script, marker = tmp_path / "killer.py", tmp_path / "reached"
    script.write_text(KILLER, "utf-8")
    proc = subprocess.Popen([sys.executable, str(script), stage, str(marker)], cwd=tmp_path,
                            env=env_for(qa_cache_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()[0].decode()[-2000:]
            assert time.monotonic() < deadline, "the builder never reached the write"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert temp_dirs(qa_cache_dir), "the killed write left no temp dir: the stage was not mid-write"
    if stage != "replacing-entry":
        assert entries(qa_cache_dir) == []
    caplog.set_level(logging.WARNING)
    after = lexical()
    assert answers(after) == fresh_answers and "7896" in after.answer(PROBE).text
    assert not after.status.from_cache  # nothing complete was left, or the damaged entry was refused
    [entry] = entries(qa_cache_dir)
    assert lexical().status.from_cache and answers(lexical()) == fresh_answers
    assert (entry / "passages.json").read_text("utf-8") != "[]"


@pytest.mark.slow
def test_damaged_word_table_is_refused_and_rebuilt(tmp_path):
    """Was a bug: the table passed the load check (one row read) and later lookups raised
    sqlite3.DatabaseError out of retrieve/answer, on every start."""
    text = pytest.importorskip("qa.text")
    if not hasattr(text, "word_table_name"):
        pytest.skip("no on-disk word table in this version")
    cache = tmp_path / "cache"
    ask_all = textwrap.dedent("""
        import json, qa
        rq = qa.ReportQA()
        for line in open("eval/questions.jsonl", encoding="utf-8"):
            rq.answer(json.loads(line)["question"])
        print(rq.answer("2018年全市共收到多少份政府信息公开申请？").text)
    """)
    first = subprocess.run([sys.executable, "-c", ask_all], cwd=ROOT, env=env_for(cache), capture_output=True,
                           text=True, timeout=180)
    assert first.returncode == 0 and "7896" in first.stdout, first.stderr[-2000:]
    table = cache / text.word_table_name()
    assert table.is_file()
    size = table.stat().st_size
    with table.open("r+b") as f:  # pages in the middle overwritten, the header intact
        for frac in (0.3, 0.5, 0.7):
            f.seek(int(size * frac) // 4096 * 4096)
            f.write(b"\xa5" * 8 * 4096)
    for _ in range(2):  # the first start repairs it, the second uses the repaired table
        again = subprocess.run([sys.executable, "-c", ask_all], cwd=ROOT, env=env_for(cache), capture_output=True,
                               text=True, timeout=180)
        assert again.returncode == 0 and "7896" in again.stdout, again.stderr[-1500:]
        assert "Traceback" not in again.stderr


# -- the embedding model ---------------------------------------------------------------------------
def _with_projection(model_dir: Path, dimension: int) -> None:
    """The model at ``model_dir`` with a Dense layer to ``dimension`` added, saved in its place:
    the same path and name, another embedding dimension."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense

    model = SentenceTransformer(str(model_dir), device="cpu")
    model.append(Dense(model.get_embedding_dimension(), dimension))
    staging = model_dir.with_name(model_dir.name + ".new")
    model.save(str(staging))
    shutil.rmtree(model_dir)
    staging.rename(model_dir)


def _dense_entries(root: Path) -> list[Path]:
    import json

    return [e for e in entries(root) if "model" in json.loads((e / MANIFEST).read_text("utf-8"))["meta"]]


def _check_dense_scores(rq: qa.ReportQA, dimension: int, oracle: Callable[..., float]) -> None:
    r = rq._ensure()
    assert r.encoder.dimension == dimension and r.vectors.dimension == dimension
    hits = rq.retrieve("行政复议", k=3, mode="dense")
    np.testing.assert_allclose([h.dense_score for h in hits],
                               [oracle(r.encoder, h.passage, "行政复议") for h in hits], atol=1e-4)


def indexed_texts(rq: qa.ReportQA) -> int:
    """How many texts a build encodes: every distinct sentence (passages are pooled from them)."""
    return len({t.text for p in rq.passages for t in p.sentences})


@pytest.fixture
def spy_encoding(monkeypatch) -> list[int]:
    from embeddings import Encoder

    calls: list[int] = []
    original = Encoder.encode_passages

    def spy(self: Encoder, texts: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(len(texts))
        return original(self, texts, *args, **kwargs)

    monkeypatch.setattr(Encoder, "encode_passages", spy)
    return calls


@pytest.mark.slow
def test_model_of_another_dimension_at_the_same_path_is_re_encoded(make_tiny_model, tmp_path, qa_cache_dir,
                                                                     spy_encoding, sentence_oracle):
    model_dir = make_tiny_model(tmp_path / "local-e5", seed=3)
    first = qa.ReportQA(embedding_model=str(model_dir), mode="hybrid")
    _check_dense_scores(first, 32, sentence_oracle)
    _with_projection(model_dir, 16)
    second = qa.ReportQA(embedding_model=str(model_dir), mode="hybrid")
    assert second.status.mode == "hybrid" and second.status.from_cache  # the lexical index is reused
    _check_dense_scores(second, 16, sentence_oracle)
    n = indexed_texts(first)
    assert [c for c in spy_encoding if c == n] == [n, n]  # encoded again, not loaded
    assert len(_dense_entries(qa_cache_dir)) == 2
    third = qa.ReportQA(embedding_model=str(model_dir), mode="hybrid")
    _check_dense_scores(third, 16, sentence_oracle)
    assert [c for c in spy_encoding if c == n] == [n, n]  # and the 16-d vectors are reused from then on


@pytest.mark.slow
def test_vectors_of_another_dimension_under_the_same_key_are_refused(make_tiny_model, tmp_path, qa_cache_dir,
                                                                     spy_encoding, monkeypatch, caplog,
                                                                     sentence_oracle):
    """Defence in depth: should a key ever miss the dimension (a fingerprint bug), the loaded
    vectors are still checked against the model and re-encoded."""
    original = qa.pipeline.fingerprint

    def forgetful(**parts: Any) -> str:
        if parts.get("kind") == "dense":
            parts = {k: v for k, v in parts.items() if k not in ("dim", "revision")}
        return original(**parts)

    monkeypatch.setattr(qa.pipeline, "fingerprint", forgetful)
    model_dir = make_tiny_model(tmp_path / "local-e5", seed=4)
    assert qa.ReportQA(embedding_model=str(model_dir), mode="hybrid").status.mode == "hybrid"
    _with_projection(model_dir, 16)
    caplog.set_level(logging.WARNING)
    rq = qa.ReportQA(embedding_model=str(model_dir), mode="hybrid")
    _check_dense_scores(rq, 16, sentence_oracle)
    assert [c for c in spy_encoding if c == indexed_texts(rq)] == [indexed_texts(rq)] * 2
    assert any("vector cache unusable" in w and "dimension" in w for w in warnings_from(caplog))


def _truncate_weights(d: Path) -> None:
    weights = next(d.rglob("model.safetensors"))
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])


def _garbage_tokenizer(d: Path) -> None:
    next(d.rglob("tokenizer.json")).write_text("{\"version\": ", "utf-8")


def _garbage_modules(d: Path) -> None:
    (d / "modules.json").write_text("[{]", "utf-8")


@pytest.mark.parametrize("damage", [_truncate_weights, _garbage_tokenizer, _garbage_modules],
                         ids=["truncated-weights", "garbage-tokenizer", "garbage-modules"])
def test_broken_model_files_fall_back_to_lexical_with_a_clear_message(damage, tiny_model_dir, tmp_path, caplog):
    """A local model whose files are damaged (an interrupted download or copy)."""
    broken = shutil.copytree(tiny_model_dir, tmp_path / "broken-e5")
    damage(broken)
    caplog.set_level(logging.WARNING)
    started = time.perf_counter()
    rq = qa.ReportQA(embedding_model=str(broken), mode="hybrid")
    status = rq.status
    assert time.perf_counter() - started < 5
    assert status.mode == "lexical" and status.embedding_model is None
    assert str(broken) in status.dense_error and "QA_EMBEDDING_MODEL" in status.dense_error
    assert "7896" in rq.answer(PROBE).text
    [message] = warnings_from(caplog)
    assert str(broken) in message and "lexical" in message


# -- report files ----------------------------------------------------------------------------------
FLAT = "本年度共收到申请120件，全部按时答复。\n\n网站发布信息3000条。\n"


def write_report(kind: str, directory: Path, raw: str) -> Path:
    path = directory / f"{kind}.txt"
    content: dict[str, bytes] = {
        "empty": b"",
        "not-utf8": raw.encode("gb18030"),
        "latin1": "Année 2018: 7896 demandes reçues.".encode("latin-1"),
        "headings-only": "标题\n\n一、总体\n\n二、其他\n".encode(),
        "no-headings": FLAT.encode(),
        "one-line": "全市共收到申请7896份。".encode(),
    }
    if kind == "directory":
        path.mkdir()
    elif kind != "missing":
        path.write_bytes(content[kind])
    return path


UNUSABLE = {"missing": "not found", "empty": "empty", "not-utf8": "iconv -f GB18030", "latin1": "not UTF-8",
            "headings-only": "no text", "directory": "directory"}


@pytest.mark.parametrize("kind", list(UNUSABLE))
def test_unusable_report_is_a_clear_error_naming_the_file(kind, tmp_path, report_raw):
    path = write_report(kind, tmp_path, report_raw)
    with pytest.raises(qa.ReportError, match=UNUSABLE[kind]) as info:
        _ = qa.ReportQA(path, embedding_model="none").status
    assert path.stem in str(info.value)


@pytest.mark.parametrize(("kind", "question", "needle"),
                         [("no-headings", "本年度共收到多少件申请？", "120件"), ("one-line", "共收到申请多少份？", "7896")])
def test_report_without_headings_is_a_flat_index(kind, question, needle, tmp_path, report_raw):
    rq = qa.ReportQA(write_report(kind, tmp_path, report_raw), embedding_model="none")
    assert rq.status.passages >= 1 and all(p.section in ((), ) for p in rq.passages)
    a = rq.answer(question)
    assert not a.abstained and needle in a.text


@pytest.mark.parametrize(("raw", "question"), [("全市共收到申请7896份", "共收到多少份申请？"),
                                             ("7896份申请已全部办结。", "多少份申请已全部办结？")],
                         ids=["figure-last", "figure-first"])
def test_figure_at_the_edge_of_a_sentence_is_a_quantity(raw, question, tmp_path):
    """Was a bug: `"" in "“”"` is True, so a figure that ended a sentence without a stop was taken
    for a name, one that started it for a rank, and the answer abstained."""
    path = tmp_path / "edge.txt"
    path.write_text(raw, "utf-8")
    a = qa.ReportQA(path, embedding_model="none").answer(question)
    assert not a.abstained and "7896份" in a.text


@pytest.fixture
def cli(monkeypatch, capsys) -> Callable[..., tuple[int, str, str]]:
    monkeypatch.setenv("QA_EMBEDDING_MODEL", "none")

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli_main(list(argv))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("kind", list(UNUSABLE))
def test_cli_report_errors_name_the_file(kind, cli, tmp_path, report_raw):
    path = write_report(kind, tmp_path, report_raw)
    for argv in (["ask", "--report", str(path), PROBE], ["index", str(path)]):
        code, out, err = cli(*argv)
        assert code == 2 and out == "" and "Traceback" not in err
        [line] = [ln for ln in err.splitlines() if "error: " in ln]  # `index` draws a progress bar around it
        line = line[line.index("error: ") :]
        assert path.stem in line and UNUSABLE[kind] in line


def test_cli_flat_report_answers(cli, tmp_path, report_raw):
    path = write_report("no-headings", tmp_path, report_raw)
    code, out, _ = cli("ask", "--report", str(path), "本年度共收到多少件申请？")
    assert code == 0 and "120件" in out and f"[{path.stem}:" in out
    code, out, _ = cli("index", str(path))
    assert code == 0 and "1 report(s)" in out


@pytest.mark.slow
def test_cli_report_faults_in_real_processes(tmp_path, report_raw):
    kinds = ["missing", "not-utf8", "headings-only", "directory", "no-headings"]
    procs = {}
    for kind in kinds:
        path = write_report(kind, tmp_path, report_raw)
        procs[kind] = (path, subprocess.Popen(
            [sys.executable, "-m", "qa", "ask", "--report", str(path), "本年度共收到多少件申请？"], cwd=tmp_path,
            env=env_for(tmp_path / "cache"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for kind, (path, proc) in procs.items():
        out, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, err
        if kind == "no-headings":
            assert proc.returncode == 0 and "120件" in out
        else:
            assert proc.returncode == 2 and "error: " in err and path.stem in err, (kind, err)
