"""The pipeline over one or more reports: build (or load) the indexes once, then answer.

``ReportQA`` is lazy and thread-safe: the first call builds under a lock, later
calls only read (FAISS and bm25s are used read-only). When the embedding model
cannot be loaded the pipeline logs one line and works lexical-only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa import document
from qa.cache import IndexCache, fingerprint
from qa.chunking import chunk_all
from qa.context import QUOTED
from qa.crosslingual import Glossary, glossary_version
from qa.inputs import check_k, clean_question
from qa.lexical import LexicalIndex
from qa.readers import Source, read_source
from qa.retrieval import DEFAULT_FUSION, Retriever
from qa.settings import Settings
from qa.text import DOMAIN_WORDS, full_tokenizer, save_word_table, use_word_table, word_table_name
from qa.thesaurus import Thesaurus, thesaurus_version
from qa.types import Answer, Hit, Mode, Passage, Sentence

if TYPE_CHECKING:
    from embeddings import Encoder

log = logging.getLogger(__name__)

VERSION = "0.1.0"
DEFAULT_REPORT = Path(__file__).resolve().parent.parent / "data" / "chongqing-2018-government-information-disclosure-report.txt"
#: Bumped when parsing, chunking or tokenising changes what an index holds.
INDEX_FORMAT = 4


@dataclass(frozen=True)
class Status:
    """What the pipeline is running with, for the UI's status line."""

    mode: Mode
    #: The model dense retrieval runs with (a hub id, a directory or ``bundled:…``), or None.
    embedding_model: str | None
    dense_error: str | None
    passages: int
    documents: int
    build_seconds: float
    from_cache: bool
    #: How the model runs: ``sentence-transformers`` or ``bundled`` (None without a model).
    engine: str | None = None

    @property
    def model_description(self) -> str:
        """One line naming the model and how it runs, or what dense retrieval lacks."""
        if self.embedding_model is None:
            return "no embedding model: lexical retrieval only"
        if self.engine == "bundled":
            return f"{self.embedding_model} (4-bit multilingual-e5-small, bundled)"
        return f"{self.embedding_model} ({self.engine})"


def _source_digest(source: Source) -> str:
    """What a report's index depends on: its canonical text and what the format said about it."""
    h = hashlib.sha256(source.text.encode())
    if source.format != "txt":
        h.update(repr((source.pages, source.headings, [(t.start, t.end, t.rows, t.caption) for t in source.tables]))
                 .encode())
    return h.hexdigest()


def _passage_to_json(p: Passage) -> dict[str, Any]:
    d = asdict(p)
    d["sentences"] = [[s.text, s.start, s.end] for s in p.sentences]
    return d


def _passage_from_json(d: dict[str, Any]) -> Passage:
    return Passage(
        chunk_id=d["chunk_id"], doc=d["doc"], section=tuple(d["section"]), text=d["text"],
        start=d["start"], end=d["end"], sentences=tuple(Sentence(*s) for s in d["sentences"]),
        page=d.get("page"),
    )


class ReportQA:
    """Question answering over report files.

    >>> rq = ReportQA(["data/chongqing-2018-government-information-disclosure-report.txt"],
    ...               embedding_model="none")  # doctest: +SKIP
    >>> rq.retrieve("2018年全市共收到多少份政府信息公开申请？", k=1)[0].section  # doctest: +SKIP
    '三、依申请公开政府信息情况 > （一）申请受理情况'
    """

    def __init__(
        self,
        paths: str | Path | Sequence[str | Path] | None = None,
        *,
        settings: Settings | None = None,
        encoder: Encoder | None = None,
        **overrides: Any,
    ) -> None:
        base = settings if settings is not None else Settings.from_env()
        self.settings = base.with_(**overrides) if overrides else base
        if paths is None:
            paths = [DEFAULT_REPORT]
        elif isinstance(paths, (str, Path)):
            paths = [paths]
        self.paths = [Path(p) for p in paths]
        if not self.paths:
            raise ValueError("ReportQA needs at least one report file")
        self._encoder = encoder
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None
        self._status: Status | None = None
        self._vector_lock = threading.Lock()
        self._sentence_vectors: dict[str, Any] = {}  # built with the index
        self._extra_vectors: dict[str, Any] = {}  # encoded on demand
        self._title_memo: dict[str, bool] = {}
        self._titles: dict[str, str] = {}
        self._sources: dict[str, Source] = {}
        self.thesaurus: Thesaurus = Thesaurus({})

    # -- building ---------------------------------------------------------------------------
    def _doc_ids(self) -> list[str]:
        ids: list[str] = []
        for p in self.paths:
            base, n = p.stem, 2
            doc_id = base
            while doc_id in ids:
                doc_id, n = f"{base}-{n}", n + 1
            ids.append(doc_id)
        return ids

    def _ensure(self) -> Retriever:
        if self._retriever is None:
            with self._lock:
                if self._retriever is None:
                    self._retriever = self._build()
        return self._retriever

    def _build(self) -> Retriever:
        started = time.perf_counter()
        s = self.settings
        cache = IndexCache(s.resolved_cache_dir if s.use_cache else None)
        ids = self._doc_ids()
        self._sources = {doc_id: read_source(p, max_bytes=s.max_bytes, max_pages=s.max_pages)
                         for doc_id, p in zip(ids, self.paths, strict=True)}
        key = fingerprint(
            kind="lexical", version=VERSION, format=INDEX_FORMAT, chunk_size=s.chunk_size,
            overlap=s.chunk_overlap, words=hashlib.sha256(DOMAIN_WORDS.read_bytes()).hexdigest(),
            glossary=glossary_version(), thesaurus=thesaurus_version(),
            docs=[(i, src.format, _source_digest(src)) for i, src in self._sources.items()],
        )
        words = s.resolved_cache_dir / word_table_name() if s.use_cache else None
        found = cache.load(key)
        if found is not None and words is not None and not use_word_table(words):
            save_word_table(words)  # missing or damaged: written again from the whole dictionary
        from_cache = False
        passages: list[Passage] = []
        lexical: LexicalIndex | None = None
        glossary: Glossary | None = None
        thesaurus: Thesaurus | None = None
        titles: dict[str, str] = {}
        if found is not None:
            entry, _meta = found
            try:
                passages = [_passage_from_json(d) for d in json.loads((entry / "passages.json").read_text("utf-8"))]
                lexical = LexicalIndex.load(entry / "bm25", len(passages))
                glossary = Glossary.from_json(json.loads((entry / "glossary.json").read_text("utf-8")))
                thesaurus = Thesaurus.from_json(json.loads((entry / "thesaurus.json").read_text("utf-8")))
                titles = dict(json.loads((entry / "titles.json").read_text("utf-8")))
                from_cache = True
            except Exception as exc:
                log.warning("index cache entry %s unreadable (%s); rebuilding", entry, exc)
                lexical = None
        if lexical is None:
            from tqdm import tqdm

            items = tqdm(
                list(zip(self._sources.items(), self.paths, strict=True)), desc="parse", unit="report",
                disable=not s.progress,
            )
            docs = [document.parse(src, i, p) for (i, src), p in items]
            titles = {d.doc_id: d.title for d in docs}
            passages = chunk_all(docs, s.chunk_size, s.chunk_overlap)
            full_tokenizer()
            lexical = LexicalIndex.build(passages, show_progress=s.progress)
            # the names the report quotes (“渝快办”) are names English spells in pinyin, even where
            # the tokenizer cuts them into characters
            quoted = {m for p in passages for m in QUOTED.findall(p.text)}
            # the names the report never writes (成都, 抖音): a question about one has no answer here
            written = "".join("".join(src.text.split()) for src in self._sources.values())
            glossary = Glossary.build(lexical.vocabulary, names=quoted, text=written)
            thesaurus = Thesaurus.build(lexical.vocabulary)

            def write(tmp: Path) -> None:
                (tmp / "passages.json").write_text(
                    json.dumps([_passage_to_json(p) for p in passages], ensure_ascii=False), "utf-8"
                )
                lexical.save(tmp / "bm25")  # type: ignore[union-attr]
                (tmp / "glossary.json").write_text(json.dumps(glossary.to_json(), ensure_ascii=False), "utf-8")
                (tmp / "thesaurus.json").write_text(json.dumps(thesaurus.to_json(), ensure_ascii=False), "utf-8")
                (tmp / "titles.json").write_text(json.dumps(titles, ensure_ascii=False), "utf-8")

            if cache.save(key, write, {"passages": len(passages)}) and words is not None:
                save_word_table(words)
        retriever = Retriever(passages, lexical, fusion=replace(DEFAULT_FUSION, rrf_k=s.rrf_k), glossary=glossary)
        self.thesaurus = thesaurus or Thesaurus({})
        retriever.thesaurus = self.thesaurus
        self._titles = titles
        if glossary is not None:
            glossary.about(self.is_title_term, retriever.use)
        dense_error = self._attach_dense(retriever, cache, key)
        mode: Mode = s.mode if retriever.dense_available else "lexical"
        self._status = Status(
            mode, retriever.encoder.name if retriever.encoder else None, dense_error,
            len(passages), len(self._sources), time.perf_counter() - started, from_cache,
            retriever.encoder.engine if retriever.encoder else None,
        )
        log.info("index ready: %d passages, mode %s, %.2f s", len(passages), mode, self._status.build_seconds)
        return retriever

    def _attach_dense(self, retriever: Retriever, cache: IndexCache, lexical_key: str) -> str | None:
        """Load the model and the passage and sentence vectors (from the cache, or encoded once
        with a progress bar and cached): nothing is encoded on a question but the question."""
        s = self.settings
        if s.mode == "lexical" and self._encoder is None:
            return None
        if not s.dense_enabled and self._encoder is None:
            return "dense retrieval is off (QA_EMBEDDING_MODEL=none)"
        import numpy as np

        from embeddings import ModelUnavailable, PartIndex, load_encoder
        from embeddings.store import MAX_PART_WEIGHT

        try:
            encoder = self._encoder or load_encoder(s.embedding_model, s.hub_timeout)
        except ModelUnavailable as exc:
            log.warning("embedding model unavailable, using lexical retrieval only: %s", exc)
            return str(exc)
        # Each passage is searched through its sentences (embeddings.PartIndex); a passage without
        # sentences stands for itself. Only these texts are encoded, once.
        parts = [(i, t.text) for i, p in enumerate(retriever.passages)
                 for t in (p.sentences or (Sentence(p.context_text, p.start, p.end),))]
        sentences = sorted({text for _, text in parts})
        key = fingerprint(kind="dense", lexical=lexical_key, model=encoder.name, engine=encoder.engine,
                          dim=encoder.dimension, prompt=encoder.passage_prompt, revision=encoder.revision,
                          sentences=len(sentences), pooling=("sentence-mean+max", MAX_PART_WEIGHT))
        found = cache.load(key)
        store = None
        sentence_vectors = None
        if found is not None:
            try:
                store = PartIndex.load(found[0])
                if store.size != len(retriever.passages) or store.dimension != encoder.dimension:
                    raise ValueError("size or dimension differs from the passages")
                sentence_vectors = np.load(found[0] / "sentences.npy", allow_pickle=False)
                if sentence_vectors.shape != (len(sentences), encoder.dimension):
                    raise ValueError("sentence vectors do not match the sentences")
            except (ValueError, OSError) as exc:
                log.warning("vector cache unusable (%s); re-encoding", exc)
                store = None
        if store is None or sentence_vectors is None:
            sentence_vectors = np.ascontiguousarray(encoder.encode_passages(sentences, s.batch_size, progress=s.progress))
            row = {text: j for j, text in enumerate(sentences)}
            store = PartIndex.build(sentence_vectors[[row[text] for _, text in parts]],
                                    np.array([i for i, _ in parts]), np.array([len(text) for _, text in parts]),
                                    len(retriever.passages))
            built, sv = store, sentence_vectors

            def write(tmp: Path) -> None:
                built.save(tmp)
                np.save(tmp / "sentences.npy", sv, allow_pickle=False)

            cache.save(key, write, {"model": encoder.name, "sentences": len(sentences)})
        with self._vector_lock:
            self._sentence_vectors.update(zip(sentences, sentence_vectors, strict=True))
        retriever.encoder, retriever.vectors = encoder, store
        return None

    # -- using ---------------------------------------------------------------------------
    @property
    def status(self) -> Status:
        self._ensure()
        assert self._status is not None
        return self._status

    @property
    def passages(self) -> Sequence[Passage]:
        return self._ensure().passages

    @property
    def raw(self) -> dict[str, str]:
        """Each report's canonical text (document id → text): what every offset points into."""
        return {doc_id: src.text for doc_id, src in self.sources.items()}

    @property
    def sources(self) -> dict[str, Source]:
        """Each report as read from its file: canonical text, pages, headings, tables."""
        self._ensure()
        return self._sources

    @property
    def titles(self) -> dict[str, str]:
        """Each report's title (its first short line, or "" when it has none), by document id."""
        self._ensure()
        return dict(self._titles)

    @property
    def encoder(self) -> Encoder | None:
        """The embedding model dense retrieval runs with (shareable with another pipeline), or None."""
        return self._ensure().encoder

    def retrieve(self, question: str, k: int | None = None, mode: Mode | None = None) -> list[Hit]:
        """The ``k`` passages that best match ``question``, best first."""
        text = clean_question(question)
        k = check_k(self.settings.k if k is None else k)
        retriever = self._ensure()
        use = self._mode(mode)
        return retriever.search(text, k, use)

    # -- what the answer step reads (qa.index.ReportIndex) ----------------------------------
    @property
    def idf(self) -> Mapping[str, float]:
        return self._ensure().lexical.idf

    @property
    def default_k(self) -> int:
        return self.settings.k

    @property
    def dense_available(self) -> bool:
        return self._ensure().dense_available

    def model_reranks(self, question: str, mode: Mode) -> bool:
        return self._ensure().model_reranks(question, mode)

    def english_terms(self, question: str) -> dict[str, float]:
        return self._ensure().english_terms(question)

    def english_senses(self, word: str) -> dict[str, float]:
        glossary = self._ensure().glossary
        return glossary.senses(word) if glossary is not None else {}

    def english_spelt(self, name: str) -> tuple[str, ...]:
        glossary = self._ensure().glossary
        return glossary.spelt(name) if glossary is not None else ()

    def unwritten_name(self, word: str) -> bool:
        glossary = self._ensure().glossary
        return glossary is not None and word in glossary.absent

    def english_phrase_heads(self, text: str) -> set[str]:
        glossary = self._ensure().glossary
        return glossary.phrase_heads(text) if glossary is not None else set()

    def english_groups(self, question: str) -> list[tuple[str, dict[str, float]]]:
        retriever = self._ensure()
        glossary = retriever.glossary
        if glossary is None:
            return []
        return glossary.groups(question)

    def resolve_mode(self, mode: Mode | None) -> Mode:
        """The mode that will run: ``mode`` or the settings', lexical when there is no model."""
        return self._mode(mode)

    def _mode(self, mode: Mode | None) -> Mode:
        wanted = mode or self.settings.mode
        if wanted not in ("hybrid", "lexical", "dense"):
            raise ValueError(f"mode must be hybrid, lexical or dense, not {wanted!r}")
        if wanted != "lexical" and not self._ensure().dense_available:
            return "lexical"
        return wanted

    @cached_property
    def _years(self) -> tuple[dict[tuple[str, str], frozenset[str]], dict[str, frozenset[str]]]:
        """Years named per (document, top-level section), and in each document's title."""
        from qa.question import YEAR

        by_section: dict[tuple[str, str], set[str]] = {}
        titles: dict[str, set[str]] = {}
        for p in self.passages:
            top = p.section[0] if p.section else ""
            by_section.setdefault((p.doc, top), set()).update(YEAR.findall(p.text + " ".join(p.section)))
            if len(p.section) == 1:
                titles.setdefault(p.doc, set()).update(YEAR.findall(p.section[0]))
        return (
            {key: frozenset(v) for key, v in by_section.items()},
            {key: frozenset(v) for key, v in titles.items()},
        )

    @cached_property
    def title_terms(self) -> frozenset[str]:
        """Words of the reports' titles: what every passage is about, so they tell passages apart least."""
        from qa.text import tokenize

        titles = {p.section[0] for p in self.passages if len(p.section) == 1 and p.start < 1000}
        return frozenset(t for title in titles for t in tokenize(title))

    @cached_property
    def _title_words(self) -> tuple[str, ...]:
        return tuple(sorted((t for t in self.title_terms if len(t) >= 2), key=len, reverse=True))

    def strip_title(self, word: str) -> str:
        """``word`` without leading title words: 重庆市政府 → 政府 (the report is about 重庆市)."""
        changed = True
        while changed:
            changed = False
            for t in self._title_words:
                if word.startswith(t) and len(word) > len(t):
                    word, changed = word[len(t) :], True
        return word

    def is_title_term(self, word: str) -> bool:
        """True for words the titles are made of, alone or joined (重庆市政府 = 重庆市 + 政府)."""
        known = self._title_memo.get(word)
        if known is None:
            rest = word
            for t in self._title_words:
                if t in rest:
                    rest = rest.replace(t, "")
            known = word in self.title_terms or (len(rest) <= 1 and rest != word)
            if len(self._title_memo) > 100_000:
                self._title_memo.clear()
            self._title_memo[word] = known
        return known

    def years_near(self, passage: Passage) -> frozenset[str]:
        """Years a passage speaks of: its own, its top-level section's, its report's title's."""
        by_section, titles = self._years
        top = passage.section[0] if passage.section else ""
        return by_section.get((passage.doc, top), frozenset()) | titles.get(passage.doc, frozenset())

    def report_year(self) -> str | None:
        """The one year the reports' titles name, if they name exactly one (what 去年 means)."""
        years = set().union(*self._years[1].values()) if self._years[1] else set()
        return next(iter(years)) if len(years) == 1 else None

    def report_years(self) -> str:
        years = sorted(set().union(*self._years[1].values())) if self._years[1] else []
        return "、".join(f"{y}年" for y in years) or "报告所述年度"

    def sentence_similarities(self, question: str, sentences: Sequence[str]) -> list[float]:
        """Cosine similarity of ``question`` to each sentence under the loaded model (0 without
        one). The passages' sentences are encoded when the index is built; any other sentence is
        encoded once and kept (up to 20,000)."""
        retriever = self._ensure()
        encoder = retriever.encoder
        if encoder is None:
            return [0.0] * len(sentences)
        with self._vector_lock:
            known = {s: self._sentence_vectors.get(s, self._extra_vectors.get(s)) for s in sentences}
        missing = [s for s, v in known.items() if v is None]
        if missing:
            for s, v in zip(missing, encoder.encode_passages(missing, self.settings.batch_size), strict=True):
                known[s] = v
            with self._vector_lock:
                if len(self._extra_vectors) + len(missing) > 20_000:
                    self._extra_vectors.clear()
                self._extra_vectors.update((s, known[s]) for s in missing)
        query = encoder.query_vector(question)
        return [float(query @ known[s]) for s in sentences]

    def answer(
        self, question: str, history: Sequence[str] | None = None, k: int | None = None, mode: Mode | None = None
    ) -> Answer:
        """The answer to ``question`` (see :func:`qa.answer`)."""
        from qa.answering import answer_question

        return answer_question(self, question, history=history, k=k, mode=mode)
