# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := demo-home

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# A fresh venv's pip is too old for some wheels' metadata (see README, "Set-up notes").
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	rm -rf $(DEMO)
	$(BIN)/archive --home $(DEMO) ingest seeds/
	$(BIN)/archive --home $(DEMO) stats
	@echo; echo '$$ archive search '"'"'"artificial intelligence" AND title:chinese'"'"
	$(BIN)/archive --home $(DEMO) search '"artificial intelligence" AND title:chinese'
	@echo; echo '$$ archive provenance 1'
	$(BIN)/archive --home $(DEMO) provenance 1 --evidence

test: install
	$(BIN)/python -m pytest -q -n 2 -p no:cacheprovider

# Results go to bench/results/latest.{md,json}. More: make bench BENCH_ARGS="--quick" or "--scale --sizes 10000,50000".
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(DEMO) .pytest_cache build *.egg-info
