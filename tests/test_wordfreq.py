"""The on-disk word table (qa.wordfreq) cuts exactly as jieba's whole dictionary does."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from qa import text, wordfreq

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("words") / text.word_table_name()
    text.save_word_table(path)
    return path


def _texts() -> list[str]:
    questions = [json.loads(line)["question"] for f in ("questions.jsonl", "heldout.jsonl")
                 for line in (ROOT / "eval" / f).read_text("utf-8").splitlines() if line.strip()]
    report = (ROOT / "data" / "chongqing-2018-government-information-disclosure-report.txt").read_text("utf-8")
    return questions + [line for line in report.splitlines() if line.strip()]


def test_table_cuts_like_the_whole_dictionary(table: Path) -> None:
    full = text.full_tokenizer()
    lazy = text._new_tokenizer()
    freq = wordfreq.load(table)
    assert freq is not None and freq.total == full.total
    lazy.FREQ, lazy.total, lazy.initialized = freq, freq.total, True
    for t in _texts():
        assert lazy.lcut(t) == full.lcut(t), t
        assert lazy.lcut_for_search(t) == full.lcut_for_search(t), t


def test_a_damaged_table_is_refused_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bad = tmp_path / "words.sqlite"
    bad.write_bytes(b"not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="qa.wordfreq"):
        assert wordfreq.load(bad) is None
    assert "unreadable" in caplog.text
    assert wordfreq.load(tmp_path / "missing.sqlite") is None


def test_an_unwritable_place_is_a_warning_not_an_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING, logger="qa.wordfreq"):
        assert not wordfreq.save({"词": 1}, 1, blocker / "sub" / "words.sqlite")
    assert "cannot write" in caplog.text
