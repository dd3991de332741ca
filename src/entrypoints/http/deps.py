"""Request dependencies: app-scoped services from the container, the verified caller, the zone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Annotated, Any, NamedTuple, TypeVar
from urllib.parse import unquote_plus

from dishka import AsyncContainer
from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, Parameter

from application.errors import MissingToken, ValidationError
from application.ports import Principal, TokenVerifier
from application.validation import convert, decode_json
from application.zones import time_zone
from entrypoints.asgi_headers import bearer_token as scope_bearer_token
from entrypoints.asgi_headers import header
from entrypoints.http.problems import MalformedBody, NotJsonBody

T = TypeVar("T")

X_TIMEZONE = b"x-timezone"

# Longer than any 64-bit number: named nothing, whatever its value (int() of thousands of
# digits is slow and, past 4300, refused).
_ID_DIGITS_MAX = 20

PathId = Annotated[str, Parameter(schema_extra={"type": "integer"})]
"""A numeric id in the path, routed as text so that a non-number is a 422 naming the field
(a typed route parameter that fails to parse makes the router answer 404)."""


def path_id(value: str, name: str) -> int:
    """The id in ``value``: ASCII digits, optionally signed; anything else is a 422 on
    ``path.<name>``. A number no stored id can have is returned as is, for a 404."""
    digits = value[1:] if value[:1] == "-" else value
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError.single(f"path.{name}", "must be an integer")
    if len(digits) > _ID_DIGITS_MAX:
        return 0  # numbers start at 1: not found
    return int(value)


async def resolve(state: State, kind: type[T]) -> T:
    """An APP-scoped service; resolved once, then read from a dict (no per-request container)."""
    cache: dict[type[Any], Any] = state.services
    found = cache.get(kind)
    if found is None:
        container: AsyncContainer = state.container
        found = cache[kind] = await container.get(kind)
    return found  # type: ignore[no-any-return]


_SERVICE_KINDS: set[type[Any]] = {TokenVerifier}


async def resolve_services(app: Litestar) -> None:
    """Resolve every service a route depends on (start-up hook)."""
    for kind in list(_SERVICE_KINDS):
        await resolve(app.state, kind)


def bearer_token(request: Request[Any, Any, Any]) -> str:
    """The token of the ``Authorization: Bearer`` header (never the query string)."""
    token = scope_bearer_token(request.scope)
    if token is None:
        raise MissingToken("missing bearer token")
    return token


async def authenticate(request: Request[Any, Any, Any]) -> Principal:
    """Verify the bearer token and remember the caller on the request scope (for logs)."""
    verifier: TokenVerifier = request.app.state.services[TokenVerifier]
    principal = await verifier.verify(bearer_token(request))
    request.scope["user_id"] = principal.user_id  # type: ignore[typeddict-unknown-key]
    return principal


async def owner_id(request: Request[Any, Any, Any], user_id: FromPath[str]) -> str:
    """The caller's id, checked against ``{user_id}`` in the path (another user's path: 403)."""
    principal = await authenticate(request)
    if principal.user_id != user_id:
        raise PermissionDeniedException("the path names another user than the token")
    return principal.user_id


class Caller(NamedTuple):
    """The verified caller and the app's services. A route calls ``caller_of`` itself rather
    than declaring a Litestar dependency: the framework's dependency resolution cost ~10 us
    a request on the list path (measured), and every ``/api/{user_id}`` route does this."""

    owner_id: str
    services: Mapping[type[Any], Any]

    def use(self, kind: type[T]) -> T:
        """An APP-scoped service resolved at start-up (see ``serves``)."""
        return self.services[kind]  # type: ignore[no-any-return]


def serves(*kinds: type[Any]) -> None:
    """Declare the services a controller's routes ``use``: resolved once, at start-up."""
    _SERVICE_KINDS.update(kinds)


async def caller_of(request: Request[Any, Any, Any], user_id: str) -> Caller:
    """The caller, checked against ``{user_id}`` in the path."""
    return Caller(await owner_id(request, user_id), request.app.state.services)


def _declared_json(content_type: str) -> bool:
    """Whether a body declared with ``content_type`` is JSON."""
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def read_body(request: Request[Any, Any, Any], into: type[T]) -> T:
    """Decode the JSON body into a command: 422 naming the field, 400 when it is not JSON,
    415 when it is declared as another media type."""
    content_type = header(request.scope, b"content-type")  # none declared: read as JSON (some clients send none)
    if content_type is not None and not _declared_json(content_type):
        raise NotJsonBody(f"the request body must be application/json, not {content_type.partition(';')[0]!r}")
    try:
        return decode_json(await request.body() or b"", into)
    except ValueError:
        raise MalformedBody("the request body is not valid JSON") from None


_QUERY_FIELDS: dict[type[Any], frozenset[str]] = {}


def read_query(scope: Any, into: type[T]) -> T:
    """The query string's parameters that ``into`` declares (others are ignored, as the
    contract says; a repeated one counts once, its first value), converted with errors on
    ``query.NAME``. Read here rather than declared one by one on the route: Litestar's
    per-parameter parsing cost ~10 us on the list path, and the OpenAPI document takes the
    parameters from ``into`` anyway."""
    raw = scope.get("query_string") or b""
    fields = _QUERY_FIELDS.get(into)
    if fields is None:
        fields = _QUERY_FIELDS[into] = frozenset(getattr(into, "__struct_fields__", ()))
    given: dict[str, str] = {}
    if raw:
        for pair in raw.decode("latin-1").split("&"):
            name, _, value = pair.partition("=")
            name = _unquoted(name)
            if name in fields and name not in given:
                given[name] = _unquoted(value)
    return convert(given, into, prefix="query", from_strings=True)


def _unquoted(text: str) -> str:
    # urllib's parse_qsl cost ~7 us for "limit=50"; most parameters need no unquoting at all.
    return unquote_plus(text) if "%" in text or "+" in text else text


def request_zone(scope: Any) -> tzinfo:
    """The ``X-Timezone`` header (IANA name), else UTC; an unknown zone is a 422."""
    return time_zone(header(scope, X_TIMEZONE), "header.X-Timezone")
