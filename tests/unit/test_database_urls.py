"""Database URLs as managed PostgreSQL services give them, turned into driver arguments."""

from __future__ import annotations

import ssl

import pytest

from adapters.persistence.asyncpg.urls import UnsupportedDatabaseUrl, database_target


@pytest.mark.parametrize(
    ("raw", "dsn"),
    [
        ("postgresql+asyncpg://u:p@h:5/db", "postgresql://u:p@h:5/db"),
        ("postgres://u@h/db", "postgresql://u@h/db"),
        ("postgresql://u:p@h/db?sslmode=require&application_name=todo", "postgresql://u:p@h/db?application_name=todo"),
        ("postgresql://u:p@h/db?sslmode=disable", "postgresql://u:p@h/db"),
        ("postgresql://u:p@h/db?sslmode=prefer&channel_binding=prefer", "postgresql://u:p@h/db"),
    ],
)
def test_every_spelling_becomes_one_dsn_without_libpq_tls_parameters(raw: str, dsn: str) -> None:
    assert database_target(raw).asyncpg_dsn == dsn


@pytest.mark.parametrize(
    "raw", ["postgresql://u@h/db", "postgresql://u@h/db?sslmode=prefer", "postgresql://u@h/db?sslmode=disable"]
)
def test_no_tls_mode_leaves_the_drivers_default(raw: str) -> None:
    assert database_target(raw).connect_args == {}


def test_require_encrypts_without_checking_the_certificate() -> None:
    context = database_target("postgresql://u@h/db?sslmode=require").connect_args["ssl"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_NONE
    assert not context.check_hostname


def test_verify_full_checks_the_chain_and_the_name() -> None:
    context = database_target("postgresql://u@h/db?sslmode=verify-full&sslrootcert=system").connect_args["ssl"]
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_channel_binding_require_is_refused_with_a_clear_message() -> None:
    with pytest.raises(UnsupportedDatabaseUrl, match="channel_binding=require") as caught:
        database_target("postgresql://neon:s3cret@ep-1.neon.tech/db?sslmode=require&channel_binding=require")
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    "raw",
    [
        "postgresql://u:s3cret@h/db?sslmode=sometimes",
        "postgresql://u:s3cret@h/db?sslmode=verify-full&sslrootcert=/nope.pem",
    ],
)
def test_unusable_tls_settings_are_refused_without_the_password(raw: str) -> None:
    with pytest.raises(UnsupportedDatabaseUrl) as caught:
        database_target(raw)
    assert "s3cret" not in str(caught.value)
