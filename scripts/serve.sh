#!/usr/bin/env bash
# Installs the server into .venv and runs it on the embedded defaults: a SQLite file under
# ./var, the built-in token issuer, and the offline agent (no model, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/todo-chatbot serve
