"""Change requests: rename, priority, due date and time, tags, repeat, description."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Any

from adapters.agents.offline.dates import find_when, maybe_when
from adapters.agents.offline.lists import MARK, Quoted, priority_of, unmask
from adapters.agents.offline.targets import Target, clean, parse_target

Update = tuple[Target, dict[str, Any]]

_VERB = re.compile(
    r"^(?P<verb>rename|retitle|change|update|edit|modify|set|move|reschedule|postpone|push(?:\s+back)?|bump(?:\s+up)?"
    r"|make|prioriti[sz]e|deprioriti[sz]e|raise|lower|switch|delay|put|call)\s+(?P<body>.+)$",
    re.I,
)
_SPLITS = (
    re.compile(r"^(?P<left>.+?)\s+(?:back\s+)?to\s+(?P<right>.+)$", re.I),
    re.compile(r"^(?P<left>.+?)\s+(?:as|=|until|till|into|for)\s+(?P<right>.+)$", re.I),
)
_FIELD = re.compile(
    r"(?:\b(?:the|its|their)\s+)?\b(?P<f>priority|title|name|description|notes?|details|due\s+date|due|deadline|date|time"
    r"|tags?|labels?|recurrence|repeat(?:ing)?)\b(?:\s+(?:of|for|on))?",
    re.I,
)
_FIELDS = {"priority": "priority", "title": "title", "name": "title", "description": "description",
           "note": "description", "notes": "description", "details": "description", "due date": "due",
           "due": "due", "deadline": "due", "date": "due", "tag": "tags", "tags": "tags", "label": "tags",
           "labels": "tags", "recurrence": "recurrence", "repeat": "recurrence", "repeating": "recurrence",
           "time": "due"}  # fmt: skip
_PRIORITY = re.compile(r"^(?P<v>high|low|medium|normal|urgent|important|top)(?:[- ]?(?:priority|prio|pri))?$", re.I)
_TRAILING_PRIORITY = re.compile(
    r"\s+(?:(?:a|to)\s+)?(?P<v>high|low|medium|normal|urgent|important|top)(?:[- ]?(?:priority|prio|pri))?$", re.I
)
_REPEAT = r"(?:every\s+day|each\s+day|daily|every\s+week|weekly|every\s+month|monthly|every\s+year|yearly|annually)"
_TRAILING_REPEAT = re.compile(r"\s+(?:repeat|recur)(?:s|ing)?\s+(?P<v>" + _REPEAT + r"|never|no more)$", re.I)
_RECURRENCE = {"day": "daily", "daily": "daily", "week": "weekly", "weekly": "weekly", "month": "monthly",
               "monthly": "monthly", "year": "yearly", "yearly": "yearly", "annually": "yearly"}  # fmt: skip
_NO_DATE = re.compile(r"^(?:none|nothing|no date|no due date|never|null|no deadline|someday)$", re.I)
_STATEMENT = re.compile(
    r"^(?P<left>.+?)\s+(?:is|are|was|'s)\s+(?:actually\s+|now\s+|really\s+)?(?P<what>due\s+.+|on\s+.+"
    r"|(?:high|low|medium|urgent|important)(?:[- ]priority)?|(?:a\s+)?(?:high|low|medium)[- ]priority(?:\s+task)?"
    r"|(?:today|tomorrow|tonight|next\s+\w+|this\s+\w+|(?:mon|tues|wednes|thurs|fri|satur|sun)day)(?:\s+now)?)$",
    re.I,
)
_CLEAR = re.compile(
    r"^(?:remove|clear|delete|drop|unset|take\s+off)\s+(?:the\s+)?(?P<f>due\s+date|deadline|due|date|tags?|labels?"
    r"|description|notes?|recurrence|repeat)\s+(?:from|of|on|for)\s+(?P<target>.+)$",
    re.I,
)
_CLEARED: dict[str, Any] = {"due": None, "tags": [], "description": None, "recurrence": "none"}
_RENAMES = {"rename", "retitle", "call"}


def _recurrence(text: str) -> str | None:
    text = " ".join(text.lower().split())
    if re.fullmatch(r"(?:none|never|no repeat|no more|nothing|once|not)", text):
        return "none"
    found = re.fullmatch(r"(?:repeat\s+)?(?:every\s+|each\s+)?(day|daily|week|weekly|month|monthly|year|yearly"
                         r"|annually)", text)  # fmt: skip
    return _RECURRENCE[found.group(1)] if found else None


def _due(text: str, now: datetime, zone: tzinfo) -> str | bool | None:
    """An ISO due, None to clear it, or False when the text is not a date."""
    if _NO_DATE.match(text.strip()):
        return None
    if not maybe_when(text):
        return False
    when = find_when(text, now, zone)
    if when is None or when.due is None or len(when.strip().split()) > 1:
        return False
    return f"T{when.time_only}" if when.time_only else when.due


def _value(field: str, raw: str, quotes: Quoted, now: datetime, zone: tzinfo) -> Any:
    text = clean(raw)
    if field in {"title", "description"}:
        value = unmask(text, quotes).strip()
        if field == "title" and not MARK.fullmatch(text.strip()):
            value = value[:1].upper() + value[1:]
        return value or False
    if field == "priority":
        found = _PRIORITY.match(text)
        return priority_of(found.group("v")) if found else False
    if field == "due":
        return _due(text, now, zone)
    if field == "tags":
        tags = [t.lstrip("#") for t in re.split(r"\s*(?:,|\band\b)\s*", unmask(text, quotes)) if t.strip("# ")]
        return tags or False
    return _recurrence(text) or False


def _guess(verb: str, right: str, now: datetime, zone: tzinfo) -> str | None:
    if _PRIORITY.match(clean(right)):
        return "priority"
    if _recurrence(re.sub(r"^repeat\s+", "", clean(right), flags=re.I)):
        return "recurrence"
    if verb.split(maxsplit=1)[0] in {"move", "reschedule", "postpone", "push", "delay"} or _due(
        clean(right), now, zone
    ):
        return "due"
    if verb in {*_RENAMES, "change", "update", "edit", "modify"}:
        return "title"
    return None


def _trailing(left: str, now: datetime, zone: tzinfo) -> tuple[str, str, str] | None:
    """A change said after the task without "to": "make it urgent", "set task 4 due friday"."""
    if found := _TRAILING_PRIORITY.search(left):
        return "priority", found.group("v"), left[: found.start()]
    if found := _TRAILING_REPEAT.search(left):
        return "recurrence", found.group("v"), left[: found.start()]
    if maybe_when(left) and (when := find_when(left, now, zone)) is not None and when.due:
        start = min(span[0] for span in when.spans)
        if not left[when.spans[-1][1] :].strip():
            rest = re.sub(r"\s+(?:due|for|on|by|to)$", "", when.text[:start].rstrip(), flags=re.I)
            return "due", when.text[start:], rest
    return None


def parse_clear(text: str, quotes: Quoted, now: datetime, zone: tzinfo) -> Update | None:
    """ "remove the due date from task 4": the field cleared, not the task deleted."""
    if found := _CLEAR.match(text):
        field = _FIELDS[" ".join(found.group("f").lower().split())]
        return parse_target(found.group("target"), quotes, now, zone), {field: _CLEARED[field]}
    return None


_SHIFT = re.compile(
    r"^(?:push|move|delay|postpone|bump|put\s+off|shift|set)\s+(?P<t>.+?)\s+(?P<dir>back|out|forward|ahead|off|up)?\s*"
    r"(?:by\s+)?(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|a\s+couple\s+of|a\s+few)\s+(?P<u>days?|weeks?)"
    r"(?:\s+(?P<dir2>later|earlier|back))?$",
    re.I,
)
_COUNT = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "a couple of": 2, "a few": 3}  # fmt: skip


def _shift(text: str, quotes: Quoted, now: datetime, zone: tzinfo) -> Update | None:
    """ "push the dentist back a day": the due date moved by days or weeks."""
    if (found := _SHIFT.match(text)) is None:
        return None
    raw = " ".join(found.group("n").lower().split())
    days = (int(raw) if raw.isdigit() else _COUNT[raw]) * (7 if found.group("u").lower().startswith("w") else 1)
    earlier = (found.group("dir") or "").lower() in {"forward", "ahead", "up"} or found.group("dir2") == "earlier"
    return parse_target(found.group("t"), quotes, now, zone), {"shift_days": -days if earlier else days}


_NAME_IT = re.compile(r"^(?:call|name|title|retitle)\s+(?P<t>it|that|this|task\s+#?\d+|#\d+)\s+(?P<v>.+)$", re.I)


def parse_update(text: str, quotes: Quoted, now: datetime, zone: tzinfo) -> Update | None:
    """The target and ``update_task`` fields of "rename task 2 to Call dad", "make it
    urgent", "move the dentist to friday at 3pm", "the bill is due on the 15th"; None if unclear."""
    if (shifted := _shift(text, quotes, now, zone)) is not None:
        return shifted
    if named := _NAME_IT.match(text):
        title = _value("title", named.group("v"), quotes, now, zone)
        return (parse_target(named.group("t"), quotes, now, zone), {"title": title}) if title else None
    if statement := _STATEMENT.match(text):
        what = re.sub(r"\s+now$", "", statement.group("what"), flags=re.I)
        left, right = statement.group("left"), re.sub(r"^(?:due|on)\s+", "", what, flags=re.I)
        verb = "set"
    elif found := _VERB.match(text):
        verb, body = " ".join(found.group("verb").lower().split()), found.group("body")
        if verb in {"prioritize", "prioritise", "raise", "bump up", "deprioritize", "deprioritise", "lower"}:
            low = verb.startswith(("de", "lower"))
            body = re.sub(r"^the\s+priority\s+(?:of|on)\s+", "", body, flags=re.I)
            return parse_target(body, quotes, now, zone), {"priority": "low" if low else "high"}
        split = _SPLITS[0].match(body) or _SPLITS[1].match(body)
        left, right = (split.group("left"), split.group("right")) if split else (body, "")
    else:
        return None
    field: str | None = None
    if not right and (trailing := _trailing(left, now, zone)) is not None:
        field, right, left = trailing
    if field_match := _FIELD.search(left):
        field = field or _FIELDS[" ".join(field_match.group("f").lower().split())]
        left = (left[: field_match.start()] + " " + left[field_match.end() :]).strip()
        left = re.sub(r"'s$|\bits$", "", left).strip() or "it"
    if not right:
        return None
    field = field or _guess(verb, right, now, zone)
    if field is None:
        return None
    value = _value(field, right, quotes, now, zone)
    target = parse_target(left, quotes, now, zone)
    if value is False or target.empty:
        return None
    if field == "due" and isinstance(value, str) and value.startswith("T"):
        return target, {"at_time": value[1:]}
    return target, {field: value}
