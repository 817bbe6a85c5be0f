# jtbd_methods — one-command set-up, reports and tests.
#   make report   create .venv if needed, install, run every notebook on the sample study into reports/
#   make test     same set-up, then unit, CLI, notebook and browser tests (the fast loop, ~6 min)
#   make test-slow  the slow tests: wheel in a fresh venv, docs build, signals, a second run
#   make lab      JupyterLab at the repository root (exports go to reports/lab/)
#   make docs     the documentation site in docs/_build/html (warnings are errors)
#   make bench    performance benchmarks (never part of make test)
#   make clean    remove the venv, reports and caches

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STUDY  ?= data/samples/recovery_study
REPORTS ?= reports
AUDIENCE ?= client

.PHONY: report test test-slow lab bench clean chromium lint teach docs

# (Re)install when the venv is missing or pyproject.toml is newer than the last install.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/jtbd run all --study $(STUDY) --out $(REPORTS) --audience $(AUDIENCE)

# Headless Chromium for PDF output and the browser tests (Debian package; needs root or sudo).
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "chromium: present"; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) \
		|| echo "chromium: could not be installed; browser tests will be skipped"; \
	else \
		echo "chromium: no apt-get on this machine; install Chromium by hand for PDF and browser tests"; \
	fi

# Two xdist workers; each notebook run the tests share is executed once (tests/conftest.py).
test: $(STAMP) chromium
	$(BIN)/python -m pytest -m "not slow" -n 2 --dist loadfile

# What `make test` leaves out (marked slow); CI (.ci/run) runs both.
test-slow: $(STAMP) chromium
	$(BIN)/python -m pytest -m slow -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check jtbd_methods tests benchmarks

# At the root so data/ and reports/ are visible; a notebook run by hand writes its exports
# (report.output_path) to reports/lab/, never beside the notebooks.
lab: $(STAMP)
	mkdir -p $(REPORTS)/lab
	JTBD_OUTPUT_DIR=$(CURDIR)/$(REPORTS)/lab $(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) \
		--ServerApp.default_url=/lab/tree/notebooks

docs: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(REPORTS) .pytest_cache .ruff_cache .hypothesis test-artifacts *.egg-info \
		build dist docs/_build docs/gallery/_generated
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
