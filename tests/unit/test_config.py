from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.config import ApiStyle, ConfigError, Settings, load_settings
from entrypoints.ioc import check_storage


def _checked(raw: str) -> Settings:
    """The settings of ``DATABASE_URL=raw`` once the storage backends accepted it (as at start)."""
    settings = load_settings({"DATABASE_URL": raw})
    check_storage(settings)
    return settings


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite+aiosqlite:///./var/todo.db"
    assert (settings.host, settings.port, settings.public_url) == ("127.0.0.1", 8000, "http://127.0.0.1:8000")
    assert settings.model is None
    assert settings.chat_rate_limit == 20
    assert settings.debug is False
    assert settings.auto_migrate is True
    assert set(settings.allowed_hosts) == {"127.0.0.1", "localhost"}
    assert settings.auth_server_url == settings.public_url


def test_plain_postgresql_urls_are_accepted() -> None:
    for raw in ["postgresql://u:p@db/todo", "postgres://u:p@db/todo", "postgresql+asyncpg://u:p@db/todo"]:
        assert _checked(f" {raw} ").database_url == raw
    assert _checked("sqlite:///x.db").database_url == "sqlite:///x.db"


@pytest.mark.parametrize(
    "raw",
    [
        "postgresql://u:p@ep-1.neon.tech/db?sslmode=require",
        "postgresql://u:p@db/todo?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem",
        "postgresql://u:p@db/todo?sslmode=require&channel_binding=prefer",
    ],
)
def test_managed_postgresql_urls_are_accepted_as_given(raw: str) -> None:
    assert load_settings({"DATABASE_URL": raw}).database_url == raw


@pytest.mark.parametrize(
    "raw",
    [
        "oracle://admin:s3cret@db/todo",
        "postgresql://admin:s3cret@/todo",
        "postgresql://admin:s3cret@ep-1.neon.tech/db?sslmode=require&channel_binding=require",
        "s3cret",
    ],
)
def test_a_database_url_error_never_prints_the_password(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _checked(raw)
    assert "DATABASE_URL" in str(caught.value)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize("raw", ["oracle://x/db", "postgresql:///nohost", "sqlite+aiosqlite:///"])
def test_database_urls_the_backends_refuse_name_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        _checked(raw)


def test_an_unknown_scheme_lists_the_installed_backends() -> None:
    with pytest.raises(ConfigError) as caught:
        _checked("oracle://admin:s3cret@db/todo")
    message = str(caught.value)
    assert "oracle://" in message
    assert "PostgreSQL (asyncpg): postgresql, postgresql+asyncpg, postgres" in message
    assert "SQLite (aiosqlite): sqlite, sqlite+aiosqlite" in message
    assert "s3cret" not in message


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"DATABASE_URL": "no url at all"}, "DATABASE_URL"),
        ({"BETTER_AUTH_SECRET": "short"}, "BETTER_AUTH_SECRET"),
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"BETTER_AUTH_URL": "not a url"}, "BETTER_AUTH_URL"),
        ({"OPENAI_API_KEY": "k", "OPENAI_API_STYLE": "soap"}, "OPENAI_API_STYLE"),
        ({"CHAT_RATE_LIMIT": "-1"}, "CHAT_RATE_LIMIT"),
        ({"OPENAI_API_STYLE": "soap"}, "OPENAI_API_STYLE"),  # also while no model is configured
        ({"OPENAI_TIMEOUT": "x"}, "OPENAI_TIMEOUT"),
        ({"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES"),
        ({"TRUSTED_PROXIES": "127.0.0.1, notanip"}, "TRUSTED_PROXIES"),
        ({"FRONTEND_URL": "notaurl"}, "FRONTEND_URL"),
        ({"FRONTEND_URL": "https://app.example.com, ftp://files.example.com"}, "FRONTEND_URL"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError, match=names):
        load_settings(env)


def test_model_settings() -> None:
    openai = load_settings({"OPENAI_API_KEY": "sk-test"}).model
    assert openai is not None
    assert openai.api_style is ApiStyle.RESPONSES
    local = load_settings({"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1", "OPENAI_MODEL": "llama3"}).model
    assert local is not None
    assert (local.api_style, local.model, local.api_key) == (ApiStyle.CHAT_COMPLETIONS, "llama3", None)


def test_hosts_origins_and_public_url() -> None:
    settings = load_settings(
        {"PUBLIC_URL": "https://todo.example.com/", "FRONTEND_URL": "https://a.example, https://b.example/"}
    )
    assert settings.public_url == "https://todo.example.com"
    assert settings.frontend_origins == ("https://a.example", "https://b.example")
    assert "todo.example.com" in settings.allowed_hosts
    assert load_settings({"HOST": "0.0.0.0", "PORT": "9000"}).public_url == "http://127.0.0.1:9000"
    assert load_settings({"BETTER_AUTH_URL": "http://auth:3000/"}).better_auth_url == "http://auth:3000"


def test_production_refuses_debug_missing_key_and_plain_http(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("placeholder")
    good = {"APP_ENV": "production", "AUTH_SIGNING_KEY_FILE": str(key), "PUBLIC_URL": "https://todo.example.com"}
    assert load_settings(good).production
    with pytest.raises(ConfigError, match="DEBUG"):
        load_settings({**good, "DEBUG": "true"})
    with pytest.raises(ConfigError, match="todo-chatbot keygen"):
        load_settings({**good, "AUTH_SIGNING_KEY_FILE": str(tmp_path / "missing.pem")})
    for plain in ["http://todo.example.com", "http://localhost:8000", "http://127.0.0.1:8000"]:
        with pytest.raises(ConfigError, match="https"):
            load_settings({**good, "PUBLIC_URL": plain})
    with pytest.raises(ConfigError, match="BETTER_AUTH_SECRET"):
        load_settings({**good, "BETTER_AUTH_SECRET": "x" * 31})
    assert load_settings({**good, "BETTER_AUTH_SECRET": "x" * 32}).better_auth_secret == "x" * 32


def test_connection_limits_and_log_level() -> None:
    defaults = load_settings({})
    assert (defaults.http_header_timeout, defaults.max_connections, defaults.log_level) == (10.0, 1000, "INFO")
    tuned = load_settings({"HTTP_HEADER_TIMEOUT": "3", "MAX_CONNECTIONS": "50", "LOG_LEVEL": "warning"})
    assert (tuned.http_header_timeout, tuned.max_connections, tuned.log_level) == (3.0, 50, "WARNING")
    for env in [{"HTTP_HEADER_TIMEOUT": "0"}, {"MAX_CONNECTIONS": "many"}, {"LOG_LEVEL": "LOUD"}]:
        with pytest.raises(ConfigError, match=next(iter(env))):
            load_settings(env)


def test_accounts_and_their_limits() -> None:
    defaults = load_settings({})
    assert (defaults.accounts, defaults.auth_rate_limit, defaults.auth_rate_limit_per_ip) == (True, 10, 30)
    off = load_settings({"ACCOUNTS": "false", "AUTH_RATE_LIMIT": "0", "AUTH_RATE_LIMIT_PER_IP": "0"})
    assert (off.accounts, off.auth_rate_limit, off.auth_rate_limit_per_ip) == (False, 0, 0)
    with pytest.raises(ConfigError, match="AUTH_RATE_LIMIT_PER_IP"):
        load_settings({"AUTH_RATE_LIMIT_PER_IP": "-1"})
    with pytest.raises(ConfigError, match="ACCOUNTS"):
        load_settings({"ACCOUNTS": "maybe"})


def test_secure_cookies_follow_the_public_url() -> None:
    assert not load_settings({"PUBLIC_URL": "http://127.0.0.1:8000"}).secure_cookies
    assert load_settings({"PUBLIC_URL": "https://todo.example/base"}).secure_cookies


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    values = {
        "BETTER_AUTH_SECRET": "s" * 40,
        "OPENAI_API_KEY": "sk-test-key",
        "DATABASE_URL": "postgresql://todo:pw@db/todo",
        "METRICS_TOKEN": "scrape-me",
        "REDIS_URL": "redis://redis:6379/0",
    }
    env = {}
    for name, value in values.items():
        path = tmp_path / name.lower()
        path.write_text(value + "\n")  # as `echo` and most secret stores write them
        env[f"{name}_FILE"] = str(path)
    settings = load_settings(env)
    assert settings.better_auth_secret == values["BETTER_AUTH_SECRET"]
    assert settings.model is not None and settings.model.api_key == "sk-test-key"
    assert settings.database_url == values["DATABASE_URL"]
    assert settings.metrics_token == "scrape-me"
    assert settings.redis_url == "redis://redis:6379/0"
    for value in values.values():
        assert value not in repr(settings)


def test_a_secret_and_its_file_together_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("from-file")
    with pytest.raises(ConfigError, match="METRICS_TOKEN or METRICS_TOKEN_FILE") as caught:
        load_settings({"METRICS_TOKEN": "in-env", "METRICS_TOKEN_FILE": str(path)})
    assert "in-env" not in str(caught.value) and "from-file" not in str(caught.value)
    with pytest.raises(ConfigError, match="REDIS_URL_FILE"):
        load_settings({"REDIS_URL_FILE": str(tmp_path / "missing")})


def test_limits_proxies_and_redis() -> None:
    defaults = load_settings({})
    assert (defaults.rate_limit_per_ip, defaults.trusted_proxies, defaults.redis_url) == (
        100,
        ("127.0.0.1", "::1"),
        None,
    )
    tuned = load_settings(
        {"RATE_LIMIT_PER_IP": "0", "TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.2", "REDIS_URL": "redis://r/1"}
    )
    assert (tuned.rate_limit_per_ip, tuned.trusted_proxies, tuned.redis_url) == (
        0,
        ("10.0.0.0/8", "192.168.1.2"),
        "redis://r/1",
    )
    assert load_settings({"TRUSTED_PROXIES": ""}).trusted_proxies == ()
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_settings({"REDIS_URL": "http://redis:6379"})


@pytest.mark.parametrize("name", ["PUBLIC_URL", "BETTER_AUTH_URL", "OPENAI_BASE_URL"])
def test_a_bad_url_is_named_but_not_printed(name: str) -> None:
    with pytest.raises(ConfigError, match=name) as caught:
        load_settings({name: "ftp://user:hunter2@host"})
    assert "hunter2" not in str(caught.value)


def test_proxies_and_origins_take_addresses_networks_and_the_wildcard() -> None:
    settings = load_settings(
        {"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7, ::1, fd00::/8", "FRONTEND_URL": "https://app.example.com, *"}
    )
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8")
    assert settings.frontend_origins == ("https://app.example.com", "*")
    assert load_settings({"TRUSTED_PROXIES": "*"}).trusted_proxies == ("*",)
    assert load_settings({"TRUSTED_PROXIES": ""}).trusted_proxies == ()
