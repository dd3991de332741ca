"""The backend builds on the server only where the server says it may: the core (``domain``,
``application``), the SQL base for other dialects (``adapters.persistence.sqlalchemy``, the
shared ``adapters.persistence.schema``) and the kit; never the built-in backends, never
anything else of ``adapters`` or ``entrypoints``."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import todo_chatbot_mariadb

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
