"""Recurring tasks: the calendar rules for the next occurrence."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.due import Due
from domain.errors import ValidationError


class Recurrence(StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def _step(day: date, recurrence: Recurrence, count: int) -> date:
    if recurrence is Recurrence.DAILY:
        return day + timedelta(days=count)
    if recurrence is Recurrence.WEEKLY:
        return day + timedelta(weeks=count)
    if recurrence is Recurrence.MONTHLY:
        return _add_months(day, count)
    return _add_months(day, 12 * count)


def next_occurrence(due: Due | None, recurrence: Recurrence, today: date) -> Due | None:
    """The due of the next occurrence after completing one.

    Months and years step by the calendar from the original day (31 Jan monthly gives
    28/29 Feb). A due-less recurring task counts from ``today``. Non-recurring: unchanged.
    """
    if recurrence is Recurrence.NONE:
        return due
    try:
        return _next(due, recurrence, today)
    except (OverflowError, ValueError):  # stepping past 9999-12-31
        raise ValidationError.single("due", "the next occurrence would fall after the year 9999") from None


def _next(due: Due | None, recurrence: Recurrence, today: date) -> Due:
    if due is None:
        return _step(today, recurrence, 1)
    if isinstance(due, datetime):
        moved = _step(due.date(), recurrence, 1)
        return datetime.combine(moved, due.timetz())
    return _step(due, recurrence, 1)
