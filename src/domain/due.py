"""When a task is due: an all-day date or an exact instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from domain.errors import ValidationError

Due = date | datetime
"""A ``date`` is an all-day due date; an aware ``datetime`` (UTC) is an exact instant."""


def parse_due(raw: str, field: str = "due") -> Due:
    """Parse ``YYYY-MM-DD`` as an all-day date, or an RFC 3339 date-time with offset."""
    text = raw.strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    else:
        try:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                raise ValidationError.single(field, "a date-time needs an offset, e.g. 2026-11-30T09:00:00Z")
            try:
                return moment.astimezone(UTC)
            except OverflowError:
                raise ValidationError.single(field, "must fall between the years 1 and 9999 in UTC") from None
    raise ValidationError.single(field, "expected a date YYYY-MM-DD or an RFC 3339 date-time")


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The last second of ``day`` in ``zone``, as a UTC instant (the last representable one
    when that falls after the year 9999)."""
    try:
        start_of_next = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        return (start_of_next - timedelta(seconds=1)).astimezone(UTC)
    except OverflowError:
        return datetime.max.replace(microsecond=0, tzinfo=UTC)


def due_instant(due: Due, zone: tzinfo) -> datetime:
    """The instant a task falls due: an all-day date counts as the end of that day in ``zone``."""
    if isinstance(due, datetime):
        return due
    return end_of_day(due, zone)


def local_today(now: datetime, zone: tzinfo) -> date:
    """Today's date in ``zone``."""
    return now.astimezone(zone).date()
