"""Task use cases: each one a user-facing operation, run in its own transaction."""

from __future__ import annotations

import hashlib
from datetime import timedelta, tzinfo

import msgspec

from application.metrics import NO_METRICS, Metrics
from application.ports import Clock, IdempotencyRecord, Transaction, UnitOfWork, storable_number
from application.schemas import UNSET, NewTask, TagCount, TagList, TaskChanges, TaskView
from domain.due import Due, local_today, parse_due
from domain.errors import Conflict, TaskNotFound, ValidationError
from domain.tasks import Task, normalize_description, normalize_tags, normalize_title, trash_purge_cutoff

IDEMPOTENCY_WINDOW = timedelta(hours=24)


def _parse_optional_due(raw: str | None, field: str = "due") -> Due | None:
    return None if raw is None else parse_due(raw, field)


async def _live_task(tx: Transaction, owner_id: str, task_id: int, *, lock: bool = False) -> Task:
    task = await tx.tasks.get(owner_id, task_id, lock=lock) if storable_number(task_id) else None
    if task is None:
        raise TaskNotFound(task_id)
    return task


class _UseCase:
    def __init__(self, uow: UnitOfWork, clock: Clock, metrics: Metrics = NO_METRICS) -> None:
        self._uow = uow
        self._clock = clock
        self._metrics = metrics


class AddTask(_UseCase):
    """Create a task. With an idempotency key, a repeat of the same request within 24 hours
    returns the first answer and creates nothing; the same key with another body is a conflict."""

    async def execute(self, owner_id: str, command: NewTask, idempotency_key: str | None = None) -> TaskView:
        now = self._clock.now()
        task = Task(
            owner_id=owner_id,
            number=0,
            title=normalize_title(command.title),
            description=normalize_description(command.description),
            priority=command.priority,
            due=_parse_optional_due(command.due),
            tags=normalize_tags(command.tags),
            recurrence=command.recurrence,
            created_at=now,
            updated_at=now,
        )
        if idempotency_key is None:
            async with self._uow.begin() as tx:
                view = TaskView.of(await tx.tasks.add(task))
                await tx.commit()
            self._metrics.task_changed("create")
            return view
        fingerprint = hashlib.sha256(msgspec.json.encode(command)).hexdigest()
        try:
            return await self._add_once(task, idempotency_key, fingerprint)
        except Conflict:
            # A concurrent request with the same key won the race: replay its answer.
            async with self._uow.begin() as tx:
                replay = await self._replay(tx, owner_id, idempotency_key, fingerprint)
            if replay is None:
                raise
            return replay

    async def _add_once(self, task: Task, key: str, fingerprint: str) -> TaskView:
        async with self._uow.begin() as tx:
            replay = await self._replay(tx, task.owner_id, key, fingerprint)
            if replay is not None:
                return replay
            view = TaskView.of(await tx.tasks.add(task))
            record = IdempotencyRecord(task.owner_id, key, fingerprint, msgspec.json.encode(view), task.created_at)
            await tx.idempotency.save(record)
            await tx.commit()
        self._metrics.task_changed("create")
        return view

    async def _replay(self, tx: Transaction, owner_id: str, key: str, fingerprint: str) -> TaskView | None:
        record = await tx.idempotency.find(owner_id, key)
        if record is None or record.created_at < self._clock.now() - IDEMPOTENCY_WINDOW:
            return None
        if record.fingerprint != fingerprint:
            raise Conflict("this Idempotency-Key was used with a different request body")
        return msgspec.json.decode(record.response, type=TaskView)


class GetTask(_UseCase):
    """One of the caller's live tasks by id."""

    async def execute(self, owner_id: str, task_id: int) -> TaskView:
        async with self._uow.begin() as tx:
            return TaskView.of(await _live_task(tx, owner_id, task_id))


class UpdateTask(_UseCase):
    """Change some fields of a task; ``completed`` true completes it (a recurring task
    advances), false reopens it. Changing nothing is a validation error."""

    async def execute(self, owner_id: str, task_id: int, changes: TaskChanges, zone: tzinfo) -> TaskView:
        if changes.is_empty():
            raise ValidationError.single("body", "give at least one field to change")
        now = self._clock.now()
        due = _parse_optional_due(changes.due) if changes.due is not UNSET else UNSET
        async with self._uow.begin() as tx:
            task = await _live_task(tx, owner_id, task_id, lock=True)
            if changes.title is not UNSET:
                task.rename(changes.title, now)
            if changes.description is not UNSET:
                task.describe(changes.description, now)
            if changes.priority is not UNSET:
                task.prioritize(changes.priority, now)
            if due is not UNSET:
                task.reschedule(due, now)
            if changes.tags is not UNSET:
                task.retag(changes.tags, now)
            if changes.recurrence is not UNSET:
                task.repeat(changes.recurrence, now)
            if changes.completed is True:
                task.complete(now, local_today(now, zone))
            elif changes.completed is False:
                task.reopen(now)
            await tx.tasks.update(task)
            await tx.commit()
        self._metrics.task_changed("update")
        return TaskView.of(task)


class CompleteTask(_UseCase):
    """Mark a task done (a recurring task moves to its next occurrence). Already done is fine."""

    async def execute(self, owner_id: str, task_id: int, zone: tzinfo) -> TaskView:
        now = self._clock.now()
        async with self._uow.begin() as tx:
            task = await _live_task(tx, owner_id, task_id, lock=True)
            task.complete(now, local_today(now, zone))
            await tx.tasks.update(task)
            await tx.commit()
        self._metrics.task_changed("complete")
        return TaskView.of(task)


class ToggleTask(_UseCase):
    """Flip a task between done and not done (a pending recurring task advances instead)."""

    async def execute(self, owner_id: str, task_id: int, zone: tzinfo) -> TaskView:
        now = self._clock.now()
        async with self._uow.begin() as tx:
            task = await _live_task(tx, owner_id, task_id, lock=True)
            task.toggle(now, local_today(now, zone))
            await tx.tasks.update(task)
            await tx.commit()
        self._metrics.task_changed("toggle")
        return TaskView.of(task)


class DeleteTask(_UseCase):
    """Move a task to the trash: hidden everywhere, restorable for 30 days."""

    async def execute(self, owner_id: str, task_id: int) -> TaskView:
        now = self._clock.now()
        async with self._uow.begin() as tx:
            task = await _live_task(tx, owner_id, task_id, lock=True)
            task.trash(now)
            await tx.tasks.update(task)
            await tx.commit()
        self._metrics.task_changed("delete")
        return TaskView.of(task)


class RestoreTask(_UseCase):
    """Bring a task back from the trash."""

    async def execute(self, owner_id: str, task_id: int) -> TaskView:
        now = self._clock.now()
        async with self._uow.begin() as tx:
            task = await tx.tasks.get_trashed(owner_id, task_id, lock=True) if storable_number(task_id) else None
            if task is None:
                raise TaskNotFound(task_id)
            task.restore(now)
            await tx.tasks.update(task)
            await tx.commit()
        self._metrics.task_changed("restore")
        return TaskView.of(task)


class PurgeTrash(_UseCase):
    """Delete for good every task that has been in the trash for over 30 days, whoever owns
    it (for a daily job: ``todo-chatbot purge-trash``). Returns how many were deleted."""

    async def execute(self) -> int:
        cutoff = trash_purge_cutoff(self._clock.now())
        async with self._uow.begin() as tx:
            purged = await tx.tasks.purge_trashed(cutoff)
            await tx.commit()
        return purged


class ListTags(_UseCase):
    """The tags on the caller's live tasks, with how many tasks carry each."""

    async def execute(self, owner_id: str) -> TagList:
        async with self._uow.begin() as tx:
            counts = await tx.tasks.tag_counts(owner_id)
        return TagList(items=[TagCount(name=name, count=count) for name, count in counts])
