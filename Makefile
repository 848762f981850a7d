# Two commands matter: `make run` starts the app, `make test` runs every check.
# Both create the virtual environment and install what they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run dev test lint type unit e2e screenshot chromium postgres bench echo clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT)

# Hot reload for development: .streamlit/config.toml turns the file watcher off for production.
dev: $(STAMP)
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT) \
	  --server.fileWatcherType auto --server.runOnSave true

echo: $(STAMP)
	$(BIN)/python -m vision echo --port 8800

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	  else echo "No chromium and no apt-get: the browser tests will be skipped."; fi; }

# The store tests start a throwaway PostgreSQL cluster of their own (tests/support/postgres.py);
# this only installs Debian's server package when no initdb is there. With CI=true, a
# PostgreSQL that cannot start fails those tests; elsewhere they are skipped with a sentence.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "No PostgreSQL and no apt-get: the PostgreSQL store tests will be skipped."; fi; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

type: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e"

e2e: $(STAMP) chromium
	$(BIN)/python -m pytest -m e2e

screenshot: $(STAMP) chromium
	VISION_UPDATE_SCREENSHOT=1 $(BIN)/python -m pytest -m e2e tests/e2e/test_browser.py

test: $(STAMP) chromium postgres lint type
	$(BIN)/python -m pytest

bench: $(STAMP) chromium postgres
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
