"""New tasks from a request: the title, and the due date, time, repeat, priority, tags and
description said anywhere around it. What was read as a detail leaves the title."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Any

from adapters.agents.offline.dates import find_when, maybe_when
from adapters.agents.offline.lists import MARK, Quoted, priority_of, unmask
from adapters.agents.offline.typos import words

_LIST_PLACE = re.compile(
    r"\s+(?:to|on(?:to)?|in|into)\s+(?:my|the|our)\s+(?:(?:todo|to-do|to do|shopping|grocery|task|tasks)\s+)?"
    r"(?:list|tasks|todos)\b",
    re.I,
)
_PRIORITY_ANYWHERE = re.compile(
    r"(?:,\s*|\s+|^)(?:with\s+(?:a\s+)?)?(?:(?P<v>high|low|medium|normal|top)[- ]?(?:priority|prio|pri)"
    r"|priority[:\s]+(?P<v2>high|low|medium|normal))\b[,:!]?",
    re.I,
)
_PRIORITY_EDGE = (
    re.compile(r"^(?P<v>urgent|important|asap)\s*(?:[:!,-]\s*|\s+(?=(?:task|todo|reminder)\b))", re.I),
    re.compile(r"(?:\s*[,-]\s*|\s+)(?P<v>urgent|urgently|important|asap)[!.]*$", re.I),
)
_TAGS = re.compile(
    r"(?:\s*[,;-]\s*|\s+)(?:tagged|tags?|labell?ed|labels?|with\s+(?:the\s+)?tags?|with\s+(?:the\s+)?labels?)"
    r"\s*:?\s+(?P<v>#?[\w-]+(?:\s*(?:,|and)\s*#?[\w-]+)*)$",
    re.I,
)
_HASHTAG = re.compile(r"\s*(?<![\w&])#([A-Za-z][\w-]*)")
_DESCRIPTION = re.compile(
    r"(?:\s*[,;-]\s*|\s+)(?:(?:with|and)\s+(?:a\s+|the\s+)?(?:description|desc|notes?|details)(?:\s*[:=]|\s+"
    r"(?:of|saying|that says))?|(?:description|desc|notes?|details)\s*[:=])\s*(?P<v>.+)$",
    re.I,
)
_LEAD = re.compile(
    r"^(?:(?:a|an|new|another|one more|\d|two|three|four|five|some|a few)\s+)*"
    r"(?:(?:task|todo|to-do|item|reminder)s?\b)?\s*(?::|-)?\s*"
    r"(?:(?:to|titled|called|named|for|that says|saying|about)\b\s*)?",
    re.I,
)
_DANGLING = re.compile(
    r"(?:\s+(?:by|on|at|due|before|until|till|for|from|starting|and|to|with|too|as well|also|,))+$", re.I
)
TASK_VERBS = words(
    "buy call email e-mail send pay book clean fix pick return write read finish make take get order "
    "schedule renew water wash feed walk cook bake print review plan prepare submit text visit meet mail "
    "post file sort organize organise charge collect bring ask tell study practice practise learn repair "
    "grab go see watch attend drive start try bake hoover dust ring phone contact invite host celebrate "
    "replace sign register apply file iron vacuum mop tidy hang paint pack unpack book reply respond"
)
COMMAND_VERBS = words(
    "add create complete finish delete remove rename reopen restore show list mark move change update "
    "reschedule postpone set edit tag undo cancel drop scratch trash erase uncheck check"
)
_ITEM_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.I)


def _priority(text: str, args: dict[str, Any]) -> str:
    if found := _PRIORITY_ANYWHERE.search(text):
        args["priority"] = priority_of(found.group("v") or found.group("v2"))
        return (text[: found.start()] + " " + text[found.end() :]).strip()
    for pattern in _PRIORITY_EDGE:
        if found := pattern.search(text):
            args["priority"] = "high"
            return (text[: found.start()] + " " + text[found.end() :]).strip()
    return text


def _details(text: str, quotes: Quoted, args: dict[str, Any]) -> str:
    if found := _DESCRIPTION.search(text):
        args["description"] = unmask(found.group("v"), quotes).strip()
        text = text[: found.start()]
    if found := _TAGS.search(text):
        args["tags"] = [t.lstrip("#") for t in re.split(r"\s*(?:,|\band\b)\s*", found.group("v")) if t.strip("# ")]
        text = text[: found.start()]
    hashtags = _HASHTAG.findall(text)
    if hashtags:
        args["tags"] = [*args.get("tags", []), *hashtags]
        text = _HASHTAG.sub(" ", text)
    return _priority(text, args)


def _when(text: str, now: datetime, zone: tzinfo, args: dict[str, Any], notes: list[str]) -> str:
    if not maybe_when(text):
        return text
    when = find_when(text, now, zone)
    if when is None:
        return text
    if when.due:
        args["due"] = when.due
    if when.recurrence:
        args["recurrence"] = when.recurrence
        text = re.sub(r"\b(?:repeat(?:ing|s)?|recurring)\b", " ", when.strip(), flags=re.I)
    else:
        text = when.strip()
    if when.unsupported:
        notes.append(f'I can repeat a task daily, weekly, monthly or yearly, so "{when.unsupported}" was left out')
    return text


def _title(text: str, quotes: Quoted) -> str:
    text = _LEAD.sub("", text.strip(" ,:;-"), count=1) if not MARK.fullmatch(text.strip()) else text
    text = _DANGLING.sub("", text.strip(" ,:;-")).strip(" ,:;-")
    if MARK.fullmatch(text):
        return unmask(text, quotes)
    title = unmask(text, quotes).strip()
    return title[:1].upper() + title[1:]


def _items(text: str) -> list[str]:
    """Short items of one request ("milk and eggs", "buy apples and call the bank"), or the
    whole text when its parts are not alike (a title such as "call mom and dad")."""
    parts = [p for p in _ITEM_SPLIT.split(text) if p.strip()]
    if len(parts) < 2 or any(len(p.split()) > 5 for p in parts):
        return [text]
    firsts = [p.split()[0].lower() for p in parts]
    if any(first in COMMAND_VERBS for first in firsts[1:]):
        return [text]
    verbs = [first in TASK_VERBS for first in firsts]
    if all(verbs) or (not any(verbs) and all(len(p.split()) <= 3 for p in parts)):
        return parts
    return [text]


_PRIORITY_LEAD = re.compile(
    r"^(?:(?:a|an|new|another)\s+)*(?P<v>urgent|important|high[- ]priority|low[- ]priority|medium[- ]priority)\s+"
    r"(?=(?:task|todo|to-do|item|reminder)s?\b)",
    re.I,
)


def parse_add(text: str, quotes: Quoted, now: datetime, zone: tzinfo) -> tuple[list[dict[str, Any]], list[str]]:
    """``add_task`` arguments for each task a request adds ("add milk and eggs tomorrow"),
    and notes on what was left out."""
    args: dict[str, Any] = {}
    notes: list[str] = []
    rest = _LIST_PLACE.sub("", text)
    if lead := _PRIORITY_LEAD.match(rest):
        args["priority"] = priority_of(lead.group("v").split()[0].split("-")[0])
        rest = rest[lead.end() :]
    rest = _when(rest, now, zone, args, notes)
    rest = _details(rest, quotes, args)
    rest = _LEAD.sub("", rest.strip(" ,:;-"), count=1)
    titles = [_title(item, quotes) for item in _items(rest)]
    return [{"title": title, **args} for title in titles if title], notes
