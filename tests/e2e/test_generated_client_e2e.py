"""A client generated from /openapi.json by a mainstream generator (openapi-python-client)
runs the README's walk-through against the real server: the document is enough to write a
working client."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.e2e.server import RunningServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PACKAGE = "todo_client"


@pytest.fixture(scope="module")
def generated(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The package generated from the running server's document, importable."""
    root = tmp_path_factory.mktemp("generated")
    document = root / "openapi.json"
    document.write_bytes(httpx.get(f"{server.url}/openapi.json").content)
    generator = Path(sys.executable).with_name("openapi-python-client")
    env = {**os.environ, "PATH": f"{generator.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [str(generator), "generate", "--path", str(document), "--output-path", str(root / PACKAGE), "--meta", "none"],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Cannot parse" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(root))
    try:
        yield PACKAGE
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _call(operation: str, client: Any, **kwargs: Any) -> Any:
    tag, name = operation.split(".")
    return _module(f"api.{tag}.{name}").sync_detailed(client=client, **kwargs)


def test_the_readme_walk_through_runs_through_a_generated_client(generated: str, server: RunningServer) -> None:
    user = f"walker-{uuid.uuid4().hex[:8]}"
    models = _module("models")
    client = _module("client").AuthenticatedClient(base_url=server.url, token=server.token(user))

    new = models.NewTask(title="Buy groceries", due="2026-12-01", tags=["home"], priority=models.Priority.HIGH)
    created = _call("tasks.add_task", client, user_id=user, body=new)
    assert created.status_code == 201
    task = created.parsed
    assert (task.id, task.title, task.due, task.tags) == (1, "Buy groceries", "2026-12-01", ["home"])

    listed = _call(
        "tasks.list_tasks", client, user_id=user, status=models.TaskStatus.PENDING, sort=models.TaskSort.DUE, limit=20
    )
    assert [item.title for item in listed.parsed.items] == ["Buy groceries"]

    renamed = _call(
        "tasks.update_task_patch", client, user_id=user, task_id=1, body=models.TaskChanges(title="Buy oat milk")
    )
    assert renamed.parsed.title == "Buy oat milk"
    assert _call("tasks.toggle_task", client, user_id=user, task_id=1).parsed.completed is True
    assert _call("tasks.delete_task", client, user_id=user, task_id=1).status_code == 204
    assert _call("tasks.restore_task", client, user_id=user, task_id=1).parsed.title == "Buy oat milk"
    assert [(t.name, t.count) for t in _call("tasks.list_tags", client, user_id=user).parsed.items] == [("home", 1)]

    chat = _call(
        "chat.chat", client, user_id=user, body=models.ChatRequest(message="remind me to call the dentist tomorrow")
    )
    assert chat.status_code == 200
    assert chat.parsed.conversation_id == 1
    titles = [t.title for t in _call("tasks.list_tasks", client, user_id=user).parsed.items]
    assert any("dentist" in title.lower() for title in titles), titles

    missing = _call("tasks.get_task", client, user_id=user, task_id=99)
    assert missing.status_code == 404
    assert missing.parsed.status == 404
    invalid = _call("tasks.add_task", client, user_id=user, body=models.NewTask(title=" "))
    assert invalid.status_code == 422
    assert [error.field for error in invalid.parsed.errors] == ["title"]
