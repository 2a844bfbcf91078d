# hukou — the two set-up commands are `make demo` and `make test`; both install what they need.
# The distribution's Python (Debian builds it with PGO and LTO: the rules run ~40% faster than on a
# plain source build) when it is 3.11 or newer and can make a venv; else python3 from PATH.
PYTHON ?= $(shell for p in /usr/bin/python3 python3; do $$p -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test bench bench-scale install clean messages

# axe-core, for the accessibility test (tests/test_accessibility.py): the registry's tarball of this
# version, checked against the `dist.integrity` the registry publishes for it, unpacked into the venv
# (never committed; only the tests need it). To move to another version: take both from
# https://registry.npmjs.org/axe-core/<version>, and delete the old file (or `make clean`).
AXE_VERSION := 4.14.1
AXE_INTEGRITY := sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE := $(VENV)/share/axe-core/axe.min.js

$(AXE): tools/fetch_npm_file.py
	$(PYTHON) tools/fetch_npm_file.py https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz \
	    $(AXE_INTEGRITY) package/axe.min.js $(AXE)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) $(AXE)

# the message catalogue: every Msg("...") of the package into the template, and new ones into each
# language's .po file for a translator (tests/test_messages.py fails on any message left untranslated)
I18N := src/hukou/i18n
messages: $(STAMP)
	$(VENV)/bin/pybabel extract --no-default-keywords -k Msg --sort-by-file --project hukou -w 100 -o $(I18N)/hukou.pot src/hukou
	$(VENV)/bin/pybabel update -i $(I18N)/hukou.pot -d $(I18N)/locale -D hukou -w 100 --no-fuzzy-matching

demo: $(STAMP)
	$(VENV)/bin/hukou demo

test: $(STAMP) $(AXE)
	$(PY) -m pytest -q

BENCH_DB ?= /tmp/hukou-bench.sqlite
bench: $(STAMP)
	rm -f $(BENCH_DB) $(BENCH_DB)-wal $(BENCH_DB)-shm
	-psql -h 127.0.0.1 -U postgres -q -c 'DROP DATABASE IF EXISTS hukou_bench' -c 'CREATE DATABASE hukou_bench'
	$(PY) bench/bench_rules.py; r1=$$?; $(PY) bench/bench_cli.py; r2=$$?; \
	$(PY) bench/bench_register.py --synth --database sqlite:///$(BENCH_DB) --database postgresql://postgres@127.0.0.1/hukou_bench; r3=$$?; \
	$(PY) bench/bench_load.py; r4=$$?; \
	$(PY) bench/bench_queue.py; r5=$$?; \
	test $$r1 -eq 0 -a $$r2 -eq 0 -a $$r3 -eq 0 -a $$r4 -eq 0 -a $$r5 -eq 0

# 10 million people: about 80 s to generate and 2 s to evaluate (5 s more the first time: compiling), ~0.5 GB of disk in /tmp
bench-scale: $(STAMP)
	$(PY) bench/bench_register.py --residents 10000000 --synth

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build src/*.egg-info
