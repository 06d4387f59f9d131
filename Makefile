# Two commands for a newcomer: `make demo` and `make test`. Both create (or reuse) .venv.
# torch is pinned and installed first, on its own, so that nothing later pulls a CUDA build.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.metacompress-installed
TORCH  := torch==2.13.0
DEMO   := .cache/demo

.PHONY: setup test test-fast demo clean

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

clean:
	rm -rf $(VENV) .cache runs
