"""The OpenAPI document at ``/openapi.json`` and the API docs at ``/docs``.

Routes read their bodies and query strings themselves (cheaper on the hot path, and the
errors name the field the contract's way), so Litestar cannot see what they take. Each
route says it in its decorator, ``opt=documented(body=..., query=..., errors=...)``, and
the document Litestar generates is completed from that here: request bodies, typed query
and header parameters, every problem answer with its schema and real status, and no
security requirement on public routes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, Request, Router
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router

from entrypoints.http.problems import PROBLEM_JSON, Problem, ValidationProblem

DOC_KEY = "openapi"
SESSION_COOKIE = "better-auth.session_token"
"""The built-in accounts' session cookie (``__Secure-`` prefixed on https)."""
REF = "#/components/schemas/{name}"
SWAGGER_DIR = Path(__file__).parent / "swagger"

STATUS_TEXT = {
    400: "The body is not JSON, or the Host is not one this server answers to.",
    401: "No valid bearer token (WWW-Authenticate says why).",
    403: "The path names another user than the token.",
    404: "Not found (also another user's, or a deleted one).",
    409: "The request clashes with stored data.",
    413: "The request body is over 1 MiB.",
    422: "Invalid input; `errors` names each field.",
    429: "Over a rate limit; retry after `Retry-After` seconds.",
    503: "A dependency (database, signing keys, model) is down; retry after `Retry-After` seconds.",
}
AUTHENTICATED = (401, 403, 422, 503)
"""What every ``/api/{user_id}/...`` route can answer besides its own outcomes."""


@dataclass(frozen=True, slots=True)
class Documented:
    """What a route takes and answers beyond what its signature shows."""

    body: type | None = None
    query: type | None = None
    headers: tuple[tuple[str, Any, str], ...] = ()
    errors: tuple[int, ...] = ()
    public: bool = False
    response: Any = None
    events: bool = False
    links: tuple[tuple[str, str, str], ...] = ()
    cookie: bool = False


def documented(
    *,
    body: type | None = None,
    query: type | None = None,
    headers: Iterable[tuple[str, Any, str]] = (),
    errors: Iterable[int] = (),
    public: bool = False,
    response: Any = None,
    events: bool = False,
    links: Iterable[tuple[str, str, str]] = (),
    cookie: bool = False,
) -> dict[str, Any]:
    """The ``opt`` of a route: its JSON body and query struct, extra header parameters
    ``(name, schema, description)``, the problem statuses it answers, whether it needs no
    token, its success body when the signature can't say, whether it can stream SSE, OpenAPI
    links ``(operation id, parameter, expression)`` from its answer to other routes, and
    whether it reads the session cookie instead of a bearer token."""
    statuses = tuple(sorted(set(errors) | ({415} if body is not None else set())))  # a body of another type
    doc = Documented(body, query, tuple(headers), statuses, public, response, events, tuple(links), cookie)
    return {DOC_KEY: doc}


def _components(types: Iterable[Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    schemas, components = msgspec.json.schema_components(list(types), ref_template=REF)
    return list(schemas), dict(components)


def _name(reference: dict[str, Any]) -> str:
    return str(reference["$ref"]).rsplit("/", 1)[-1]


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a string, never JSON null."""
    options = [option for option in schema.get("anyOf", ()) if option != {"type": "null"}]
    if len(options) != 1:
        return schema
    merged = {**{k: v for k, v in schema.items() if k not in {"anyOf", "default"}}, **options[0]}
    return merged


def _problem_response(status: int, schemas: dict[str, str]) -> dict[str, Any]:
    name = schemas["validation" if status == 422 else "problem"]
    content = {PROBLEM_JSON: {"schema": {"$ref": REF.format(name=name)}}}
    response: dict[str, Any] = {"description": STATUS_TEXT.get(status, "Error"), "content": content}
    if status in {429, 503}:
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


class _Completer:
    """Completes one operation of the generated document from its route's ``Documented``."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.components: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
        (problem, validation), found = _components([Problem, ValidationProblem])
        self.components.update(found)
        self.problems = {
            "problem": _name(problem),
            "validation": _name(validation),
        }

    def schema_of(self, kind: Any) -> dict[str, Any]:
        (schema,), found = _components([kind])
        self.components.update(found)
        return schema

    def query_parameters(self, struct: type) -> list[dict[str, Any]]:
        """One query parameter per field of ``struct``, typed as the struct types it."""
        schema = self.schema_of(struct)
        if "$ref" in schema:
            schema = self.components[_name(schema)]
        required = set(schema.get("required", ()))
        return [
            {"name": name, "in": "query", "required": name in required, "schema": _not_null(field)}
            for name, field in schema.get("properties", {}).items()
        ]

    def complete(self, operation: dict[str, Any], doc: Documented) -> None:
        responses: dict[str, Any] = operation.setdefault("responses", {})
        responses.pop("400", None)  # Litestar's default, with a body this server never sends
        if doc.body is not None:
            body = {"content": {"application/json": {"schema": self.schema_of(doc.body)}}, "required": True}
            operation["requestBody"] = body
        parameters = [p for p in operation.get("parameters", []) if p["in"] == "path"]
        if doc.query is not None:
            parameters += self.query_parameters(doc.query)
        for name, schema, description in doc.headers:
            parameters.append({"name": name, "in": "header", "schema": schema, "description": description})
        if parameters:
            operation["parameters"] = parameters
        if doc.response is not None:
            success = next(code for code in responses if code.startswith("2"))
            content = {"application/json": {"schema": self.schema_of(doc.response)}}
            if doc.events:
                content["text/event-stream"] = {"schema": {"type": "string"}}
            responses[success]["content"] = content
        if doc.links:
            success = next(code for code in responses if code.startswith("2"))
            responses[success]["links"] = {
                target: {"operationId": target, "parameters": {"user_id": "$request.path.user_id", name: expression}}
                for target, name, expression in doc.links
            }
        for status in doc.errors:
            responses[str(status)] = _problem_response(status, self.problems)
        if doc.public:
            operation["security"] = []
        if doc.cookie:
            operation["security"] = [{"session": []}]


def complete_document(generated: dict[str, Any], app: Litestar) -> dict[str, Any]:
    """The generated document completed from every route's ``Documented``."""
    document = copy.deepcopy(generated)
    completer = _Completer(document)
    paths: dict[str, Any] = document.get("paths", {})
    taken: set[str] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path_format not in paths:
            continue
        item = paths[route.path_format]
        for method, (handler, _) in route.route_handler_map.items():
            operation = item.get(method.lower())
            doc = handler.opt.get(DOC_KEY) if isinstance(handler, HTTPRouteHandler) else None
            if operation is None or doc is None:
                continue
            operation["operationId"] = _operation_id(handler, method, route.path_format, taken)
            completer.complete(operation, doc)
    return document


def _operation_id(handler: HTTPRouteHandler, method: str, path: str, taken: set[str]) -> str:
    """The handler's name (what a generated client calls the operation), unique."""
    name = handler.handler_name
    if len(handler.http_methods) > 1:
        name = f"{name}_{method.lower()}"
    if name in taken:  # one handler serving several paths
        name = f"{name}_{'_'.join(part for part in path.strip('/').split('/')[-1:] if part)}"
    taken.add(name)
    return name


class CompletedDocument(JsonRenderPlugin):
    """Serves the completed document (built on first request, then cached)."""

    def __init__(self) -> None:
        super().__init__(path="/")
        self._rendered: bytes | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._rendered is None:
            self._rendered = self.render_json(request, complete_document(openapi_schema, request.app))
        return self._rendered


def openapi_config(version: str) -> OpenAPIConfig:
    """Litestar's generator, serving the completed document at ``/openapi.json`` only."""
    return OpenAPIConfig(
        title="Todo Chatbot",
        version=version,
        description=(
            "Manage todo tasks by REST, by chatting with an assistant, or over MCP. Errors are RFC 9457 "
            "problem details; validation errors (422) name each field."
        ),
        path="/openapi.json",
        render_plugins=[CompletedDocument()],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                "session": SecurityScheme(type="apiKey", security_scheme_in="cookie", name=SESSION_COOKIE),
            }
        ),
        security=[{"bearer": []}],
        use_handler_docstrings=True,
    )


def docs_router() -> Router:
    """``/docs``: Swagger UI shipped in the package (no CDN), reading ``/openapi.json``."""
    return create_static_files_router(path="/docs", directories=[SWAGGER_DIR], html_mode=True, name="docs")


__all__ = ["AUTHENTICATED", "Documented", "complete_document", "docs_router", "documented", "openapi_config"]
