#!/usr/bin/env bash
# The benchmark in one command, on a fresh clone: installs what is missing (PostgreSQL
# server binaries and wrk from Debian when root, the project into .venv), then runs
# `python -m bench` (arguments are passed on; see `./bench/run.sh --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "==> installing PostgreSQL server binaries (Debian)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL server binaries are missing: install them (Debian: postgresql) or run as root" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if [ -z "${PG_BIN:-}" ] && [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  PG_BIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
  export PG_BIN
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/todo-chatbot ]; then
  echo "==> installing the project into .venv"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check -e .
fi

exec .venv/bin/python -m bench "$@"
