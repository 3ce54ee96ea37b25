# Two commands for a newcomer: `make run` and `make test`. Both set everything up themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
PYTEST_ARGS ?= -n 2

.PHONY: install run test bench lint format services services-down clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## make run: embedded PostgreSQL + Redis (unless DATABASE_URL / REDIS_URL are set), migrate, seed, web + worker + beat
run: install
	@$(PY) -m ecosystem.devstack run

## make test: the whole suite against real PostgreSQL, Redis and a real Celery worker
test: install
	@$(PY) -m ecosystem.devstack test $(PYTEST_ARGS)

## make fuzz: schemathesis against the OpenAPI document as vendor, partner user and anonymous, thorough size
## (FUZZ_MAX_EXAMPLES per operation for valid and for invalid input: default 25, `make test` 3). Figures: .local/fuzz-report.jsonl
.PHONY: fuzz
fuzz: install
	@mkdir -p .local && rm -f .local/fuzz-report.jsonl
	@FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-25} FUZZ_REPORT=$(CURDIR)/.local/fuzz-report.jsonl \
		$(PY) -m ecosystem.devstack test $(PYTEST_ARGS) tests/fuzz -q; status=$$?; cat .local/fuzz-report.jsonl; exit $$status

## make bench: benchmarks (not tests); results go to bench/RESULTS.md
bench: install
	@$(PY) -m ecosystem.devstack exec $(PY) bench/run.py
	@$(PY) -m ecosystem.devstack exec $(PY) bench/tiers.py
	@$(PY) -m ecosystem.devstack exec $(PY) bench/deals.py
	@$(PY) -m ecosystem.devstack exec $(PY) bench/deal_race.py
	@$(PY) -m ecosystem.devstack exec $(PY) bench/account_mapping.py
	@$(PY) -m ecosystem.devstack exec $(PY) bench/attribution_run.py
	@$(PY) bench/attribution_engine.py
	@$(PY) bench/attribution_shapley.py
	@$(PY) bench/churn.py
	@$(PY) -m ecosystem.devstack exec $(PY) bench/churn_run.py
	@$(PY) bench/health.py
	@$(PY) -m ecosystem.devstack exec $(PY) bench/health_run.py
	@$(PY) -m ecosystem.devstack exec $(PY) bench/dashboard.py
	@$(PY) -m ecosystem.devstack exec $(PY) bench/throttle.py
	@$(PY) -m ecosystem.devstack exec $(PY) bench/api_load.py
	@bench/make_run_timing.sh

lint: install
	@$(VENV)/bin/ruff check .
	@$(PY) manage.py makemigrations --check --dry-run

format: install
	@$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

services: install
	@$(PY) -m ecosystem.devstack up

services-down: install
	@$(PY) -m ecosystem.devstack down

clean: services-down
	rm -rf .local staticfiles
