#!/usr/bin/env bash
# Regenerate tests/data/oracles/copeland/asem_copeland.csv with COINr's own a_copeland.
# Needs R (Debian: apt-get install r-base-core) and a checkout of COINr's public repository
# (github.com/bluefoxr/COINr, commit b968203 was used); its R/aggregate.R is sourced at run
# time from that checkout, never copied into this repository.
# Usage: bash scripts/make_copeland_oracle.sh /path/to/COINr
set -euo pipefail
cd "$(dirname "$0")/.."
coinr="${1:?path to a COINr checkout}"
work="$(mktemp -d)"
cp "$coinr/R/aggregate.R" "$work/aggregate.R"
cp scripts/copeland_oracle.R "$work/run.R"
(cd "$work" && Rscript run.R "$OLDPWD/tests/data/oracles/asem/ASEM_iData.csv" out.csv)
cp "$work/out.csv" tests/data/oracles/copeland/asem_copeland.csv
