"""The Task aggregate and its rules."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.due import Due
from domain.errors import FieldError, ValidationError
from domain.recurrence import Recurrence, next_occurrence

TITLE_MAX = 200
DESCRIPTION_MAX = 4000
TAGS_MAX = 20
TAG_MAX = 50
TRASH_RETENTION_DAYS = 30


def trash_purge_cutoff(now: datetime) -> datetime:
    """Tasks moved to the trash before this moment have stayed there over the retention
    period: they may be deleted for good."""
    return now - timedelta(days=TRASH_RETENTION_DAYS)


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.LOW: 0, Priority.MEDIUM: 1, Priority.HIGH: 2}


def normalize_title(raw: str, field_name: str = "title") -> str:
    """Trim; a title is 1..200 characters after trimming."""
    title = raw.strip()
    if not title:
        raise ValidationError.single(field_name, "must not be empty")
    if len(title) > TITLE_MAX:
        raise ValidationError.single(field_name, f"must be at most {TITLE_MAX} characters")
    return title


def normalize_description(raw: str | None, field_name: str = "description") -> str | None:
    """Trim; an empty description is none; at most 4000 characters."""
    if raw is None:
        return None
    text = raw.strip()
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError.single(field_name, f"must be at most {DESCRIPTION_MAX} characters")
    return text or None


def normalize_tags(raw: list[str] | tuple[str, ...], field_name: str = "tags") -> tuple[str, ...]:
    """Trim each tag; 1..50 characters; case-insensitively unique (first spelling kept); at most 20."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    tags: list[str] = []
    for index, item in enumerate(raw):
        tag = item.strip()
        if not tag or len(tag) > TAG_MAX:
            errors.append(FieldError(f"{field_name}.{index}", f"a tag is 1..{TAG_MAX} characters"))
            continue
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    if errors:
        raise ValidationError(errors)
    if len(tags) > TAGS_MAX:
        raise ValidationError.single(field_name, f"at most {TAGS_MAX} tags")
    return tuple(tags)


@dataclass(slots=True)
class Task:
    """A user's task. ``number`` is its id, scoped to its owner (1, 2, 3 ...)."""

    owner_id: str
    number: int
    title: str
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    priority: Priority = Priority.MEDIUM
    due: Due | None = None
    tags: tuple[str, ...] = ()
    recurrence: Recurrence = Recurrence.NONE
    completed: bool = False
    completed_at: datetime | None = None
    deleted_at: datetime | None = None

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None

    def _touch(self, now: datetime) -> None:
        # Never backwards: an edit that read the clock before a concurrent one committed
        # (and then waited for its row lock) still leaves the later time.
        self.updated_at = max(self.updated_at, now)

    def rename(self, title: str, now: datetime) -> None:
        self.title = normalize_title(title)
        self._touch(now)

    def describe(self, description: str | None, now: datetime) -> None:
        self.description = normalize_description(description)
        self._touch(now)

    def prioritize(self, priority: Priority, now: datetime) -> None:
        self.priority = priority
        self._touch(now)

    def reschedule(self, due: Due | None, now: datetime) -> None:
        self.due = due
        self._touch(now)

    def retag(self, tags: list[str] | tuple[str, ...], now: datetime) -> None:
        self.tags = normalize_tags(tags)
        self._touch(now)

    def repeat(self, recurrence: Recurrence, now: datetime) -> None:
        self.recurrence = recurrence
        self._touch(now)

    def complete(self, now: datetime, today: date) -> None:
        """Mark done. A recurring task moves to its next occurrence and stays pending."""
        if self.recurrence is not Recurrence.NONE:
            self.due = next_occurrence(self.due, self.recurrence, today)
            self.completed, self.completed_at = False, None
        elif not self.completed:
            self.completed, self.completed_at = True, now
        self._touch(now)

    def reopen(self, now: datetime) -> None:
        """Mark not done."""
        self.completed, self.completed_at = False, None
        self._touch(now)

    def toggle(self, now: datetime, today: date) -> None:
        """Flip done / not done (a pending recurring task advances instead)."""
        if self.completed:
            self.reopen(now)
        else:
            self.complete(now, today)

    def trash(self, now: datetime) -> None:
        """Move to the trash: hidden everywhere, restorable for 30 days."""
        self.deleted_at = now
        self._touch(now)

    def restore(self, now: datetime) -> None:
        self.deleted_at = None
        self._touch(now)

    def copy(self) -> Task:
        return replace(self)
