from __future__ import annotations

import pytest

from application.errors import ValidationError
from application.schemas import NewTask, TaskFilter
from application.validation import convert, decode_json


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"title": "x", "user_id": "eve"}', "user_id"),
        (b'{"title": "x", "id": 9}', "id"),
        (b'{"title": "x", "created_at": "2020-01-01T00:00:00Z"}', "created_at"),
        (b'{"title": "x", "tags": ["a", ""]}', "tags.1"),
        (b'{"title": 5}', "title"),
        (b'{"priority": "high"}', "title"),
        (b'{"title": "x", "priority": "urgent"}', "priority"),
        (b"[]", "body"),
    ],
)
def test_body_errors_name_the_field(body: bytes, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        decode_json(body, NewTask)
    assert caught.value.errors[0].field == field


def test_invalid_json_is_not_a_validation_error() -> None:
    with pytest.raises(ValueError, match="not valid JSON") as caught:
        decode_json(b"{not json", NewTask)
    assert not isinstance(caught.value, ValidationError)


def test_query_strings_convert_and_errors_carry_the_prefix() -> None:
    parsed = convert({"limit": "10", "overdue": "true", "status": "pending"}, TaskFilter, from_strings=True)
    assert (parsed.limit, parsed.overdue, parsed.status) == (10, True, "pending")
    for params, field in [
        ({"limit": "0"}, "query.limit"),
        ({"limit": "101"}, "query.limit"),
        ({"sort": "x"}, "query.sort"),
    ]:
        with pytest.raises(ValidationError) as caught:
            convert(params, TaskFilter, prefix="query", from_strings=True)
        assert caught.value.errors[0].field == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"title": "a\\u0000b"}', "title"),
        (b'{"title": "x", "tags": ["ok", "\\u0000"]}', "tags.1"),
        (b'{"title": "x", "description": "\\u0000"}', "description"),
        (b'{"title": "x", "a\\u0000": 1}', "a\x00"),
    ],
)
def test_a_nul_character_in_a_body_names_the_field(body: bytes, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        decode_json(body, NewTask)
    assert caught.value.errors[0].field == field
    assert "NUL" in caught.value.errors[0].message


def test_an_escaped_backslash_before_u0000_is_not_a_nul() -> None:
    assert decode_json(b'{"title": "a\\\\u0000b"}', NewTask).title == "a\\u0000b"


def test_a_nul_character_in_converted_input_names_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        convert({"q": "a\x00"}, TaskFilter, prefix="query", from_strings=True)
    assert caught.value.errors[0].field == "query.q"
