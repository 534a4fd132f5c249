# Two commands do all set-up: `make run` and `make test`.
# Both create .venv when it is missing, install what is needed, and go.

PY      := .venv/bin/python
PIP     := .venv/bin/pip
STAMP   := .venv/.installed
SYSSTAMP := .venv/.sysdeps
PORT    ?= 8501
# Debian packages: a CJK font for figures, Chromium for browser tests, PostgreSQL/PostGIS for store tests.
DEBS    := fonts-noto-cjk chromium postgresql postgis

.PHONY: run test lint bench install sysdeps demo clean

$(PY):
	python3 -m venv .venv

# The project itself is installed in editable mode (its `mapper` command; the code stays where it is).
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml | $(PY)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	$(PIP) install -q -e .
	touch $(STAMP)

install: $(STAMP)

# Installs the Debian packages once; needs root (CI and this kind of machine run as root) or sudo.
$(SYSSTAMP): | $(PY)
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "Installing Debian packages:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	touch $(SYSSTAMP)

sysdeps: $(SYSSTAMP)

demo: $(STAMP)
	$(PY) -m pipeline build --osm data/osm/beijing_haidian_qinghua-east-rd.osm \
	    --compound way/595108678 --out build/shikeyuan

# Starts the app on the demo compound, offline, in Chinese (builds the demo inventory first if missing).
run: $(STAMP) $(SYSSTAMP)
	@test -f build/shikeyuan/inventory.gpkg || $(MAKE) --no-print-directory demo
	.venv/bin/streamlit run app.py --server.port $(PORT)

# ruff, the import contract of pyproject.toml's [tool.importlinter] (views -> ui -> layers -> pipeline), mypy.
lint: $(STAMP)
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	.venv/bin/mypy

# The store tests run on SQLite and on the PostgreSQL server that scripts/start_postgres.sh starts.
test: $(STAMP) $(SYSSTAMP)
	.venv/bin/ruff check .
	url=$$(bash scripts/start_postgres.sh) && MAPPER_TEST_PG_URL="$$url" $(PY) -m pytest

# Each benchmark also appends its result lines to the file BENCH_RESULTS names; bench/table.py prints them as one table.
bench: $(STAMP) $(SYSSTAMP)
	url=$$(bash scripts/start_postgres.sh) && export MAPPER_TEST_PG_URL="$$url" && \
	export BENCH_RESULTS=$$(mktemp) && \
	for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done && \
	echo "== the table" && $(PY) bench/table.py "$$BENCH_RESULTS" && rm -f "$$BENCH_RESULTS"

clean:
	rm -rf build dist .pytest_cache
