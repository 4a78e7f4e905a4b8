"""The ``/ask`` API endpoint, called through gradio_client against ``python app.py`` in a subprocess.

Lexical only (``QA_EMBEDDING_MODEL=none``) with a fresh index cache, so nothing is downloaded.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

gradio_client = pytest.importorskip("gradio_client")

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(server: str) -> gradio_client.Client:
    return gradio_client.Client(server, verbose=False, analytics_enabled=False, download_files=False)


def test_ask_returns_the_answer_with_citations_as_markdown(client: gradio_client.Client) -> None:
    started = time.perf_counter()
    md = client.predict("2018年全市共收到多少份政府信息公开申请？", api_name="/ask")
    seconds = time.perf_counter() - started
    assert "<strong>7896份</strong>" in md and "[1]" in md
    assert "来源 / Sources" in md and "（一）申请受理情况" in md and "<mark>" in md
    assert "<a " not in md  # no links into a page the API caller does not have
    assert seconds < 1, f"answer took {seconds:.2f} s"


def test_ask_abstains_in_markdown(client: gradio_client.Client) -> None:
    md = client.predict("2019年收到多少申请？", api_name="/ask")
    assert "报告中没有找到" in md and "相关段落 / Related" in md


def test_ask_refuses_bad_questions_with_a_message(client: gradio_client.Client) -> None:
    with pytest.raises(gradio_client.exceptions.AppError, match="问题太长了"):
        client.predict("问" * 1001, api_name="/ask")
    with pytest.raises(gradio_client.exceptions.AppError, match="请输入"):
        client.predict("   ", api_name="/ask")


def test_only_ask_is_public(client: gradio_client.Client) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/ask"] and not api["unnamed_endpoints"]
