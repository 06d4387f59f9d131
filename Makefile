# Two commands for a newcomer: `make demo` and `make test`. Both create (or reuse) .venv.
# `make docs` serves the documentation site, `make docs-build` builds it strictly (as CI does).
# torch is pinned and installed first, on its own, so that nothing later pulls a CUDA build.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.metacompress-installed
TORCH  := torch==2.13.0
DEMO   := .cache/demo
DOCS_STAMP := $(VENV)/.metacompress-docs-installed

.PHONY: setup test test-fast demo docs docs-build clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

demo: setup
	$(PY) scripts/build_demo_models.py --out $(DEMO)
	$(VENV)/bin/metacompress run --config configs/demo.toml --overwrite

# mkdocs comes from the `docs` extra; the build needs no network (theme and search are bundled).
$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,docs]'
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(VENV)/bin/mkdocs serve

docs-build: $(DOCS_STAMP)
	$(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) .cache runs site
