#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install yanzhi into it. Usage: scripts/setup.sh [EXTRAS]
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
py=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    py="$candidate"; break
  fi
done
if [ -z "$py" ]; then
  echo "yanzhi needs Python >= 3.11 (with venv); install it first, e.g. apt-get install python3 python3-venv" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ -n "$extras" ]; then
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
else
  .venv/bin/python -m pip install --quiet -e .
fi

# Debian packages the app itself needs: a CJK font (without one, the charts of the Word
# and PDF documents print Chinese as empty boxes) and the libraries WeasyPrint renders PDFs
# with. scripts/test.sh adds what only the tests use.
need=()
# (grep without -q: under pipefail an early exit would fail fc-list with SIGPIPE)
fc-list 2>/dev/null | grep -i "wqy\|noto sans cjk" >/dev/null || need+=(fonts-wqy-microhei)
ls /usr/lib/*/libharfbuzz-subset.so.0 >/dev/null 2>&1 || need+=(libharfbuzz-subset0)
ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null ||
      echo "could not install ${need[*]} with apt-get" >&2
  else
    echo "please install the Debian packages: ${need[*]} (documents need a CJK font and" \
      "WeasyPrint's libraries)" >&2
  fi
fi

# Browser libraries (Apache ECharts for the web charts): package.json / package-lock.json are
# committed, node_modules/ is not. Needs Node.js with npm.
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "npm not found: installing Debian packages nodejs npm (for the ECharts web charts)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null ||
      echo "could not install nodejs npm with apt-get" >&2
  fi
fi
if command -v npm >/dev/null 2>&1; then
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --silent
  else
    npm install --no-audit --no-fund --silent
  fi
  [ -f node_modules/echarts/dist/echarts.min.js ] ||
    echo "warning: node_modules/echarts/dist/echarts.min.js is missing after npm" >&2
else
  echo "Node.js/npm not found: the web charts need Apache ECharts from npm." >&2
  echo "Install Node.js and npm (on Debian: apt-get install nodejs npm), then run scripts/setup.sh again" >&2
  echo "(or point YANZHI_ECHARTS_JS at a copy of echarts.min.js)." >&2
fi
