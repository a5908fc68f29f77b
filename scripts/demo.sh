#!/usr/bin/env bash
# Sets up and serves the demo: fictional data on embedded SQLite at http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

export CONTEXTSAFE_MODE=demo
export CONTEXTSAFE_PARTNERSHIP_NAME="${CONTEXTSAFE_PARTNERSHIP_NAME:-Brackenmoor Partnership}"
echo "==> Preparing the demo database (var/demo.sqlite3)"
.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py demo_setup > /dev/null
echo "==> Generating the fictional borough (first run only)"
.venv/bin/python manage.py generate_borough --scale demo | tail -1
.venv/bin/python manage.py demo_wards
echo "==> Adding records at every stage from first contact to a decision (first run only)"
# The stories send invitations and reminders as people would; the demo's console mailer would
# print each one here, so while loading them mail goes nowhere.
EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend .venv/bin/python manage.py demo_pathway
.venv/bin/python manage.py demo_setup
echo "==> Computing the CS lead's suggested places and groups (nightly in production)"
.venv/bin/python manage.py refresh_suggestions
echo "==> Serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
exec .venv/bin/gunicorn contextsafe.wsgi:application --config contextsafe/gunicorn.conf.py --bind 127.0.0.1:8000
