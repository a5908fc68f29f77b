#!/usr/bin/env bash
# Installs everything, then runs the linters, the type checker and the whole test suite
# (including the browser tests). Uses embedded SQLite unless DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/ensure-system-packages.sh

export CONTEXTSAFE_MODE=test
echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy --strict"
.venv/bin/mypy .
echo "==> pytest (${DATABASE_URL:-embedded SQLite})"
.venv/bin/pytest "$@"
