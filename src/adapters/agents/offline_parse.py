"""The offline agent's grammar: one English command in, one structured command out.

Quoted text is masked first, so words inside a quoted title never act as commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from adapters.agents.offline_dates import DATE_PHRASE, parse_date
from adapters.agents.offline_update import clears_field, parse_update
from adapters.agents.offline_words import (
    Quoted,
    Target,
    mask_quotes,
    parse_add,
    parse_list_filter,
    parse_target,
)


@dataclass(frozen=True, slots=True)
class Help:
    kind: str = "help"


@dataclass(frozen=True, slots=True)
class AddTask:
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ListTasks:
    arguments: dict[str, Any]
    label: str


@dataclass(frozen=True, slots=True)
class Act:
    """Complete, reopen, delete or update the task(s) a target names."""

    action: str
    target: Target
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Refuse:
    """A request the offline agent won't carry out as asked (e.g. deleting everything)."""

    reason: str


Command = Help | AddTask | ListTasks | Act | Refuse

_POLITE = re.compile(r"^(?:(?:please|pls|ok(?:ay)?|hey|so|now|and|also)[ ,]+|(?:can|could|would|will) you )+", re.I)
_TRAILER = re.compile(r"(?:[ ,]+(?:please|pls|for me|thanks|thank you))+$", re.I)
_GREETING = re.compile(r"^(?:hi|hello|hey|hey there|hiya|yo|good (?:morning|afternoon|evening)|howdy)$", re.I)
_THANKS = re.compile(
    r"^(?:thanks|thank you|thx|ty|cheers|great|ok|okay|cool|nice|perfect)(?: very much| a lot)?$", re.I
)
_HELP = re.compile(
    r"^(?:help|help me|\?|what can you do|what do you do|what are you|who are you|how does this work"
    r"|how do i use (?:this|you)|commands|what can i (?:say|ask|do)|what commands .*)$",
    re.I,
)
_ADD = re.compile(
    r"^(?:add|create|new|make a (?:new )?(?:task|todo|reminder))\b"
    r"|^(?:remind me|i (?:need|have|want|must|should|gotta) to|i must|remember to|don'?t (?:let me )?forget to)\b",
    re.I,
)
_REOPEN = re.compile(
    r"^(?:reopen|re-open|undo|uncheck|untick|unmark|unfinish|uncomplete)\b(?P<rest>.*)$"
    r"|^(?:mark|set|flag)\b(?P<rest2>.*?)\s+(?:as\s+)?(?:not (?:done|complete|completed|finished)"
    r"|undone|incomplete|uncompleted|unfinished|pending|open|to ?do)$",
    re.I,
)
_COMPLETE = re.compile(
    r"^(?:mark|check off|tick off|tick|complete|finish|finished|close|done with|i(?:'ve| have)? "
    r"(?:done|finished|completed))\b(?P<rest>.*?)(?:\s+(?:as\s+)?(?:done|complete|completed|finished|off))?$"
    r"|^(?P<rest2>.+?)\s+is\s+(?:done|finished|complete|completed)$",
    re.I,
)
_DELETE = re.compile(r"^(?:delete|remove|trash|erase|drop|cancel|discard|get rid of|bin)\b(?P<rest>.*)$", re.I)
_EVERYTHING = re.compile(r"^(?:all|every|everything|each)\b|\b(?:all|every)\b.*\b(?:tasks|todos|things)\b", re.I)
_UPDATE = re.compile(
    r"^(?:rename|retitle|change|update|edit|modify|set|move|reschedule|postpone|push|make|tag|prioriti[sz]e)\b", re.I
)
_QUESTION = re.compile(r"^(?:what|which|how|show|list|display|view|do i|are there|any)\b", re.I)
_LIST = re.compile(
    r"^(?:show|list|what|which|display|view|see|get|give|find|search|any|do i have|are there|how many|tell me)\b"
    r"|\b(?:tasks|todos|to-dos|to do list|todo list)\b",
    re.I,
)


def _clean(message: str) -> str:
    text = " ".join(message.split())
    text = _POLITE.sub("", text)
    text = re.sub(r"[\s.!?]+$", "", text)
    return _TRAILER.sub("", text).strip()


def parse(message: str, today: date) -> Command:
    """The command a message asks for; ``Help`` when it is not understood."""
    masked, quotes = mask_quotes(_clean(message))
    if _GREETING.match(masked):
        return Help("greeting")
    if _THANKS.match(masked):
        return Help("thanks")
    if _HELP.match(masked):
        return Help()
    if _ADD.match(masked) and not re.match(r"^add (?:the )?tags?\b", masked, re.I):
        return AddTask(parse_add(masked, quotes, today))
    if _QUESTION.match(masked):
        return _list(masked, quotes, today) or Help()
    return _act(masked, quotes, today) or _list(masked, quotes, today) or Help()


def _act(masked: str, quotes: Quoted, today: date) -> Command | None:
    if reopen := _REOPEN.match(masked):
        return Act("reopen", parse_target(reopen.group("rest") or reopen.group("rest2") or "", quotes))
    if complete := _COMPLETE.match(masked):
        return Act("complete", parse_target(complete.group("rest") or complete.group("rest2") or "", quotes))
    if (delete := _DELETE.match(masked)) and not clears_field(masked):
        rest = delete.group("rest").strip()
        if _EVERYTHING.search(rest):
            return Refuse("everything")
        target = parse_target(rest, quotes)
        return Refuse("several") if len(target.ids) > 1 else Act("delete", target)
    if _UPDATE.match(masked) or clears_field(masked) or re.match(r"^add (?:the )?tags?\b", masked, re.I):
        update = parse_update(masked, quotes, today)
        if update is not None:
            target, changes = update
            return Act("update", target, changes)
    return None


def _list(masked: str, quotes: Quoted, today: date) -> Command | None:
    if not _LIST.search(masked) and not re.fullmatch(DATE_PHRASE, masked, re.I):
        return None
    arguments, label = parse_list_filter(masked, quotes, today)
    return ListTasks(arguments, label)


__all__ = ["Act", "AddTask", "Command", "Help", "ListTasks", "Refuse", "parse", "parse_date"]
