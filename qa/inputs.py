"""Checking what users pass in, where it enters (API, CLI, UI): one place, clear messages."""

from __future__ import annotations

import unicodedata
from typing import Any

from qa.errors import QAError
from qa.settings import MAX_QUESTION_CHARS


class InvalidQuestion(QAError, TypeError):
    """A question that is not a non-empty string (a ValueError and a TypeError)."""


def clean_question(question: Any) -> str:
    """The question with control characters, lone surrogates and odd spaces removed.

    >>> clean_question(" 申请\\x00多少份？\\u200f ")
    '申请多少份？'
    """
    if not isinstance(question, str):
        raise InvalidQuestion(f"question must be a str, not {type(question).__name__}")
    if len(question) > MAX_QUESTION_CHARS:
        raise ValueError(
            f"question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS} — "
            "ask one question at a time"
        )
    kept = []
    for ch in question:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" " if ch in "\t\n\r" else "")
        else:
            kept.append(" " if cat.startswith("Z") else ch)
    text = " ".join("".join(kept).split())
    if not text:
        raise ValueError("question is empty: type a question about the report, e.g. 2018年全市共收到多少份政府信息公开申请？")
    return text


def check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k must be an int, not {type(k).__name__}")
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    return k
