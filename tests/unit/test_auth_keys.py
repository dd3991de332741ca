"""The signing key file and the issuer's public JWK."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from adapters.auth import Ed25519TokenIssuer, keys, load_or_create_signing_key, public_jwk, write_new_signing_key
from adapters.auth.keys import b64url_decode, jwk_thumbprint, raw_public_bytes, read_signing_key
from tests.fakes import FixedClock


def _raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def test_missing_key_file_is_created_private_in_new_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "signing-key.pem"

    key, created = load_or_create_signing_key(path)

    assert created is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [p.name for p in path.parent.iterdir()] == ["signing-key.pem"]  # no temporary file left
    assert _raw_private(read_signing_key(path)) == _raw_private(key)


def test_existing_key_file_is_reused(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    first, _ = load_or_create_signing_key(path)

    second, created = load_or_create_signing_key(path)

    assert created is False
    assert _raw_private(second) == _raw_private(first)


def test_write_new_signing_key_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "k.pem"
    key = write_new_signing_key(path)
    before = path.read_bytes()

    with pytest.raises(FileExistsError):
        write_new_signing_key(path)

    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _raw_private(load_or_create_signing_key(path)[0]) == _raw_private(key)


def test_a_key_written_by_another_worker_meanwhile_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "signing-key.pem"
    theirs = Ed25519PrivateKey.generate()
    original = keys.write_new_signing_key

    def race(target: Path) -> Ed25519PrivateKey:
        target.write_bytes(
            theirs.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return original(target)

    monkeypatch.setattr(keys, "write_new_signing_key", race)

    key, created = load_or_create_signing_key(path)

    assert created is False
    assert _raw_private(key) == _raw_private(theirs)


def test_without_hard_links_the_key_is_still_written_privately(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: str, dst: Path) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(keys.os, "link", no_links)
    path = tmp_path / "signing-key.pem"

    key, created = load_or_create_signing_key(path)

    assert created is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _raw_private(read_signing_key(path)) == _raw_private(key)
    assert [p.name for p in tmp_path.iterdir()] == ["signing-key.pem"]


def test_a_file_that_is_not_a_pem_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_text("hello")

    with pytest.raises(ValueError, match="PEM private key"):
        load_or_create_signing_key(path)


def test_a_key_of_another_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    ec_key = generate_private_key(SECP256R1())
    path.write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )

    with pytest.raises(ValueError, match="not Ed25519"):
        load_or_create_signing_key(path)


def test_thumbprint_matches_rfc_8037_example() -> None:
    # RFC 8037, appendix A.2 / A.3
    x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    key = Ed25519PublicKey.from_public_bytes(b64url_decode(x))

    assert jwk_thumbprint(key) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_b64url_decode_is_strict() -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        b64url_decode("ab!!")


def test_public_jwks_lists_the_public_key_only() -> None:
    key = Ed25519PrivateKey.generate()
    issuer = Ed25519TokenIssuer(key, issuer="https://todo.test", audience="https://todo.test", clock=FixedClock())

    jwks = issuer.public_jwks()

    assert jwks == {"keys": [public_jwk(key.public_key())]}
    (entry,) = jwks["keys"]  # type: ignore[misc]
    assert entry["kty"] == "OKP"
    assert entry["crv"] == "Ed25519"
    assert entry["alg"] == "EdDSA"
    assert entry["use"] == "sig"
    assert entry["kid"] == issuer.kid == jwk_thumbprint(key.public_key())
    assert "d" not in entry
    assert b64url_decode(entry["x"]) == raw_public_bytes(key.public_key())


def test_issued_token_verifies_with_the_published_jwks() -> None:
    clock = FixedClock()
    key = Ed25519PrivateKey.generate()
    issuer = Ed25519TokenIssuer(key, issuer="https://todo.test", audience="https://todo.test", clock=clock)

    token = issuer.issue("alice", ttl_seconds=300)

    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA"
    assert header["kid"] == issuer.kid
    signing_key = jwt.PyJWKSet.from_dict(issuer.public_jwks())[issuer.kid]
    claims = jwt.decode(
        token, signing_key, algorithms=["EdDSA"], audience="https://todo.test", options={"verify_exp": False}
    )
    now = int(clock.now().timestamp())
    assert claims == {
        "iss": "https://todo.test",
        "aud": "https://todo.test",
        "sub": "alice",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }


@pytest.mark.parametrize(("user_id", "ttl"), [("", 60), ("x" * 256, 60), ("alice", 0), ("alice", -5)])
def test_issue_refuses_bad_arguments(user_id: str, ttl: int) -> None:
    issuer = Ed25519TokenIssuer(Ed25519PrivateKey.generate(), issuer="i", audience="a", clock=FixedClock())

    with pytest.raises(ValueError):  # noqa: PT011
        issuer.issue(user_id, ttl)
