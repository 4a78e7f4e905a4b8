# The two commands of README: `make run` (install everything, start the chat app) and
# `make test` (install what the tests need, run them). Both create .venv on first use.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test install install-test eval bench lint clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# torch first and pinned: unpinned, pip pulls several GB of CUDA packages.
$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PIP) install torch==2.13.0
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(PY) app.py

test: install-test
	$(PY) -m pytest

eval: install
	$(PY) -m eval

bench: install
	$(PIP) install -e '.[bench]'
	$(PY) -m eval.bench

lint: install-test
	$(VENV)/bin/ruff check . && $(VENV)/bin/mypy qa embeddings

clean:
	rm -rf $(VENV) .pytest_cache
