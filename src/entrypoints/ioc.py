"""The composition root: which adapter fills which port (dishka providers).

Settings arrive as container context. Everything here is APP-scoped: use cases hold no
request state (each opens its own transaction), so requests need no container of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from dishka import AsyncContainer, Provider, Scope, from_context, make_async_container, provide, provide_all
from prometheus_client import CollectorRegistry

from adapters.agents.offline.agent import OfflineChatAgent
from adapters.agents.openai.agent import create_openai_agent
from adapters.auth import (
    Argon2PasswordHasher,
    Ed25519TokenIssuer,
    JwtTokenVerifier,
    load_or_create_signing_key,
    write_new_signing_key,
)
from adapters.clock import SystemClock
from adapters.limits import InProcessRateLimiter
from adapters.limits.redis_store import redis_rate_limiter
from adapters.metrics import PrometheusMetrics
from adapters.persistence.registry import backend_for, check_database_url
from application.accounts import CurrentSession, IssueSessionToken, SignIn, SignOut, SignUp
from application.chat.conversations import DeleteConversation, GetConversation, ListConversations
from application.chat.send import SendChatMessage
from application.errors import UnsupportedDatabaseUrl
from application.limits import AuthAttemptLimits, ChatRateLimiter, RequestRateLimit
from application.metrics import AgentKind, Metrics
from application.ports import (
    ChatAgent,
    Clock,
    HealthProbe,
    PasswordHasher,
    RateLimiter,
    Storage,
    TokenIssuer,
    TokenVerifier,
    UnitOfWork,
)
from application.task_list import ListTasks
from application.tasks import (
    AddTask,
    CompleteTask,
    DeleteTask,
    GetTask,
    ListTags,
    PurgeTrash,
    RestoreTask,
    ToggleTask,
    UpdateTask,
)
from application.tools import TaskOperations, TaskTools
from entrypoints.config import ConfigError, Settings
from entrypoints.version import package_version


class CoreProvider(Provider):
    """Use cases and the tool catalogue."""

    scope = Scope.APP
    settings = from_context(provides=Settings, scope=Scope.APP)
    clock = provide(SystemClock, provides=Clock)
    use_cases = provide_all(
        AddTask, ListTasks, GetTask, UpdateTask, CompleteTask, ToggleTask, DeleteTask, RestoreTask, ListTags
    )
    purge_trash = provide(PurgeTrash)
    operations = provide(TaskOperations)

    @provide
    def tools(self, operations: TaskOperations) -> TaskTools:
        return TaskTools(operations)


class PersistenceProvider(Provider):
    """The storage backend serving ``DATABASE_URL``'s scheme (an installed plug-in: the
    built-in PostgreSQL and SQLite ones, or another package's; see docs/storage.md)."""

    scope = Scope.APP

    @provide
    async def storage(
        self, settings: Settings, metrics: Metrics, exporter: PrometheusMetrics
    ) -> AsyncIterator[Storage]:
        # Failures are counted through the port; the exporter reads the pool when scraped.
        url = settings.database_url
        async with backend_for(url).open(url, pool_size=settings.db_pool_size, metrics=metrics) as storage:
            exporter.watch_pool(storage.pool_usage)
            yield storage

    @provide
    def unit_of_work(self, storage: Storage) -> UnitOfWork:
        return storage.unit_of_work

    @provide
    def health(self, storage: Storage) -> HealthProbe:
        return storage.health


class AuthProvider(Provider):
    """The built-in issuer and the verifier of every accepted kind of token."""

    scope = Scope.APP

    @provide
    def issuer(self, settings: Settings, clock: Clock) -> Ed25519TokenIssuer:
        key, _ = load_or_create_signing_key(settings.signing_key_file)
        return Ed25519TokenIssuer(key, issuer=settings.public_url, audience=settings.public_url, clock=clock)

    @provide
    def public_issuer(self, issuer: Ed25519TokenIssuer) -> TokenIssuer:
        return issuer

    @provide
    async def verifier(
        self, settings: Settings, issuer: Ed25519TokenIssuer, clock: Clock
    ) -> AsyncIterator[TokenVerifier]:
        verifier = JwtTokenVerifier(
            own_key=issuer.verification_key(),
            clock=clock,
            hs256_secret=settings.better_auth_secret,
            better_auth_url=settings.better_auth_url,
            better_auth_issuer=settings.better_auth_issuer,
            better_auth_audience=settings.better_auth_audience,
        )
        yield verifier
        await verifier.aclose()


class ChatProvider(Provider):
    """The chat agent chosen by the settings (no model configured: the offline agent) and
    the chat use cases."""

    scope = Scope.APP
    conversations = provide_all(ListConversations, GetConversation, DeleteConversation)

    @provide
    async def agent(self, settings: Settings, metrics: Metrics) -> AsyncIterator[ChatAgent]:
        model = settings.model
        if model is None:
            yield OfflineChatAgent()
            return
        agent = create_openai_agent(
            api_key=model.api_key,
            base_url=model.base_url,
            model=model.model,
            api_style=model.api_style.value,
            timeout_seconds=model.timeout_seconds,
            max_retries=model.max_retries,
            max_steps=model.max_steps,
            metrics=metrics,
        )
        yield agent
        await agent.close()

    @provide
    def send_chat_message(
        self,
        settings: Settings,
        uow: UnitOfWork,
        clock: Clock,
        agent: ChatAgent,
        tools: TaskTools,
        limiter: RateLimiter,
        metrics: Metrics,
    ) -> SendChatMessage:
        per_minute = settings.chat_rate_limit
        chat_limit = ChatRateLimiter(limiter, per_minute, metrics) if per_minute > 0 else None
        kind: AgentKind = "offline" if settings.model is None else "openai"
        return SendChatMessage(uow, clock, agent, tools, chat_limit, metrics=metrics, agent_kind=kind)


class LimitsProvider(Provider):
    """Where every limit is counted: Redis when ``REDIS_URL`` is set (shared by all
    instances), else this process's memory."""

    scope = Scope.APP

    @provide
    async def rate_limiter(self, settings: Settings, clock: Clock, metrics: Metrics) -> AsyncIterator[RateLimiter]:
        if settings.redis_url is None:
            yield InProcessRateLimiter(clock)
            return
        shared = redis_rate_limiter(settings.redis_url, clock, metrics)
        yield shared
        await shared.close()

    @provide
    def request_limit(self, settings: Settings, limiter: RateLimiter, metrics: Metrics) -> RequestRateLimit:
        return RequestRateLimit(limiter, settings.rate_limit_per_ip, metrics)


class AccountProvider(Provider):
    """Built-in accounts: argon2id passwords, sessions in the database, attempt limits
    counted by the rate limiter."""

    scope = Scope.APP
    use_cases = provide_all(SignUp, SignIn, SignOut, CurrentSession, IssueSessionToken)

    @provide
    def attempt_limits(self, settings: Settings, limiter: RateLimiter, metrics: Metrics) -> AuthAttemptLimits:
        return AuthAttemptLimits(limiter, settings.auth_rate_limit, settings.auth_rate_limit_per_ip, metrics)

    @provide
    def password_hasher(self) -> Iterator[PasswordHasher]:
        hasher = Argon2PasswordHasher()
        yield hasher
        hasher.close()


class MetricsProvider(Provider):
    """Prometheus metrics on a registry of this container's own (``GET /metrics`` renders it)."""

    scope = Scope.APP

    @provide
    def registry(self) -> CollectorRegistry:
        return CollectorRegistry()

    @provide
    def prometheus(self, registry: CollectorRegistry) -> PrometheusMetrics:
        return PrometheusMetrics(registry, package_version())

    @provide
    def metrics(self, prometheus: PrometheusMetrics) -> Metrics:
        return prometheus


def default_providers() -> list[Provider]:
    return [
        CoreProvider(),
        PersistenceProvider(),
        AuthProvider(),
        ChatProvider(),
        LimitsProvider(),
        AccountProvider(),
        MetricsProvider(),
    ]


def make_container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """The app container; ``overrides`` replace default providers' answers (tests)."""
    return make_async_container(*default_providers(), *overrides, context={Settings: settings})


def check_storage(settings: Settings) -> None:
    """Refuse a database URL no installed backend serves, or its backend refuses
    (``ConfigError`` naming the installed backends, never the password)."""
    try:
        check_database_url(settings.database_url)
    except UnsupportedDatabaseUrl as exc:
        raise ConfigError(str(exc)) from None


def ensure_signing_key(settings: Settings) -> bool:
    """Create the built-in issuer's key file if it is missing; True when it was created."""
    _, created = load_or_create_signing_key(settings.signing_key_file)
    return created


def write_signing_key(path: Path) -> None:
    """Write a new Ed25519 signing key (PEM, mode 0600) to ``path``."""
    write_new_signing_key(path)


def issue_token(settings: Settings, user_id: str, ttl_seconds: int) -> str:
    """A token of the built-in issuer for ``user_id``."""
    key, _ = load_or_create_signing_key(settings.signing_key_file)
    issuer = Ed25519TokenIssuer(key, issuer=settings.public_url, audience=settings.public_url, clock=SystemClock())
    return issuer.issue(user_id, ttl_seconds)


def upgrade_database(settings: Settings, revision: str = "head") -> None:
    """Migrate the configured database up to ``revision`` (call outside an event loop)."""
    backend_for(settings.database_url).schema(settings.database_url).upgrade(revision)


def downgrade_database(settings: Settings, revision: str) -> None:
    """Migrate the configured database down to ``revision``."""
    backend_for(settings.database_url).schema(settings.database_url).downgrade(revision)


def current_revision(settings: Settings) -> str | None:
    """The database's current migration, or None when it has none."""
    return backend_for(settings.database_url).schema(settings.database_url).current()


async def purge_trash(settings: Settings) -> int:
    """Delete for good what has been in the trash for over 30 days; how many tasks went."""
    container = make_container(settings)
    try:
        return await (await container.get(PurgeTrash)).execute()
    finally:
        await container.close()
