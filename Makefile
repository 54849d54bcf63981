# Membumi — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
CONSTRAINTS := requirements/constraints.txt
PIP := $(BIN)/python -m pip install --disable-pip-version-check -q -c $(CONSTRAINTS)

.PHONY: demo test install install-dev lint format migrations-check deploy-check bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(PIP) -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: install, migrate, load the demo world (once), serve on 127.0.0.1:$(PORT)
demo: install
	$(BIN)/membumi demo --port $(PORT)

## make test: install the dev dependencies and run the whole suite (browser tests included)
test: install-dev
	$(BIN)/python -m pytest -n auto --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	DEBUG=1 $(BIN)/membumi makemigrations --check --dry-run

deploy-check: install
	DEBUG=0 SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=membumi.example.go.id $(BIN)/membumi check --deploy --fail-level WARNING

messages: install
	cd membumi && ../$(BIN)/django-admin makemessages -l id -l en --no-obsolete --no-location
	cd membumi && ../$(BIN)/django-admin compilemessages

bench: install-dev
	$(BIN)/python -m bench.import_employees

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* var staticfiles

## make messages-check: the Indonesian and English catalogues cover every string in the code
messages-check: install
	@tmp=$$(mktemp -d); cp -r membumi/locale $$tmp/; \
	cd membumi && ../$(BIN)/django-admin makemessages -l id -l en --no-obsolete --no-location -v0 && cd ..; \
	untranslated=$$(msgattrib --untranslated --no-obsolete membumi/locale/id/LC_MESSAGES/django.po | grep -c '^msgid ' || true); \
	fuzzy=$$(msgattrib --only-fuzzy --no-obsolete membumi/locale/id/LC_MESSAGES/django.po | grep -c '^msgid ' || true); \
	changed=$$(diff -rq -I 'POT-Creation-Date' $$tmp/locale membumi/locale | grep -c '\.po' || true); \
	rm -rf membumi/locale && cp -r $$tmp/locale membumi/ && rm -rf $$tmp; \
	if [ "$$untranslated" -gt 1 ] || [ "$$fuzzy" -gt 1 ] || [ "$$changed" -gt 0 ]; then \
	  echo "Translations out of date: run 'make messages' and translate (untranslated=$$untranslated fuzzy=$$fuzzy changed=$$changed)"; exit 1; fi; \
	echo "translations complete"
