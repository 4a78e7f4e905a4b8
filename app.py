"""The chat UI of report-qa: ask about the report, get a short cited answer, open the passage in the full report.

Read in order: escaping and rendering of report text (``render_report``, the one HTML renderer of
raw text), ``format_answer`` (an :class:`qa.Answer` as Markdown), the handlers ``respond`` (chat)
and ``ask`` (the ``/ask`` API endpoint), the module-level ``demo``, and the ``__main__`` launch guard.
Everything from the report or the user is escaped here, explicitly, before Gradio sees it.

A person may add reports of their own (``add_report``): each browser session has a
:class:`qa.library.Library` whose files live in a temporary directory of its own, deleted when
the page is closed (``close_session``); they are never served back (``allowed_paths`` stays empty,
Gradio's upload copy is deleted once read). Left out: streaming (answers take milliseconds),
feedback buttons, keeping uploads between sessions.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported: no telemetry
# Gradio keeps a record per queued event (up to 10,000 by default): the only growth in a soak.
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import argparse
import atexit
import html
import ipaddress
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

import qa
from qa.library import Entry, Library, Sessions
from qa.readers import FORMATS, MAX_BYTES, MAX_PAGES
from qa.render import escape_md, format_answer, md_line, printable, render_report, status_markdown
from qa.settings import MAX_QUESTION_CHARS

log = logging.getLogger("app")

EXAMPLES = [
    "2018年全市共收到多少份政府信息公开申请？",
    "市政府部门的答复率是多少？",
    "政务微博和政务微信合计公开了多少条信息？",
    "2019年收到多少申请？",
    "How many disclosure applications were received in 2018?",
]
MODES = ["hybrid", "lexical", "dense"]

# -- handlers ----------------------------------------------------------------------------------
class Refused(Exception):
    """A question the app will not pass on; the message is for the user (Chinese, then English)."""


def _text_of(content: Any) -> str:
    """A chat message's text, whether Gradio hands over a string or a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_text_of(c) for c in content)
    if isinstance(content, dict) and content.get("type", "text") == "text":
        return str(content.get("text") or "")
    return ""


def previous_questions(history: Sequence[Mapping[str, Any]]) -> list[str]:
    """The user's earlier questions in a chat history, as typed (the chat shows them escaped)."""
    return [html.unescape(_text_of(m.get("content"))) for m in history if m.get("role") == "user"]


def check_question(question: Any) -> str:
    """The question when the UI passes it on; else :class:`Refused` with a friendly message."""
    if not isinstance(question, str):
        raise Refused("问题必须是文字。 / The question must be text.")
    if not question.strip():
        raise Refused(f"请输入一个问题，例如：{EXAMPLES[0]} / Please type a question.")
    if len(question) > MAX_QUESTION_CHARS:
        raise Refused(f"问题太长了（{len(question)} 字，上限 {MAX_QUESTION_CHARS} 字），请一次只问一个问题。"
                      f" / The question is too long ({len(question)} characters, limit {MAX_QUESTION_CHARS}).")
    return question


def get_answer(pipeline: qa.ReportQA, question: Any, history: Sequence[str], mode: Any, k: Any) -> qa.Answer:
    """``pipeline.answer`` behind the UI's checks; bad input raises :class:`Refused` with a friendly message."""
    question = check_question(question)
    try:
        k = None if k is None else int(k)
        return pipeline.answer(question, history=list(history), k=k, mode=mode or None)
    except (ValueError, TypeError, OverflowError) as exc:
        raise Refused(f"无法回答这个问题 / Cannot answer this question: {exc}") from exc


# -- the reports a session asks ------------------------------------------------------------------
SESSIONS = Sessions(qa.default_pipeline, capacity=200)
atexit.register(SESSIONS.close_all)
UPLOAD_HELP = (f"可添加 {' '.join(FORMATS)} 文件，不超过 {MAX_BYTES // 2**20} MB、PDF 不超过 {MAX_PAGES} 页；"
               f"扫描版 PDF（无文字层）无法读取。文件只在本次会话中使用，关闭页面后即删除。 / "
               f"Add a {', '.join(FORMATS)} file (≤ {MAX_BYTES // 2**20} MB, PDF ≤ {MAX_PAGES} pages; no OCR). "
               "It is used only in this session and deleted when you close the page.")


def session_library(request: gr.Request | None, create: bool = False) -> Library | None:
    """The library of the browser session ``request`` belongs to (made on its first upload)."""
    return SESSIONS.get(getattr(request, "session_hash", None), create)


def close_session(request: gr.Request) -> None:
    """The page was closed: delete the session's uploaded reports and their indexes."""
    SESSIONS.close(getattr(request, "session_hash", None))


View = tuple[dict[str, str], list[qa.Passage], dict[str, Any], dict[str, str]]


def _view(pipelines: Sequence[Any], names: Sequence[str] = ()) -> View:
    """What the full-report panel and the citations show of these reports: texts, passages, tables,
    and (when ``names`` are given, one per pipeline) each document's report name."""
    raw: dict[str, str] = {}
    passages: list[qa.Passage] = []
    tables: dict[str, Any] = {}
    titles: dict[str, str] = {}
    for n, pipeline in enumerate(pipelines):
        raw.update(pipeline.raw)
        passages += list(pipeline.passages)
        tables.update({doc: src.tables for doc, src in getattr(pipeline, "sources", {}).items()})
        if names:
            titles.update(dict.fromkeys(pipeline.raw, names[n]))
    return raw, passages, tables, titles


def _entries_view(entries: Sequence[Entry]) -> View:
    return _view([e.pipeline for e in entries], [e.name for e in entries])


def add_report(file: Any, chosen: list[str] | None, request: gr.Request,
               progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple[Any, Any, Any]:  # noqa: B008
    """Upload handler: read and index the file for this session → (report choices, file control, notice)."""
    if not file:
        return gr.skip(), gr.skip(), gr.skip()
    upload = Path(file if isinstance(file, str) else getattr(file, "name", ""))
    try:
        library = session_library(request, create=True)
        if library is None:
            raise Refused("无法识别当前会话，请刷新页面。 / No session; reload the page.")
        progress(0.05, desc="读取并建立索引 / Reading and indexing")
        entry = library.add(upload, upload.name, show_progress=True)
    except (Refused, qa.ReportError) as exc:
        gr.Warning(html.escape(str(exc)))
        return gr.skip(), None, gr.skip()
    except Exception as exc:  # the UI boundary: log the trace, show no internals
        log.exception("adding %s failed", upload.name)
        raise gr.Error("无法添加这个文件。 / This file could not be added; details are in the server log.",
                       print_exception=False) from exc
    finally:
        upload.unlink(missing_ok=True)  # Gradio's copy: only the library's own copy remains
    names = library.names
    chosen = [n for n in (chosen or names) if n in names and n != entry.name] + [entry.name]
    notice = (f'<div class="qa-notice">已添加 / Added: 《{html.escape(entry.name)}》 · '
              f"{len(entry.pipeline.passages)} 段 / passages</div>")
    return gr.update(choices=names, value=chosen, visible=True), None, notice


def respond(question: str, history: list[dict[str, Any]] | None, mode: str | None = None, k: float | None = None,
            show_scores: bool = False, reports: list[str] | None = None, request: gr.Request | None = None, *,
            pipeline: qa.ReportQA | None = None) -> tuple[list[dict[str, Any]], Any, Any]:
    """Chat handler: (question, chat so far, settings, reports chosen) → (chat, text box, full-report HTML).

    Earlier questions of the chat are passed to ``qa.answer`` as ``history`` (follow-ups). A bad
    question shows a warning and leaves the chat and the text box as they were. When the session
    added reports, the chosen ones are asked (``qa.library.Library.answer``) and citations name them.
    """
    history = list(history or [])
    library = None if pipeline is not None else session_library(request)
    try:
        if library is not None and len(library.entries) > 1:
            if reports is not None and not reports:
                raise Refused("请至少选择一份报告。 / Choose at least one report to ask.")
            text = check_question(question)
            try:
                k_value = None if k is None else int(k)
                answer, _ = library.answer(text, reports or None, previous_questions(history), k_value, mode or None)  # type: ignore[arg-type]
            except (ValueError, TypeError, OverflowError) as exc:
                raise Refused(f"无法回答这个问题 / Cannot answer this question: {exc}") from exc
            raw, passages, tables, titles = _entries_view(library.select(reports or None))
        else:
            pipeline = pipeline or qa.default_pipeline()
            answer = get_answer(pipeline, question, previous_questions(history), mode, k)
            raw, passages, tables, titles = _view([pipeline])
    except Refused as exc:
        gr.Warning(html.escape(str(exc)))
        return history, question, gr.skip()
    except Exception as exc:  # the UI boundary: log the trace, show no internals
        log.exception("answering %r failed", question)
        raise gr.Error("出错了，请稍后再试。 / Something went wrong; details are in the server log.",
                       print_exception=False) from exc
    shown = md_line(escape_md(" ".join(printable(question).split())))
    history += [{"role": "user", "content": shown},
                {"role": "assistant", "content": format_answer(answer, raw, bool(show_scores), titles=titles)}]
    return history, "", render_report(raw, passages, answer, tables=tables, titles=titles)


def _respond_example(sample: list[str], history: list[dict[str, Any]] | None, mode: str, k: float,
                     show_scores: bool, reports: list[str] | None, request: gr.Request) -> tuple[list[dict[str, Any]], Any, Any]:
    return respond(sample[0], history, mode, k, show_scores, reports, request)


def ask(question: str) -> str:
    """Answer a question about the report: a short answer with citations [1] [2] and the cited passages, as Markdown."""
    pipeline = qa.default_pipeline()
    try:
        answer = get_answer(pipeline, question, [], None, None)
    except Refused as exc:
        raise gr.Error(html.escape(str(exc)), print_exception=False) from exc
    return format_answer(answer, pipeline.raw, links=False)


def page_start(pipeline: qa.ReportQA | None = None) -> tuple[str, str]:
    """Status line and unmarked full report for a newly opened page."""
    pipeline = pipeline or qa.default_pipeline()
    try:
        status = pipeline.status
    except qa.QAError as exc:
        return f"⚠️ 报告无法加载 / The report could not be loaded: {escape_md(str(exc))}", ""
    raw, passages, tables, _ = _view([pipeline])
    return status_markdown(status, pipeline.settings.dense_enabled), render_report(raw, passages, tables=tables)


def clear_chat(reports: list[str] | None = None, request: gr.Request | None = None) -> tuple[list[dict[str, Any]], str, str]:
    library = session_library(request)
    if library is not None and len(library.entries) > 1:
        raw, passages, tables, titles = _entries_view(library.select(reports or None))
        return [], "", render_report(raw, passages, tables=tables, titles=titles)
    return [], "", page_start()[1]


# -- the app -----------------------------------------------------------------------------------
# Click on a citation: scroll the full-report panel to the passage and mark it. Done in the page
# rather than by following href="#…", which Gradio's <base href> would turn into a reload.
# A new question scrolls to its top (Gradio's autoscroll would show the end of a long answer).
PAGE_JS = """
if (!window.__qaPage) {
  window.__qaPage = true;
  let asked = 0, askedAt = 0, citedAt = 0;
  const showLatestQuestion = () => {
    if (citedAt > askedAt) return;  // a citation was opened meanwhile: leave the view there
    const users = document.querySelectorAll('#qa-chat [data-testid="user"]');
    const el = users[users.length - 1];
    let box = el ? el.parentElement : null;
    while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
    if (!box || box === document.body || box === document.documentElement) return;
    const top = el.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop - 40;
    box.scrollTo({ top, behavior: "smooth" });
    const chatTop = box.getBoundingClientRect().top;  // on a phone the page may be scrolled to the text box
    if (chatTop < 0) window.scrollBy({ top: chatTop - 8, behavior: "smooth" });
  };
  new MutationObserver(() => {
    const n = document.querySelectorAll('#qa-chat [data-testid="user"]').length;
    if (n > asked) {
      askedAt = Date.now();
      setTimeout(showLatestQuestion, 150);
    }
    asked = n;
  }).observe(document.body, { childList: true, subtree: true });
  document.addEventListener("click", (ev) => {
    const link = ev.target instanceof Element ? ev.target.closest("a.qa-cite") : null;
    const id = link ? decodeURIComponent((link.getAttribute("href") || "").split("#").pop()) : "";
    const el = id ? document.getElementById(id) : null;
    if (!el) return;
    ev.preventDefault();
    ev.stopPropagation();
    citedAt = Date.now();
    document.querySelectorAll(".qa-active").forEach((e) => e.classList.remove("qa-active"));
    el.classList.add("qa-active");  // and the rest of the passage, when it runs over a paragraph break
    document.querySelectorAll(`[data-p="${CSS.escape(id)}"]`).forEach((e) => e.classList.add("qa-active"));
    el.scrollIntoView({ behavior: "smooth", block: "center" });
  }, true);
}
"""
CSS = """
.gradio-container { max-width: 1280px !important; }
#qa-chat .message, .qa-report { overflow-wrap: anywhere; }
.qa-report { max-height: 72vh; overflow-y: auto; line-height: 1.75; padding: 0 .25rem; }
.qa-report p { margin: 0 0 .6em; }
.qa-psg.qa-cited { background: rgba(250, 204, 21, .18); }
.qa-psg.qa-active { background: rgba(250, 204, 21, .45); outline: 2px solid #f59e0b; border-radius: 2px; }
mark { background: #fde047; color: #111; padding: 0 .1em; border-radius: 2px; }
.qa-abstain { border-left: 4px solid #f97316; background: rgba(249, 115, 22, .12); padding: .5em .75em;
  border-radius: 4px; }
.qa-notice { border-left: 4px solid #3b82f6; background: rgba(59, 130, 246, .1); padding: .4em .75em;
  border-radius: 4px; font-size: .9em; }
.qa-report .qa-h { font-weight: 600; margin-top: 1em; }
#qa-chat hr { margin: .6em 0; }
a.qa-cite { color: var(--link-text-color, #2563eb); text-decoration: none; white-space: nowrap; }
a.qa-cite:hover { text-decoration: underline; }
.qa-table { border-collapse: collapse; margin: .4em 0 .8em; font-size: .85em; }
.qa-table th, .qa-table td { border: 1px solid #d4d4d8; padding: .15em .35em; vertical-align: top; }
.qa-table td.qa-num { text-align: right; white-space: nowrap; }
"""
SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Noto Sans CJK SC", "Noto Sans SC",
                "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "sans-serif"]
THEME = gr.themes.Default(  # plain names: no web font is fetched from anywhere
    font=SYSTEM_FONTS, font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
)


def _default_settings() -> qa.Settings:
    try:
        return qa.Settings.from_env()
    except qa.SettingsError:
        return qa.Settings()


# delete_cache: Gradio's own copies of uploads are deleted once read; this sweeps any left behind
with gr.Blocks(title="重庆市2018年政府信息公开年报问答 · Report Q&A", analytics_enabled=False,
               delete_cache=(1800, 3600)) as demo:
    _defaults = _default_settings()
    gr.Markdown("## 重庆市2018年政府信息公开工作年度报告 · 问答\n"
                "答案只来自报告原文，并注明出处。 / Answers come only from the report, with the passages they cite.")
    status = gr.Markdown("正在加载报告… / Loading the report…", elem_id="qa-status")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            chat = gr.Chatbot(label="问答 / Chat", elem_id="qa-chat", height="62vh", latex_delimiters=[],
                              feedback_options=None, buttons=["copy"], sanitize_html=True, autoscroll=False,
                              placeholder="问一个关于报告的问题，或点下面的示例。 / Ask about the report.")
            box = gr.Textbox(show_label=False, elem_id="qa-question", max_lines=4, submit_btn="提问 / Ask",
                             placeholder="输入问题，按回车提问 / Type a question and press Enter")
            examples = gr.Dataset(components=[box], samples=[[q] for q in EXAMPLES], label="示例 / Examples")
            clear = gr.Button("清空对话 / Clear chat", size="sm", variant="secondary")
            with gr.Accordion("添加报告 / Add a report", open=False, elem_id="qa-add"):
                gr.Markdown(f"<small>{html.escape(UPLOAD_HELP)}</small>")
                upload = gr.File(label="报告文件 / Report file", file_types=list(FORMATS), file_count="single",
                                 type="filepath", elem_id="qa-upload")
                upload_notice = gr.HTML("", elem_id="qa-upload-notice")
            reports = gr.CheckboxGroup([], value=[], label="提问的报告 / Reports to ask", visible=False,
                                       elem_id="qa-reports")
            with gr.Accordion("设置 / Settings", open=False):
                mode = gr.Radio(MODES, value=_defaults.mode, label="检索方式 / Retrieval mode",
                                info="向量模型不可用时自动用 lexical / falls back to lexical without the model")
                k = gr.Slider(1, 10, value=min(_defaults.k, 10), step=1, label="来源数量 / Number of sources")
                show_scores = gr.Checkbox(False, label="显示分数 / Show scores")
        with gr.Column(scale=2, min_width=300):
            gr.Markdown("#### 原文 / Full report\n<small>点击答案里的 [1] 或「在原文中查看」跳到出处。 / "
                        "Click a citation to jump to its passage.</small>")
            report = gr.HTML(elem_id="qa-report", js_on_load=PAGE_JS)
    settings = [mode, k, show_scores, reports]
    box.submit(respond, [box, chat, *settings], [chat, box, report], api_visibility="private")
    examples.click(_respond_example, [examples, chat, *settings], [chat, box, report], api_visibility="private")
    clear.click(clear_chat, [reports], [chat, box, report], api_visibility="private")
    upload.upload(add_report, [upload, reports], [reports, upload, upload_notice], api_visibility="private",
                  concurrency_limit=1)
    demo.load(page_start, None, [status, report], api_visibility="private")
    demo.unload(close_session)
    gr.api(ask, api_name="ask")
demo.queue(default_concurrency_limit=4, max_size=64, api_open=False)


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: Sequence[str] | None = None) -> None:
    """``python app.py [--host H] [--port P]``: serve the UI (default 127.0.0.1, port $GRADIO_SERVER_PORT or 7860)."""
    parser = argparse.ArgumentParser(description="Start the report-qa chat UI.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    parser.add_argument("--port", type=int, help="port (default $GRADIO_SERVER_PORT, else 7860)")
    args = parser.parse_args(argv)
    port = args.port
    if port is None:
        env_port = os.environ.get("GRADIO_SERVER_PORT", "7860")
        if not env_port.isdigit():
            parser.error(f"GRADIO_SERVER_PORT must be a port number, not {env_port!r}")
        port = int(env_port)
    user, password = os.environ.get("QA_AUTH_USER", ""), os.environ.get("QA_AUTH_PASSWORD", "")
    if bool(user) != bool(password):
        parser.error("set both QA_AUTH_USER and QA_AUTH_PASSWORD to require a login, or neither")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Gradio's own start-up checks
    if not user and not _is_loopback(args.host):
        log.warning("listening on %s without a login: anyone who can reach it can use the app; "
                    "set QA_AUTH_USER and QA_AUTH_PASSWORD to require one", args.host)
    try:  # build the index and load the tokeniser now, not on the first question
        qa.default_pipeline().answer(EXAMPLES[0])
    except qa.QAError as exc:
        log.error("the report could not be loaded: %s", exc)
    except Exception:  # the page will say what is wrong; start anyway
        log.exception("warming up failed")
    try:
        demo.launch(server_name=args.host, server_port=port, share=False, auth=(user, password) if user else None,
                    show_error=False, theme=THEME, css=CSS, footer_links=["api"], run_history=False,
                    enable_monitoring=False, mcp_server=False, ssr_mode=False, pwa=False,
                    max_file_size=f"{MAX_BYTES // 2**20}mb")
    except OSError as exc:  # e.g. the port is taken
        parser.exit(1, f"cannot listen on {args.host}:{port}: {exc}\nchoose another port with --port\n")


if __name__ == "__main__":
    main()
