"""The task API against the real server process on PostgreSQL, over real HTTP."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.auth import load_or_create_signing_key
from tests.e2e.conftest import HS256_SECRET
from tests.e2e.server import RunningServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(server: RunningServer, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "mallory", "iss": server.url, "aud": server.url, "iat": now, "exp": now + 300, **overrides}


def _own_key_token(server: RunningServer, **claims: Any) -> str:
    key, _ = load_or_create_signing_key(server.key_file)
    return jwt.encode(_claims(server, **claims), key, algorithm="EdDSA")


def bad_tokens(server: RunningServer) -> dict[str, str]:
    now = int(time.time())
    own_key, _ = load_or_create_signing_key(server.key_file)
    public_pem = own_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    stranger = Ed25519PrivateKey.generate()
    return {
        "garbage": "not-a-jwt",
        "expired": _own_key_token(server, exp=now - 10),
        "not yet valid": _own_key_token(server, nbf=now + 3600),
        "no exp": jwt.encode({k: v for k, v in _claims(server).items() if k != "exp"}, own_key, algorithm="EdDSA"),
        "wrong key": jwt.encode(_claims(server), stranger, algorithm="EdDSA"),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(server))}.",
        "hs256 with public key": _hs256_with_key(public_pem, _claims(server)),
        "unknown kid": jwt.encode(_claims(server), stranger, algorithm="EdDSA", headers={"kid": "unknown-kid"}),
        "wrong iss": _own_key_token(server, iss="https://evil.example"),
        "wrong aud": _own_key_token(server, aud="https://evil.example"),
        "hs256 wrong secret": jwt.encode(_claims(server), "x" * 40, algorithm="HS256"),
    }


def _hs256_with_key(key: bytes, claims: dict[str, Any]) -> str:
    import hashlib
    import hmac

    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(claims)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def test_token_matrix_is_401_with_www_authenticate(server: RunningServer) -> None:
    url = f"{server.url}/api/mallory/tasks"
    missing = httpx.get(url)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer", "no credentials sent: no error code (RFC 6750 3.1)"
    for name, token in bad_tokens(server).items():
        response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"', name
        assert response.headers["content-type"].startswith("application/problem+json"), name
    in_query = httpx.get(url, params={"token": server.token("mallory"), "access_token": server.token("mallory")})
    assert in_query.status_code == 401


def test_accepted_tokens_own_issuer_and_hs256(server: RunningServer) -> None:
    own = httpx.get(f"{server.url}/api/carol/tasks", headers=server.auth("carol"))
    assert own.status_code == 200
    hs = jwt.encode({"sub": "carol", "exp": int(time.time()) + 60}, HS256_SECRET, algorithm="HS256")
    assert httpx.get(f"{server.url}/api/carol/tasks", headers={"Authorization": f"Bearer {hs}"}).status_code == 200
    legacy = jwt.encode({"user_id": "carol", "exp": int(time.time()) + 60}, HS256_SECRET, algorithm="HS256")
    assert httpx.get(f"{server.url}/api/carol/tasks", headers={"Authorization": f"Bearer {legacy}"}).status_code == 200


def test_crud_cross_user_and_mass_assignment(server: RunningServer) -> None:
    dave, erin = server.auth("dave"), server.auth("erin")
    base = f"{server.url}/api/dave/tasks"
    created = httpx.post(base, json={"title": "Dentist", "due": "2026-12-01T09:00:00+01:00"}, headers=dave)
    assert created.status_code == 201
    task = created.json()
    assert task["due"] == "2026-12-01T08:00:00Z"
    for field, value in [("user_id", "erin"), ("id", 99), ("created_at", "2020-01-01T00:00:00Z")]:
        rejected = httpx.post(base, json={"title": "x", field: value}, headers=dave)
        assert rejected.status_code == 422
        assert rejected.json()["errors"][0]["field"] == field
        patched = httpx.patch(f"{base}/{task['id']}", json={field: value}, headers=dave)
        assert patched.status_code == 422
    assert httpx.get(f"{base}/{task['id']}", headers=erin).status_code == 403
    assert httpx.delete(f"{server.url}/api/erin/tasks/{task['id']}", headers=erin).status_code == 404
    assert httpx.get(base, headers=dave).json()["items"] == [task], "nothing changed"
    assert httpx.patch(f"{base}/{task['id']}/complete", headers=dave).json()["completed"] is True
    assert httpx.delete(f"{base}/{task['id']}", headers=dave).status_code == 204
    assert httpx.post(f"{base}/{task['id']}/restore", headers=dave).status_code == 200


def test_logs_hold_no_personal_data(server: RunningServer) -> None:
    secret_title = "Call Dr. Zhivago about the biopsy"
    email = "frank.secret@example.org"
    auth = server.auth(email)
    base = f"{server.url}/api/{email}/tasks"
    created = httpx.post(base, json={"title": secret_title, "description": f"mail {email}"}, headers=auth).json()
    httpx.patch(f"{base}/{created['id']}", json={"title": secret_title + " again"}, headers=auth)
    httpx.get(base, params={"q": "biopsy"}, headers=auth)
    httpx.patch(f"{base}/{created['id']}/complete", headers=auth)
    httpx.delete(f"{base}/{created['id']}", headers=auth)
    httpx.get(f"{server.url}/api/{email}/tasks/999", headers=auth)
    token = auth["Authorization"].split()[1]
    deadline = time.monotonic() + 5
    while "/api/{user_id}/tasks/{task_id" not in server.logs() and time.monotonic() < deadline:
        time.sleep(0.05)
    logs = server.logs()
    assert "/api/{user_id}/tasks" in logs, "requests are logged"
    for secret in [secret_title, "biopsy", email, "frank.secret", token, token[:40], HS256_SECRET]:
        assert secret not in logs
    for line in logs.splitlines():
        if line.startswith("{"):
            json.loads(line)
