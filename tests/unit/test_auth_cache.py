"""The verified-token cache and the JWKS document parser."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.auth import public_jwk
from adapters.auth.cache import VerifiedTokenCache
from adapters.auth.jwks import JwksFetchError, parse_jwks
from adapters.auth.keys import raw_public_bytes
from application.errors import InvalidToken
from application.ports import Principal

ALICE, BOB, CAROL = Principal("alice"), Principal("bob"), Principal("carol")


def test_cache_returns_what_was_put_until_exp() -> None:
    cache = VerifiedTokenCache(10)
    cache.put("t1", ALICE, exp=100.0)

    assert cache.get("t1", now=99.9) == ALICE
    assert cache.get("unknown", now=0.0) is None
    with pytest.raises(InvalidToken, match="expired"):
        cache.get("t1", now=100.0)
    assert cache.get("t1", now=0.0) is None  # evicted
    assert len(cache) == 0


def test_cache_drops_the_least_recently_used() -> None:
    cache = VerifiedTokenCache(2)
    cache.put("a", ALICE, 100.0)
    cache.put("b", BOB, 100.0)
    assert cache.get("a", 0.0) == ALICE  # "b" is now the oldest

    cache.put("c", CAROL, 100.0)

    assert len(cache) == 2
    assert cache.get("b", 0.0) is None
    assert cache.get("a", 0.0) == ALICE
    assert cache.get("c", 0.0) == CAROL


def test_cache_of_size_zero_keeps_nothing() -> None:
    cache = VerifiedTokenCache(0)
    cache.put("a", ALICE, 100.0)
    assert cache.get("a", 0.0) is None


def test_negative_cache_size_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        VerifiedTokenCache(-1)


def _better_auth_entry(key: Ed25519PrivateKey, kid: str) -> dict[str, Any]:
    """A JWKS entry as Better Auth publishes it: no ``alg``, no ``use``."""
    entry = public_jwk(key.public_key())
    return {"crv": "Ed25519", "x": entry["x"], "kty": "OKP", "kid": kid}


def test_parse_jwks_keeps_ed25519_keys_by_kid_even_without_alg() -> None:
    k1, k2 = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    document = {"keys": [_better_auth_entry(k1, "one"), public_jwk(k2.public_key())]}

    keys = parse_jwks(document)

    assert set(keys) == {"one", public_jwk(k2.public_key())["kid"]}
    assert raw_public_bytes(keys["one"]) == raw_public_bytes(k1.public_key())


@pytest.mark.parametrize(
    "change",
    [
        {"kty": "RSA"},
        {"crv": "Ed448"},
        {"kid": None},
        {"kid": ""},
        {"kid": 3},
        {"x": None},
        {"x": "not base64!"},
        {"x": "AAAA"},
        {"use": "enc"},
        {"alg": "RS256"},
    ],
)
def test_parse_jwks_skips_unusable_entries(change: dict[str, Any]) -> None:
    good = _better_auth_entry(Ed25519PrivateKey.generate(), "good")
    bad = {**_better_auth_entry(Ed25519PrivateKey.generate(), "bad"), **change}

    assert set(parse_jwks({"keys": [bad, good, "junk", None]})) == {"good"}


@pytest.mark.parametrize("document", [None, [], {"keys": None}, {"keys": {}}, {"other": []}])
def test_parse_jwks_refuses_what_is_not_a_jwks(document: object) -> None:
    with pytest.raises(JwksFetchError):
        parse_jwks(document)
