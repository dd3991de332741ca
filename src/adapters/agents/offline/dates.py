"""Date, time and repeat words of the offline agent, found anywhere in a sentence.

``find_when`` returns what a request says about when (a due date, a time, a repeat) and
where it said it, so the words can leave a title. It runs only on text that has a date
word in it (``maybe_when``): most messages never reach the full scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from adapters.agents.offline.typos import fix_date_word

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
_WD = r"(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?"
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)(?:uary|ruary|ch|il|e|y|ust|tember|ober|ember)?\.?"
_NUM = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|a few)"
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3}  # fmt: skip
_PREP = r"(?:(?:due|by|on|for|before|until|till|from|starting|next|coming|at|in)\s+)*"
_ORD = r"(?:st|nd|rd|th)"

_DAY_PATTERNS: tuple[tuple[str, str], ...] = (
    ("iso", r"(?P<iso>\d{4}-\d{2}-\d{2})"),
    ("md", r"(?P<mon1>" + _MON + r")\s+(?P<d1>\d{1,2})" + _ORD + r"?(?:,?\s+(?P<y1>\d{4}))?\b"),
    ("dm", r"(?:the\s+)?(?P<d2>\d{1,2})" + _ORD + r"?\s+(?:of\s+)?(?P<mon2>" + _MON + r")(?:,?\s+(?P<y2>\d{4}))?\b"),
    ("slash", r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y3>\d{2}|\d{4}))?(?![\d/])"),
    (
        "dom",
        r"(?:the\s+)?(?P<d3>\d{1,2})"
        + _ORD
        + r"\b(?:\s+of\s+(?:the\s+|this\s+|every\s+|each\s+|(?P<nm>next)\s+)?month)?",
    ),
    ("after", r"(?:the\s+)?day\s+after\s+tomorrow"),
    (
        "rel",
        r"(?:today|tonight|tomorrow)(?:\s+(?:morning|afternoon|evening|night))?|this\s+(?:morning|afternoon|evening)",
    ),
    ("in", r"in\s+(?P<n>" + _NUM + r")\s+(?P<unit>days?|weeks?|months?)"),
    ("eom", r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month|month\s+end"),
    ("eow", r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week|(?:sometime\s+|some\s+time\s+|later\s+)?this\s+week"),
    ("weekend", r"(?:this\s+|the\s+)?weekend"),
    ("nextweek", r"next\s+week"),
    ("nextmonth", r"next\s+month"),
    ("wd", r"(?P<this>this\s+)?(?P<wd>" + _WD + r")(?:\s+(?:morning|afternoon|evening|night))?"),
)
_TIME = (
    r"(?:at\s+)?(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>am|pm|a\.m\.|p\.m\.)"
    r"|(?:at\s+)?(?P<h2>\d{1,2})[:](?P<m2>\d{2})|at\s+(?P<h3>\d{1,2})(?!\d|\s*(?:days?|weeks?|/))"
    r"|(?:at\s+)?(?P<noon>noon|midday)|in\s+(?P<hn>" + _NUM + r")\s+(?P<hu>hours?|minutes?|mins?)"
)
_REPEAT = (
    r"(?:every|each)\s+(?P<rwd>" + _WD + r")|on\s+(?P<rwd2>" + _WD + r")s"
    r"|(?P<daily>every\s+day|each\s+day|daily|every\s+(?:morning|evening|night))"
    r"|(?P<weekly>every\s+week|each\s+week|weekly)|(?P<monthly>every\s+month|each\s+month|monthly)"
    r"|(?P<yearly>every\s+year|each\s+year|yearly|annually)|(?P<weekday>every\s+weekday|on\s+weekdays)"
)
_ALL = re.compile(
    r"(?<![\w#])(?:(?P<repeat>" + _PREP + r"(?:" + _REPEAT + r"))"
    r"|(?P<time>" + _PREP + r"(?:" + _TIME + r"))"
    r"|(?P<day>" + _PREP + r"(?:" + "|".join(f"(?P<k_{kind}>{pattern})" for kind, pattern in _DAY_PATTERNS) + r")))"
    r"(?![\w])",
    re.I,
)
_HINT = re.compile(
    r"\d|\b(?:today|tonight|tonite|tom\w*|tm\w*|2morrow|2nite|2day|\w*days?|morning|afternoon|evening|night|week\w*"
    r"|month\w*|year\w*|noon|midday|daily|annually|every|each|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*"
    r"|(?:mon|tue|wed|thu|fri|sat|sun)\w*)\b",
    re.I,
)


@dataclass(slots=True)
class When:
    """What a text says about when: ``due`` (an ISO date or date-time), ``recurrence``,
    the character spans of ``text`` that said it, a repeat it cannot do (``every weekday``),
    and ``time_only`` ("HH:MM") when it gave a time and no day."""

    text: str
    due: str | None = None
    recurrence: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    unsupported: str | None = None
    time_only: str | None = None

    def strip(self) -> str:
        """The text (typos in date words fixed) without the words that gave the date, time or repeat."""
        text = self.text
        for start, end in sorted(self.spans, reverse=True):
            text = text[:start] + " " + text[end:]
        return " ".join(text.split())


def maybe_when(text: str) -> bool:
    """Whether ``text`` may hold a date word at all (cheap; the full scan is not)."""
    return _HINT.search(text) is not None


def next_weekday(today: date, index: int, *, include_today: bool = False) -> date:
    """The next such weekday after today (or today itself when ``include_today``)."""
    days = (index - today.weekday()) % 7
    return today + timedelta(days=days if days or include_today else 7)


def _weekday(word: str) -> int | None:
    word = word.lower()
    for index, name in enumerate(WEEKDAYS):
        if name.startswith(word[:3]) and (word == name or len(word) <= 5):
            return index
    return None


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    return next((i for i, name in enumerate(MONTHS, 1) if name.startswith(word[:3])), None)


def _next_date(today: date, month: int, day: int, year: str | None) -> date | None:
    """That month and day in ``year``, or the next one from today on."""
    years = [int(year) + (2000 if len(year) == 2 else 0)] if year else list(range(today.year, today.year + 9))
    for candidate in years:
        try:
            found = date(candidate, month, day)
        except ValueError:
            continue
        if year or found >= today:
            return found
    return None


def _day_of_month(today: date, day: int) -> date | None:
    if not 1 <= day <= 31:
        return None
    month, year = today.month, today.year
    for _ in range(13):
        try:
            found = date(year, month, day)
            if found >= today:
                return found
        except ValueError:
            pass
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def _count(raw: str) -> int:
    raw = " ".join(raw.lower().split())
    return int(raw) if raw.isdigit() else _NUMBERS[raw]


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _day(kind: str, g: dict[str, str | None], today: date) -> date | None:  # noqa: PLR0912
    if kind == "iso":
        try:
            return date.fromisoformat(g["iso"] or "")
        except ValueError:
            return None
    if kind in {"md", "dm"}:
        n = "1" if kind == "md" else "2"
        month = _month(g["mon" + n] or "")
        return _next_date(today, month, int(g["d" + n] or 0), g["y" + n]) if month else None
    if kind == "slash":
        first, second = int(g["a"] or 0), int(g["b"] or 0)
        month, day = (second, first) if first > 12 else (first, second)
        return _next_date(today, month, day, g["y3"]) if 1 <= month <= 12 else None
    if kind == "dom":
        if g["nm"]:
            return _next_date(_add_months(today.replace(day=1), 1), _add_months(today.replace(day=1), 1).month,
                              int(g["d3"] or 0), str(_add_months(today.replace(day=1), 1).year))  # fmt: skip
        return _day_of_month(today, int(g["d3"] or 0))
    if kind == "after":
        return today + timedelta(days=2)
    if kind == "rel":
        return today + timedelta(days=1 if "tomorrow" in (g["k_rel"] or "").lower() else 0)
    if kind == "in":
        amount, unit = _count(g["n"] or "1"), (g["unit"] or "").lower()
        if unit.startswith("month"):
            return _add_months(today, amount)
        return today + timedelta(days=amount * (7 if unit.startswith("week") else 1))
    if kind == "eom":
        return _add_months(today.replace(day=1), 1) - timedelta(days=1)
    if kind == "eow":
        return today + timedelta(days=(4 - today.weekday()) if today.weekday() <= 4 else 6 - today.weekday())
    if kind == "weekend":
        return today if today.weekday() >= 5 else next_weekday(today, 5)
    if kind == "nextweek":
        return today + timedelta(days=7)
    if kind == "nextmonth":
        return _add_months(today.replace(day=1), 1)
    index = _weekday(g["wd"] or "")
    return None if index is None else next_weekday(today, index, include_today=bool(g["this"]))


def _time(g: dict[str, str | None], evening: bool) -> time | None:
    if g["noon"]:
        return time(12, 0)
    hour_raw, minute_raw = g["h"] or g["h2"] or g["h3"], g["m"] or g["m2"] or "0"
    hour, minute = int(hour_raw or 0), int(minute_raw)
    marker = (g["ap"] or "").replace(".", "").lower()
    if marker == "pm" and hour < 12:
        hour += 12
    elif marker == "am" and hour == 12:
        hour = 0
    elif not marker and g["h3"] and (hour < 7 or (evening and hour < 12)):
        hour += 12  # "at 5" is in the afternoon; "tonight at 8" in the evening
    elif not marker and evening and hour < 12 and not g["h2"]:
        hour += 12
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _repeat(g: dict[str, str | None], today: date, found: When) -> date | None:
    if weekday := g["rwd"] or g["rwd2"]:
        index = _weekday(weekday)
        found.recurrence = "weekly"
        return None if index is None else next_weekday(today, index)
    if g["weekday"]:
        found.unsupported = "every weekday"
        return None
    for name in ("daily", "weekly", "monthly", "yearly"):
        if g[name]:
            found.recurrence = name
            return today if name == "daily" else None
    return None  # pragma: no cover


def find_when(text: str, now: datetime, zone: tzinfo) -> When | None:
    """Every date, time and repeat in ``text`` (in the user's zone); None when there is none."""
    text = fix_date_word(text)
    local = now.astimezone(zone)
    today, found = local.date(), When(text)
    day: date | None = None
    at: time | None = None
    evening = re.search(r"\btonight|\bthis evening|\bevening\b|\bnight\b", text, re.I) is not None
    for match in _ALL.finditer(text):
        g = match.groupdict()
        if g["repeat"]:
            day = _repeat(g, today, found) or day
        elif g["time"]:
            if g["hn"]:
                amount, unit = _count(g["hn"]), (g["hu"] or "").lower()
                moment = local + (timedelta(hours=amount) if unit.startswith("h") else timedelta(minutes=amount))
                day, at = moment.date(), moment.time().replace(second=0, microsecond=0)
            elif (parsed := _time(g, evening)) is None:
                continue
            else:
                at = parsed
        else:
            kind = next(k[2:] for k, v in g.items() if k.startswith("k_") and v)
            if (parsed_day := _day(kind, g, today)) is None:
                continue
            day = parsed_day
        found.spans.append(match.span())
    if not found.spans:
        return None
    if at is not None:
        if day is None:
            found.time_only = at.strftime("%H:%M")
        when_day = day or (today if at >= local.time() else today + timedelta(days=1))
        found.due = datetime.combine(when_day, at, tzinfo=zone).isoformat()
    elif day is not None:
        found.due = day.isoformat()
    return found


def describe_date(day: date, today: date) -> str:
    """``today``, ``tomorrow``, ``Friday 2026-11-27`` or the ISO date."""
    delta = (day - today).days
    if delta == 0:
        return f"today ({day.isoformat()})"
    if delta == 1:
        return f"tomorrow ({day.isoformat()})"
    if delta == -1:
        return f"yesterday ({day.isoformat()})"
    if 1 < delta < 7:
        return f"{WEEKDAYS[day.weekday()].capitalize()} {day.isoformat()}"
    return day.isoformat()
