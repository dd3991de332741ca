from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from application.errors import Conflict
from application.ports import Transaction
from application.tools import CATALOGUE, TaskTools, ToolContext
from tests.fakes import task_tools

ALICE = ToolContext("alice")
BOB = ToolContext("bob")


def test_catalogue_has_the_eight_tools_with_honest_annotations() -> None:
    names = [tool.name for tool in CATALOGUE]
    assert names == [
        "add_task", "list_tasks", "get_task", "update_task", "complete_task", "toggle_task_status", "delete_task",
        "restore_task",
    ]  # fmt: skip
    by_name = {tool.name: tool for tool in CATALOGUE}
    assert by_name["list_tasks"].read_only and by_name["get_task"].read_only
    assert by_name["delete_task"].destructive and not by_name["add_task"].destructive
    assert not by_name["restore_task"].destructive and not by_name["restore_task"].read_only
    assert not by_name["toggle_task_status"].idempotent and by_name["complete_task"].idempotent


def test_no_tool_schema_takes_a_user_id_or_extra_properties() -> None:
    for tool in CATALOGUE:
        schema = tool.input_schema
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
        assert not {"user_id", "owner_id", "user"} & set(schema["properties"])
        assert "$ref" not in str(schema) and "$ref" not in str(tool.output_schema)


async def test_tools_act_for_the_bound_user_only(tools: TaskTools) -> None:
    added = await tools.call("add_task", {"title": "Buy milk", "tags": ["home"]}, ALICE)
    assert not added.is_error and added.result["id"] == 1 and added.result["tags"] == ["home"]
    other = await tools.call("delete_task", {"task_id": 1}, BOB)
    assert other.is_error and "list_tasks" in other.result["error"] and other.result["kind"] == "not_found"
    listed = await tools.call("list_tasks", {}, ALICE)
    assert [t["title"] for t in listed.result["items"]] == ["Buy milk"]
    assert (await tools.call("list_tasks", {}, BOB)).result["items"] == []


async def test_each_tool_happy_path(tools: TaskTools) -> None:
    await tools.call("add_task", {"title": "a"}, ALICE)
    assert (await tools.call("get_task", {"task_id": 1}, ALICE)).result["title"] == "a"
    assert (await tools.call("update_task", {"task_id": 1, "priority": "high"}, ALICE)).result["priority"] == "high"
    assert (await tools.call("complete_task", {"task_id": 1}, ALICE)).result["completed"] is True
    assert (await tools.call("toggle_task_status", {"task_id": 1}, ALICE)).result["completed"] is False
    deleted = await tools.call("delete_task", {"task_id": 1}, ALICE)
    assert deleted.result["id"] == 1 and not deleted.is_error
    assert (await tools.call("get_task", {"task_id": 1}, ALICE)).is_error
    restored = await tools.call("restore_task", {"task_id": 1}, ALICE)
    assert not restored.is_error and restored.result["title"] == "a"
    assert (await tools.call("get_task", {"task_id": 1}, ALICE)).result["title"] == "a"


async def test_restoring_a_task_that_is_not_in_the_trash_is_not_found(tools: TaskTools) -> None:
    await tools.call("add_task", {"title": "a"}, ALICE)
    live = await tools.call("restore_task", {"task_id": 1}, ALICE)
    assert live.is_error and live.result == {
        "error": "Task 1 is not in the trash. Only deleted tasks can be restored.",
        "kind": "not_found",
    }
    await tools.call("delete_task", {"task_id": 1}, ALICE)
    assert (await tools.call("restore_task", {"task_id": 1}, BOB)).result["kind"] == "not_found"
    assert (await tools.call("list_tasks", {}, ALICE)).result["items"] == []


async def test_bad_arguments_are_errors_the_model_can_act_on(tools: TaskTools) -> None:
    unknown_arg = await tools.call("add_task", {"title": "x", "user_id": "bob"}, ALICE)
    assert unknown_arg.is_error and "user_id" in unknown_arg.result["error"]
    assert unknown_arg.result["kind"] == "invalid_arguments" and unknown_arg.result["fields"] == ["user_id"]
    missing = await tools.call("add_task", {}, ALICE)
    assert missing.is_error and "title" in missing.result["error"] and missing.result["fields"] == ["title"]
    bad_due = await tools.call("add_task", {"title": "x", "due": "someday"}, ALICE)
    assert bad_due.is_error and "due" in bad_due.result["error"] and bad_due.result["fields"] == ["due"]
    unknown_tool = await tools.call("drop_database", {}, ALICE)
    assert unknown_tool.is_error and "add_task" in unknown_tool.result["error"]
    assert unknown_tool.result["kind"] == "unknown_tool" and "fields" not in unknown_tool.result
    assert (await tools.call("list_tasks", {}, ALICE)).result["items"] == [], "nothing was created"


class _ClashingUnitOfWork:
    """A store whose every transaction clashes with a concurrent write."""

    def begin(self) -> AbstractAsyncContextManager[Transaction]:
        raise Conflict("the change clashes with data stored concurrently")


async def test_a_clash_with_a_concurrent_write_is_a_conflict_tool_error() -> None:
    clashing = task_tools(_ClashingUnitOfWork())
    outcome = await clashing.call("complete_task", {"task_id": 1}, ALICE)
    assert outcome.is_error and outcome.result["kind"] == "conflict"
    assert outcome.result["error"].startswith("the change clashes with data stored concurrently.")
