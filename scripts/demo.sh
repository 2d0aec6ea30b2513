#!/usr/bin/env bash
# Install yanzhi and run the main job on the embedded default: a SQLite file with
# Ningbo's divisions and its 2023–2027 plan, then show the plan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export YANZHI_DATABASE_URL="${YANZHI_DATABASE_URL:-sqlite:///$PWD/yanzhi.db}"
.venv/bin/yanzhi init
.venv/bin/yanzhi plan show
echo
echo "Database: $YANZHI_DATABASE_URL — try: .venv/bin/yanzhi orgunits list --level district"
