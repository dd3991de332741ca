from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from application.schemas import format_due
from domain.due import due_instant, parse_due
from domain.errors import ValidationError
from domain.recurrence import Recurrence, next_occurrence
from domain.tasks import Priority, Task, normalize_description, normalize_tags, normalize_title

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def make_task(**fields: object) -> Task:
    base: dict[str, object] = {"owner_id": "u", "number": 1, "title": "t", "created_at": NOW, "updated_at": NOW}
    return Task(**{**base, **fields})  # type: ignore[arg-type]


def test_title_is_trimmed_and_bounded() -> None:
    assert normalize_title("  Buy milk  ") == "Buy milk"
    assert normalize_title("x" * 200) == "x" * 200
    for bad in ["", "   ", "x" * 201]:
        with pytest.raises(ValidationError) as caught:
            normalize_title(bad)
        assert caught.value.errors[0].field == "title"


def test_description_blank_becomes_none_and_is_bounded() -> None:
    assert normalize_description("  ") is None
    assert normalize_description(None) is None
    assert normalize_description(" notes ") == "notes"
    with pytest.raises(ValidationError):
        normalize_description("x" * 4001)


def test_tags_trimmed_unique_case_insensitively_and_bounded() -> None:
    assert normalize_tags([" Home ", "home", "Work"]) == ("Home", "Work")
    with pytest.raises(ValidationError) as caught:
        normalize_tags(["ok", " ", "x" * 51])
    assert [e.field for e in caught.value.errors] == ["tags.1", "tags.2"]
    with pytest.raises(ValidationError) as too_many:
        normalize_tags([f"t{i}" for i in range(21)])
    assert too_many.value.errors[0].field == "tags"
    assert len(normalize_tags([f"t{i % 20}" for i in range(40)])) == 20


def test_due_date_parses_without_zone_shift_and_datetime_becomes_utc() -> None:
    assert parse_due("2026-11-30") == date(2026, 11, 30)
    moment = parse_due("2026-11-30T09:00:00+02:00")
    assert moment == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert format_due(moment) == "2026-11-30T07:00:00Z"
    assert format_due(date(2026, 11, 30)) == "2026-11-30"
    tokyo_morning = datetime(2026, 11, 30, 7, 0, 0, 5, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert format_due(tokyo_morning) == "2026-11-29T22:00:00.000005Z"
    assert format_due(datetime(2026, 2, 28, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5)))) == "2026-03-01T04:59:59Z"
    for bad in ["tomorrow", "2026-13-01", "2026-11-30T09:00:00", ""]:
        with pytest.raises(ValidationError):
            parse_due(bad)


def test_all_day_due_counts_as_end_of_day_in_the_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    assert due_instant(date(2026, 11, 30), UTC) == datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
    assert due_instant(date(2026, 11, 30), tokyo) == datetime(2026, 11, 30, 14, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "recurrence", "expected"),
    [
        (date(2026, 1, 31), Recurrence.MONTHLY, date(2026, 2, 28)),
        (date(2028, 1, 31), Recurrence.MONTHLY, date(2028, 2, 29)),
        (date(2026, 12, 15), Recurrence.MONTHLY, date(2027, 1, 15)),
        (date(2028, 2, 29), Recurrence.YEARLY, date(2029, 2, 28)),
        (date(2026, 11, 24), Recurrence.WEEKLY, date(2026, 12, 1)),
        (date(2026, 12, 31), Recurrence.DAILY, date(2027, 1, 1)),
        (None, Recurrence.DAILY, TODAY + timedelta(days=1)),
        (date(2026, 1, 1), Recurrence.NONE, date(2026, 1, 1)),
    ],
)
def test_next_occurrence_follows_the_calendar(due: date | None, recurrence: Recurrence, expected: date) -> None:
    assert next_occurrence(due, recurrence, TODAY) == expected


def test_next_occurrence_keeps_the_time_of_a_datetime() -> None:
    due = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert next_occurrence(due, Recurrence.MONTHLY, TODAY) == datetime(2026, 2, 28, 9, 30, tzinfo=UTC)


def test_complete_and_reopen_and_toggle() -> None:
    task = make_task()
    later = NOW + timedelta(hours=1)
    task.complete(later, TODAY)
    assert (task.completed, task.completed_at, task.updated_at) == (True, later, later)
    task.complete(later + timedelta(hours=1), TODAY)
    assert task.completed_at == later, "completing twice keeps the first completion time"
    task.toggle(later, TODAY)
    assert (task.completed, task.completed_at) == (False, None)
    task.toggle(later, TODAY)
    assert task.completed


def test_completing_a_recurring_task_advances_it_and_keeps_it_pending() -> None:
    task = make_task(due=date(2026, 1, 31), recurrence=Recurrence.MONTHLY)
    task.complete(NOW, TODAY)
    assert (task.completed, task.due) == (False, date(2026, 2, 28))


def test_trash_and_restore() -> None:
    task = make_task()
    task.trash(NOW)
    assert task.in_trash
    task.restore(NOW)
    assert not task.in_trash


def test_field_changes_validate_and_touch() -> None:
    task = make_task()
    later = NOW + timedelta(minutes=5)
    task.rename("  New  ", later)
    task.prioritize(Priority.HIGH, later)
    task.retag(["a", "A", "b"], later)
    task.describe("  ", later)
    task.reschedule(date(2026, 12, 1), later)
    task.repeat(Recurrence.WEEKLY, later)
    assert (task.title, task.priority, task.tags, task.description) == ("New", Priority.HIGH, ("a", "b"), None)
    assert task.updated_at == later
    with pytest.raises(ValidationError):
        task.rename(" ", later)
    assert Priority.LOW.rank < Priority.MEDIUM.rank < Priority.HIGH.rank


def test_updated_at_never_goes_backwards() -> None:
    """An edit whose clock reading predates a concurrent edit's (it then waited for the row
    lock) keeps the later time."""
    task = make_task()
    task.rename("later", NOW + timedelta(seconds=5))
    task.prioritize(Priority.HIGH, NOW + timedelta(seconds=1))
    assert task.updated_at == NOW + timedelta(seconds=5)
    assert task.priority is Priority.HIGH


@pytest.mark.parametrize("recurrence", [r for r in Recurrence if r is not Recurrence.NONE])
def test_a_recurrence_past_year_9999_is_a_validation_error_on_due(recurrence: Recurrence) -> None:
    task = make_task(due=date(9999, 12, 31), recurrence=recurrence)
    with pytest.raises(ValidationError) as caught:
        task.complete(NOW, TODAY)
    assert [e.field for e in caught.value.errors] == ["due"]
    assert task.due == date(9999, 12, 31)
    assert not task.completed


def test_the_last_day_ends_at_the_last_representable_instant() -> None:
    assert due_instant(date(9999, 12, 31), ZoneInfo("America/Adak")).year == 9999
    assert due_instant(date(9999, 12, 31), UTC) == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_instants_outside_the_utc_calendar_are_validation_errors(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_due(raw)
    assert [e.field for e in caught.value.errors] == ["due"]
