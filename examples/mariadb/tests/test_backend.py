"""The backend builds on the server only where the server says it may: the core (``domain``,
``application``), the SQL base for other dialects (``adapters.persistence.sqlalchemy``, the
shared ``adapters.persistence.schema``) and the kit; never the built-in backends, never
anything else of ``adapters`` or ``entrypoints``."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
import todo_chatbot_mariadb
from todo_chatbot_mariadb.backend import backend

from adapters.persistence.registry import backend_for
from application.errors import UnsupportedDatabaseUrl

ALLOWED_OF_THE_SERVER = (
    "domain",
    "application",
    "adapters.persistence.sqlalchemy.backend",
    "adapters.persistence.sqlalchemy.dialect",
    "adapters.persistence.schema",
    "adapters.persistence.contract",
)
THIRD_PARTY = {"sqlalchemy", "alembic", "asyncmy"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_the_backend_imports_only_the_core_the_sql_base_and_its_own_modules() -> None:
    package = Path(todo_chatbot_mariadb.__file__).parent
    modules = {module for path in package.rglob("*.py") for module in _imports(path)}
    assert modules, "no imports found: wrong package path"
    outside = {
        module
        for module in modules
        if module.split(".")[0] not in {"todo_chatbot_mariadb", *THIRD_PARTY, *sys.stdlib_module_names, "__future__"}
        and not module.startswith(ALLOWED_OF_THE_SERVER)
    }
    assert outside == set()


@pytest.mark.parametrize("scheme", ["mysql", "mysql+asyncmy", "mariadb", "mariadb+asyncmy", "MySQL"])
def test_the_server_finds_the_backend_by_any_of_its_schemes(scheme: str) -> None:
    url = f"{scheme}://todo:s3cret@db.internal:3306/todo"
    assert backend_for(url) is backend
    backend.check_url(url)
    assert backend.async_url(url).startswith("mysql+asyncmy://todo:s3cret@db.internal:3306/todo?charset=utf8mb4")


def test_a_url_without_a_database_is_refused_without_the_password() -> None:
    with pytest.raises(UnsupportedDatabaseUrl) as caught:
        backend.check_url("mysql://todo:s3cret@db.internal:3306")
    assert "DATABASE_URL" in str(caught.value)
    assert "s3cret" not in str(caught.value)
