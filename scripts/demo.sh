#!/usr/bin/env bash
# Install yanzhi and run the main job on the embedded default: a SQLite file with
# Ningbo's divisions and its 2023–2027 plan, the calibrated SYNTHETIC demo panel
# (10,000 enterprises, monthly YTD reports since 2019, real published totals where known),
# every indicator computed, and where each headline indicator stands.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export YANZHI_DATABASE_URL="${YANZHI_DATABASE_URL:-sqlite:///$PWD/yanzhi.db}"
if [ -f yanzhi.db ] && [ "$YANZHI_DATABASE_URL" = "sqlite:///$PWD/yanzhi.db" ]; then
  rm -f yanzhi.db yanzhi.db-wal yanzhi.db-shm   # the demo always starts from a fresh file
fi
.venv/bin/yanzhi init
.venv/bin/yanzhi plan show
.venv/bin/yanzhi demo-data --out demo-data > /dev/null
echo "SYNTHETIC demo data imported from ./demo-data (see docs/demo-data.md)"
.venv/bin/yanzhi status
.venv/bin/yanzhi attribution --from 2022 --to 2024 --by district
echo
echo "Database: $YANZHI_DATABASE_URL — try: .venv/bin/yanzhi warnings, .venv/bin/yanzhi status --unit 330206"
