"""Built-in accounts on Better Auth's paths and answer shapes (``/api/auth/*``): sign-up,
sign-in, sign-out, get-session and token. The session travels in an HttpOnly cookie; its
problems carry Better Auth's ``code`` and ``message`` beside RFC 9457's fields."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie, State

from application.account_schemas import (
    SessionAnswer,
    SessionView,
    SignInAnswer,
    SignInRequest,
    SignOutAnswer,
    SignUpAnswer,
    SignUpRequest,
    TokenAnswer,
    UserView,
)
from application.accounts import IssueSessionToken, SessionState, SignedIn, SignIn, SignOut, SignUp
from application.errors import EmailTaken, InvalidCredentials, NotSignedIn, RateLimited, ValidationError
from domain.accounts import SESSION_LIFETIME
from entrypoints.config import Settings
from entrypoints.http.deps import read_body, resolve
from entrypoints.http.openapi import documented
from entrypoints.http.problems import MalformedBody, problem, rate_limit_headers
from entrypoints.origins import browser_origins

COOKIE = "better-auth.session_token"
SECURE_PREFIX = "__Secure-"
JWT_HEADER = "set-auth-jwt"
_COOKIE_SECONDS = int(SESSION_LIFETIME.total_seconds())
_NULL = b"null"
ATTEMPT = (400, 403, 413, 429, 503)
"""What a sign-in or sign-up can answer besides its own outcome: not JSON, a foreign origin
with the cookie, too big, over a limit, the database down."""


class ForeignOrigin(Exception):
    """A cookie-bearing POST whose Origin (or Referer) is not a trusted origin."""


def cookie_name(settings: Settings) -> str:
    """Better Auth's cookie name, with the ``__Secure-`` prefix on https."""
    return SECURE_PREFIX + COOKIE if settings.secure_cookies else COOKIE


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def session_token(request: Request[Any, Any, Any]) -> str | None:
    """The session token of the request's cookie, if any."""
    return request.cookies.get(cookie_name(_settings(request))) or None


def _check_origin(request: Request[Any, Any, Any]) -> None:
    """A POST that carries the session cookie must come from a trusted origin (as Better
    Auth does): a page elsewhere cannot act with the user's cookie."""
    if session_token(request) is None:
        return
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        referer = urlsplit(request.headers.get("referer") or "")
        origin = f"{referer.scheme}://{referer.netloc}" if referer.scheme and referer.netloc else ""
    if not origin or not browser_origins(_settings(request)).allows(origin):
        raise ForeignOrigin("the request's origin is not trusted")


def _session_cookie(settings: Settings, value: str, max_age: int = _COOKIE_SECONDS) -> Cookie:
    return Cookie(
        key=cookie_name(settings), value=value, max_age=max_age, path="/", httponly=True, samesite="lax",
        secure=settings.secure_cookies,
    )  # fmt: skip


def _client_ip(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


def _signed_in(request: Request[Any, Any, Any], answer: Any, signed: SignedIn) -> Response[Any]:
    cookie = _session_cookie(_settings(request), signed.token)
    return Response(answer, cookies=[cookie], headers=rate_limit_headers(signed.quota))


class AccountController(Controller):
    """Sign up, sign in and out with an e-mail and a password (Better Auth's email/password
    flow). The session is an HttpOnly cookie; ``/api/auth/token`` turns it into a bearer token."""

    path = "/api/auth"
    tags = ["accounts"]  # noqa: RUF012

    @post(
        "/sign-up/email",
        status_code=200,
        opt=documented(body=SignUpRequest, errors=(*ATTEMPT, 422), public=True),
    )
    async def sign_up(self, request: Request[Any, Any, Any], state: State) -> Response[SignUpAnswer]:
        """Create an account (password 8..128 characters) and sign it in. An e-mail already taken: 422."""
        _check_origin(request)
        command = await read_body(request, SignUpRequest)
        signed = await (await resolve(state, SignUp)).execute(command, _client_ip(request))
        return _signed_in(request, SignUpAnswer(signed.token, UserView.of(signed.account)), signed)

    @post(
        "/sign-in/email",
        status_code=200,
        opt=documented(body=SignInRequest, errors=(*ATTEMPT, 401, 422), public=True),
    )
    async def sign_in(self, request: Request[Any, Any, Any], state: State) -> Response[SignInAnswer]:
        """Sign in; a wrong e-mail or password is 401 with one message for both."""
        _check_origin(request)
        command = await read_body(request, SignInRequest)
        signed = await (await resolve(state, SignIn)).execute(command, _client_ip(request))
        return _signed_in(request, SignInAnswer(False, signed.token, UserView.of(signed.account)), signed)

    @post("/sign-out", status_code=200, opt=documented(errors=(403, 503), cookie=True))
    async def sign_out(self, request: Request[Any, Any, Any], state: State) -> Response[SignOutAnswer]:
        """Revoke the session on the server and clear its cookie."""
        _check_origin(request)
        await (await resolve(state, SignOut)).execute(session_token(request))
        return Response(SignOutAnswer(True), cookies=[_session_cookie(_settings(request), "", max_age=0)])

    @get("/get-session", cache=False, opt=documented(response=SessionAnswer | None, errors=(503,), cookie=True))
    async def get_session(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        """The session and its user, with a fresh JWT in the ``set-auth-jwt`` header; ``null``
        without a valid session."""
        try:
            current = await self._current(request, state)
        except NotSignedIn:
            cookies = [_session_cookie(_settings(request), "", max_age=0)] if session_token(request) else []
            return Response(_NULL, media_type="application/json", cookies=cookies)
        answer = SessionAnswer(SessionView.of(current.session), UserView.of(current.account))
        return _with_session(request, Response(answer, headers={JWT_HEADER: current.jwt or ""}), current)

    @get("/token", cache=False, opt=documented(errors=(401, 503), cookie=True))
    async def token(self, request: Request[Any, Any, Any], state: State) -> Response[TokenAnswer]:
        """A 15-minute bearer token of the server's own issuer for the signed-in user (``sub`` = user id)."""
        current = await self._current(request, state)
        return _with_session(request, Response(TokenAnswer(current.jwt or "")), current)

    async def _current(self, request: Request[Any, Any, Any], state: State) -> SessionState:
        return await (await resolve(state, IssueSessionToken)).execute(session_token(request))


def _with_session(request: Request[Any, Any, Any], response: Response[Any], current: SessionState) -> Response[Any]:
    """A session renewed on use gets its cookie again (seven more days)."""
    if current.renewed:
        response.set_cookie(_session_cookie(_settings(request), session_token(request) or ""))
    return response


# Better Auth's error codes (its BASE_ERROR_CODES), so its client shows the same messages.
_FIELD_CODES = {
    "email": ("INVALID_EMAIL", "Invalid email"),
    "password": ("PASSWORD_TOO_SHORT", "Password too short"),
}


def _validation(_: Request[Any, Any, Any], exc: ValidationError) -> Response[Any]:
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    if isinstance(exc, EmailTaken):
        code, message = "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email."
        return problem(422, str(exc), headers=rate_limit_headers(exc.quota), errors=errors, code=code, message=message)
    field = exc.errors[0].field
    code, message = _FIELD_CODES.get(field, ("VALIDATION_ERROR", f"Invalid {field}"))
    if field == "password" and "at most" in exc.errors[0].message:
        code, message = "PASSWORD_TOO_LONG", "Password too long"
    return problem(422, f"invalid input: {field}", errors=errors, code=code, message=message)


def _invalid_credentials(_: Request[Any, Any, Any], exc: InvalidCredentials) -> Response[Any]:
    headers = rate_limit_headers(exc.quota)
    return problem(
        401, str(exc), headers=headers, code="INVALID_EMAIL_OR_PASSWORD", message="Invalid email or password"
    )


def _not_signed_in(_: Request[Any, Any, Any], exc: NotSignedIn) -> Response[Any]:
    return problem(401, "not signed in: no valid session cookie", code="UNAUTHORIZED", message="Unauthorized")


def _foreign_origin(_: Request[Any, Any, Any], exc: ForeignOrigin) -> Response[Any]:
    return problem(403, str(exc), code="INVALID_ORIGIN", message="Invalid origin")


def _rate_limited(_: Request[Any, Any, Any], exc: RateLimited) -> Response[Any]:
    headers = {"Retry-After": str(exc.retry_after), **rate_limit_headers(exc.quota)}
    message = "Too many requests. Please try again later."
    return problem(429, str(exc), headers=headers, code="TOO_MANY_REQUESTS", message=message)


def _malformed(_: Request[Any, Any, Any], exc: MalformedBody) -> Response[Any]:
    return problem(400, str(exc), code="VALIDATION_ERROR", message="Invalid body")


AccountController.exception_handlers = {
    ValidationError: _validation,
    InvalidCredentials: _invalid_credentials,
    NotSignedIn: _not_signed_in,
    ForeignOrigin: _foreign_origin,
    RateLimited: _rate_limited,
    MalformedBody: _malformed,
}
