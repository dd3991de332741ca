"""Date words of the offline agent: "today", "tomorrow", "friday", "in 3 days", ISO dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ALIASES = {name[:3]: index for index, name in enumerate(WEEKDAYS)} | {
    "tues": 1,
    "wednes": 2,
    "thur": 3,
    "thurs": 3,
}
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?"

DATE_PHRASE = (
    r"(?:today|tonight|this evening|tomorrow|tmrw|the day after tomorrow|day after tomorrow"
    r"|(?:next |this |on )?" + _WEEKDAY + r"|next week|next month|in \d{1,3} (?:days?|weeks?)"
    r"|\d{4}-\d{2}-\d{2}|" + _MONTH + r" \d{1,2}(?:st|nd|rd|th)?(?:,? \d{4})?"
    r"|\d{1,2}(?:st|nd|rd|th)? (?:of )?" + _MONTH + r"(?:,? \d{4})?)"
)
"""A regular expression (no groups) of the date words ``parse_date`` understands."""

NO_DATE = r"(?:none|nothing|no date|no due date|never|null)"


def _weekday_index(word: str) -> int | None:
    word = word.lower()
    for index, name in enumerate(WEEKDAYS):
        if word == name:
            return index
    return _WEEKDAY_ALIASES.get(word)


def _next_weekday(today: date, index: int) -> date:
    """The next such day after today (a week ahead when today is that day)."""
    days = (index - today.weekday()) % 7 or 7
    return today + timedelta(days=days)


def _month_index(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for index, name in enumerate(MONTHS, start=1):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def _month_day(today: date, month: int, day: int, year: str | None) -> date | None:
    try:
        found = date(int(year) if year else today.year, month, day)
    except ValueError:
        return None
    if year is None and found < today:
        found = found.replace(year=found.year + 1)
    return found


def _relative(text: str, today: date) -> date | None:
    fixed = {
        "today": 0,
        "tonight": 0,
        "this evening": 0,
        "tomorrow": 1,
        "tmrw": 1,
        "day after tomorrow": 2,
        "the day after tomorrow": 2,
        "next week": 7,
    }
    if text in fixed:
        return today + timedelta(days=fixed[text])
    if text == "next month":
        return _month_day(today, today.month % 12 + 1, 1, str(today.year + (today.month == 12)))
    counted = re.fullmatch(r"in (\d{1,3}) (days?|weeks?)", text)
    if counted:
        amount = int(counted.group(1)) * (7 if counted.group(2).startswith("week") else 1)
        return today + timedelta(days=amount)
    return None


def parse_date(raw: str, today: date) -> date | None:
    """The date a phrase names, relative to ``today``; None when it names none."""
    text = " ".join(raw.lower().strip(" ,.").split())
    relative = _relative(text, today)
    if relative is not None:
        return relative
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    weekday = re.fullmatch(r"(?:next |this |on )?([a-z]+)", text)
    if weekday and (index := _weekday_index(weekday.group(1))) is not None:
        return _next_weekday(today, index)
    by_month = re.fullmatch(r"([a-z]+\.?) (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?", text)
    if by_month and (month := _month_index(by_month.group(1))) is not None:
        return _month_day(today, month, int(by_month.group(2)), by_month.group(3))
    by_day = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+\.?)(?:,? (\d{4}))?", text)
    if by_day and (month := _month_index(by_day.group(2))) is not None:
        return _month_day(today, month, int(by_day.group(1)), by_day.group(3))
    return None


def describe_date(day: date, today: date) -> str:
    """``today``, ``tomorrow``, ``Friday 2026-11-27`` or the ISO date."""
    delta = (day - today).days
    if delta == 0:
        return f"today ({day.isoformat()})"
    if delta == 1:
        return f"tomorrow ({day.isoformat()})"
    if 1 < delta < 7:
        return f"{WEEKDAYS[day.weekday()].capitalize()} {day.isoformat()}"
    return day.isoformat()
