#!/usr/bin/env bash
# Installs everything the suite needs, then runs it all: lint, types, layer contracts,
# unit, integration (a throwaway PostgreSQL the suite starts) and end-to-end tests, with
# coverage of src/ enforced. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${TEST_DATABASE_URL:-}" ]; then
  echo "==> installing PostgreSQL server binaries (Debian)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL binaries are missing: run as root, or set TEST_DATABASE_URL" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing the project and its test tools"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"

export PATH="$PWD/.venv/bin:$PATH"
echo "==> ruff"
ruff check src tests bench migrations
ruff format --check src tests bench migrations
echo "==> mypy --strict"
mypy
echo "==> import-linter"
lint-imports
echo "==> pytest (with coverage)"
coverage erase
coverage run -m pytest "$@"
coverage combine -q
coverage report
