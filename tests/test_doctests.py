"""The examples in the library's docstrings run and hold (pytest collects only tests/, so the
modules' doctests are run here, one module per case)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import embeddings
import eval as eval_pkg
import qa

MODULES = sorted(
    {m.name for pkg in (qa, embeddings, eval_pkg) for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")}
    - {"eval.__main__", "qa.__main__", "eval.bench", "eval.bench_bundled", "eval.load"}
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
