"""Schemathesis against the real server on PostgreSQL: every operation of /openapi.json,
valid and invalid data, stateful sequences along the document's links. A bounded, seeded
run: no server error, and every answer as the document says (status, content type, body)."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.e2e.server import RunningServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SEED = 20261201
EXAMPLES = 150
HASHED_EXAMPLES = 25
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(server: RunningServer, tmp_path: Path) -> None:
    user = f"fuzz-{uuid.uuid4().hex[:8]}"
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f"[generation]\nmax-examples = {EXAMPLES}\n\n"
        f'[parameters]\n"path.user_id" = "{user}"\n\n'
        f'[headers]\nAuthorization = "Bearer {server.token(user, 3600)}"\n\n'
        # each sign-up or sign-in example costs a password hash (~20 ms): fewer of them
        f'[[operations]]\ninclude-operation-id = ["sign_up", "sign_in"]\n'
        f"generation = {{ max-examples = {HASHED_EXAMPLES} }}\n"
    )
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(config),
        "run", f"{server.url}/openapi.json",
        "--checks", CHECKS,
        "--mode", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--seed", str(SEED),
        "--workers", "2",
        "--request-timeout", "10",
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    cases = re.search(r"Test cases:\s*\n\s*(.+)", run.stdout)
    assert cases is not None, run.stdout[-4000:]
    assert "passed" in cases.group(1) and "failed" not in cases.group(1), cases.group(1)
    assert '"status":500' not in server.logs()
