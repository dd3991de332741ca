"""One table mapping errors to RFC 9457 problem responses."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from application.errors import (
    AgentUnavailable,
    Conflict,
    InvalidToken,
    MissingToken,
    NotFound,
    RateLimited,
    ValidationError,
)
from application.errors import Unavailable as DependencyUnavailable
from application.ports import RateDecision
from entrypoints.http.failures import log_failure

PROBLEM_JSON = "application/problem+json"
PROBLEM_JSON_BYTES = PROBLEM_JSON.encode()
log = logging.getLogger("todo_chatbot.http")

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    421: "Misdirected Request",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Problem(msgspec.Struct, kw_only=True):
    """An RFC 9457 problem: what went wrong, for people and for programs. Some answers add
    members (``conversation_id`` on a chat turn that failed after storing the message)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class FieldProblem(msgspec.Struct, kw_only=True):
    """One invalid input: a dotted path (``tags.3``, ``query.limit``) and what is wrong."""

    field: str
    message: str


class ValidationProblem(Problem, kw_only=True):
    """A 422: the input breaks a rule; ``errors`` names each field."""

    errors: list[FieldProblem]


def problem(
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    """A problem-details response."""
    return Response(problem_body(status, detail, **extra), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_body(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    """The body of a problem, for places that are not a Litestar response (an SSE ``error``
    event, the raw ASGI answers of the middleware and the MCP endpoint)."""
    return {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status, "detail": detail, **extra}


async def send_problem(
    send: Any, status: int, detail: str, headers: Iterable[tuple[bytes, bytes]] = (), **extra: Any
) -> None:
    """A problem response written straight to ASGI (layers outside the framework)."""
    body = msgspec.json.encode(problem_body(status, detail, **extra))
    raw = [(b"content-type", PROBLEM_JSON_BYTES), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class MalformedBody(Exception):
    """The request body is not JSON at all (400; a JSON body that breaks a rule is a 422)."""


def _malformed(_: Request[Any, Any, Any], exc: MalformedBody) -> Response[dict[str, Any]]:
    return problem(400, str(exc))


class NotJsonBody(Exception):
    """The request body is declared as another media type than JSON (415)."""


def _not_json(_: Request[Any, Any, Any], exc: NotJsonBody) -> Response[dict[str, Any]]:
    return problem(415, str(exc))


def _validation(_: Request[Any, Any, Any], exc: ValidationError) -> Response[dict[str, Any]]:
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    fields = ", ".join(e.field for e in exc.errors)
    return problem(422, f"invalid input: {fields}", errors=errors)


def _litestar_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            source, key = item.get("source"), item.get("key")
            field = f"{source}.{key}" if source and key else str(key or source or "body")
            errors.append({"field": field, "message": str(item.get("message", "invalid value"))})
    return problem(422, "invalid input", errors=errors or [{"field": "body", "message": exc.detail}])


def _not_found(_: Request[Any, Any, Any], exc: NotFound) -> Response[dict[str, Any]]:
    return problem(404, str(exc))


def _conflict(_: Request[Any, Any, Any], exc: Conflict) -> Response[dict[str, Any]]:
    return problem(409, str(exc))


def _unauthorized(_: Request[Any, Any, Any], exc: InvalidToken | NotAuthorizedException) -> Response[dict[str, Any]]:
    detail = str(exc.detail) if isinstance(exc, HTTPException) else str(exc)
    challenge = "Bearer" if isinstance(exc, MissingToken) else 'Bearer error="invalid_token"'
    return problem(401, detail, headers={"WWW-Authenticate": challenge})


def rate_limit_headers(quota: RateDecision | None) -> dict[str, str]:
    """``RateLimit-Limit``, ``-Remaining``, ``-Reset`` of the tightest limit that applied."""
    if quota is None:
        return {}
    return {"RateLimit-Limit": str(quota.limit), "RateLimit-Remaining": str(quota.remaining),
            "RateLimit-Reset": str(quota.reset)}  # fmt: skip


def _rate_limited(_: Request[Any, Any, Any], exc: RateLimited) -> Response[dict[str, Any]]:
    return problem(429, str(exc), headers={"Retry-After": str(exc.retry_after), **rate_limit_headers(exc.quota)})


def _unavailable(request: Request[Any, Any, Any], exc: DependencyUnavailable) -> Response[dict[str, Any]]:
    log_failure(exc, request.scope.get("request_id"), 503)  # issue 12: every 5xx logged once
    extra: dict[str, Any] = {}
    if isinstance(exc, AgentUnavailable) and exc.conversation_id is not None:
        extra["conversation_id"] = exc.conversation_id
    return problem(503, str(exc), headers={"Retry-After": str(exc.retry_after)}, **extra)


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    return problem(exc.status_code, str(exc.detail), headers=exc.headers)


def make_internal_handler(debug: bool) -> Callable[[Request[Any, Any, Any], Exception], Response[dict[str, Any]]]:
    def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
        log_failure(exc, request.scope.get("request_id"))  # issue 12: frames, no driver message
        detail = f"{type(exc).__name__}: {exc}" if debug else "an unexpected error occurred"
        return problem(HTTP_500_INTERNAL_SERVER_ERROR, detail)

    return _internal


def exception_handlers(debug: bool) -> dict[Any, Any]:
    """The app-wide exception table (the only place errors become HTTP statuses)."""
    return {
        MalformedBody: _malformed,
        NotJsonBody: _not_json,
        ValidationError: _validation,
        ValidationException: _litestar_validation,
        NotFound: _not_found,
        Conflict: _conflict,
        InvalidToken: _unauthorized,
        NotAuthorizedException: _unauthorized,
        RateLimited: _rate_limited,
        DependencyUnavailable: _unavailable,
        HTTPException: _http,
        Exception: make_internal_handler(debug),
    }


__all__ = [
    "PROBLEM_JSON",
    "FieldProblem",
    "Problem",
    "ValidationProblem",
    "exception_handlers",
    "problem",
    "problem_body",
    "rate_limit_headers",
    "send_problem",
]
