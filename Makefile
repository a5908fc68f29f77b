.PHONY: demo test install test-postgres lint

# Set up and serve the demo on http://127.0.0.1:8000 (SQLite, fictional data).
demo:
	scripts/demo.sh

# Install everything and run every check and test (SQLite).
test:
	scripts/test.sh

install:
	scripts/bootstrap.sh

# The same suite against the local PostgreSQL server, in a throw-away database.
test-postgres:
	scripts/test-postgres.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy .
