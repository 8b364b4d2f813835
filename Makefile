# Yuren — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install lint migrate demo messages serve check-deploy bench clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Yuren needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV): on Debian, install the venv module first: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $@

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo --no-logins
	$(BIN)/python manage.py load_demo_evaluation
	$(BIN)/python manage.py load_demo_awards
	$(BIN)/python manage.py load_demo --logins-only

## make run: SQLite, eager Celery, console email — no services needed.
run: demo
	@echo "Yuren at http://127.0.0.1:8000/ (Ctrl-C stops it)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## make test: SQLite unless DATABASE_URL / REDIS_URL are set (CI sets them; see .ci/run).
test: install
	DJANGO_ENV=test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check-deploy: install
	DJANGO_ENV=production SECRET_KEY=check-deploy-only-7f3a9c2e81b44d6fa0c5e9d2b7184f63aa01 \
	  ALLOWED_HOSTS=yuren.example.edu.cn $(BIN)/python manage.py check --deploy --fail-level WARNING

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'static/vendor/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

bench: install
	$(BIN)/python manage.py bench_import

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
