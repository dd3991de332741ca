from __future__ import annotations

import pytest

from application.task_list import ListTasks
from application.tasks import (
    AddTask,
    CompleteTask,
    DeleteTask,
    GetTask,
    ListTags,
    RestoreTask,
    ToggleTask,
    UpdateTask,
)
from application.tools import TaskOperations, TaskTools
from tests.fakes import FixedClock, InMemoryUnitOfWork


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def ops(uow: InMemoryUnitOfWork, clock: FixedClock) -> TaskOperations:
    return TaskOperations(
        add=AddTask(uow, clock),
        list=ListTasks(uow, clock),
        get=GetTask(uow, clock),
        update=UpdateTask(uow, clock),
        complete=CompleteTask(uow, clock),
        toggle=ToggleTask(uow, clock),
        delete=DeleteTask(uow, clock),
    )


@pytest.fixture
def tools(ops: TaskOperations) -> TaskTools:
    return TaskTools(ops)


@pytest.fixture
def restore(uow: InMemoryUnitOfWork, clock: FixedClock) -> RestoreTask:
    return RestoreTask(uow, clock)


@pytest.fixture
def list_tags(uow: InMemoryUnitOfWork, clock: FixedClock) -> ListTags:
    return ListTags(uow, clock)
