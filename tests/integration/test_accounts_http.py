"""Built-in accounts over HTTP in-process: Better Auth's paths, answer shapes, cookie,
Origin rule, problem codes and limits; the page and its CSP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from dishka import Provider, Scope, provide
from litestar.testing import AsyncTestClient

from application.ports import PasswordHasher
from entrypoints.http.app import create_app
from tests.fakes import FastPasswordHasher, InMemoryHealthProbe, InMemoryUnitOfWork
from tests.http_support import PUBLIC_URL, InMemoryProvider, make_settings

Client = AsyncTestClient[Any]
ORIGIN = {"Origin": PUBLIC_URL}
ADA = {"name": "Ada", "email": "Ada@Example.com", "password": "correct horse"}


class FastHasherProvider(Provider):
    scope = Scope.APP

    @provide
    def hasher(self) -> PasswordHasher:
        return FastPasswordHasher()


@pytest.fixture
def store() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork()


async def _client(tmp_path: Path, store: InMemoryUnitOfWork, **settings: Any) -> Client:
    base_url = settings.pop("base_url", PUBLIC_URL)
    options = {"auth_rate_limit": 0, "auth_rate_limit_per_ip": 0, **settings}
    app = create_app(
        make_settings(tmp_path, **options), InMemoryProvider(store, InMemoryHealthProbe()), FastHasherProvider()
    )
    return AsyncTestClient(app=app, base_url=base_url)


@pytest.fixture
async def client(tmp_path: Path, store: InMemoryUnitOfWork) -> AsyncIterator[Client]:
    async with await _client(tmp_path, store) as test_client:
        yield test_client


async def test_sign_up_answers_like_better_auth_and_sets_the_session_cookie(client: Client) -> None:
    answer = await client.post("/api/auth/sign-up/email", json={**ADA, "callbackURL": "/", "image": None})

    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"token", "user"}
    assert set(body["user"]) == {"id", "name", "email", "emailVerified", "createdAt", "updatedAt"}
    assert body["user"]["email"] == "ada@example.com"
    assert body["token"].count(".") == 0  # the session token, not a JWT
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"better-auth.session_token={body['token']};")
    for flag in ("HttpOnly", "Path=/", "SameSite=lax", "Max-Age=604800"):
        assert flag in cookie
    assert "Secure" not in cookie


async def test_sign_in_get_session_token_and_sign_out(client: Client) -> None:
    user = (await client.post("/api/auth/sign-up/email", json=ADA)).json()["user"]
    client.cookies.clear()

    signed = await client.post(
        "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": "correct horse", "rememberMe": True}
    )
    assert signed.status_code == 200
    assert signed.json()["redirect"] is False and signed.json()["user"]["id"] == user["id"]

    current = await client.get("/api/auth/get-session")
    assert set(current.json()) == {"session", "user"}
    assert set(current.json()["session"]) == {"id", "userId", "expiresAt", "createdAt", "updatedAt"}
    assert current.json()["session"]["userId"] == user["id"]
    claims = jwt.decode(current.headers["set-auth-jwt"], options={"verify_signature": False})
    assert claims["sub"] == user["id"] and claims["iss"] == PUBLIC_URL and claims["aud"] == PUBLIC_URL
    assert "email" not in claims and "name" not in claims

    token = (await client.get("/api/auth/token")).json()["token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 15 * 60
    tasks = await client.post(
        f"/api/{user['id']}/tasks", json={"title": "mine"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert tasks.status_code == 201

    out = await client.post("/api/auth/sign-out", headers=ORIGIN)
    assert out.json() == {"success": True}
    assert "Max-Age=0" in out.headers["set-cookie"]
    assert (await client.get("/api/auth/get-session")).json() is None
    assert (await client.get("/api/auth/token")).status_code == 401


async def test_a_revoked_session_cookie_no_longer_works(client: Client) -> None:
    session_token = (await client.post("/api/auth/sign-up/email", json=ADA)).json()["token"]
    await client.post("/api/auth/sign-out", headers=ORIGIN)
    client.cookies.set("better-auth.session_token", session_token)
    refused = await client.get("/api/auth/token")
    assert refused.status_code == 401
    assert refused.json()["code"] == "UNAUTHORIZED"
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_wrong_password_and_unknown_email_get_one_answer(client: Client) -> None:
    await client.post("/api/auth/sign-up/email", json=ADA)
    client.cookies.clear()
    wrong = await client.post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": "wrong horse"})
    unknown = await client.post(
        "/api/auth/sign-in/email", json={"email": "bob@example.com", "password": "correct horse"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert (
        wrong.json()["code"] == "INVALID_EMAIL_OR_PASSWORD" and wrong.json()["message"] == "Invalid email or password"
    )


async def test_problems_carry_better_auths_codes(client: Client) -> None:
    await client.post("/api/auth/sign-up/email", json=ADA)
    client.cookies.clear()
    taken = await client.post("/api/auth/sign-up/email", json={**ADA, "email": "ADA@example.com"})
    assert taken.status_code == 422
    assert taken.json()["code"] == "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"
    assert taken.json()["errors"][0]["field"] == "email"
    cases = [
        ({**ADA, "password": "short"}, "password", "PASSWORD_TOO_SHORT"),
        ({**ADA, "password": "p" * 129}, "password", "PASSWORD_TOO_LONG"),
        ({**ADA, "email": "nope"}, "email", "INVALID_EMAIL"),
        ({**ADA, "userId": "chosen"}, "userId", "VALIDATION_ERROR"),
        ({"email": "a@example.com", "password": "correct horse"}, "name", "VALIDATION_ERROR"),
    ]
    for body, field, code in cases:
        answer = await client.post("/api/auth/sign-up/email", json=body)
        assert answer.status_code == 422, body
        assert (answer.json()["errors"][0]["field"], answer.json()["code"]) == (field, code)
    garbage = await client.post(
        "/api/auth/sign-in/email", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert garbage.status_code == 400 and garbage.json()["code"] == "VALIDATION_ERROR"


async def test_a_cookie_bearing_post_from_another_origin_is_refused(client: Client) -> None:
    await client.post("/api/auth/sign-up/email", json=ADA)
    for headers in (
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
    ):
        refused = await client.post("/api/auth/sign-out", headers=headers)
        assert refused.status_code == 403, headers
        assert refused.json()["code"] == "INVALID_ORIGIN"
    assert (await client.get("/api/auth/get-session")).json() is not None  # still signed in
    by_referer = await client.post("/api/auth/sign-out", headers={"Referer": PUBLIC_URL + "/"})
    assert by_referer.status_code == 200


async def test_the_frontend_origin_is_trusted_too(tmp_path: Path, store: InMemoryUnitOfWork) -> None:
    async with await _client(tmp_path, store, frontend_origins=("https://app.example",)) as client:
        await client.post("/api/auth/sign-up/email", json=ADA)
        assert (await client.post("/api/auth/sign-out", headers={"Origin": "https://app.example"})).status_code == 200
        preflight = await client.get("/api/auth/get-session", headers={"Origin": "https://app.example"})
        assert "set-auth-jwt" in preflight.headers.get("access-control-expose-headers", "")


async def test_https_cookies_are_secure_and_prefixed(tmp_path: Path, store: InMemoryUnitOfWork) -> None:
    https = "https://todo.example"
    async with await _client(
        tmp_path, store, public_url=https, allowed_hosts=("todo.example",), base_url=https
    ) as client:
        answer = await client.post("/api/auth/sign-up/email", json=ADA)
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("__Secure-better-auth.session_token=")
        assert "Secure" in cookie.split(";", 1)[1]
        assert (await client.get("/api/auth/get-session")).json()["user"]["email"] == "ada@example.com"


async def test_sign_in_and_sign_up_are_limited_with_rate_limit_headers(
    tmp_path: Path, store: InMemoryUnitOfWork
) -> None:
    async with await _client(tmp_path, store, auth_rate_limit=2, auth_rate_limit_per_ip=5) as client:
        first = await client.post("/api/auth/sign-up/email", json=ADA)
        assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == ("2", "1")
        assert 0 < int(first.headers["ratelimit-reset"]) <= 60
        client.cookies.clear()
        wrong = await client.post(
            "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": "bad password"}
        )
        assert wrong.status_code == 401 and wrong.headers["ratelimit-remaining"] == "0"
        refused = await client.post(
            "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": "correct horse"}
        )
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.json()["code"] == "TOO_MANY_REQUESTS"
        other = await client.post(
            "/api/auth/sign-in/email", json={"email": "bob@example.com", "password": "bad password"}
        )
        assert other.status_code == 401  # another e-mail: its own count
        assert other.headers["ratelimit-remaining"] == "1"  # per IP 4 of 5, per e-mail 1 of 2


async def test_accounts_off_means_404(tmp_path: Path, store: InMemoryUnitOfWork) -> None:
    async with await _client(tmp_path, store, accounts=False) as client:
        for path in ("/api/auth/sign-up/email", "/api/auth/sign-in/email", "/api/auth/sign-out"):
            assert (await client.post(path, json=ADA)).status_code == 404
        assert (await client.get("/api/auth/get-session")).status_code == 404
        assert (await client.get("/api/auth/jwks")).status_code == 200
        assert (await client.get("/")).status_code == 200


async def test_the_page_and_its_files_are_served_under_the_page_csp(client: Client) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "<script" in page.text and "<script>" not in page.text  # no inline script
    script = await client.get("/assets/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "default-src 'self'" in script.headers["content-security-policy"]
    again = await client.get("/assets/app.js", headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304
    assert (await client.get("/assets/nope.js")).status_code == 404
    assert (await client.get("/assets/index.html")).status_code == 404
    api = await client.get("/health")
    assert "default-src 'none'" in api.headers["content-security-policy"]
    assert (await client.get("/docs")).status_code == 200
    assert "/api/auth/sign-in/email" in (await client.get("/openapi.json")).json()["paths"]
