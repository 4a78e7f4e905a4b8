"""Reports in the formats they are published in, for the tests and the eval: a report's paragraphs
(and tables) rendered to PDF (reportlab, its built-in ``STSong-Light`` CID font: no font file), to
.docx (python-docx) and to a web page with the clutter real sites have (navigation, scripts, styles).

``python -m eval.formats DIR`` writes the bundled report and the 2019-template report in every
format into DIR (for ``python -m eval --report …``; README, "Other formats").

``paragraphs_of`` turns a hard-wrapped .txt report into its paragraphs, so the bundled report can
be rendered to every format and each format's answers compared with the .txt's. ``template_2019``
is a short report in the national template of 2019: prose plus the table of applications
(two-level header, row labels spanning rows, a total column, the template's check note).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

Grid = list[list[str]]  # a table: "" is an empty cell; spans are given separately
Span = tuple[int, int, int, int]  # (row, col, rowspan, colspan)
Block = tuple[str, object]  # ("title" | "h1" | "p", text) or ("table", (grid, spans))


def paragraphs_of(raw: str) -> list[Block]:
    """The blank-line separated paragraphs of a .txt report, lines joined; the first is the title,
    a standalone "一、…" line is a level-1 heading."""
    paras = [re.sub(r"\s*\n\s*", "", p.strip()) for p in re.split(r"\n\s*\n", raw) if p.strip()]
    blocks: list[Block] = [("title", paras[0])]
    for p in paras[1:]:
        standalone = re.match(r"^[一二三四五六七八九十]+、", p) and len(p) <= 40 and not p.endswith("。")
        blocks.append(("h1" if standalone else "p", p))
    return blocks


# -- the 2019 template ---------------------------------------------------------------------------
COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
ROWS: list[tuple[list[str], list[int]]] = [
    (["一、本年新收政府信息公开申请数量"], [1200, 300, 20, 15, 25, 40, 1600]),
    (["二、上年结转政府信息公开申请数量"], [80, 10, 1, 0, 2, 7, 100]),
    (["三、本年度办理结果", "（一）予以公开"], [600, 150, 10, 8, 12, 20, 800]),
    (["三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"], [110, 30, 2, 1, 3, 4, 150]),
    (["三、本年度办理结果", "（三）不予公开", "1．属于国家秘密"], [9, 2, 0, 0, 0, 1, 12]),
    (["三、本年度办理结果", "（三）不予公开", "2．危及“三安全一稳定”"], [5, 1, 0, 0, 0, 0, 6]),
    (["三、本年度办理结果", "（四）无法提供", "1．本机关不掌握相关政府信息"], [300, 80, 5, 4, 8, 13, 410]),
    (["三、本年度办理结果", "（五）不予处理", "1．信访举报投诉类申请"], [46, 7, 0, 1, 1, 3, 58]),
    (["四、结转下年度继续办理"], [210, 40, 4, 1, 3, 6, 264]),
]
NOTE = "注：第一项加第二项之和，等于第三项加第四项之和。"


def template_table() -> tuple[Grid, list[Span]]:
    """The 2019 template's table of applications, with its spans (row, col, rowspan, colspan)."""
    width = 3 + len(COLUMNS)
    grid: Grid = [["" for _ in range(width)] for _ in range(3 + len(ROWS) + 1)]
    spans: list[Span] = [(0, 0, 3, 3), (0, 3, 1, 7), (1, 3, 2, 1), (1, 4, 1, 5), (1, 9, 2, 1)]
    grid[0][0] = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    grid[0][3] = "申请人情况"
    grid[1][3], grid[1][4], grid[1][9] = "自然人", "法人或其他组织", "总计"
    for c, name in enumerate(COLUMNS[1:6], 4):
        grid[2][c] = name
    r = 3
    group_start: dict[tuple[int, str], int] = {}
    for labels, figures in ROWS:
        if len(labels) == 1:
            grid[r][0] = labels[0]
            spans.append((r, 0, 1, 3))
        else:
            for level, text in enumerate(labels):
                key = (level, text)
                if level < len(labels) - 1 and key in group_start:
                    continue  # covered by the span above
                group_start[key] = r
                grid[r][level] = text
            if len(labels) == 2:
                spans.append((r, 1, 1, 2))
        for c, value in enumerate(figures, 3):
            grid[r][c] = str(value)
        r += 1
    # the groups' row spans
    for (level, text), start in group_start.items():
        count = sum(1 for labels, _ in ROWS if len(labels) > level + 1 and labels[level] == text)
        if count > 1:
            spans.append((start, level, count, 1))
    grid[r][0] = NOTE
    spans.append((r, 0, 1, width))
    return grid, spans


def disclosure_table() -> tuple[Grid, list[Span]]:
    """The template's table of proactive disclosure: blocks per article, each with its own header."""
    rows: Grid = [
        ["第二十条第（一）项", "", "", ""],
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["规章", "3", "3", "45"],
        ["规范性文件", "28", "30", "412"],
        ["第二十条第（五）项", "", "", ""],
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政许可", "520", "+12", "8650"],
        ["其他对外管理服务事项", "130", "-5", "2300"],
        ["第二十条第（六）项", "", "", ""],
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政处罚", "610", "7", "15400"],
        ["行政强制", "95", "0", "1200"],
        ["第二十条第（九）项", "", "", ""],
        ["信息内容", "采购项目数量", "采购总金额", ""],
        ["政府集中采购", "380", "52000万元", ""],
    ]
    spans = [(r, 0, 1, 4) for r in (0, 4, 8, 12)] + [(13, 2, 1, 2), (14, 2, 1, 2)]
    return rows, spans


def review_table() -> tuple[Grid, list[Span]]:
    """The template's table of administrative reconsideration and litigation: no row labels, three
    totals, a three-level header."""
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows: Grid = [
        ["行政复议"] + [""] * 4 + ["行政诉讼"] + [""] * 9,
        outcomes + ["未经复议直接起诉"] + [""] * 4 + ["复议后起诉"] + [""] * 4,
        [""] * 5 + outcomes + outcomes,
        ["20", "8", "3", "12", "43", "10", "2", "1", "4", "17", "5", "1", "0", "4", "10"],
    ]
    spans = [(0, 0, 1, 5), (0, 5, 1, 10), (1, 5, 1, 5), (1, 10, 1, 5)] + [(1, c, 2, 1) for c in range(5)]
    return rows, spans


def template_2019() -> list[Block]:
    return [
        ("title", "某市2019年政府信息公开工作年度报告"),
        ("p", "本报告依据新修订的《中华人民共和国政府信息公开条例》编制，统计期限自2019年1月1日起至2019年12月31日止。"),
        ("h1", "一、总体情况"),
        ("p", "2019年，某市政府认真贯彻落实新修订的《条例》，全年召开政务公开专题会议6次，"
              "政府门户网站发布信息2.3万条。"),
        ("h1", "二、主动公开政府信息情况"),
        ("table", disclosure_table()),
        ("h1", "三、收到和处理政府信息公开申请情况"),
        ("table", template_table()),
        ("h1", "四、政府信息公开行政复议、行政诉讼情况"),
        ("table", review_table()),
        ("h1", "五、存在的主要问题及改进情况"),
        ("p", "一是部分单位答复不够规范；二是基层公开人员力量不足。下一步将加强业务培训。"),
    ]


# -- renderers -------------------------------------------------------------------------------------
def _covered(spans: list[Span]) -> set[tuple[int, int]]:
    return {(r + dr, c + dc) for r, c, rs, cs in spans for dr in range(rs) for dc in range(cs) if dr or dc}


def to_html(blocks: list[Block], path: Path) -> Path:
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>报告</title>",
           "<style>p { text-indent: 2em }</style><script>var x = '<p>脚本里的文字</p>';</script></head><body>",
           "<header><nav><a href='/'>网站导航</a> | <a href='/wza'>无障碍浏览</a></nav></header><main>"]
    for kind, item in blocks:
        if kind == "title":
            out.append(f"<h1>{html.escape(str(item))}</h1>")
        elif kind == "h1":
            out.append(f"<h2>{html.escape(str(item))}</h2>")
        elif kind == "p":
            out.append(f"<p>{html.escape(str(item))}</p>")
        else:
            grid, spans = item  # type: ignore[misc]
            covered = _covered(spans)
            span_at = {(r, c): (rs, cs) for r, c, rs, cs in spans}
            out.append("<table border='1'>")
            for r, row in enumerate(grid):
                cells = []
                for c, text in enumerate(row):
                    if (r, c) in covered:
                        continue
                    rs, cs = span_at.get((r, c), (1, 1))
                    attrs = (f" rowspan='{rs}'" if rs > 1 else "") + (f" colspan='{cs}'" if cs > 1 else "")
                    cells.append(f"<td{attrs}>{html.escape(text)}</td>")
                out.append("<tr>" + "".join(cells) + "</tr>")
            out.append("</table>")
    out.append("</main><footer>版权所有 网站标识码 5000000095</footer></body></html>")
    path.write_text("\n".join(out), "utf-8")
    return path


def to_docx(blocks: list[Block], path: Path) -> Path:
    from docx import Document

    doc = Document()
    for kind, item in blocks:
        if kind == "title":
            doc.add_paragraph(str(item), style="Title")
        elif kind == "h1":
            doc.add_heading(str(item), level=1)
        elif kind == "p":
            doc.add_paragraph(str(item))
        else:
            grid, spans = item  # type: ignore[misc]
            table = doc.add_table(rows=len(grid), cols=len(grid[0]))
            for r, row in enumerate(grid):
                for c, text in enumerate(row):
                    if text:
                        table.cell(r, c).text = text
            for r, c, rs, cs in spans:
                table.cell(r, c).merge(table.cell(r + rs - 1, c + cs - 1))
                table.cell(r, c).text = grid[r][c]
    doc.save(str(path))
    return path


def to_pdf(blocks: list[Block], path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=11, leading=16, firstLineIndent=22, wordWrap="CJK")
    title = ParagraphStyle("t", fontName="STSong-Light", fontSize=16, leading=24, alignment=1, spaceAfter=12)
    cell = ParagraphStyle("c", fontName="STSong-Light", fontSize=7, leading=9, wordWrap="CJK")
    story: list[object] = []
    for kind, item in blocks:
        if kind == "title":
            story.append(Paragraph(html.escape(str(item)), title))
        elif kind in ("h1", "p"):
            story.append(Paragraph(html.escape(str(item)), body))
        else:
            grid, spans = item  # type: ignore[misc]
            data = [[Paragraph(html.escape(t), cell) if t else "" for t in row] for row in grid]
            style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONT", (0, 0), (-1, -1), "STSong-Light", 7)]
            style += [("SPAN", (c, r), (c + cs - 1, r + rs - 1)) for r, c, rs, cs in spans]
            n = len(grid[0])
            widths = [60, 60, 70] + [40] * (n - 3) if 190 + 40 * (n - 3) <= 450 else [450 / n] * n
            story.append(Table(data, colWidths=widths, style=TableStyle(style)))

    def page_number(canvas: object, doc: object) -> None:
        canvas.setFont("STSong-Light", 9)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")  # type: ignore[attr-defined]

    SimpleDocTemplate(str(path), pagesize=A4).build(story, onFirstPage=page_number, onLaterPages=page_number)
    return path


RENDERERS = {"pdf": to_pdf, "docx": to_docx, "html": to_html}


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m eval.formats", description="Write the eval's reports in every format.")
    parser.add_argument("out", type=Path, help="directory to write into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    bundled = Path(__file__).resolve().parent.parent / "data" / "chongqing-2018-government-information-disclosure-report.txt"
    reports = {"bundled": paragraphs_of(bundled.read_text("utf-8")), "template-2019": template_2019()}
    for name, blocks in reports.items():
        for fmt, render in RENDERERS.items():
            path = render(blocks, args.out / f"{name}.{fmt}")
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
