"""Pieces of the offline grammar: quotes, task references, new-task and list phrases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from adapters.agents.offline_dates import DATE_PHRASE, parse_date

Quoted = tuple[str, ...]

_QUOTE = re.compile(r"\"([^\"]*)\"|“([^”]*)”|‘([^’]*)’|(?<![\w])'([^']*)'(?![\w])")
_MARK = re.compile(r"«(\d+)»")
PRIORITY_WORD = r"(?:high|low|medium|normal|urgent|important)"
_PRIORITIES = {"normal": "medium", "urgent": "high", "important": "high"}
_RECURRENCE = {
    "every day": "daily",
    "each day": "daily",
    "daily": "daily",
    "every week": "weekly",
    "weekly": "weekly",
    "every month": "monthly",
    "monthly": "monthly",
    "every year": "yearly",
    "yearly": "yearly",
    "annually": "yearly",
}
RECURRENCE_WORD = r"(?:every day|each day|daily|every week|weekly|every month|monthly|every year|yearly|annually)"


def mask_quotes(text: str) -> tuple[str, Quoted]:
    """Replace quoted strings by ``«n»`` markers; return the text and the strings."""
    quotes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        quotes.append(next(group for group in match.groups() if group is not None).strip())
        return f"«{len(quotes) - 1}»"

    return _QUOTE.sub(keep, text), tuple(quotes)


def unmask(text: str, quotes: Quoted) -> str:
    return _MARK.sub(lambda match: quotes[int(match.group(1))], text)


def priority_of(word: str) -> str:
    word = word.lower()
    return _PRIORITIES.get(word, word)


def recurrence_of(words: str) -> str:
    return _RECURRENCE[" ".join(words.lower().split())]


@dataclass(frozen=True, slots=True)
class Target:
    """Which task a command names: ids, a quoted title, or words of a title."""

    ids: tuple[int, ...] = ()
    title: str | None = None
    words: str = ""

    @property
    def empty(self) -> bool:
        return not self.ids and self.title is None and not self.words


_IDS = re.compile(r"(?:\b(?:tasks?|todos?|items?|numbers?|no\.?)\s*#?|#)\s*(\d+(?:\s*(?:,|and|&|\+)\s*#?\d+)*)\b", re.I)
_LEAD = re.compile(
    r"^(?:(?:the|my|a|an|that|this|our)\s+)*(?:(?:task|todo|to-do|item|one|reminder)s?"
    r"(?:\s+(?:called|named|titled|about|for|to|that says|saying))?(?:\s+|$))?",
    re.I,
)
_TAIL = re.compile(r"\s+(?:task|todo|to-do|item|one|reminder)s?$", re.I)


def parse_target(text: str, quotes: Quoted) -> Target:
    """The task(s) a phrase such as "task 3", "#3", '"Call mom"' or "the groceries task" names."""
    rest = text.strip(" ,:;")
    found = _IDS.search(rest) or re.fullmatch(r"(\d+)", rest)
    if found:
        return Target(ids=tuple(int(number) for number in re.findall(r"\d+", found.group(1))))
    marker = _MARK.search(rest)
    if marker:
        return Target(title=quotes[int(marker.group(1))])
    words = _TAIL.sub("", _LEAD.sub("", rest)).strip(" ,:;")
    return Target(words=unmask(words, quotes).lower())


_ADD_LEAD = re.compile(
    r"^(?:(?:add|create|new|make)(?:\s+(?:a|an|new|another|me a|one more))?"
    r"(?:(?P<mods>(?:\s+(?:(?:high|low|medium|normal)[- ]priority|urgent|important|" + RECURRENCE_WORD + r"))*)"
    r"\s+(?:task|todo|to-do|item|reminder)s?)?(?:\s*:|\s+(?:to|titled|called|named|for|that says|saying)\b)?"
    r"|remind me(?:\s+to)?|i (?:need|have|want|must|should|gotta) to(?: remember to)?|i must|remember to"
    r"|don'?t (?:let me )?forget to)\s*",
    re.I,
)
_SEP = r"\s*[,;-]?\s*"
_DESCRIPTION = (
    r"(?:(?:with|and)\s+(?:a\s+|the\s+)?(?:description|desc|notes?|details)(?:\s*[:=]|\s+(?:of|saying))?"
    r"|(?:description|desc|notes?|details)\s*[:=])\s*(?P<v>.+)"
)
_TAGS = r"(?:tagged|tags?|labell?ed|labels?|with tags?|with labels?)\s*:?\s+(?P<v>#?[\w-]+(?:\s*(?:,|and)\s*#?[\w-]+)*)"
_PRIORITY = (
    r"(?:with\s+)?(?:(?P<v>high|low|medium|normal)[- ]priority|priority[: ]+(?P<v2>high|low|medium|normal)"
    r"|(?P<v3>urgent|important))"
)
_ADD_TRAILERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(_SEP + pattern + "$", re.I))
    for name, pattern in (
        ("description", _DESCRIPTION),
        ("tags", _TAGS),
        ("priority", _PRIORITY),
        ("recurrence", r"(?:repeat(?:ing|s)?\s+)?(?P<v>" + RECURRENCE_WORD + ")"),
        ("due", r"(?:(?:due|by|on|for|before|until)\s+)?(?P<v>" + DATE_PHRASE + ")"),
    )
)


def _split_tags(raw: str) -> list[str]:
    return [tag.lstrip("#") for tag in re.split(r"\s*(?:,|\band\b)\s*", raw) if tag.strip("# ")]


def _apply_trailer(name: str, match: re.Match[str], args: dict[str, Any], quotes: Quoted, today: date) -> bool:
    """Set the field a trailing phrase gives; False when its value means nothing."""
    value = next((v for v in match.groupdict().values() if v), "")
    if name == "description":
        args["description"] = unmask(value, quotes).strip()
    elif name == "tags":
        args["tags"] = [*args.get("tags", []), *_split_tags(value)]
    elif name == "priority":
        args["priority"] = priority_of(value)
    elif name == "recurrence":
        args["recurrence"] = recurrence_of(value)
    elif (due := parse_date(value, today)) is not None:
        args["due"] = due.isoformat()
    else:
        return False
    return True


def parse_add(masked: str, quotes: Quoted, today: date) -> dict[str, Any]:
    """``add_task`` arguments from a request such as "add buy milk tomorrow tagged home"."""
    lead = _ADD_LEAD.match(masked)
    rest = masked[lead.end() :] if lead else masked
    args: dict[str, Any] = {}
    for modifier in re.findall(r"[a-z]+(?:[- ]priority)?|every \w+", (lead and lead.group("mods")) or "", re.I):
        if re.fullmatch(PRIORITY_WORD + r"(?:[- ]priority)?", modifier, re.I):
            args["priority"] = priority_of(modifier.split()[0].split("-")[0])
        elif modifier.lower() in _RECURRENCE:
            args["recurrence"] = recurrence_of(modifier)
    for _ in range(len(_ADD_TRAILERS) + 1):
        before = rest
        for name, pattern in _ADD_TRAILERS:
            match = pattern.search(rest) if name not in args else None
            if match and match.start() > 0 and _apply_trailer(name, match, args, quotes, today):
                rest = rest[: match.start()]
        if rest == before:
            break
    hashtags = re.findall(r"(?<!\w)#([A-Za-z][\w-]*)", rest)
    if hashtags:
        args["tags"] = [*args.get("tags", []), *hashtags]
        rest = re.sub(r"\s*(?<!\w)#[A-Za-z][\w-]*", "", rest)
    title = rest.strip(" ,:;-")
    if re.fullmatch(r"«\d+»", title):
        return {"title": unmask(title, quotes), **args}
    title = unmask(title, quotes)
    return {"title": title[:1].upper() + title[1:], **args}


_STATUS_DONE = re.compile(r"\b(?:completed|complete|done|finished|closed|checked off)\b", re.I)
_STATUS_OPEN = re.compile(
    r"\b(?:pending|open|incomplete|unfinished|outstanding|remaining|left|not done|undone|active|uncompleted)\b",
    re.I,
)
_TAG = re.compile(r"\b(?:tagged|tag|labell?ed|label|category)\s+(?:as\s+)?#?([\w-]+)|(?<!\w)#([A-Za-z][\w-]*)", re.I)
_SEARCH = (
    re.compile(r"\b(?:about|containing|mentioning|matching|with the words?)\s+(.+)$", re.I),
    re.compile(r"^(?:search|find|look)(?:\s+for)?(?:\s+(?:my\s+)?tasks?)?(?:\s+for)?\s+(.+)$", re.I),
)
_DUE_DAY = re.compile(r"\b(?:due|for|on)\s+(today|tomorrow|" + DATE_PHRASE + r")\b|^(today|tomorrow)\b", re.I)


def _due_window(day: date) -> dict[str, Any]:
    return {"due_after": (day - timedelta(days=1)).isoformat(), "due_before": (day + timedelta(days=1)).isoformat()}


def parse_list_filter(masked: str, quotes: Quoted, today: date) -> tuple[dict[str, Any], str]:
    """``list_tasks`` arguments and a label ("pending high priority tasks tagged work")."""
    args: dict[str, Any] = {}
    words: list[str] = []
    suffix: list[str] = []
    if re.search(r"\b(?:overdue|late|past due|behind)\b", masked, re.I):
        args["overdue"] = True
        words.append("overdue")
    elif _STATUS_OPEN.search(masked):
        args["status"] = "pending"
        words.append("pending")
    elif _STATUS_DONE.search(masked):
        args["status"] = "completed"
        words.append("completed")
    if priority := re.search(r"\b(high|low|medium|normal)[- ]priority\b|\b(urgent|important)\b", masked, re.I):
        args["priority"] = priority_of(priority.group(1) or priority.group(2))
        words.append(f"{args['priority']} priority")
    if tag := _TAG.search(masked):
        args["tag"] = unmask(tag.group(1) or tag.group(2), quotes)
        suffix.append(f"tagged {args['tag']}")
    if (due := _DUE_DAY.search(masked)) and (day := parse_date(due.group(1) or due.group(2), today)) is not None:
        args.update(_due_window(day))
        suffix.append(f"due {day.isoformat()}")
    if search := _SEARCH[0].search(masked) or _SEARCH[1].search(masked):
        args["q"] = unmask(search.group(1), quotes).strip(" ?")
        suffix.append(f'mentioning "{args["q"]}"')
    return args, " ".join([*words, "tasks", *suffix])
