from __future__ import annotations

import pytest

from application.tasks import (
    ListTags,
    RestoreTask,
)
from application.tools import TaskOperations, TaskTools
from tests.fakes import FixedClock, InMemoryUnitOfWork, task_operations


@pytest.fixture
def ops(uow: InMemoryUnitOfWork, clock: FixedClock) -> TaskOperations:
    return task_operations(uow, clock)


@pytest.fixture
def tools(ops: TaskOperations) -> TaskTools:
    return TaskTools(ops)


@pytest.fixture
def restore(uow: InMemoryUnitOfWork, clock: FixedClock) -> RestoreTask:
    return RestoreTask(uow, clock)


@pytest.fixture
def list_tags(uow: InMemoryUnitOfWork, clock: FixedClock) -> ListTags:
    return ListTags(uow, clock)
