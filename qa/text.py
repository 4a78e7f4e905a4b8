"""Words for lexical retrieval: normalised text cut by jieba in search mode.

The same function cuts the passages and the questions, so a question written
with full-width digits, ``1,266,912`` or ``十四万`` finds the report's ``1266912``
and ``14万``. Latin words are lower-cased (``IPv6`` → ``ipv6``), digits stay whole.
jieba's dictionary is loaded once per process, on first use — or read on demand from the
word table a previous process saved beside the index cache (:mod:`qa.wordfreq`).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from qa.numerals import normalize

log = logging.getLogger(__name__)

#: Function words and question words that carry no topic.
STOPWORDS = frozenset(
    """的 了 和 与 及 或 是 在 有 为 对 等 中 也 将 把 被 从 向 于 以 之 其 这 那 该 此 各 个 吗 呢 吧 啊
    通过 按照 根据 关于 对于 进行 属于 到 来 去 具体 方面 指 主要 多少 什么 哪些 哪个 哪 几 几个 如何 怎么 怎样 是否 请问 请 一共 总共 共 分别 到底 大概 约 呀 么 呢 还 都
    百分之 百分
    the a an of in on at to for and or is are was were be by with what which how many much who
    when where did does do from as that this it its""".split()
)
#: Words of Chinese government reports that jieba's general dictionary lacks (区县, 市本级, …):
#: vocabulary of the genre, not of any question. Part of the index fingerprint.
DOMAIN_WORDS = Path(__file__).with_name("domain_words.txt")
_KEEP = re.compile(r"[\w%]")
_lock = threading.Lock()
_tokenizer: Any = None  # a jieba.Tokenizer, made on first use
_full = False  # its dictionary fully in memory (needed to build an index)


def _new_tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


def _jieba() -> Any:
    """The tokenizer in use: the on-disk word table if one was opened, else the whole dictionary."""
    return _tokenizer if _tokenizer is not None else full_tokenizer()


def full_tokenizer() -> Any:
    """The tokenizer with the whole dictionary in memory (index building cuts a lot of text)."""
    global _tokenizer, _full
    with _lock:
        if not _full:
            tok = _new_tokenizer()
            tok.initialize()
            tok.load_userdict(str(DOMAIN_WORDS))
            _tokenizer, _full = tok, True
    return _tokenizer


@lru_cache(maxsize=1)
def _dictionary_tags() -> dict[str, str]:
    """Part-of-speech tags of jieba's dictionary words and the domain words (read once)."""
    import jieba

    tags: dict[str, str] = {}
    with jieba.get_dict_file() as f:
        for raw in f:
            parts = raw.decode("utf-8", "replace").split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    for line in DOMAIN_WORDS.read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            tags[parts[0]] = parts[2]
    return tags


def word_tag(word: str) -> str | None:
    """jieba's part-of-speech tag of a dictionary word (``d`` adverb, ``m`` numeral, ``n`` noun …);
    None for a word the dictionary lacks (a piece of the cutting). The tags are read from jieba's
    dictionary file on first use (about 0.4 s, once per process; only the answer step's head-word
    check asks, and only for a word the report does not use).

    >>> word_tag("已经"), word_tag("诉讼"), word_tag("上发")
    ('d', 'vn', None)
    """
    return _dictionary_tags().get(word)


def word_table_name() -> str:
    """File name of the word table for this jieba and these domain words (see qa.wordfreq)."""
    import hashlib

    import jieba

    h = hashlib.sha256(f"{jieba.__version__}:".encode() + DOMAIN_WORDS.read_bytes()).hexdigest()[:16]
    return f"jieba-words-{h}.sqlite"


def save_word_table(path: Path) -> None:
    """Write the loaded dictionary's frequencies to ``path`` once (qa.wordfreq)."""
    if path.is_file():
        return
    from qa import wordfreq

    tok = full_tokenizer()
    wordfreq.save(tok.FREQ, int(tok.total), path)


def use_word_table(path: Path) -> bool:
    """Cut with the on-disk table at ``path`` instead of loading the dictionary (if not loaded).
    False when there is no usable table (the caller may write one)."""
    global _tokenizer
    if _tokenizer is not None:
        return True
    from qa import wordfreq

    table = wordfreq.load(path)
    if table is None:
        return False
    with _lock:
        if _tokenizer is None:
            tok = _new_tokenizer()
            tok.FREQ, tok.total, tok.initialized = table, table.total, True
            _tokenizer = tok
    return True


_FOUR_CJK = re.compile(r"[\u4e00-\u9fff]{4}")


def tokenize(text: str) -> list[str]:
    """Index terms of ``text``.

    >>> tokenize("全市共收到政府信息公开申请7,896份")
    ['全市', '收到', '政府', '信息', '公开', '政府信息公开', '申请', '7896', '份']

    A four-character word is also its two halves when the dictionary does not split it (政务微博
    answers 微博 — most four-character compounds are two words):

    >>> tokenize("政务微博公开124685条")
    ['政务', '微博', '政务微博', '公开', '124685', '条']
    """
    out: list[str] = []
    for w in (w.strip() for w in _jieba().lcut_for_search(normalize(text).lower())):
        if not w or not _KEEP.search(w) or w in STOPWORDS:
            continue
        if _FOUR_CJK.fullmatch(w):  # 政务微博 → 政务, 微博: a four-character compound is two words
            out.extend(h for h in (w[:2], w[2:]) if h not in out[-3:] and h not in STOPWORDS)
        out.append(w)
    return out


@lru_cache(maxsize=4096)
def tokenize_query(text: str) -> tuple[str, ...]:
    """:func:`tokenize` for questions, memoised (a UI asks the same examples often)."""
    return tuple(tokenize(text))


@lru_cache(maxsize=4096)
def precise_words(text: str) -> tuple[str, ...]:
    """jieba's precise-mode words of ``text`` (no overlapping sub-words), normalised."""
    return tuple(w for w in _jieba().lcut(normalize(text)) if w.strip())
