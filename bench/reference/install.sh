#!/usr/bin/env bash
# Installs the reference bots' exact dependency tree from package-lock.json. By hand only: never part of CI.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "node is not installed: the matrix runs without the reference bots" >&2; exit 1; }
npm ci --no-audit --no-fund
