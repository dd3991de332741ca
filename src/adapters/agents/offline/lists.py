"""Which tasks a list request or a selection means: status, priority, tag, due window, text."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from adapters.agents.offline.dates import find_when, maybe_when

Quoted = tuple[str, ...]
MARK = re.compile(r"«(\d+)»")

_DONE = re.compile(r"\b(?:completed|complete|done|finished|closed|checked off|ticked off|crossed off)\b", re.I)
_OPEN = re.compile(
    r"\b(?:pending|open|incomplete|unfinished|outstanding|remaining|left|not done|undone|active|uncompleted|to do"
    r"|still (?:have|need|got)|have to do|need to do|todo)\b",
    re.I,
)
_OVERDUE = re.compile(r"\b(?:overdue|late|past due|behind)\b", re.I)
_PRIORITY = re.compile(
    r"\b(high|low|medium|normal|top|highest|lowest)[- ]?(?:priority|prio|pri)\b|\b(urgent|important)\b"
    r"|\bmost\s+(urgent|important)\b",
    re.I,
)
_TAG = re.compile(
    r"\b(?:tagged|tag|labell?ed|label|category)\s+(?:as\s+|with\s+)?#?([\w-]+)|(?<!\w)#([A-Za-z][\w-]*)", re.I
)
_SEARCH = (
    re.compile(r"\b(?:about|containing|mentioning|matching|with the words?|that mentions?|that says?)\s+(.+)$", re.I),
    re.compile(
        r"^(?:search|find|look)(?:\s+for)?(?:\s+(?:my\s+)?(?:tasks?|anything))?(?:\s+(?:for|about))?\s+(.+)$", re.I
    ),
)
_DUE = re.compile(r"\b(?:due|for|on|by)\b|^(?:today|tomorrow)\b|\b(?:this|next) week\b|\btoday\b|\btomorrow\b", re.I)
_SORT = re.compile(r"\b(?:sorted|ordered|sort|order)\s+by\s+(due date|deadline|due|priority|title|name|date)\b", re.I)
_UPCOMING = re.compile(r"\b(?:coming\s+up|upcoming|next\s+deadline|due\s+next|what'?s\s+next|soon|deadlines)\b", re.I)
_WEEK = re.compile(r"\b(this|next) week\b", re.I)
_FILLER = re.compile(
    r"\b(?:what|what's|whats|which|show|list|display|view|see|get|give|tell|me|my|all|every|everything|each|any|"
    r"anything|the|a|an|of|do|does|did|i|have|has|is|are|there|on|in|for|to|tasks?|todos?|to-dos?|items?|"
    r"things?|stuff|ones?|please|still|got|left|list|due|with|that|are|can|you|now|currently|so far|far|"
    r"yet|up|whats?|let|us|see|i've|ive|haven't|have|need|else|more|and|or|how|many|much|count|number|should|could"
    r"|would|must|we|today|tomorrow|work\s+on|going|on|plate|agenda|schedule|do|doing|coming|upcoming|soon|next"
    r"|whole|entire|read|summary|overview|rundown|recap|quick|full)\b",
    re.I,
)


def unmask(text: str, quotes: Quoted) -> str:
    return MARK.sub(lambda match: quotes[int(match.group(1))], text)


def priority_of(word: str) -> str:
    word = word.lower()
    return {"normal": "medium", "urgent": "high", "important": "high", "top": "high", "highest": "high",
            "lowest": "low"}.get(word, word)  # fmt: skip


def _window(first: date, last: date) -> dict[str, Any]:
    return {"due_after": (first - timedelta(days=1)).isoformat(), "due_before": (last + timedelta(days=1)).isoformat()}


_NEXT_DAYS = re.compile(
    r"\b(?:in\s+the\s+|within\s+(?:the\s+)?|over\s+the\s+)?(?:next|coming)\s+(\d{1,2}|two|three|four|five|six|seven|ten)"
    r"\s+days\b",
    re.I,
)
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}


def _due(text: str, now: datetime, zone: tzinfo) -> tuple[dict[str, Any], str] | None:
    today = now.astimezone(zone).date()
    if days := _NEXT_DAYS.search(text):
        count = _COUNTS.get(days.group(1).lower()) or int(days.group(1))
        return _window(today, today + timedelta(days=count)), f"due in the next {count} days"
    if week := _WEEK.search(text):
        first = today if week.group(1).lower() == "this" else today + timedelta(days=7 - today.weekday())
        last = today + timedelta(days=6) if week.group(1).lower() == "this" else first + timedelta(days=6)
        return _window(first, last), f"due {week.group(0).lower()}"
    if not _DUE.search(text) or not maybe_when(text):
        return None
    when = find_when(text, now, zone)
    if when is None or when.due is None:
        return None
    day = date.fromisoformat(when.due[:10])
    delta = (day - today).days
    named = {0: "today", 1: "tomorrow"}.get(delta) or f"on {day.strftime('%A')} {day.isoformat()}"
    return _window(day, day), f"due {named}"


def parse_filter(text: str, quotes: Quoted, now: datetime, zone: tzinfo) -> tuple[dict[str, Any], str, str]:
    """``list_tasks`` arguments, a label ("pending high priority tasks tagged work") and the
    words left over that may name a tag ("my work tasks")."""
    args: dict[str, Any] = {}
    words: list[str] = []
    suffix: list[str] = []
    if _OVERDUE.search(text):
        args["overdue"] = True
        words.append("overdue")
    elif _DONE.search(text) and not re.search(r"\b(?:not|n't)\s+(?:yet\s+)?(?:done|completed|finished)", text, re.I):
        args["status"] = "completed"
        words.append("completed")
    elif _OPEN.search(text):
        args["status"] = "pending"
        words.append("pending")
    if priority := _PRIORITY.search(text):
        args["priority"] = priority_of(priority.group(1) or priority.group(2) or priority.group(3))
        words.append(f"{args['priority']} priority")
    if tag := _TAG.search(text):
        args["tag"] = unmask(tag.group(1) or tag.group(2), quotes)
        suffix.append(f"tagged {args['tag']}")
    if _UPCOMING.search(text) and "due_after" not in args:
        yesterday = now.astimezone(zone).date() - timedelta(days=1)
        args.update({"status": "pending", "due_after": yesterday.isoformat(), "sort": "due", "limit": 10})
        words[:] = ["upcoming"]
    elif (due := _due(text, now, zone)) is not None:
        args.update(due[0])
        args.setdefault("status", "pending")
        suffix.append(due[1])
    if order := _SORT.search(text):
        key = order.group(1).lower()
        args["sort"] = {"due date": "due", "deadline": "due", "name": "title", "date": "due"}.get(key, key)
        suffix.append(f"by {order.group(1).lower()}")
    if search := _SEARCH[0].search(text) or _SEARCH[1].search(text):
        args["q"] = re.sub(r"^(?:the|my|a|an)\s+", "", unmask(search.group(1), quotes).strip(" ?.!"), flags=re.I)
        suffix.append(f'mentioning "{args["q"]}"')
    rest = _rest(text, args)
    return args, " ".join([*words, "tasks", *suffix]), rest


def _rest(text: str, args: dict[str, Any]) -> str:
    """Words a filter did not explain ("work" in "show me my work tasks")."""
    if "q" in args or "tag" in args or "sort" in args or "due_after" in args or "due_before" in args:
        return ""
    cleaned = re.sub(r"[?!.,]|'\w*", " ", text)
    for pattern in (_OVERDUE, _DONE, _OPEN, _PRIORITY, _SORT, _FILLER, _WEEK):
        cleaned = pattern.sub(" ", cleaned)
    cleaned = re.sub(r"\b(?:today|tomorrow|week)\b", " ", cleaned, flags=re.I)
    return " ".join(cleaned.split())
