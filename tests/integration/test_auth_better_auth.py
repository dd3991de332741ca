"""Better Auth tokens verified with keys from a real JWKS server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.auth import Ed25519TokenIssuer, JwtTokenVerifier, public_jwk
from application.errors import AuthUnavailable, InvalidToken
from application.ports import Principal
from tests.fakes import FixedClock

SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-0123"


class JwksServer:
    """A tiny HTTP server answering every request with ``document`` (or ``raw``)."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.raw: bytes | None = None
        self.status = "200 OK"
        self.hang = False
        self.paths: list[str] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._released = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def hits(self) -> int:
        return len(self.paths)

    def publish(self, *keys: tuple[str, Ed25519PrivateKey]) -> None:
        """Serve these keys as Better Auth does: ``kty``, ``crv``, ``x``, ``kid``, no ``alg``."""
        self.document = {
            "keys": [
                {"crv": "Ed25519", "x": public_jwk(key.public_key())["x"], "kty": "OKP", "kid": kid}
                for kid, key in keys
            ]
        }

    async def start(self) -> None:
        self._released.clear()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        self.paths.append(request.split(b" ")[1].decode())
        if self.hang:
            await self._released.wait()
        body = self.raw if self.raw is not None else json.dumps(self.document).encode()
        head = f"HTTP/1.1 {self.status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"Connection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()


@pytest.fixture
async def server() -> AsyncIterator[JwksServer]:
    server = JwksServer()
    await server.start()
    yield server
    await server.stop()


class Auth:
    """A verifier trusting ``server`` as Better Auth, a clock, and a Better Auth signer."""

    def __init__(self, server: JwksServer, **options: Any) -> None:
        self.server = server
        self.clock = FixedClock()
        self.own = Ed25519TokenIssuer(
            Ed25519PrivateKey.generate(), issuer="https://todo.test", audience="https://todo.test", clock=self.clock
        )
        self.verifier = JwtTokenVerifier(
            own_key=self.own.verification_key(), clock=self.clock, better_auth_url=server.url, **options
        )
        self.keys = {kid: Ed25519PrivateKey.generate() for kid in ("k1", "k2", "k3")}

    def token(self, kid: str | None = "k1", key: Ed25519PrivateKey | None = None, **changes: Any) -> str:
        now = int(self.clock.now().timestamp())
        claims = {"iss": self.server.url, "aud": self.server.url, "sub": "user-1", "iat": now, "exp": now + 900}
        claims |= {"email": "u@example.com", "name": "U"} | changes
        payload = {k: v for k, v in claims.items() if v is not None}
        headers = {"kid": kid} if kid else None
        return jwt.encode(payload, key or self.keys[kid or "k1"], algorithm="EdDSA", headers=headers)


@pytest.fixture
async def auth(server: JwksServer) -> AsyncIterator[Auth]:
    auth = Auth(server, hs256_secret=SECRET)
    server.publish(("k1", auth.keys["k1"]))
    yield auth
    await auth.verifier.aclose()


async def test_keys_are_fetched_on_first_need_then_cached(auth: Auth, server: JwksServer) -> None:
    assert server.hits == 0

    assert await auth.verifier.verify(auth.token()) == Principal("user-1")
    assert await auth.verifier.verify(auth.token(sub="user-2")) == Principal("user-2")

    assert server.paths == ["/api/auth/jwks"]


async def test_concurrent_first_requests_share_one_fetch(auth: Auth, server: JwksServer) -> None:
    tokens = [auth.token(sub=f"user-{i}") for i in range(10)]

    principals = await asyncio.gather(*(auth.verifier.verify(t) for t in tokens))

    assert [p.user_id for p in principals] == [f"user-{i}" for i in range(10)]
    assert server.hits == 1


async def test_rotation_refetches_once_and_refetches_are_rate_limited(auth: Auth, server: JwksServer) -> None:
    await auth.verifier.verify(auth.token())
    server.publish(("k1", auth.keys["k1"]), ("k2", auth.keys["k2"]))

    assert await auth.verifier.verify(auth.token(kid="k2")) == Principal("user-1")
    assert server.hits == 2

    with pytest.raises(InvalidToken, match="unknown key id"):
        await auth.verifier.verify(auth.token(kid="k3"))
    assert server.hits == 2  # within a minute of the last fetch: no new request

    auth.clock.advance(seconds=61)
    with pytest.raises(InvalidToken, match="unknown key id"):
        await auth.verifier.verify(auth.token(kid="k3"))
    assert server.hits == 3  # refetched, still unknown


async def test_server_down_without_cached_keys_is_unavailable(server: JwksServer) -> None:
    await server.stop()
    auth = Auth(server)
    try:
        with pytest.raises(AuthUnavailable) as caught:
            await auth.verifier.verify(auth.token())
        assert caught.value.retry_after > 0

        await server.start()  # back on the same port
        server.publish(("k1", auth.keys["k1"]))
        with pytest.raises(AuthUnavailable):
            await auth.verifier.verify(auth.token())
        assert server.hits == 0  # a failed fetch is retried only after a short pause

        auth.clock.advance(seconds=5)
        assert await auth.verifier.verify(auth.token()) == Principal("user-1")
        assert server.hits == 1
    finally:
        await auth.verifier.aclose()


async def test_server_down_with_cached_key_still_verifies(auth: Auth, server: JwksServer) -> None:
    await auth.verifier.verify(auth.token())
    await server.stop()

    assert await auth.verifier.verify(auth.token(sub="user-2")) == Principal("user-2")
    auth.clock.advance(seconds=61)
    assert await auth.verifier.verify(auth.token(sub="user-3")) == Principal("user-3")
    with pytest.raises(AuthUnavailable):  # a new key may exist but cannot be fetched
        await auth.verifier.verify(auth.token(kid="k2"))


@pytest.mark.parametrize(
    ("status", "raw"),
    [("500 Internal Server Error", b"{}"), ("200 OK", b"<html>"), ("200 OK", b"[1]"), ("200 OK", b" " * 70_000)],
)
async def test_unusable_jwks_responses_are_unavailable(auth: Auth, server: JwksServer, status: str, raw: bytes) -> None:
    server.status, server.raw = status, raw

    with pytest.raises(AuthUnavailable):
        await auth.verifier.verify(auth.token())


async def test_a_hanging_jwks_server_times_out(server: JwksServer) -> None:
    server.hang = True
    auth = Auth(server, jwks_timeout_seconds=0.2)
    try:
        with pytest.raises(AuthUnavailable):
            await auth.verifier.verify(auth.token())
    finally:
        await auth.verifier.aclose()


async def test_better_auth_issuer_and_audience_default_to_its_url(auth: Auth, server: JwksServer) -> None:
    assert await auth.verifier.verify(auth.token(iss=server.url + "/")) == Principal("user-1")
    with pytest.raises(InvalidToken, match="issuer"):
        await auth.verifier.verify(auth.token(iss="https://evil.test"))
    with pytest.raises(InvalidToken, match="audience"):
        await auth.verifier.verify(auth.token(aud="https://evil.test"))
    with pytest.raises(InvalidToken, match="issuer"):  # the built-in issuer's iss is not Better Auth's
        await auth.verifier.verify(auth.token(iss="https://todo.test", aud="https://todo.test"))


async def test_issuer_and_audience_overrides(server: JwksServer) -> None:
    auth = Auth(server, better_auth_issuer="https://auth.test", better_auth_audience="todo-api")
    server.publish(("k1", auth.keys["k1"]))
    try:
        good = auth.token(iss="https://auth.test", aud=["todo-api", "other"])
        assert await auth.verifier.verify(good) == Principal("user-1")
        with pytest.raises(InvalidToken, match="issuer"):
            await auth.verifier.verify(auth.token(aud="todo-api"))
        with pytest.raises(InvalidToken, match="audience"):
            await auth.verifier.verify(auth.token(iss="https://auth.test"))
    finally:
        await auth.verifier.aclose()


async def test_better_auth_token_matrix(auth: Auth) -> None:
    now = int(auth.clock.now().timestamp())
    bad = {
        "wrong key": auth.token(key=Ed25519PrivateKey.generate()),
        "expired": auth.token(exp=now - 1),
        "no exp": auth.token(exp=None),
        "not yet valid": auth.token(nbf=now + 600),
        "no kid (own key tried)": auth.token(kid=None),
        "alg none": jwt.encode({"sub": "x", "exp": now + 60}, None, algorithm="none", headers={"kid": "k1"}),
    }
    for name, token in bad.items():
        try:
            await auth.verifier.verify(token)
        except InvalidToken:
            continue
        pytest.fail(f"accepted: {name}")


async def test_all_sources_at_once(auth: Auth) -> None:
    now = int(auth.clock.now().timestamp())
    hs256 = jwt.encode({"sub": "phase-2", "exp": now + 60}, SECRET, algorithm="HS256")

    assert await auth.verifier.verify(auth.token()) == Principal("user-1")
    assert await auth.verifier.verify(auth.own.issue("own-user", 60)) == Principal("own-user")
    assert await auth.verifier.verify(hs256) == Principal("phase-2")
