"""The built-in issuer's Ed25519 signing key on disk, and its public JWK (RFC 8037, RFC 7638)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE_MODE = 0o600


def b64url_encode(data: bytes) -> str:
    """Base64url without padding, as JOSE writes binary values."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url (padding optional); ``ValueError`` on any other character."""
    padded = text + "=" * (-len(text) % 4)
    return base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)


def raw_public_bytes(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def jwk_thumbprint(key: Ed25519PublicKey) -> str:
    """The RFC 7638 SHA-256 thumbprint of the key's OKP JWK, base64url: its ``kid``."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(raw_public_bytes(key))}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("ascii")
    return b64url_encode(hashlib.sha256(canonical).digest())


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    """The key as a public JWK for a JWKS document, ``kid`` being its thumbprint."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url_encode(raw_public_bytes(key)),
        "kid": jwk_thumbprint(key),
        "alg": "EdDSA",
        "use": "sig",
    }


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def read_signing_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in the PEM file; ``ValueError`` if it holds anything else."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} does not hold an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} holds a private key that is not Ed25519")
    return key


def _publish(path: Path, key: Ed25519PrivateKey) -> None:
    """Write the key to ``path`` (mode 0600) atomically; ``FileExistsError`` if it exists.

    The PEM goes to a private temporary file in the same folder, then is hard-linked into
    place, so a concurrent reader (another worker starting) never sees a half-written key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".signing-key-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), KEY_FILE_MODE)
            handle.write(_pem(key))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: fall back to an exclusive create
            _write_exclusive(path, _pem(key))
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)


def _write_exclusive(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), KEY_FILE_MODE)
        handle.write(data)


def write_new_signing_key(path: Path) -> Ed25519PrivateKey:
    """Generate a key and write it to a new file (mode 0600, parent folders created).

    Never overwrites: ``FileExistsError`` when the file exists (replacing a key would
    invalidate every token it signed).
    """
    key = Ed25519PrivateKey.generate()
    _publish(path, key)
    return key


def load_or_create_signing_key(path: Path) -> tuple[Ed25519PrivateKey, bool]:
    """The key in ``path``, generating and writing one first if the file is missing.

    Returns ``(key, created)``. Safe when several workers start at once: exactly one
    writes, the others read what it wrote.
    """
    if path.exists():
        return read_signing_key(path), False
    try:
        return write_new_signing_key(path), True
    except FileExistsError:
        return read_signing_key(path), False
