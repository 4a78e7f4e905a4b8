"""Bad input at every boundary: ``ReportQA.retrieve`` / ``.answer``, the CLI (``python -m qa ask``),
the chat handler ``app.respond``, the API handler ``app.ask`` and the served app.

The contract: a question gets an answer (perhaps an abstention) or a ``ValueError``/``TypeError``
whose message says what to do; nothing else escapes. The CLI exits 0, or 2 with an ``error:``
line, never with a traceback. The UI shows a friendly warning. Nothing a user types reaches a
terminal or a page as a control character, a bidi override or unescaped HTML. The served app
listens on 127.0.0.1, serves no file outside Gradio's own, and refuses over-long questions.

Covered elsewhere and not repeated: empty, non-str and over-long questions and bad ``k`` of
``retrieve`` (test_api), escaping of report text and the UI's own warnings with a fake pipeline
(test_app), ``/ask`` refusing 1001 characters (test_client), offsets on generated reports
including headings without text (test_offsets).
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
import os
import re
import socket
import subprocess
import sys
import unicodedata
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import app
import qa
from eval.dataset import load_questions
from qa.__main__ import main as cli_main
from qa.inputs import clean_question
from qa.settings import MAX_QUESTION_CHARS

ROOT = Path(__file__).resolve().parent.parent
PROBE = "2018年全市共收到多少份政府信息公开申请？"

#: Odd questions, one of each kind the issue lists (and a few more).
HOSTILE: dict[str, str] = {
    "empty": "",
    "whitespace": " \t\n\u3000\u00a0\u2028",
    "punctuation": "。，、？！……——《》“”",
    "ascii-punctuation": "?!.,;:'\"()[]{}<>",
    "100k": "申" * 100_000,
    "at-limit": "申请" * (MAX_QUESTION_CHARS // 2),
    "nul-control": "\x00\x01\x1b[2J\x7f\x85",
    "control-around": "\x1b]0;pwned\x07" + PROBE + "\x00",
    "lone-surrogates": "\ud800\udfff\udc80",
    "surrogate-inside": "全市共收到\udc80政府信息公开申请多少份？",
    "emoji": "📄🔍❓👍🏽👨‍👩‍👧🇨🇳",
    "rtl": "\u202e\u200f全市共收到政府信息公开申请多少份？\u200e\u2066\u2069",
    "fullwidth-latin": "ＩＰｖ６改造了多少个政府网站？",
    "fullwidth-digits": "２０１８年全市共收到多少份政府信息公开申请？",
    "traditional": "2018年全市共收到多少份政府資訊公開申請？",
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "markdown": "**粗体** [链接](javascript:alert(1)) $$x$$ `code` # 标题",
    "sql": "'; DROP TABLE passages; -- OR 1=1",
    "path-unix": "../../../../etc/passwd",
    "path-windows": "C:\\Windows\\System32\\config\\SAM",
    "format-string": "%s%n {0} {__class__} ${HOME} $(id)",
    "regex": ".*+?[(\\",
    "combining": "申\u0301\u0302\u0303请" + "\u0336" * 50,
    "bom-newlines": "\ufeff申请\n\n\n多少份\r\n",
}
#: A message that says what to do (see qa/inputs.py, app.py).
FIX_HINT = re.compile(r"e\.g\.|one question at a time|must be a str|must be an int|at least 1|history must be")
#: Characters that must never reach a terminal or a page from a question.
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def no_controls(text: str, allowed: str = "\n") -> None:
    bad = [ch for ch in text if ch not in allowed and (unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI)]
    assert not bad, f"control characters {bad!r} in {text[:80]!r}"


def outcome(call: Callable[[], Any]) -> tuple[Any, Exception | None]:
    """``call()``'s result, or the ValueError/TypeError it raised — whose message must say what
    to do. Any other exception propagates and fails the test."""
    try:
        return call(), None
    except (ValueError, TypeError) as exc:
        assert FIX_HINT.search(str(exc)), f"{type(exc).__name__} without a fix: {exc}"
        return None, exc


def check_hits(rq: qa.ReportQA, hits: list[qa.Hit], k: int) -> None:
    assert isinstance(hits, list) and len(hits) <= k
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        assert squash(rq.raw[h.doc][h.start : h.end]) == squash(h.text)


def check_answer(rq: qa.ReportQA, a: qa.Answer) -> None:
    assert isinstance(a, qa.Answer)
    for text in (a.question, a.text, a.working, *a.notes):
        text.encode("utf-8")  # no lone surrogate leaks out
        no_controls(text)
    if not a.abstained:
        assert a.citations
    for s in a.highlights:
        assert squash(rq.raw[s.doc][s.start : s.end]) == squash(s.text)
    for h in (*a.citations, *a.related):
        assert squash(rq.raw[h.doc][h.start : h.end]) == squash(h.text)


# -- strategies ----------------------------------------------------------------------------------
EVAL_QUESTIONS = [q.question for q in load_questions() if not q.history]
REMOVED = ("Cc", "Cf", "Cs", "Co")  # what clean_question drops (tabs and newlines become spaces)
removable = st.characters(categories=list(REMOVED)).filter(
    lambda ch: unicodedata.category(ch) in REMOVED and ch not in "\t\n\r"
)
anything = st.one_of(
    st.characters(exclude_categories=()),  # any code point, any category
    st.characters(categories=["Cs", "Cc", "Cf", "Co", "Zs", "Zl", "Zp", "Mn"]),
    st.sampled_from("申请政府信息公开多少份件率？，。《》“”（）0123456789％IPv６"),
)


@st.composite
def noisy_question(draw: st.DrawFn, noise: st.SearchStrategy[str] = anything) -> str:
    """An eval question with odd characters put in at random places."""
    text = list(draw(st.sampled_from(EVAL_QUESTIONS)))
    for _ in range(draw(st.integers(0, 6))):
        text.insert(draw(st.integers(0, len(text))), draw(noise))
    return "".join(text)


questions = st.one_of(
    st.text(anything, max_size=40),
    noisy_question(),
    st.sampled_from(list(HOSTILE.values())),
    st.builds(lambda a, b: a * b, st.sampled_from(["申", "a", "🙂", "\ud800"]), st.integers(990, 1010)),
)
non_str = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.binary(max_size=8),
    st.lists(st.text(max_size=3), max_size=2), st.tuples(st.text(max_size=3)),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2), st.just(object()), st.just(Path("q.txt")),
)


# -- the library ---------------------------------------------------------------------------------
@pytest.mark.parametrize("question", list(HOSTILE.values()), ids=list(HOSTILE))
def test_library_answers_or_says_what_to_do(lexical_qa, question):
    hits, error = outcome(lambda: lexical_qa.retrieve(question, k=5))
    answer, answer_error = outcome(lambda: lexical_qa.answer(question))
    assert (error is None) == (answer_error is None)  # retrieve and answer agree on what is valid
    if error is None:
        check_hits(lexical_qa, hits, 5)
        check_answer(lexical_qa, answer)


def test_odd_but_real_questions_are_answered(lexical_qa):
    probe = lexical_qa.answer(PROBE)
    assert "7896" in probe.text and not probe.abstained
    for name in ("control-around", "rtl", "surrogate-inside"):
        assert lexical_qa.answer(HOSTILE[name]).text == lexical_qa.answer(clean_question(HOSTILE[name])).text
    assert lexical_qa.answer(HOSTILE["fullwidth-digits"]).text == probe.text  # ２０１８ is 2018
    assert "ipv6" in lexical_qa.retrieve(HOSTILE["fullwidth-latin"], k=1)[0].text.lower()
    for name in ("html", "sql", "path-unix", "format-string"):
        assert "<script" not in lexical_qa.answer(HOSTILE[name]).text


def refused(question: str, k: int = 5) -> bool:
    """Whether the library should refuse ``question`` (the oracle: the documented limits)."""
    if k < 1 or len(question) > MAX_QUESTION_CHARS:
        return True
    try:
        clean_question(question)
    except ValueError:
        return True
    return False


@settings(max_examples=120)
@given(question=questions, k=st.integers(-3, 10_000))
def test_retrieve_property(lexical_qa, question, k):
    hits, error = outcome(lambda: lexical_qa.retrieve(question, k=k))
    assert (error is not None) == refused(question, k)
    if error is None:
        check_hits(lexical_qa, hits, k)


@settings(max_examples=120)
@given(question=questions, history=st.one_of(st.none(), st.lists(questions, max_size=3)))
def test_answer_property(lexical_qa, question, history):
    answer, error = outcome(lambda: lexical_qa.answer(question, history=history))
    if refused(question):
        assert error is not None
    if error is None:
        check_answer(lexical_qa, answer)
        assert answer.question == clean_question(question)


@settings(max_examples=60)
@given(value=non_str)
def test_non_str_questions_say_they_must_be_text(lexical_qa, value):
    for call in (lexical_qa.retrieve, lexical_qa.answer):
        with pytest.raises(qa.InvalidQuestion, match=f"must be a str, not {type(value).__name__}"):
            call(value)


@pytest.mark.parametrize("history", ["市政府部门的答复率是多少？", 42, {"q": 1}], ids=["str", "int", "dict"])
def test_history_that_is_not_a_list_says_so(lexical_qa, history):
    with pytest.raises(TypeError, match="history must be a list"):
        lexical_qa.answer("那区县政府呢？", history=history)


@settings(max_examples=40)
@given(question=st.sampled_from(EVAL_QUESTIONS), data=st.data())
def test_removed_characters_change_nothing(lexical_qa, question, data):
    """Control, format, surrogate and private-use characters anywhere in a question: the same
    passages and the same answer as without them (test_api has fixed cases; this is the property)."""
    text = list(question)
    for _ in range(data.draw(st.integers(1, 5))):
        text.insert(data.draw(st.integers(0, len(text))), data.draw(removable))
    noisy = "".join(text)
    assert [(h.chunk_id, h.score) for h in lexical_qa.retrieve(noisy, k=5)] == [
        (h.chunk_id, h.score) for h in lexical_qa.retrieve(question, k=5)
    ]
    assert lexical_qa.answer(noisy) == lexical_qa.answer(question)


@pytest.mark.parametrize("k", [1, 2, 10_000])
def test_answer_with_any_valid_k(lexical_qa, k):
    a = lexical_qa.answer(PROBE, k=k)
    check_answer(lexical_qa, a)
    assert "7896" in a.text


@pytest.mark.parametrize(("k", "error", "message"),
                         [(0, ValueError, "at least 1, not 0"), (-1, ValueError, "at least 1, not -1"),
                          (True, TypeError, "int, not bool"), ("3", TypeError, "int, not str")])
def test_answer_checks_k_like_retrieve(lexical_qa, k, error, message):
    """Was a bug: answer replaced 0, -1 and True silently and failed on '3' inside max()."""
    with pytest.raises(error, match=message):
        lexical_qa.answer(PROBE, k=k)


# -- the command line ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index cache for the CLI runs of this module, so each loads instead of building."""
    return tmp_path_factory.mktemp("cli-cache")


@pytest.fixture
def cli(shared_cache, monkeypatch, capsys) -> Callable[..., tuple[int, str, str]]:
    """``python -m qa`` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setenv("QA_CACHE_DIR", str(shared_cache))
    monkeypatch.setenv("QA_EMBEDDING_MODEL", "none")

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli_main(list(argv))
        except SystemExit as exc:  # argparse
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


def check_cli(code: int, out: str, err: str) -> None:
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    no_controls(out)
    if code == 2:
        [line] = [ln for ln in err.splitlines() if "error:" in ln]
        assert line.startswith(("error: ", "usage:")) or ": error: " in line
    else:
        assert out.strip()


@pytest.mark.parametrize("question", [q for name, q in HOSTILE.items()], ids=list(HOSTILE))
def test_cli_answers_or_exits_2_with_an_error_line(cli, question):
    code, out, err = cli("ask", question)
    check_cli(code, out, err)
    if code == 2:
        assert FIX_HINT.search(err), err
    code, out, err = cli("ask", "--retrieve", "--scores", "-k", "3", question)
    check_cli(code, out, err)


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["ask", "-k", "1", PROBE], 0, "7896"),
        (["ask", "-k", "100000", "--retrieve", PROBE], 0, "[1]"),
        (["ask", "--retrieve", "-k", "-1", PROBE], 2, "at least 1, not -1"),
        (["ask", "-k", "x", PROBE], 2, "invalid int value"),
        (["ask", "--mode", "fast", PROBE], 2, "invalid choice"),
        (["ask", "--history", HOSTILE["100k"], PROBE], 2, "one question at a time"),
        (["ask", "--history", HOSTILE["nul-control"], "--history", HOSTILE["html"], PROBE], 0, "7896"),
        (["ask"], 2, "required"),
        (["frobnicate"], 2, "invalid choice"),
    ],
    ids=["k1", "k-huge", "k-negative", "k-not-int", "bad-mode", "history-too-long", "history-hostile",
         "no-question", "no-command"],
)
def test_cli_options(cli, argv, code, needle):
    got, out, err = cli(*argv)
    check_cli(got, out, err)
    assert got == code and needle in (out if code == 0 else err)


def test_cli_retrieve_refuses_k_zero(cli):
    """Was a bug: `k=args.k or 5` turned 0 into 5."""
    code, _, err = cli("ask", "--retrieve", "-k", "0", PROBE)
    assert code == 2 and "at least 1, not 0" in err


def _cli_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(QA_CACHE_DIR=str(cache), QA_EMBEDDING_MODEL="none", PYTHONPATH=str(ROOT))
    return env


@pytest.mark.slow
def test_cli_subprocess_never_shows_a_traceback(tmp_path):
    """The real ``python -m qa ask``, several at once; arguments as a shell would pass them,
    including bytes that are not UTF-8 (they arrive as lone surrogates)."""
    cases: dict[str, list[str | bytes]] = {
        "empty": ["ask", ""],
        "100k": ["ask", "a" * 100_000],  # a single argument may hold 128 KiB
        "not-utf8-and-escapes": ["ask", b"\xff\xfe\x1b[2J\x1b]0;x\x07" + PROBE.encode()],
        "punctuation": ["ask", HOSTILE["punctuation"]],
        "rtl-html": ["ask", HOSTILE["rtl"] + HOSTILE["html"]],
        "k-negative": ["ask", "--retrieve", "-k", "-1", PROBE],
        "report-missing": ["ask", "--report", str(tmp_path / "nope.txt"), PROBE],
    }
    env = _cli_env(tmp_path / "cache")
    procs = {name: subprocess.Popen([sys.executable, "-m", "qa", *argv], cwd=tmp_path, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for name, argv in cases.items()}
    for name, proc in procs.items():
        out, err = (b.decode("utf-8", "replace") for b in proc.communicate(timeout=120))
        check_cli(proc.returncode, out, err)
        expected = 0 if name in ("not-utf8-and-escapes", "punctuation", "rtl-html") else 2
        assert proc.returncode == expected, (name, err)


@pytest.mark.slow
def test_cli_closed_stdout_is_not_a_traceback(tmp_path):
    """Was a bug: a BrokenPipeError traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "qa", "ask", PROBE], cwd=tmp_path, env=_cli_env(tmp_path / "c"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader went away before the answer is printed, as `| head -0` does
    proc.stdout = None
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode()[-600:]


# -- the UI handlers -----------------------------------------------------------------------------
FRIENDLY = ("请输入", "问题太长了", "问题必须是文字", "无法回答这个问题")


def call_respond(pipeline: qa.ReportQA, question: Any, k: Any = 5, mode: Any = "lexical",
                 history: list[dict[str, Any]] | None = None) -> tuple[list[dict[str, Any]], Any, list[str]]:
    """``app.respond`` → (chat, text box, warnings shown); a gr.Error fails the test."""
    before = list(history or [])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chat, box, _report = app.respond(question, history, mode, k, False, pipeline=pipeline)
    shown = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    for message in shown:
        assert message.startswith(FRIENDLY) and "Traceback" not in message, message
    if len(chat) == len(before) + 2:  # answered
        assert box == "" and not shown
        for m in chat[-2:]:
            assert isinstance(m["content"], str) and "<script" not in m["content"] and "<img" not in m["content"]
    else:
        assert chat == before and box == question and len(shown) == 1
    return chat, box, shown


@pytest.mark.parametrize("question", list(HOSTILE.values()), ids=list(HOSTILE))
def test_respond_answers_or_warns(lexical_qa, question):
    chat, _, _ = call_respond(lexical_qa, question)
    json.dumps(chat, ensure_ascii=False).encode("utf-8")  # what Gradio sends must be UTF-8


@pytest.mark.parametrize(("k", "mode"), [(None, None), (1, "hybrid"), (10, "dense"), (0, "lexical"),
                                         (-3, "lexical"), (2.7, "lexical"), ("7", "lexical"), ("x", "lexical"),
                                         (float("nan"), "lexical"), (5, "<b>fast</b>"), (5, 42)])
def test_respond_settings_from_the_page(lexical_qa, k, mode):
    _, _, shown = call_respond(lexical_qa, PROBE, k=k, mode=mode)
    assert all("<b>" not in m for m in shown)  # echoed values are escaped


@pytest.mark.parametrize("value", [None, 42, b"q", ["q"], {"text": "q"}])
def test_respond_non_str(lexical_qa, value):
    _, _, shown = call_respond(lexical_qa, value)
    assert shown and shown[0].startswith("问题必须是文字")


@settings(max_examples=60)
@given(question=questions, k=st.one_of(st.none(), st.integers(-2, 12)))
def test_respond_property(lexical_qa, question, k):
    chat, _, _ = call_respond(lexical_qa, question, k=k)
    json.dumps(chat, ensure_ascii=False).encode("utf-8")


def test_respond_output_is_utf8_even_for_lone_surrogates(lexical_qa):
    """Was a bug: the question was echoed as typed, and Gradio's orjson refused the lone surrogate
    ('str is not valid UTF-8: surrogates not allowed'); the user lost the answer."""
    chat, _, _ = call_respond(lexical_qa, HOSTILE["surrogate-inside"])
    assert "7896" in chat[-1]["content"]
    for m in chat:
        m["content"].encode("utf-8")


def test_respond_infinite_k_is_a_warning(lexical_qa):
    """Was a bug: int(inf) raised OverflowError, shown as an internal error."""
    _, _, shown = call_respond(lexical_qa, PROBE, k=float("inf"))
    assert shown


@pytest.fixture
def default_lexical(monkeypatch, lexical_qa):
    monkeypatch.setattr(qa, "_default", lexical_qa)
    return lexical_qa


@pytest.mark.parametrize("question", [*HOSTILE.values(), None, 3, ["q"]], ids=[*HOSTILE, "none", "int", "list"])
def test_ask_returns_markdown_or_a_friendly_error(default_lexical, question):
    try:
        md = app.ask(question)
    except gr.Error as exc:
        message = html.unescape(str(exc))
        assert message.strip("'").startswith(FRIENDLY) and "Traceback" not in message, message
    else:
        assert isinstance(md, str) and md.strip()
        assert "<script" not in md and "<img" not in md and "<a " not in md
        no_controls(md)


# -- launching -----------------------------------------------------------------------------------
@pytest.fixture
def launched(monkeypatch, lexical_qa) -> Callable[..., dict[str, Any]]:
    """``app.main(argv)`` with ``demo.launch`` replaced by a recorder: its keyword arguments."""
    monkeypatch.setattr(qa, "_default", lexical_qa)
    for name in ("QA_AUTH_USER", "QA_AUTH_PASSWORD", "GRADIO_SERVER_PORT", "GRADIO_SERVER_NAME", "GRADIO_SHARE"):
        monkeypatch.delenv(name, raising=False)
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(app.demo, "launch", lambda **kw: calls.append(kw))

    def run(*argv: str) -> dict[str, Any]:
        app.main(list(argv))
        return calls[-1]

    return run


def test_launch_is_local_private_and_quiet_by_default(launched):
    kw = launched()
    assert kw["server_name"] == "127.0.0.1" and kw["server_port"] == 7860
    assert kw["share"] is False and kw["auth"] is None
    assert kw["show_error"] is False  # exception text stays in the server log
    assert not kw.get("allowed_paths") and not kw.get("blocked_paths")  # only Gradio's own files
    assert kw["max_file_size"] and kw["mcp_server"] is False and kw["enable_monitoring"] is False
    # CVE-2026-134825 (gradio 6.27–6.31, no fixed release yet) needs SSR mode and run history
    assert kw["ssr_mode"] is False and kw["run_history"] is False


def test_launch_elsewhere_asks_for_a_login_from_the_environment(launched, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="app")
    kw = launched("--host", "0.0.0.0", "--port", "8000")
    assert (kw["server_name"], kw["server_port"], kw["auth"]) == ("0.0.0.0", 8000, None)
    assert any("without a login" in r.getMessage() and "QA_AUTH_USER" in r.getMessage() for r in caplog.records)
    caplog.clear()
    monkeypatch.setenv("QA_AUTH_USER", "alice")
    monkeypatch.setenv("QA_AUTH_PASSWORD", "correct horse")
    kw = launched("--host", "0.0.0.0")
    assert kw["auth"] == ("alice", "correct horse") and kw["share"] is False
    assert not any("without a login" in r.getMessage() for r in caplog.records)


# -- the served app ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """``python app.py`` as a user starts it (no --host), lexical only."""
    from eval.load import served_app

    with served_app(tmp_path_factory.mktemp("served")) as server:
        yield server
    assert "Traceback" not in server.log_text(), server.log_text()[-3000:]


def _get(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of the TCP sockets process ``pid`` listens on, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        path = Path(f"/proc/{pid}/net/{table}")
        for line in path.read_text().splitlines()[1:] if path.exists() else []:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                addr, port = fields[1].split(":")
                raw = b"".join(bytes.fromhex(addr[i : i + 8])[::-1] for i in range(0, len(addr), 8))
                found.add((socket.inet_ntop(family, raw), int(port, 16)))
    return found


@pytest.mark.slow
def test_served_app_listens_on_loopback_only(served):
    sockets = _listening(served.process.pid)
    assert (("127.0.0.1", served.port) in sockets), sockets
    assert all(ipaddress.ip_address(a).is_loopback for a, _ in sockets), sockets


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [
        "file=/etc/passwd",
        "gradio_api/file=/etc/passwd",
        "gradio_api/file=%2Fetc%2Fpasswd",
        "gradio_api/file=../../../../../../etc/passwd",
        "gradio_api/file=..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "gradio_api/file={app}",
        "gradio_api/file={report}",
        "gradio_api/file={cache}",
        "static/../../../../../../etc/passwd",
        "assets/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "gradio_api/proxy=http://127.0.0.1:9/",
    ],
)
def test_served_app_serves_no_file_of_ours(served, path):
    path = path.format(app=ROOT / "app.py", report=qa.pipeline.DEFAULT_REPORT,
                       cache=Path(served.env["QA_CACHE_DIR"]))
    status, body = _get(served.url + path)
    assert status in (400, 403, 404), (status, body[:200])
    assert b"root:" not in body and b"import gradio" not in body and "重庆市".encode() not in body


@pytest.mark.slow
def test_served_app_caps_uploads(served):
    from qa.readers import MAX_BYTES

    boundary = "report-qa-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode() + b"x" * (MAX_BYTES + (1 << 20)) + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(served.url + "gradio_api/upload", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=30)
    assert info.value.code == 413


@pytest.mark.slow
def test_served_app_refuses_a_5000_character_question(served):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(served.url, verbose=False, analytics_enabled=False, download_files=False)
    with pytest.raises(AppError, match="问题太长了（5000 字，上限 1000 字）") as info:
        client.predict((PROBE * 300)[:5000], api_name="/ask")
    assert "7896" not in str(info.value)
    md = client.predict(HOSTILE["html"] + PROBE, api_name="/ask")
    assert "7896" in md and "<script" not in md and "<img" not in md


def _call_ask_raw(url: str, question: str) -> tuple[str, dict[str, Any] | list[Any]]:
    """``POST /gradio_api/call/ask`` with the question JSON-escaped (so lone surrogates travel as
    ``\\ud800``, as a browser sends them), then the event's result: (event, data)."""
    body = json.dumps({"data": [question]}).encode()
    request = urllib.request.Request(url + "gradio_api/call/ask", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as r:
        event_id = json.load(r)["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/ask/{event_id}", timeout=30) as r:
        lines = r.read().decode("utf-8").splitlines()
    event = next(ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("event:"))
    data = json.loads(next(ln.split(":", 1)[1] for ln in lines if ln.startswith("data:")))
    return event, data


@pytest.mark.slow
def test_served_app_survives_lone_surrogates_and_nul(served):
    event, data = _call_ask_raw(served.url, "\ud800\x00")
    assert event == "error" and "question is empty" in json.dumps(data, ensure_ascii=False)
    event, data = _call_ask_raw(served.url, "全市共收到\udc80政府信息公开申请多少份？\x00")
    assert event == "complete" and "7896" in data[0]
    event, data = _call_ask_raw(served.url, PROBE)
    assert event == "complete" and "7896" in data[0]


@pytest.mark.slow
def test_served_chat_answers_a_question_with_a_lone_surrogate(served):
    """The chat handler through Gradio's queue, as the browser calls it: the answer reaches the
    page (Gradio serialises it with orjson, which refuses lone surrogates)."""
    with urllib.request.urlopen(served.url + "config", timeout=10) as r:
        config = json.load(r)
    [dep] = [d for d in config["dependencies"] if d.get("api_name") == "respond"]
    session = "bad-input-test"
    body = json.dumps({"data": [HOSTILE["surrogate-inside"], [], "lexical", 5, False, []], "fn_index": dep["id"],
                       "trigger_id": dep["targets"][0][0], "session_hash": session, "event_data": None}).encode()
    join = urllib.request.Request(served.url + "gradio_api/queue/join", data=body, method="POST",
                                  headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(join, timeout=10):
        pass
    with urllib.request.urlopen(f"{served.url}gradio_api/queue/data?session_hash={session}", timeout=30) as stream:
        for raw in stream:
            line = raw.decode("utf-8")
            if line.startswith("data:") and '"process_completed"' in line:
                message = json.loads(line[5:])
                break
    assert message["success"], message
    chat = message["output"]["data"][0]
    assert "7896" in json.dumps(chat, ensure_ascii=False)
