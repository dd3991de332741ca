from __future__ import annotations

from application.tools import CATALOGUE, TaskTools, ToolContext

ALICE = ToolContext("alice")
BOB = ToolContext("bob")


def test_catalogue_has_the_seven_tools_with_honest_annotations() -> None:
    names = [tool.name for tool in CATALOGUE]
    assert names == [
        "add_task", "list_tasks", "get_task", "update_task", "complete_task", "toggle_task_status", "delete_task",
    ]  # fmt: skip
    by_name = {tool.name: tool for tool in CATALOGUE}
    assert by_name["list_tasks"].read_only and by_name["get_task"].read_only
    assert by_name["delete_task"].destructive and not by_name["add_task"].destructive
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
    assert other.is_error and "list_tasks" in other.result["error"]
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


async def test_bad_arguments_are_errors_the_model_can_act_on(tools: TaskTools) -> None:
    unknown_arg = await tools.call("add_task", {"title": "x", "user_id": "bob"}, ALICE)
    assert unknown_arg.is_error and "user_id" in unknown_arg.result["error"]
    missing = await tools.call("add_task", {}, ALICE)
    assert missing.is_error and "title" in missing.result["error"]
    bad_due = await tools.call("add_task", {"title": "x", "due": "someday"}, ALICE)
    assert bad_due.is_error and "due" in bad_due.result["error"]
    unknown_tool = await tools.call("drop_database", {}, ALICE)
    assert unknown_tool.is_error and "add_task" in unknown_tool.result["error"]
    assert (await tools.call("list_tasks", {}, ALICE)).result["items"] == [], "nothing was created"
