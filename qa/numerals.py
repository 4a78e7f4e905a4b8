"""Numbers as people write them: ``1,266,912`` ↔ ``1266912``, ``百分之四十九`` ↔ ``49%``,
``十四万`` ↔ ``14万``, full-width digits and ``％``.

:func:`normalize` rewrites text so the same value is spelled the same way in a
question and in the report; :func:`parse_value` reads a figure as a float for
arithmetic. Chinese numerals are only rewritten where they are a quantity
(followed by a unit or after 百分之), so words such as 一是, 十九大 or 三大领域 stay.
"""

from __future__ import annotations

import re
import unicodedata

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNIT = {"十": 10, "百": 100, "千": 1000}
_BIG_UNIT = {"万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两三四五六七八九十百千"
#: Units after which a Chinese numeral is a quantity.
UNITS = "万亿件份条个项次篇人家宗期批户名组场年月日%岁元倍所座"
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
_PERCENT_CN = re.compile(rf"百分之([{_CN}]+)(?:点([{_CN}]+))?")
_CN_QUANTITY = re.compile(rf"(?<![{_CN}])([{_CN}]{{2,}}|[一二两三四五六七八九十])(?=[{UNITS}])")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def cn_to_int(text: str) -> int | None:
    """``'一千五百三十二'`` → 1532, ``'十四'`` → 14, ``'四九'`` → 49; None when not a numeral.

    >>> cn_to_int("一千五百三十二"), cn_to_int("十四"), cn_to_int("三百零五")
    (1532, 14, 305)
    """
    if not text or any(ch not in _DIGIT and ch not in _SMALL_UNIT for ch in text):
        return None
    if not any(ch in _SMALL_UNIT for ch in text):  # digit by digit: 四九 → 49
        return int("".join(str(_DIGIT[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        else:
            total += (1 if digit is None else digit) * _SMALL_UNIT[ch]
            digit = None
    return total + (digit or 0)


def _percent(m: re.Match[str]) -> str:
    whole = cn_to_int(m.group(1))
    if whole is None:
        return m.group(0)
    frac = "".join(str(_DIGIT.get(ch, "")) for ch in m.group(2) or "")
    return f"{whole}.{frac}%" if frac else f"{whole}%"


def _quantity(m: re.Match[str]) -> str:
    value = cn_to_int(m.group(1))
    return m.group(0) if value is None else str(value)


def normalize(text: str) -> str:
    """Full-width → half-width (NFKC), thousands separators dropped, Chinese quantities as digits.

    >>> normalize("１,266,912条，百分之四十九，十四万件，一是")
    '1266912条,49%,14万件,一是'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _THOUSANDS.sub("", text)
    text = _PERCENT_CN.sub(_percent, text)
    return _CN_QUANTITY.sub(_quantity, text)


def parse_value(figure: str) -> float | None:
    """The value of a figure as written in the report: ``'13.8万'`` → 138000.0, ``'98.6%'`` → 98.6.

    >>> parse_value("13.8万"), parse_value("1,266,912"), parse_value("百分之四十九")
    (138000.0, 1266912.0, 49.0)
    """
    text = normalize(figure)
    m = _NUMBER.search(text)
    if not m:
        return None
    value = float(m.group(0))
    rest = text[m.end() : m.end() + 1]
    return value * _BIG_UNIT.get(rest, 1)


def numbers_in(text: str) -> list[str]:
    """The digit strings in ``text`` after :func:`normalize` (for the never-invent check)."""
    return _NUMBER.findall(normalize(text))
