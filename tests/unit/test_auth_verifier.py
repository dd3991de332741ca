"""The token matrix at the verifier: the built-in issuer and HS256 with a shared secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key

from adapters.auth import Ed25519TokenIssuer, JwtTokenVerifier
from adapters.auth.keys import raw_public_bytes
from application.errors import InvalidToken
from application.ports import Principal
from tests.fakes import FixedClock

URL = "https://todo.test"
SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-0123"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _compact(header: dict[str, Any], payload: dict[str, Any], mac_key: bytes | None = None) -> str:
    """A hand-made token: HMAC-SHA256 with ``mac_key``, else an empty signature."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = hmac.new(mac_key, signing_input.encode(), hashlib.sha256).digest() if mac_key else b""
    return f"{signing_input}.{_b64(signature)}"


class Setup:
    """An issuer and a verifier sharing a clock."""

    def __init__(self, *, secret: str | None = SECRET, issuer: str | None = None, audience: str | None = None) -> None:
        self.clock = FixedClock()
        self.key = Ed25519PrivateKey.generate()
        self.issuer = Ed25519TokenIssuer(self.key, issuer=URL, audience=URL, clock=self.clock)
        self.verifier = JwtTokenVerifier(
            own_key=self.issuer.verification_key(),
            clock=self.clock,
            hs256_secret=secret,
            better_auth_issuer=issuer,
            better_auth_audience=audience,
        )

    @property
    def now(self) -> int:
        return int(self.clock.now().timestamp())

    def claims(self, **changes: Any) -> dict[str, Any]:
        claims = {"iss": URL, "aud": URL, "sub": "alice", "iat": self.now, "exp": self.now + 300}
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def own(self, key: Ed25519PrivateKey | None = None, kid: str | None = "own", **changes: Any) -> str:
        headers = {"kid": self.issuer.kid if kid == "own" else kid} if kid else None
        return jwt.encode(self.claims(**changes), key or self.key, algorithm="EdDSA", headers=headers)

    def hs256(self, secret: str = SECRET, **changes: Any) -> str:
        claims = {"sub": "alice", "exp": self.now + 300}
        claims.update(changes)
        return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")


@pytest.fixture
def s() -> Setup:
    return Setup()


async def _rejects(s: Setup, token: str, reason: str | None = None) -> None:
    with pytest.raises(InvalidToken, match=reason) as caught:
        await s.verifier.verify(token)
    assert token not in str(caught.value) or not token


async def test_own_issuer_round_trip(s: Setup) -> None:
    token = s.issuer.issue("alice", ttl_seconds=60)

    assert await s.verifier.verify(token) == Principal("alice")
    assert await s.verifier.verify(token) == Principal("alice")  # from the cache


async def test_own_token_without_kid_is_checked_against_the_own_key(s: Setup) -> None:
    assert await s.verifier.verify(s.own(kid=None)) == Principal("alice")


@pytest.mark.parametrize("token", ["", "   "])
async def test_missing_token(s: Setup, token: str) -> None:
    await _rejects(s, token, "missing")


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "a.b", "....", "eyJhbGciOiJFZERTQSJ9.e30.!!", "é.é.é"])
async def test_garbage(s: Setup, token: str) -> None:
    await _rejects(s, token)


async def test_overlong_token(s: Setup) -> None:
    await _rejects(s, s.own(pad="x" * 9000), "too long")


async def test_expired(s: Setup) -> None:
    await _rejects(s, s.own(exp=s.now - 1), "expired")
    await _rejects(s, s.own(exp=s.now), "expired")


async def test_no_exp(s: Setup) -> None:
    await _rejects(s, s.own(exp=None), "expiry")
    await _rejects(s, s.hs256(exp=None), "expiry")


@pytest.mark.parametrize("exp", ["tomorrow", True, [1]])
async def test_exp_must_be_a_number(s: Setup, exp: object) -> None:
    await _rejects(s, _compact({"alg": "HS256"}, {"sub": "alice", "exp": exp}, SECRET.encode()))


async def test_not_yet_valid(s: Setup) -> None:
    await _rejects(s, s.own(nbf=s.now + 120), "not yet valid")
    await _rejects(s, s.own(iat=s.now + 120), "future")
    assert await s.verifier.verify(s.own(nbf=s.now + 20, iat=s.now + 20)) == Principal("alice")  # skew leeway


async def test_wrong_key(s: Setup) -> None:
    other = Ed25519PrivateKey.generate()
    await _rejects(s, s.own(key=other), "signature")
    await _rejects(s, s.own(key=other, kid=None), "signature")


async def test_signature_of_another_token_is_rejected(s: Setup) -> None:
    good = s.own()
    forged_payload = s.own(sub="mallory").split(".")[1]
    head, _, sig = good.split(".")
    await _rejects(s, f"{head}.{forged_payload}.{sig}", "signature")


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
async def test_alg_none(s: Setup, alg: str) -> None:
    await _rejects(s, _compact({"alg": alg, "typ": "JWT"}, s.claims()), "algorithm")


async def test_missing_alg(s: Setup) -> None:
    await _rejects(s, _compact({"typ": "JWT"}, s.claims()), "algorithm")


async def test_other_algorithms_are_refused(s: Setup) -> None:
    rsa = generate_private_key(public_exponent=65537, key_size=2048)
    await _rejects(s, jwt.encode(s.claims(), rsa, algorithm="RS256"), "algorithm")
    await _rejects(s, jwt.encode(s.claims(), SECRET * 2, algorithm="HS512"), "algorithm")


@pytest.mark.parametrize("secret", [SECRET, None])
async def test_hs256_signed_with_the_public_key_is_rejected(secret: str | None) -> None:
    s = Setup(secret=secret)
    public = s.key.public_key()
    candidates = [
        raw_public_bytes(public),
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        json.dumps(s.issuer.public_jwks()).encode(),
        _b64(raw_public_bytes(public)).encode(),
    ]
    for mac_key in candidates:
        token = _compact({"alg": "HS256", "kid": s.issuer.kid}, s.claims(), mac_key)
        await _rejects(s, token, "signature" if secret else "HS256 tokens are not accepted")


async def test_eddsa_header_with_hmac_signature_is_rejected(s: Setup) -> None:
    await _rejects(s, _compact({"alg": "EdDSA"}, s.claims(), raw_public_bytes(s.key.public_key())))


async def test_unknown_kid_without_better_auth(s: Setup) -> None:
    await _rejects(s, s.own(kid="someone-else"), "unknown key")


async def test_kid_must_be_a_string(s: Setup) -> None:
    await _rejects(s, _compact({"alg": "EdDSA", "kid": 7}, s.claims()), "malformed")


async def test_critical_header_extensions_are_refused(s: Setup) -> None:
    detached = _b64(json.dumps({"alg": "EdDSA", "crit": ["b64"], "b64": False}).encode())
    await _rejects(s, f"{detached}..{_b64(b'signature')}", "critical")  # RFC 7797 detached payload
    await _rejects(s, _compact({"alg": "EdDSA", "crit": ["exp"]}, s.claims()), "critical")


async def test_signed_payload_that_is_not_a_json_object(s: Setup) -> None:
    header = _b64(json.dumps({"alg": "HS256"}).encode())
    for payload in (b"not json", b"[1, 2]"):
        signing_input = f"{header}.{_b64(payload)}"
        signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
        await _rejects(s, f"{signing_input}.{_b64(signature)}", "malformed")


async def test_wrong_issuer_and_audience_of_own_tokens(s: Setup) -> None:
    await _rejects(s, s.own(iss="https://evil.test"), "issuer")
    await _rejects(s, s.own(iss=None), "issuer")
    await _rejects(s, s.own(aud="https://evil.test"), "audience")
    await _rejects(s, s.own(aud=None), "audience")
    assert await s.verifier.verify(s.own(aud=["x", URL])) == Principal("alice")


async def test_user_is_sub_else_user_id(s: Setup) -> None:
    assert await s.verifier.verify(s.own(sub="u-1", user_id="u-2")) == Principal("u-1")
    assert await s.verifier.verify(s.own(sub=None, user_id="u-2")) == Principal("u-2")
    assert await s.verifier.verify(s.hs256(sub=None, user_id="u-3")) == Principal("u-3")


@pytest.mark.parametrize(
    "claims",
    [{"sub": None}, {"sub": ""}, {"sub": "  "}, {"sub": 42}, {"sub": None, "user_id": 42}, {"sub": "x" * 256}],
)
async def test_user_id_must_be_a_short_non_empty_string(s: Setup, claims: dict[str, Any]) -> None:
    await _rejects(s, s.own(**claims))


async def test_hs256_phase_two_token_with_only_sub_and_exp(s: Setup) -> None:
    assert await s.verifier.verify(s.hs256()) == Principal("alice")
    assert await s.verifier.verify(s.hs256(sub="bob", iss="anything", aud="anyone")) == Principal("bob")


async def test_hs256_with_the_wrong_secret(s: Setup) -> None:
    await _rejects(s, s.hs256(secret="another-secret-another-secret-0123456"), "signature")


async def test_hs256_refused_without_a_secret() -> None:
    s = Setup(secret=None)
    await _rejects(s, s.hs256(), "HS256")


async def test_hs256_checks_configured_issuer_and_audience() -> None:
    s = Setup(issuer="https://auth.test", audience="todo-api")
    assert await s.verifier.verify(s.hs256(iss="https://auth.test", aud="todo-api")) == Principal("alice")
    await _rejects(s, s.hs256(aud="todo-api"), "issuer")
    await _rejects(s, s.hs256(iss="https://auth.test"), "audience")
    await _rejects(s, s.hs256(iss="https://auth.test", aud="other"), "audience")


async def test_cached_token_is_rejected_once_expired(s: Setup) -> None:
    token = s.issuer.issue("alice", ttl_seconds=60)
    assert await s.verifier.verify(token) == Principal("alice")

    s.clock.advance(seconds=59)
    assert await s.verifier.verify(token) == Principal("alice")
    s.clock.advance(seconds=1)
    await _rejects(s, token, "expired")
    await _rejects(s, token, "expired")  # and not resurrected by the second look
