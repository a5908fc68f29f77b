#!/usr/bin/env bash
# Installs everything ContextSafe needs into this checkout: a virtualenv with the Python packages,
# the npm packages, and the compiled stylesheet. Safe to run again; it skips what is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating virtualenv (.venv)"
  "$PYTHON" -m venv .venv
fi

stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "==> Installing Python packages"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

npm_stamp=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$npm_stamp" ]; then
  echo "==> Installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$npm_stamp"
fi

mkdir -p build/staticfiles
echo "==> Compiling the stylesheet"
npm run --silent build:css
