#!/usr/bin/env bash
# Install yanzhi with its test tools and run everything CI runs: lint, types, layer
# contracts and the test suite on SQLite and on PostgreSQL (127.0.0.1:5432, database test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test

# Debian packages only the tests use (setup.sh installs the CJK font and WeasyPrint's
# libraries): poppler to read PDFs back, Chromium for the browser tests (driven by
# Playwright; never `playwright install`), LibreOffice Calc to write the legacy .xls files
# the import tests read.
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)  # tests/web/test_browser.py
# LibreOffice opens every generated Word and Excel file (tests/web/test_documents_chinese.py)
# and makes the legacy .xls of the import tests (tests/services/test_import_file_types.py)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer libreoffice-calc)
# Redis: the cache `yanzhi serve --workers N` shares (tests/web/test_workers.py)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "please install the Debian packages: ${need[*]} (tests that need them will fail)" >&2
  fi
fi

pg_url="${YANZHI_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
if [[ "${YANZHI_TEST_DATABASES:-sqlite,postgresql}" == *postgresql* ]]; then
  if ! .venv/bin/python - "$pg_url" <<'PY' 2>/dev/null; then
import sys
from sqlalchemy import create_engine, text
with create_engine(sys.argv[1]).connect() as c:
    c.execute(text("select 1"))
PY
    echo "PostgreSQL at $pg_url is not answering; trying to start it" >&2
    if command -v pg_ctlcluster >/dev/null 2>&1; then
      for v in /etc/postgresql/*; do
        pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true
      done
      sleep 2
    fi
  fi
fi

redis_url="${YANZHI_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
if ! .venv/bin/python - "$redis_url" <<'PY' 2>/dev/null; then
import sys
import redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()
PY
  echo "Redis at $redis_url is not answering; trying to start it" >&2
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no || true
    sleep 1
  fi
fi

.venv/bin/ruff check src tests benchmarks
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
# One worker per core (YANZHI_TEST_WORKERS to change it; 0 runs in this process); a test
# module stays on one worker so its demo database is built once.
.venv/bin/python -m pytest -n "${YANZHI_TEST_WORKERS:-auto}" --dist loadfile "$@"
