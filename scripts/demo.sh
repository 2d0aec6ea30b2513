#!/usr/bin/env bash
# Install yanzhi and run the main job on the embedded default: a fresh SQLite file
# (yanzhi-demo.db) with Ningbo's divisions and its 2023–2027 plan, the calibrated SYNTHETIC
# demo panel (10,000 enterprises, monthly YTD reports since 2019, real published totals
# where known), every indicator computed, demo accounts of every role — then the web app
# on http://127.0.0.1:8000/ (Ctrl-C stops it). `bash scripts/demo.sh --no-serve` builds,
# prints the accounts and where the targets stand, and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
serve=1
for a in "$@"; do [ "$a" = "--no-serve" ] && serve=0; done
if [ "$serve" = 0 ]; then
  .venv/bin/yanzhi demo --db yanzhi-demo.db "$@"
  .venv/bin/yanzhi status --database "sqlite:///$PWD/yanzhi-demo.db"
  echo "Database: sqlite:///$PWD/yanzhi-demo.db — serve it with: .venv/bin/yanzhi serve --database sqlite:///$PWD/yanzhi-demo.db"
else
  exec .venv/bin/yanzhi demo --db yanzhi-demo.db "$@"
fi
