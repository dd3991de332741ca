"""Ports: what the core needs from the outside world, as Protocols the adapters fill.

One module per concern (storage and its queries, storage backends, auth, limits, agents,
clock); every name is also importable from ``application.ports``.
"""

from application.ports.agents import (
    AgentEvent,
    AgentReply,
    AgentTurn,
    ChatAgent,
    TextDelta,
    ToolCallEvent,
    ToolExecutor,
    ToolResultEvent,
)
from application.ports.auth import PasswordHasher, Principal, TokenIssuer, TokenVerifier
from application.ports.backends import STORAGE_ENTRY_POINTS, SchemaManager, Storage, StorageBackend
from application.ports.clock import Clock
from application.ports.limits import RateDecision, RateLimiter
from application.ports.queries import ID_MAX, SortKey, TaskQuery, TaskSort, TaskStatus, storable_number
from application.ports.storage import (
    AccountRepository,
    ConversationRepository,
    HealthProbe,
    IdempotencyRecord,
    IdempotencyRecords,
    SessionRepository,
    TaskRepository,
    Transaction,
    UnitOfWork,
)

__all__ = [
    "ID_MAX",
    "STORAGE_ENTRY_POINTS",
    "AccountRepository",
    "AgentEvent",
    "AgentReply",
    "AgentTurn",
    "ChatAgent",
    "Clock",
    "ConversationRepository",
    "HealthProbe",
    "IdempotencyRecord",
    "IdempotencyRecords",
    "PasswordHasher",
    "Principal",
    "RateDecision",
    "RateLimiter",
    "SchemaManager",
    "SessionRepository",
    "SortKey",
    "Storage",
    "StorageBackend",
    "TaskQuery",
    "TaskRepository",
    "TaskSort",
    "TaskStatus",
    "TextDelta",
    "TokenIssuer",
    "TokenVerifier",
    "ToolCallEvent",
    "ToolExecutor",
    "ToolResultEvent",
    "Transaction",
    "UnitOfWork",
    "storable_number",
]
