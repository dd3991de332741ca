"""Update phrases of the offline grammar: rename, priority, due date, tags, recurrence."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from adapters.agents.offline_dates import DATE_PHRASE, NO_DATE, parse_date
from adapters.agents.offline_words import (
    RECURRENCE_WORD,
    Quoted,
    Target,
    parse_target,
    priority_of,
    recurrence_of,
    unmask,
)

Update = tuple[Target, dict[str, Any]]

_VERB = re.compile(
    r"^(?P<verb>rename|retitle|change|update|edit|modify|set|move|reschedule|postpone|push|make|prioriti[sz]e)"
    r"\s+(?P<body>.+)$",
    re.I,
)
_SPLIT = re.compile(r"^(?P<left>.+?)\s+(?:to|as|=|until|into)\s+(?P<right>.+)$", re.I)
_FIELD = re.compile(
    r"(?:\b(?:the|its)\s+)?\b(?P<f>priority|title|name|description|notes?|details|due date|due|deadline|date"
    r"|tags?|labels?|recurrence|repeat(?:ing)?)\b(?:\s+(?:of|for|on))?",
    re.I,
)
_FIELDS = {
    "priority": "priority",
    "title": "title",
    "name": "title",
    "description": "description",
    "note": "description",
    "notes": "description",
    "details": "description",
    "due date": "due",
    "due": "due",
    "deadline": "due",
    "date": "due",
    "tag": "tags",
    "tags": "tags",
    "label": "tags",
    "labels": "tags",
    "recurrence": "recurrence",
    "repeat": "recurrence",
    "repeating": "recurrence",
}
_PRIORITY_VALUE = re.compile(r"^(?P<v>high|low|medium|normal|urgent|important)(?:[- ]priority)?$", re.I)
_TRAILING = (
    ("priority", re.compile(r"\s+(?P<v>high|low|medium|normal|urgent|important)[- ]priority$", re.I)),
    ("due", re.compile(r"\s+(?:due\s+)?(?:(?:on|for|by)\s+)?(?P<v>" + DATE_PHRASE + r")$", re.I)),
    ("recurrence", re.compile(r"\s+(?:repeat\s+|recur\s+)?(?P<v>" + RECURRENCE_WORD + r")$", re.I)),
    ("recurrence", re.compile(r"\s+(?:repeat|recur)(?:s|ing)?\s+(?P<v>never|no more)$", re.I)),
)
_CLEAR = re.compile(
    r"^(?:remove|clear|delete|drop|unset)\s+(?:the\s+)?(?P<f>due date|deadline|due|date|tags?|labels?|description|notes"
    r"|recurrence)\s+(?:from|of|on|for)\s+(?P<target>.+)$",
    re.I,
)
_ADD_TAG = re.compile(
    r"^(?:add\s+(?:the\s+)?tags?\s+(?P<v>.+?)\s+to\s+(?P<target>.+)|tag\s+(?P<target2>.+?)\s+(?:with|as)\s+(?P<v2>.+))$",
    re.I,
)
_CLEARED: dict[str, Any] = {"due": None, "tags": [], "description": None, "recurrence": "none"}


def clears_field(masked: str) -> bool:
    """Whether the request clears a field ("remove the due date from task 4"), not a task."""
    return _CLEAR.match(masked) is not None


def _tags(raw: str, quotes: Quoted) -> list[str]:
    return [t.lstrip("#") for t in re.split(r"\s*(?:,|\band\b)\s*", unmask(raw, quotes)) if t.strip("# ")]


def _value(field: str, raw: str, quotes: Quoted, today: date) -> Any:
    """The new value of ``field`` from the words after "to"; None means not understood."""
    text = raw.strip(" ,")
    if field in {"title", "description"}:
        return unmask(text, quotes).strip() or None
    if field == "priority":
        match = _PRIORITY_VALUE.match(text)
        return priority_of(match.group("v")) if match else None
    if field == "due":
        if re.fullmatch(NO_DATE, text, re.I):
            return ""
        day = parse_date(text, today)
        return day.isoformat() if day else None
    if field == "tags":
        return _tags(text, quotes) or None
    if re.fullmatch(r"(?:none|never|no repeat|no more|nothing|once)", text, re.I):
        return "none"
    match = re.fullmatch(r"(?:repeat\s+)?(" + RECURRENCE_WORD + r")", text, re.I)
    return recurrence_of(match.group(1)) if match else None


def _guess_field(verb: str, right: str, today: date) -> str:
    if verb in {"move", "reschedule", "postpone", "push"} or parse_date(right, today) is not None:
        return "due"
    if _PRIORITY_VALUE.match(right.strip()):
        return "priority"
    if re.fullmatch(r"(?:repeat\s+)?" + RECURRENCE_WORD, right.strip(), re.I):
        return "recurrence"
    return "title"


def _special(masked: str, quotes: Quoted) -> Update | None:
    if clear := _CLEAR.match(masked):
        field = _FIELDS[clear.group("f").lower()]
        return parse_target(clear.group("target"), quotes), {field: _CLEARED[field]}
    if tag := _ADD_TAG.match(masked):
        target = tag.group("target") or tag.group("target2")
        return parse_target(target, quotes), {"add_tags": _tags(tag.group("v") or tag.group("v2"), quotes)}
    return None


def parse_update(masked: str, quotes: Quoted, today: date) -> Update | None:
    """The target and the ``update_task`` fields of a request such as "rename task 2 to Call
    dad", "set the priority of task 1 to high" or "move task 4 to tomorrow"; None if unclear.
    A due date of "" clears it; ``add_tags`` adds to the task's tags."""
    special = _special(masked, quotes)
    if special is not None:
        return special if not special[0].empty else None
    verb_match = _VERB.match(masked)
    if verb_match is None:
        return None
    verb, body = verb_match.group("verb").lower(), verb_match.group("body")
    split = _SPLIT.match(body)
    left, right = (split.group("left"), split.group("right")) if split else (body, "")
    field: str | None = None
    if not right:
        for name, pattern in _TRAILING:
            if trailing := pattern.search(left):
                field, right, left = name, trailing.group("v"), left[: trailing.start()]
                break
    if field_match := _FIELD.search(left):
        field = field or _FIELDS[field_match.group("f").lower()]
        left = (left[: field_match.start()] + " " + left[field_match.end() :]).strip()
        left = re.sub(r"'s$|\bits$", "", left).strip()
    if not right:
        return None
    field = field or _guess_field(verb, right, today)
    value = _value(field, right, quotes, today)
    target = parse_target(left, quotes)
    if value is None or target.empty:
        return None
    return target, {field: None if field == "due" and value == "" else value}
