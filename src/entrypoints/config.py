"""Settings: read once from the environment, validated at start."""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from entrypoints.secrets import SecretFileError, with_secret_files

MIN_SECRET_LENGTH = 32


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


class ApiStyle(StrEnum):
    RESPONSES = "responses"
    CHAT_COMPLETIONS = "chat_completions"


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """The language model, when one is configured (else the offline agent answers)."""

    api_key: str | None = field(repr=False)
    base_url: str | None
    model: str
    api_style: ApiStyle
    timeout_seconds: float = 30.0
    max_retries: int = 2
    max_steps: int = 8


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = field(default="sqlite+aiosqlite:///./var/todo.db", repr=False)
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    better_auth_url: str | None = None
    better_auth_secret: str | None = field(default=None, repr=False)
    better_auth_issuer: str | None = None
    better_auth_audience: str | None = None
    signing_key_file: Path = Path("./var/signing-key.pem")
    model: ModelSettings | None = None
    chat_rate_limit: int = 20
    accounts: bool = True
    auth_rate_limit: int = 10
    auth_rate_limit_per_ip: int = 30
    frontend_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1")
    auto_migrate: bool = True
    production: bool = False
    debug: bool = False
    db_pool_size: int = 10
    http_header_timeout: float = 10.0
    max_connections: int = 1000
    log_level: str = "INFO"
    metrics_token: str | None = field(default=None, repr=False)
    rate_limit_per_ip: int = 100
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    redis_url: str | None = field(default=None, repr=False)

    @property
    def secure_cookies(self) -> bool:
        """Session cookies get ``Secure`` and the ``__Secure-`` prefix on https."""
        return self.public_url.startswith("https://")

    @property
    def auth_server_url(self) -> str:
        """The OAuth authorization server named in MCP resource metadata."""
        return self.better_auth_url or self.public_url


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (env.get(name) or "").strip().upper()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _url(env: Mapping[str, str], name: str) -> str | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"{name} must be an http(s) URL")  # the value may hold credentials
    return raw.rstrip("/")


def _database_url(raw: str) -> str:
    """The URL as given once it looks like one (``SCHEME://...``). Which schemes are served,
    and what else a URL needs, is for the installed storage backends to say (checked at start
    by ``ioc.check_storage``). Messages name the variable, never the URL: it may hold a password."""
    url = raw.strip()
    scheme, separator, rest = url.partition("://")
    if not separator or not scheme or not rest:
        raise ConfigError(
            "DATABASE_URL must be a database URL such as postgresql://USER:PASSWORD@HOST/DB or sqlite+aiosqlite:///PATH"
        )
    return url


def _model(env: Mapping[str, str]) -> ModelSettings | None:
    key = (env.get("OPENAI_API_KEY") or "").strip() or None
    base_url = _url(env, "OPENAI_BASE_URL")
    # Checked even while no model is configured: a bad value is a mistake to report now,
    # not when a key is added.
    style_raw = (env.get("OPENAI_API_STYLE") or "").strip().lower()
    try:
        chosen_style = ApiStyle(style_raw) if style_raw else None
    except ValueError:
        raise ConfigError(f"OPENAI_API_STYLE must be responses or chat_completions, got {style_raw!r}") from None
    timeout = float(_int(env, "OPENAI_TIMEOUT", 30, 1, 600))
    if key is None and base_url is None:
        return None
    style = chosen_style or (ApiStyle.CHAT_COMPLETIONS if base_url else ApiStyle.RESPONSES)
    model = (env.get("OPENAI_MODEL") or "").strip() or "gpt-4.1-mini"
    return ModelSettings(key, base_url, model, style, timeout_seconds=timeout)


LOOPBACK = ("127.0.0.1", "::1")
"""Proxies believed by default, as uvicorn's ``forwarded_allow_ips`` (a proxy on the host)."""


def _redis_url(env: Mapping[str, str]) -> str | None:
    raw = (env.get("REDIS_URL") or "").strip()
    if not raw:
        return None
    if urlsplit(raw).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError("REDIS_URL must be redis://HOST:PORT/DB, rediss://... or unix://PATH")
    return raw


def _csv(raw: str | None) -> tuple[str, ...]:
    return tuple(item.strip().rstrip("/") for item in (raw or "").split(",") if item.strip())


def _origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """``FRONTEND_URL``: browser origins (``scheme://host[:port]``), or ``*`` for any."""
    origins = _csv(env.get("FRONTEND_URL"))
    for origin in origins:
        parts = urlsplit(origin)
        if origin != "*" and (parts.scheme not in {"http", "https"} or not parts.hostname):
            raise ConfigError(f"FRONTEND_URL holds {origin!r}: each origin must be like https://app.example.com")
    return origins


def _proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    """``TRUSTED_PROXIES``: IP addresses and networks (CIDR), or ``*`` for any."""
    proxies = _csv(env.get("TRUSTED_PROXIES", ",".join(LOOPBACK)))
    for proxy in proxies:
        if proxy == "*":
            continue
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(f"TRUSTED_PROXIES holds {proxy!r}: not an IP address or a CIDR network") from None
    return proxies


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise ``ConfigError`` naming the bad variable."""
    try:
        env = with_secret_files(os.environ if env is None else env)
    except SecretFileError as exc:
        raise ConfigError(str(exc)) from None
    app_env = (env.get("APP_ENV") or "development").strip().lower()
    if app_env not in {"development", "production"}:
        raise ConfigError(f"APP_ENV must be development or production, got {app_env!r}")
    production = app_env == "production"
    host = (env.get("HOST") or "127.0.0.1").strip()
    port = _int(env, "PORT", 8000, 1, 65535)
    public_url = _url(env, "PUBLIC_URL") or f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}"  # noqa: S104
    secret = env.get("BETTER_AUTH_SECRET") or None
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"BETTER_AUTH_SECRET must be at least {MIN_SECRET_LENGTH} characters (use Better Auth's own secret)"
        )
    default_hosts = {urlsplit(public_url).hostname or "localhost", "localhost", "127.0.0.1"}
    hosts = _csv(env.get("ALLOWED_HOSTS")) or tuple(sorted(default_hosts))
    debug = _bool(env, "DEBUG", False)
    signing_key_file = Path(env.get("AUTH_SIGNING_KEY_FILE") or "./var/signing-key.pem")
    settings = Settings(
        database_url=_database_url(env.get("DATABASE_URL") or "sqlite+aiosqlite:///./var/todo.db"),
        host=host,
        port=port,
        public_url=public_url,
        better_auth_url=_url(env, "BETTER_AUTH_URL"),
        better_auth_secret=secret,
        better_auth_issuer=(env.get("BETTER_AUTH_ISSUER") or "").strip() or None,
        better_auth_audience=(env.get("BETTER_AUTH_AUDIENCE") or "").strip() or None,
        signing_key_file=signing_key_file,
        model=_model(env),
        chat_rate_limit=_int(env, "CHAT_RATE_LIMIT", 20, 0, 100_000),
        accounts=_bool(env, "ACCOUNTS", True),
        auth_rate_limit=_int(env, "AUTH_RATE_LIMIT", 10, 0, 100_000),
        auth_rate_limit_per_ip=_int(env, "AUTH_RATE_LIMIT_PER_IP", 30, 0, 100_000),
        frontend_origins=_origins(env),
        allowed_hosts=hosts,
        auto_migrate=_bool(env, "AUTO_MIGRATE", True),
        production=production,
        debug=debug,
        db_pool_size=_int(env, "DB_POOL_SIZE", 10, 1, 200),
        http_header_timeout=float(_int(env, "HTTP_HEADER_TIMEOUT", 10, 1, 600)),
        max_connections=_int(env, "MAX_CONNECTIONS", 1000, 1, 1_000_000),
        log_level=_choice(env, "LOG_LEVEL", LOG_LEVELS, "INFO"),
        metrics_token=(env.get("METRICS_TOKEN") or "").strip() or None,
        rate_limit_per_ip=_int(env, "RATE_LIMIT_PER_IP", 100, 0, 1_000_000),
        trusted_proxies=_proxies(env),
        redis_url=_redis_url(env),
    )
    if production:
        _check_production(settings)
    return settings


def _check_production(settings: Settings) -> None:
    if settings.debug:
        raise ConfigError("APP_ENV=production refuses DEBUG=true (it can show internal errors); set DEBUG=false")
    if not settings.signing_key_file.exists():
        raise ConfigError(
            f"APP_ENV=production needs an existing AUTH_SIGNING_KEY_FILE ({settings.signing_key_file}): "
            "run `todo-chatbot keygen` once, keep the file secret and give every instance the same one"
        )
    if not settings.public_url.startswith("https://"):
        raise ConfigError(
            "APP_ENV=production needs PUBLIC_URL on https:// (the address users reach, e.g. your proxy's; "
            "tokens and cookies are bound to it)"
        )
    if settings.metrics_token is None:
        logging.getLogger("todo_chatbot.config").warning(
            "APP_ENV=production without METRICS_TOKEN: anyone who can reach /metrics can read it"
        )
