"""Rendering answers and the report for people: Markdown for the chat, HTML for the full report.

Everything from the report or the user is escaped here, explicitly (``html.escape`` plus Markdown
syntax characters as entities), before a UI sees it. ``render_report`` is the one HTML renderer
of raw report text; ``format_answer`` turns an :class:`~qa.types.Answer` into Markdown with
inline citation markers and the answering span emphasised. Used by ``app.py``; no Gradio here.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import qa
from qa.readers import Table

# -- escaping and rendering of report text --------------------------------------------------
# Markdown syntax characters become entities: they then read as text both in Markdown and inside
# HTML blocks (where a backslash escape would show). html.escape covers & < > " '.
_MD_ENTITIES = {c: f"&#{ord(c)};" for c in "\\`*_[]$|~#"}
_LINE_START = re.compile(r"^([ \t]*)([-+=]|\d(?=\d*[.)]))", re.M)  # list items, setext underlines
_WRAP = re.compile(r"[ \t\u3000]*\n[\s\u3000]*")
_PARA_BREAK = re.compile(r"\s*\n[ \t\u3000]*\n\s*")


def printable(text: str) -> str:
    """``text`` without lone surrogates and control characters, which cannot be sent as UTF-8."""
    return "".join(ch for ch in text if not ("\ud800" <= ch <= "\udfff") and (ch.isprintable() or ch in "\n\t "))


def escape_md(text: str) -> str:
    """``text`` as literal Markdown inside a line: no HTML, links, emphasis or LaTeX.

    >>> escape_md("<b>*7896*</b>")
    '&lt;b&gt;&#42;7896&#42;&lt;/b&gt;'
    """
    return "".join(_MD_ENTITIES.get(c, c) for c in html.escape(text))


def md_line(markdown: str) -> str:
    """A line that cannot start a list or a heading underline (``1. …``, ``- …``, ``===``)."""
    return _LINE_START.sub(lambda m: f"{m[1]}&#{ord(m[2])};", markdown)


def anchor_id(chunk_id: str) -> str:
    """The HTML id of a passage in the full report (``doc#12`` → ``p-doc-12``)."""
    return "p-" + re.sub(r"[^A-Za-z0-9_-]", "-", chunk_id)


def _unwrap(raw: str, start: int, end: int, esc: Any) -> str:
    """``raw[start:end]`` escaped, hard wraps joined (a space only between two ASCII characters)."""
    out, pos = [], start
    for m in _WRAP.finditer(raw, start, end):
        out.append(esc(raw[pos : m.start()]))
        before, after = raw[m.start() - 1 : m.start()], raw[m.end() : m.end() + 1]
        if m[0].count("\n") > 1:
            out.append("<br>")
        elif before.isascii() and after.isascii() and before.strip() and after.strip():
            out.append(" ")
        pos = m.end()
    out.append(esc(raw[pos:end]))
    return "".join(out)


def key_spans(spans: Sequence[qa.Span]) -> list[qa.Span]:
    """The highlights that are the value itself: those with no other highlight inside them.

    An answer highlights the value (``7896份``) and the clause that states it; the clause is marked,
    the value is also bold.
    """
    def holds_another(s: qa.Span) -> bool:
        return any(o.doc == s.doc and s.start <= o.start and o.end <= s.end and (o.start, o.end) != (s.start, s.end)
                   for o in spans)
    return [s for s in spans if not holds_another(s)]


Marks = Sequence[tuple[int, int, bool]]  # raw offsets of a highlight, and whether it is a key span


def _marks(spans: Sequence[qa.Span], doc: str) -> list[tuple[int, int, bool]]:
    keys = key_spans(spans)
    return [(s.start, s.end, s in keys) for s in spans if s.doc == doc]


def _marked(raw: str, start: int, end: int, marks: Marks, esc: Any = html.escape) -> str:
    """``raw[start:end]`` as HTML: highlighted parts in ``<mark>``, key values also in ``<strong>``."""
    cuts = sorted({start, end, *(x for m in marks for x in m[:2] if start < x < end)})
    pieces = []  # (marked, html) per stretch between cuts
    for a, b in itertools.pairwise(cuts):
        text = _unwrap(raw, a, b, esc)
        if any(s <= a and b <= e for s, e, key in marks if key):
            text = f"<strong>{text}</strong>"
        pieces.append((any(s <= a and b <= e for s, e, _ in marks), text))
    return "".join(f"<mark>{joined}</mark>" if marked else joined
                   for marked, group in itertools.groupby(pieces, key=lambda p: p[0])
                   for joined in ["".join(text for _, text in group)])


def _table_html(table: Table, passages: Sequence[qa.Passage], marks: Marks, cited: set[str],
                placed: set[str]) -> str:
    """A table of the report as read: header cells spanning their columns, each data row's figures
    with the answer's cell marked, each row carrying the id of the passage that holds it."""
    cells = {(c.row, c.col): c for c in table.cells}
    row_spans = {r: (a, b) for r, a, b in table.rows}
    out = ['<table class="qa-table">']
    for r, row in enumerate(table.grid):
        if r in table.notes:
            continue
        attrs = ""
        if r in row_spans:
            a, _ = row_spans[r]
            owner = next((p for p in passages if p.start <= a < p.end), None)
            if owner is not None:
                anchor = anchor_id(owner.chunk_id)
                ident = "" if owner.chunk_id in placed else f' id="{anchor}"'
                placed.add(owner.chunk_id)
                cls = "qa-psg qa-cited" if owner.chunk_id in cited else "qa-psg"
                attrs = f' class="{cls}"{ident} data-p="{anchor}"'
        tag = "th" if r < table.header_rows else "td"
        parts, c = [], 0
        while c < len(row):
            label = r < table.header_rows or c < table.label_cols
            span = 1
            while label and c + span < len(row) and row[c + span] == row[c] and (
                    r < table.header_rows or c + span < table.label_cols):
                span += 1  # a label spanning columns: one cell
            above = table.grid[r - 1][c] if r > 0 and (r - 1 not in table.notes) else None
            repeated = label and r > 0 and above == row[c] and (r < table.header_rows) == (r - 1 < table.header_rows)
            cell = cells.get((r, c))
            body = "" if repeated else html.escape(row[c])
            cls = ""
            if cell is not None:
                cls = ' class="qa-num"'
                if any(key and s < cell.end and cell.start < e for s, e, key in marks):
                    body = f"<mark><strong>{body}</strong></mark>"
            colspan = f' colspan="{span}"' if span > 1 else ""
            parts.append(f"<{tag}{colspan}{cls}>{body}</{tag}>")
            c += span
        out.append(f"<tr{attrs}>{''.join(parts)}</tr>")
    out.append("</table>")
    return "".join(out)


def render_report(raw_texts: Mapping[str, str], passages: Sequence[qa.Passage], answer: qa.Answer | None = None,
                  tables: Mapping[str, Sequence[Table]] | None = None, titles: Mapping[str, str] | None = None) -> str:
    """The full reports as HTML paragraphs, a ``<span id=p-…>`` per passage, the answer's passages
    marked; a report's ``tables`` (from :mod:`qa.readers`) as HTML tables with the answer's cell marked."""
    cited = {h.chunk_id for h in answer.citations} if answer else set()
    out = ['<div class="qa-report">']
    for doc, raw in raw_texts.items():
        marks = _marks(answer.highlights if answer else (), doc)
        mine = sorted((p for p in passages if p.doc == doc), key=lambda p: p.start)
        placed: set[str] = set()
        if len(raw_texts) > 1:
            out.append(f"<h3>{html.escape((titles or {}).get(doc) or doc)}</h3>")
        doc_tables = sorted((tables or {}).get(doc, ()), key=lambda t: t.start)
        starts = [0, *(m.end() for m in _PARA_BREAK.finditer(raw))]
        ends = [*(m.start() for m in _PARA_BREAK.finditer(raw)), len(raw)]
        for ps, pe in zip(starts, ends, strict=True):
            if not raw[ps:pe].strip():
                continue
            table = next((t for t in doc_tables if t.start <= ps < t.end), None)
            if table is not None:
                if ps == table.start:
                    out.append(_table_html(table, mine, marks, cited, placed))
                continue
            ps, pe = ps + len(raw[ps:pe]) - len(raw[ps:pe].lstrip()), ps + len(raw[ps:pe].rstrip())
            parts, pos = [], ps
            for p in mine:
                s, e = max(p.start, pos), min(p.end, pe)
                if s >= e:
                    continue
                parts.append(_marked(raw, pos, s, marks))
                anchor = anchor_id(p.chunk_id)
                ident = "" if p.chunk_id in placed else f' id="{anchor}"'
                placed.add(p.chunk_id)
                cls = "qa-psg qa-cited" if p.chunk_id in cited else "qa-psg"
                parts.append(f'<span class="{cls}"{ident} data-p="{anchor}">{_marked(raw, s, e, marks)}</span>')
                pos = e
            parts.append(_marked(raw, pos, pe, marks))
            heading = pe - ps <= 40 and "\n" not in raw[ps:pe] and raw[pe - 1] not in "。；！？：.;!?:"
            out.append(('<p class="qa-h">' if heading else "<p>") + "".join(parts) + "</p>")
    out.append("</div>")
    return "".join(out)


# -- an Answer as Markdown ---------------------------------------------------------------------
_LABELS = {
    "zh": {"sources": "来源 / Sources", "related": "相关段落 / Related", "open": "在原文中查看 / Full report",
           "working": "计算 / Working", "abstain": "报告中没有找到这个问题的答案。",
           "abstain2": "The report does not answer this."},
    "en": {"sources": "Sources / 来源", "related": "Related / 相关段落", "open": "Full report / 在原文中查看",
           "working": "Working / 计算", "abstain": "The report does not answer this.",
           "abstain2": "报告中没有找到这个问题的答案。"},
}


def _emphasise(text: str, spans: Sequence[qa.Span]) -> str:
    """``text`` escaped, every occurrence of a highlight's text in ``<strong>``."""
    needles = sorted({s.text for s in key_spans(spans) if s.text.strip() and s.text != text}, key=len, reverse=True)
    if not needles:
        return escape_md(text)
    pattern = re.compile("|".join(re.escape(n) for n in needles))
    out, pos = [], 0
    for m in pattern.finditer(text):
        out += [escape_md(text[pos : m.start()]), f"<strong>{escape_md(m[0])}</strong>"]
        pos = m.end()
    return "".join([*out, escape_md(text[pos:])])


def _scores(hit: qa.Hit) -> str:
    parts = [f"score {hit.score:.4f}"]
    if hit.lexical_rank is not None:
        parts.append(f"lexical #{hit.lexical_rank} ({hit.lexical_score or 0:.2f})")
    if hit.dense_rank is not None:
        parts.append(f"dense #{hit.dense_rank} ({hit.dense_score or 0:.3f})")
    return " · ".join(parts)


def _source(label: str, hit: qa.Hit, answer: qa.Answer, raw_texts: Mapping[str, str], show_scores: bool,
            links: bool, titles: Mapping[str, str] | None = None) -> str:
    head = f"**{label}** "
    if titles and len(titles) > 1:
        head += f"《{escape_md(titles.get(hit.doc) or hit.doc)}》 "
    head += escape_md(hit.section)
    if hit.passage.page is not None:
        head += f" · 第{hit.passage.page}页 / p. {hit.passage.page}"
    if links:
        head += f' · <a class="qa-cite" href="#{anchor_id(hit.chunk_id)}">{_LABELS[answer.lang]["open"]}</a>'
    if show_scores:
        head += f" · <small>{_scores(hit)}</small>"
    raw = raw_texts.get(hit.doc)
    if raw is not None and raw[hit.start : hit.end].strip():
        body = _marked(raw, hit.start, hit.end, _marks(answer.highlights, hit.doc), escape_md)
    else:  # a passage without its report (tests, other callers): mark by text
        body = _emphasise(hit.text, answer.highlights).replace("<strong>", "<mark>").replace("</strong>", "</mark>")
    return f"{head}\n\n> {md_line(body)}"


def format_answer(answer: qa.Answer, raw_texts: Mapping[str, str], show_scores: bool = False,
                  links: bool = True, titles: Mapping[str, str] | None = None) -> str:
    """``answer`` as Markdown: the short answer (key value bold, markers [1] [2]), then its sources.

    ``raw_texts`` maps document ids to raw report text (``ReportQA.raw``), so the answering span is
    marked at its offsets; ``links`` adds links to the passages in the full-report panel; ``titles``
    (document id → title), when it names several reports, puts the report's title in each citation.
    """
    lab = _LABELS[answer.lang]
    lines = []
    if answer.abstained:  # a callout of its own; the reason without the library's "not found" prefix
        reason = answer.text.strip()
        for prefix in (_LABELS["zh"]["abstain"], _LABELS["en"]["abstain"]):
            reason = reason.removeprefix(prefix.rstrip("。.")).lstrip("：:。. ")
        body = f"<br>{escape_md(reason)}" if reason else ""
        lines.append(f'<div class="qa-abstain">⚠️ <strong>{lab["abstain"]}</strong> {lab["abstain2"]}{body}</div>\n')
    else:
        markers = []
        for i, hit in enumerate(answer.citations, 1):
            title = html.escape(hit.section)
            markers.append(f'<a class="qa-cite" href="#{anchor_id(hit.chunk_id)}" title="{title}">[{i}]</a>'
                           if links else f"[{i}]")
        lines.append(md_line(" ".join([_emphasise(answer.text, answer.highlights), *markers])))
    if answer.working.strip() and answer.working.strip() != answer.text.strip():
        lines.append(f"**{lab['working']}：** {escape_md(answer.working)}")
    lines += [f"<small>ℹ️ {escape_md(n)}</small>" for n in answer.notes if n.strip() and n not in answer.text]
    if show_scores:
        lines.append(f"<small>confidence {answer.confidence:.2f} · mode {escape_md(answer.mode)} · "
                     f"kind {escape_md(answer.kind)}</small>")
    hits, title = (answer.related, lab["related"]) if answer.abstained else (answer.citations, lab["sources"])
    if hits:
        lines.append(f"---\n**{title}**")
        marker = "•" if answer.abstained else "[{}]"
        lines += [_source(marker.format(i), h, answer, raw_texts, show_scores, links, titles)
                  for i, h in enumerate(hits, 1)]
    return "\n\n".join(lines)


def _html_text(text: str) -> str:
    """Text for inside an HTML element: ``&``, ``<``, ``>`` escaped once (quotes need no escaping
    outside attributes — escaping them made ``&#x27;`` show on screen)."""
    return html.escape(text, quote=False)


def status_markdown(status: qa.Status, dense_enabled: bool = True) -> str:
    """One short status line for a citizen — what is searched, how many passages — with the
    technical details (model, engine, why the model is off, how to change it) folded away."""
    if status.mode == "lexical" and status.embedding_model is None:
        line = "关键词检索（未加载多语言模型，英文和换种说法的问题会差一些） · Keyword search only"
    elif status.mode == "lexical":
        line = "关键词检索 · Keyword search"
    else:
        line = "关键词 + 多语言语义检索，中英文提问均可 · Keyword + multilingual search: ask in Chinese or English"
    line += f" · {status.passages} 段 / passages"
    details = [f"检索方式 / Retrieval mode: {status.mode}", f"模型 / Model: {status.model_description}"]
    if status.engine == "bundled":
        details.append("这是随软件安装的 4 位量化模型；全精度模型见 README “Models”。 / The bundled 4-bit model; "
                       "for full precision see the README, “Models”.")
    if status.dense_error:
        why = "已关闭 / turned off" if not dense_enabled else "无法加载 / could not be loaded"
        details.append(f"向量模型{why}: {status.dense_error}")
        details.append("启用：设置 QA_EMBEDDING_MODEL（auto、模型名或本地目录）后重启。 / To enable it, set "
                       "QA_EMBEDDING_MODEL (auto, a model id or a local directory) and restart.")
    items = "".join(f"<li>{_html_text(d)}</li>" for d in details)
    return (f'<div class="qa-status-line">{_html_text(line)}</div>'
            f"<details><summary>详情 / Details</summary><ul>{items}</ul></details>")
