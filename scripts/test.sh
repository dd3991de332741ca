#!/usr/bin/env bash
# Installs everything the suite needs, then runs it all: lint, types, layer contracts,
# unit, integration (a throwaway PostgreSQL and the other real servers the suite starts)
# and end-to-end tests, with coverage of src/ enforced. Extra arguments go to pytest (one
# run of everything they select, after every install).
#
# The Debian packages of scripts/deb-packages.txt and the npm packages of tests/node are
# installed in the background while lint and the unit tests run; each phase prints its time.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
started=$SECONDS
phase_started=$SECONDS
phase() {
  if [ -n "${phase_name:-}" ]; then
    printf '    (%s: %ds)\n' "$phase_name" $((SECONDS - phase_started))
  fi
  phase_name=$1
  phase_started=$SECONDS
  printf '==> [%4ds] %s\n' $((SECONDS - started)) "$1"
}

missing_debs() {
  local package
  grep -v '^\s*\(#\|$\)' scripts/deb-packages.txt | while read -r package _; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || echo "$package"
  done
}

phase "background installs"
apt_pid=""
debs=$(missing_debs | tr '\n' ' ')
if [ -n "${debs// /}" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages ($debs): run as root, or install them first" >&2
    exit 1
  fi
  echo "    apt: $debs(log: var/apt.log)"
  (
    apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $debs
  ) >var/apt.log 2>&1 &
  apt_pid=$!
fi
npm_pid=""
if [ -f tests/node/package-lock.json ]; then
  echo "    npm ci in tests/node (log: var/npm.log)"
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error) >var/npm.log 2>&1 &
  npm_pid=$!
fi

phase "python environment"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"
# The third storage backend, a separate package installed beside the server (docs/storage.md).
.venv/bin/python -m pip install -q --disable-pip-version-check ./examples/mariadb
export PATH="$PWD/.venv/bin:$PATH"

phase "ruff"
ruff check src tests bench migrations examples
ruff format --check src tests bench migrations examples
phase "mypy --strict"
mypy
mypy --strict examples/mariadb/src
phase "import-linter"
lint-imports

coverage erase
if [ $# -eq 0 ]; then
  phase "pytest: unit"
  coverage run -m pytest tests/unit -q
fi

phase "waiting for the background installs"
wait_for() {
  local pid=$1 log=$2
  [ -n "$pid" ] || return 0
  if ! wait "$pid"; then
    echo "install failed, see $log:" >&2
    tail -30 "$log" >&2
    exit 1
  fi
}
wait_for "$apt_pid" var/apt.log
wait_for "$npm_pid" var/npm.log

if [ $# -eq 0 ]; then
  phase "pytest: contract, integration, end-to-end"
  coverage run -m pytest tests --ignore=tests/unit -q
  phase "pytest: the storage conformance kit on every built-in backend"
  coverage run -m pytest -p adapters.persistence.contract.plugin -p tests.storage_kit \
    --pyargs adapters.persistence.contract -q
  phase "pytest: the MariaDB backend of examples/ (the kit, then the server on it)"
  (cd examples/mariadb && python -m pytest -p adapters.persistence.contract.plugin \
    --pyargs adapters.persistence.contract tests -q -p no:cacheprovider)
else
  phase "pytest $*"
  coverage run -m pytest "$@"
fi

phase "coverage"
coverage combine -q
coverage report
phase "done"
echo "==> total ${SECONDS}s"
