# VHCV — `make run` sets up and serves the platform; `make test` runs the whole suite.
# Each target first creates or refreshes the virtualenv from the pinned requirements.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# The address printed in certificates' QR codes; set it to the public address in
# production (the app warns when it is unset).
export VHCV_PUBLIC_URL ?= http://$(HOST):$(PORT)
CHROMIUM ?= /usr/bin/chromium
export FLASK_APP := wsgi

.PHONY: run test lint format venv translations translations-update translations-check db clean axe

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

translations: venv
	$(BIN)/pybabel compile -d app/translations >/dev/null

# Extract every message, merge into the English catalogue, then list what is left
# to translate (empty or fuzzy): fill those msgstr, then `make translations`.
translations-update: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _nl:1,2 -k N_ -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations

translations-check: venv
	$(BIN)/python scripts/untranslated.py

instance/secret_key:
	mkdir -p instance
	$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@
	chmod 600 $@

# Migrate the embedded SQLite database, load the content and the demo province.
db: venv translations instance/secret_key
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/flask db upgrade
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/flask content sync
	test -f instance/cert_signing_key.pem || \
		SECRET_KEY=$$(cat instance/secret_key) $(BIN)/flask certificates keygen
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/flask demo seed

# One process with threads: the embedded SQLite database serialises writers anyway,
# and threads of one process wait for each other without polling across processes.
run: db
	@echo "VHCV: http://$(HOST):$(PORT)  (demo accounts: see README)"
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/gunicorn --bind $(HOST):$(PORT) \
		--workers 1 --threads 8 --access-logfile - wsgi:app

# Tests that need Redis run against TEST_REDIS_URL (database 15 of the local Redis by
# default) when it answers; .ci/run starts one.
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export TEST_REDIS_URL

# The xAPI tests against a real LRS start Ralph from its own virtualenv (RALPH_VENV,
# made by scripts/ralph.sh install; .ci/run does it and sets RALPH_REQUIRED).
RALPH_VENV ?= .ci/work/ralph-venv
export RALPH_VENV

test: venv translations
	$(BIN)/pytest -m "not browser and not redis and not ralph" -n auto
	@if [ -x "$(RALPH_VENV)/bin/uvicorn" ]; then \
		$(BIN)/pytest -m ralph; \
	elif [ -n "$$RALPH_REQUIRED" ]; then \
		echo "Ralph tests required but $(RALPH_VENV) is missing (scripts/ralph.sh install)."; exit 1; \
	else \
		echo "Ralph (xAPI LRS) tests NOT run: no $(RALPH_VENV) (scripts/ralph.sh install; .ci/run does)."; \
	fi
	@if $(BIN)/python -c "import os, redis; redis.Redis.from_url(os.environ['TEST_REDIS_URL'], socket_timeout=2).ping()" 2>/dev/null; then \
		$(BIN)/pytest -m redis; \
	else \
		echo "Redis tests NOT run: no Redis answers at $(TEST_REDIS_URL) (.ci/run starts one)."; \
	fi
	@if [ -x "$(CHROMIUM)" ]; then \
		scripts/fetch_axe.sh && $(BIN)/pytest -m browser; \
	else \
		echo "Browser tests NOT run: $(CHROMIUM) is missing (apt-get install chromium; .ci/run does)."; \
	fi

# axe-core (pinned, sha512-checked) from the npm registry into tests/browser/.cache/,
# injected by the browser tests' accessibility check (tests/browser/test_axe.py).
axe:
	scripts/fetch_axe.sh

# lint-imports checks the import contracts of .importlinter (the layers of the code).
lint: venv
	$(BIN)/ruff check app tests migrations bench wsgi.py
	$(BIN)/ruff format --check app tests migrations bench wsgi.py
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff format app tests migrations bench wsgi.py
	$(BIN)/ruff check --fix app tests migrations bench wsgi.py

# Keeps instance/: it holds the database, the secret key and the certificate signing key.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Benchmarks against the budgets in bench/README.md (not part of `make test` or CI):
# autosave and the 30-question attempt page under gunicorn on 127.0.0.1, each against
# a bare Flask ceiling measured in the same run, on SQLite; add
# POSTGRES=postgresql+psycopg://… to measure on PostgreSQL too (that database is
# emptied). Exits non-zero when a budget is missed.
.PHONY: bench
bench: venv translations
	$(BIN)/python -m bench.run $(if $(POSTGRES),--postgres $(POSTGRES))

# A whole attempt (start, 30 autosaves over its pages, confirm, submit, result), one
# cadre after another on gunicorn: median < 379 ms (10 % of Moodle's 3.79 s). Add
# POSTGRES=postgresql+psycopg://… to run on PostgreSQL too (that database is emptied).
.PHONY: bench-attempt
bench-attempt: venv translations
	$(BIN)/python -m bench.attempt $(if $(POSTGRES),--postgres $(POSTGRES))

# Subtree report over 200,000 cadres and 1,000,000 attempts, and 100,000-record exports
# (a few minutes). Add POSTGRES=postgresql+psycopg://… to run on PostgreSQL too
# (that database is emptied).
.PHONY: bench-reports
bench-reports: venv
	$(BIN)/python -m bench.reports $(if $(POSTGRES),--postgres $(POSTGRES))

# Contest ranking of a province round (30,000 participants) in < 10 s, and the public
# contest page at >= 0.7x a bare cached page under load (that part needs the public
# contest pages). Add POSTGRES=postgresql+psycopg://… to run on PostgreSQL too (that
# database is emptied). Exits non-zero when a budget is missed.
.PHONY: bench-contest
bench-contest: venv translations
	$(BIN)/python -m bench.contest $(if $(POSTGRES),--postgres $(POSTGRES))

# Certificate PDFs on one core: ≥ 100 certificates/s (median of 3 runs of 200) and a
# ZIP of 1,000 in < 15 s. Exits non-zero when a budget is missed.
.PHONY: bench-certificates
bench-certificates: venv
	$(BIN)/python -m bench.certificates

# A 20,000-row cadre import (check + write), budget "in seconds" (< 10 s).
.PHONY: bench-import
bench-import: venv
	$(BIN)/python -m bench.cadre_import $(if $(POSTGRES),--postgres $(POSTGRES))

# 100 cadres saving for 60 s on one gunicorn (2 gthread workers, one socket): kill -9
# of a worker at 20 s and of the master at 40 s (restarted at once); every
# acknowledged save must be stored, recovery < 2 s. Add POSTGRES=postgresql+psycopg://…
# to run on PostgreSQL too (that database is emptied). Exits non-zero on a miss.
.PHONY: soak
soak: venv translations
	$(BIN)/python -m bench.soak $(if $(POSTGRES),--postgres $(POSTGRES))

# The production layout on this machine: nginx (Debian's, run from a temp prefix) in
# front of 1 then 2 app servers (gunicorn), PostgreSQL, Redis; cadres going through
# the whole training and HR officers exporting, then 1,000 cadres pressing "Bắt đầu"
# within one second. POSTGRES is emptied. Exits non-zero when a budget is missed.
CLUSTER_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/vhcv_cluster
.PHONY: bench-cluster
bench-cluster: venv translations
	$(BIN)/python -m bench.cluster --postgres $(if $(POSTGRES),$(POSTGRES),$(CLUSTER_POSTGRES))

# Only the mass start of make bench-cluster (nginx + 2 app servers): 1,000 cadres
# pressing "Bắt đầu" within one second; one attempt each, drawn by the rules.
.PHONY: bench-mass-start
bench-mass-start: venv translations
	$(BIN)/python -m bench.cluster --skip-flows --postgres $(if $(POSTGRES),$(POSTGRES),$(CLUSTER_POSTGRES))
