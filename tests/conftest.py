"""Shared fixtures: a hermetic environment, the real report, a lexical pipeline and a tiny
sentence-transformers model built once per session without network.

Hermetic means: dense retrieval is off unless a test asks for a model (``QA_EMBEDDING_MODEL=none``),
no test reads or writes ``~/.cache`` (``QA_CACHE_DIR`` and ``XDG_CACHE_HOME``
point into a per-test tmp dir), no test reaches the model hub (``HF_HUB_OFFLINE=1``, an empty
Hugging Face cache, ``HF_ENDPOINT`` on a closed loopback port), and no ``QA_*`` setting of the
developer's shell changes what a test sees. A test that needs another value overrides it with
``monkeypatch`` after these fixtures ran.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "data" / "chongqing-2018-government-information-disclosure-report.txt"
#: Nothing listens on the discard port of the loopback: a request to the "hub" is refused at once.
CLOSED_ENDPOINT = "http://127.0.0.1:9"
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
#: The variables that shape Settings (read where they are read); others such as QA_REQUIRE_BROWSER stay.
SETTINGS_VARS = tuple(sorted(set(re.findall(r"QA_[A-Z_]+", (ROOT / "qa" / "settings.py").read_text("utf-8")))))

settings.register_profile(
    "report-qa",
    derandomize=True,  # the same examples on every run: the suite is deterministic
    database=None,  # and writes no .hypothesis/ directory into the work tree
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("report-qa")

_hf_home: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    # huggingface_hub reads these when it is imported, so they are set before any test module
    # (or the library under test) can import it: an empty cache, offline, a dead endpoint.
    global _hf_home
    _hf_home = tempfile.mkdtemp(prefix="report-qa-tests-hf-")
    os.environ["HF_HOME"] = _hf_home
    os.environ["HF_HUB_CACHE"] = os.path.join(_hf_home, "hub")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_ENDPOINT"] = CLOSED_ENDPOINT
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    for name in SETTINGS_VARS:
        os.environ.pop(name, None)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _hf_home is not None:
        shutil.rmtree(_hf_home, ignore_errors=True)


@pytest.fixture(autouse=True)
def qa_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The index cache of this test (``QA_CACHE_DIR``), and no network for the model hub."""
    cache = tmp_path / "qa-cache"
    monkeypatch.setenv("QA_CACHE_DIR", str(cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", CLOSED_ENDPOINT)
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    for name in SETTINGS_VARS:
        if name != "QA_CACHE_DIR":
            monkeypatch.delenv(name, raising=False)
    # Lexical unless a test asks for a model: the default (``auto``) would encode the report with the
    # bundled model in every test's fresh cache. tests/test_bundled.py checks the default itself.
    monkeypatch.setenv("QA_EMBEDDING_MODEL", "none")
    return cache


@pytest.fixture(scope="session")
def report_path() -> Path:
    return REPORT


@pytest.fixture(scope="session")
def report_raw() -> str:
    return REPORT.read_text("utf-8")


@pytest.fixture(scope="session")
def report_doc():  # type: ignore[no-untyped-def]
    from qa import document

    return document.load(REPORT)


@pytest.fixture(scope="session")
def lexical_qa():  # type: ignore[no-untyped-def]
    """The bundled report, lexical only, no cache; built once (settings independent of QA_*)."""
    import qa

    pipeline = qa.ReportQA(settings=qa.Settings(embedding_model="none", use_cache=False))
    assert pipeline.status.mode == "lexical"
    return pipeline


# -- a tiny sentence-transformers model, built without network ----------------------------------


def build_tiny_model(out: Path, seed: int = 0, prompts: dict[str, str] | None = None) -> Path:
    """A 2-layer BERT (hidden 32) with a WordPiece vocabulary trained on the report, random
    weights from ``seed``, mean pooling, saved as a sentence-transformers model in ``out``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, BertTokenizerFast

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, handle_chinese_chars=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    lines = sorted(set(REPORT.read_text("utf-8").splitlines()))
    tok.train_from_iterator(lines, trainers.WordPieceTrainer(vocab_size=2000, special_tokens=special, show_progress=False))
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    tok.decoder = decoders.WordPiece()
    tokenizer = BertTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", model_max_length=512,
    )
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=512,
    )
    bert = BertModel(config)
    with tempfile.TemporaryDirectory(prefix="tiny-bert-") as hf_dir:
        bert.save_pretrained(hf_dir)
        tokenizer.save_pretrained(hf_dir)
        transformer = Transformer(hf_dir, max_seq_length=512)
        pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
        model = SentenceTransformer(modules=[transformer, pooling], device="cpu", prompts=prompts)
        if out.exists():
            shutil.rmtree(out)
        model.save(str(out))
    return out


@pytest.fixture(scope="session")
def make_tiny_model() -> Callable[..., Path]:
    """``make_tiny_model(out_dir, seed=0, prompts=None)``: build another tiny model."""
    return build_tiny_model


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model, once per session; its directory name contains "e5", so the e5 prompts
    ("query: ", "passage: ") apply."""
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny-e5", seed=0)


@pytest.fixture(scope="session")
def tiny_encoder(tiny_model_dir: Path):  # type: ignore[no-untyped-def]
    from embeddings import load_encoder

    return load_encoder(str(tiny_model_dir))


@pytest.fixture(scope="session")
def reference_encode(tiny_encoder) -> Callable[[list[str]], object]:  # type: ignore[no-untyped-def]
    """How to check prompts: the model's plain ``encode`` of the texts exactly as given
    (normalised float32), to compare with ``Encoder.encode_queries``/``encode_passages`` of
    the same texts without the prompt."""
    import numpy as np

    def encode(texts: list[str]) -> np.ndarray:
        out = tiny_encoder.model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)

    return encode


@pytest.fixture
def hanging_endpoint() -> Iterator[str]:
    """A loopback "hub" that accepts the connection and never answers (a stalled network)."""
    import socket

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python app.py --port P`` on a free port (lexical, fresh cache); yields its URL once it answers,
    and fails the module if the server logged a traceback."""
    from eval.server import ServerError, running_app

    try:
        with running_app(tmp_path_factory.mktemp("app")) as app:
            yield app.url
            log = app.log_text()
    except ServerError as exc:
        pytest.fail(str(exc))
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture(scope="session")
def sentence_oracle() -> Callable[..., float]:
    """A passage's dense score computed by hand: half the cosine to the length-weighted mean of its
    sentence vectors (re-normalised), half the best sentence's cosine (``embeddings.PartIndex``)."""
    import numpy as np

    def score(encoder, passage, question: str) -> float:  # type: ignore[no-untyped-def]
        texts = [s.text for s in passage.sentences] or [passage.context_text]
        q = encoder.encode_queries([question])[0]
        v = encoder.encode_passages(texts)
        mean = (v * np.array([len(t) for t in texts], dtype=np.float32)[:, None]).sum(0)
        mean /= np.linalg.norm(mean)
        return 0.5 * float(q @ mean) + 0.5 * float((v @ q).max())

    return score
