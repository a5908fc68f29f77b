#!/usr/bin/env bash
# Runs the whole suite against PostgreSQL on this machine (socket or 127.0.0.1:5432, trust auth),
# in a throw-away database that is dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/ensure-system-packages.sh

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  version=$(ls /etc/postgresql | sort -n | tail -1)
  echo "==> Starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

db="contextsafe_ci_$$"
psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -q "$@"; }
psql_admin -c "CREATE DATABASE $db"
trap 'psql_admin -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; psql_admin -c "DROP DATABASE IF EXISTS test_$db" >/dev/null 2>&1' EXIT

export CONTEXTSAFE_MODE=test
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
echo "==> pytest on PostgreSQL ($db)"
.venv/bin/pytest "$@"
