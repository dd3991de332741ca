"""Errors raised by the domain's rules."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base class of every error the core raises on purpose."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid input: a dotted path (``tags.3``) and what is wrong with it."""

    field: str
    message: str


class ValidationError(DomainError):
    """Input that breaks a rule; carries one entry per offending field."""

    def __init__(self, errors: list[FieldError] | FieldError) -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls(FieldError(field, message))


class NotFound(DomainError):
    """A thing the caller asked for does not exist for them."""


class TaskNotFound(NotFound):
    """No live task with this id belongs to the caller."""

    def __init__(self, task_id: int) -> None:
        self.task_id = task_id
        super().__init__(f"task {task_id} not found")


class ConversationNotFound(NotFound):
    """No conversation with this id belongs to the caller."""

    def __init__(self, conversation_id: int) -> None:
        self.conversation_id = conversation_id
        super().__init__(f"conversation {conversation_id} not found")


class Conflict(DomainError):
    """The request clashes with the current state (e.g. a reused idempotency key)."""
