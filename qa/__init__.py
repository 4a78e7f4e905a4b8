"""report-qa: exact, cited answers from a government report.

>>> import qa
>>> hits = qa.retrieve("2018年全市共收到多少份政府信息公开申请？", k=5)   # doctest: +SKIP
>>> a = qa.answer("2018年全市共收到多少份政府信息公开申请？")            # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from qa.errors import QAError, ReportError, SettingsError
from qa.inputs import InvalidQuestion
from qa.pipeline import VERSION, ReportQA, Status
from qa.settings import Settings
from qa.types import Answer, Hit, Mode, Passage, Sentence, Span

__version__ = VERSION
__all__ = [
    "Answer",
    "Hit",
    "InvalidQuestion",
    "Mode",
    "Passage",
    "QAError",
    "ReportError",
    "ReportQA",
    "Sentence",
    "Settings",
    "SettingsError",
    "Span",
    "Status",
    "answer",
    "default_pipeline",
    "retrieve",
]

_default: ReportQA | None = None
_default_lock = threading.Lock()


def default_pipeline() -> ReportQA:
    """The pipeline over the bundled report, built on first use (settings from ``QA_*``)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = ReportQA()
    return _default


def retrieve(question: str, k: int = 5, mode: Mode | None = None) -> list[Hit]:
    """The ``k`` passages of the bundled report that best match ``question``, best first."""
    return default_pipeline().retrieve(question, k=k, mode=mode)


def answer(question: str, history: Sequence[str] | None = None, k: int | None = None, mode: Mode | None = None) -> Answer:
    """The answer to ``question`` from the bundled report, with citations (or an abstention)."""
    return default_pipeline().answer(question, history=history, k=k, mode=mode)
