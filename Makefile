# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := demo-home

.PHONY: install demo test bench clean

# setup.py builds the one C module (archive/provenance/_calign.c): a change to it reinstalls.
$(STAMP): pyproject.toml setup.py archive/provenance/_calign.c Makefile
	$(PYTHON) -m venv $(VENV)
	# A fresh venv's pip is too old for some wheels' metadata (see README, "Set-up notes").
	$(BIN)/python -m pip install --quiet --upgrade pip
	# editable_mode=compat: the checkout as a plain path in a .pth file. setuptools' default
	# editable install imports a finder module at every interpreter start (~25 ms of each
	# `archive` command; a regular install has none). setuptools calls compat transitional,
	# so where it is gone the default is used.
	$(BIN)/python -m pip install --quiet -e ".[test,bench]" --config-settings editable_mode=compat 2>/dev/null \
	  || $(BIN)/python -m pip install --quiet -e ".[test,bench]"
	@$(BIN)/python -c "from archive.provenance import compiled; compiled.calign or print('note: archive/provenance/_calign.c was not built (no C compiler or Python headers): linking runs the same steps in Python, slower')"
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
