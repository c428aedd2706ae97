#!/usr/bin/env bash
# make canary: the conformance, isolation and drift-gate suites against the newest
# langgraph-checkpoint-postgres (and LangGraph, and its conformance suite) the package
# index serves, ignoring pyproject.toml's pin, in a virtualenv of its own (.tmp/canary-venv).
# Green: threadguard holds on the newest LangGraph. Red: read test_upstream.py's failures first.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
venv=.tmp/canary-venv
rm -rf "$venv"
${PYTHON:-python3} -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -e . --no-deps
# threadguard's own dependencies and test tools, with LangGraph's packages at their newest.
"$venv/bin/python" -m pip install -q --upgrade 'yoyo-migrations>=9.0,<10' 'psycopg[binary]>=3.3,<3.4' 'psycopg-pool>=3.2,<4' \
    langgraph-checkpoint-postgres langgraph-checkpoint langgraph langgraph-checkpoint-conformance \
    'fastapi>=0.110,<1' 'uvicorn>=0.29,<1' 'httpx>=0.27,<1' 'pytest>=8,<10' 'pytest-asyncio>=0.24,<2'
"$venv/bin/python" -m pip list 2>/dev/null | grep -E '^(langgraph|psycopg)' | sed 's/^/canary: /'
exec tests/with_db.sh "$venv/bin/python" -m pytest -q tests/python/test_upstream.py tests/python/test_conformance.py \
    tests/python/test_saver.py tests/python/test_store.py tests/python/test_pool_reuse.py "$@"
