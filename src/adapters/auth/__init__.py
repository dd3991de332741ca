"""adapters/auth: the built-in Ed25519 issuer, its key file, and the JWT verifier."""

from adapters.auth.issuer import Ed25519TokenIssuer, OwnKey
from adapters.auth.keys import load_or_create_signing_key, public_jwk, write_new_signing_key
from adapters.auth.passwords import Argon2PasswordHasher
from adapters.auth.verifier import JwtTokenVerifier

__all__ = [
    "Argon2PasswordHasher",
    "Ed25519TokenIssuer",
    "JwtTokenVerifier",
    "OwnKey",
    "load_or_create_signing_key",
    "public_jwk",
    "write_new_signing_key",
]
