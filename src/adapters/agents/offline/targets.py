"""Which task(s) a phrase names: numbers, references, a quoted title, title words, or a
selection of several tasks ("all completed tasks", "everything tagged work")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from adapters.agents.offline.lists import MARK, Quoted, parse_filter, unmask
from adapters.agents.offline.match import content_words

ORDINALS = {"first": 1, "top": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "tenth": 10, "last": -1}  # fmt: skip
_ORDINAL = r"(?:first|top|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|\d{1,3}(?:st|nd|rd|th))"
_ORDINALS = re.compile(
    r"^(?:the\s+)?(?P<list>" + _ORDINAL + r"(?:\s*(?:,|and|&)\s*(?:the\s+)?" + _ORDINAL + r")*)"
    r"(?:\s+(?:one|task|item|todo|entry|thing)s?)?(?:\s+(?:on|in)\s+(?:the|my)\s+list)?$",
    re.I,
)
_FIRST_N = re.compile(
    r"^(?:the\s+)?(?P<end>first|top|last)\s+(?P<n>two|three|four|five|2|3|4|5)(?:\s+(?:ones|tasks|items|todos))?"
    r"(?:\s+(?:on|in)\s+(?:the|my)\s+list)?$",
    re.I,
)
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5}
_IDS = re.compile(
    r"^(?:the\s+)?(?:(?:tasks?|todos?|items?|numbers?|no\.?|#)\s*)?#?(?P<ids>\d{1,19}(?:\s*(?:,\s*and|,|and|&|\+)\s*"
    r"(?:(?:tasks?|todos?|items?|number|no\.?)\s*)?#?\d{1,19})*)$",
    re.I,
)
_ONE = re.compile(
    r"^(?:it|that|this|that one|this one|the one|that task|this task|the task|the same one|same one|"
    r"that one too|it too|this too|that too|the one you just (?:added|made|created|changed))$",
    re.I,
)
_ALL = re.compile(
    r"^(?:them|those|these|both|both of them|all of them|them all|all three|all 3|all four|all those|all these|"
    r"those ones|these ones|those tasks|these tasks|each of them|all of those|the two|the two of them)$",
    re.I,
)
_SELECTION = re.compile(
    r"\b(?:all|every|everything|each|any)\b|^(?:my|the)\s+(?:whole\s+|entire\s+)?(?:todo\s+|to-do\s+|task\s+)?list$"
    r"|^(?:the\s+)?(?:completed|done|finished|overdue)(?:\s+(?:ones|tasks|todos|items))?$"
    r"|^(?:the\s+)?(?:pending|open)\s+(?:ones|tasks|todos|items)$",
    re.I,
)
_JUNK_START = re.compile(r"^(?:(?:the|my|a|an|our|this|that)\s+)+(?=\S)", re.I)
_JUNK_END = re.compile(
    r"(?:\s+(?:from|off|on|in)\s+(?:my|the)\s+(?:todo\s+|to-do\s+|shopping\s+|task\s+)?list|\s+as well|\s+too|"
    r"\s+also|\s+again|\s+any\s?more|\s+please|\s+for me|\s+now|\s+yet|\s+for good|\s+right now|\s+then)+$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Target:
    """What a phrase names. ``ref`` is "one" (it, that) or "all" (them, both); ``ordinals``
    count from 1 in the last list shown (-1 is the last one); ``selection`` is a list filter."""

    ids: tuple[int, ...] = ()
    ordinals: tuple[int, ...] = ()
    ref: str | None = None
    title: str | None = None
    words: str = ""
    selection: dict[str, Any] | None = None
    label: str = ""
    both: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.ids or self.ordinals or self.ref or self.title or self.words or self.selection is not None)

    @property
    def explicit(self) -> bool:
        """Named without looking words up: numbers, references or a quoted title."""
        return bool(self.ids or self.ordinals or self.ref or self.title)


def _ordinal(word: str) -> int:
    word = word.lower()
    return ORDINALS[word] if word in ORDINALS else int(re.sub(r"\D", "", word))


def clean(phrase: str) -> str:
    """A target phrase without the words around it that name nothing."""
    text = phrase.strip(" ,.:;!?-")
    text = _JUNK_END.sub("", text).strip(" ,.:;!?-")
    return text


def parse_target(phrase: str, quotes: Quoted, now: datetime, zone: tzinfo) -> Target:
    """The task(s) ``phrase`` names ("task 3", "it", "the second one", '"Call mom"', "the
    groceries", "all completed tasks")."""
    text = clean(phrase)
    if ids := _IDS.match(text):
        return Target(ids=tuple(dict.fromkeys(int(n) for n in re.findall(r"\d+", ids.group("ids")))))
    if first := _FIRST_N.match(text):
        count = _COUNTS.get(first.group("n").lower()) or int(first.group("n"))
        if first.group("end").lower() == "last":
            return Target(ordinals=tuple(range(-count, 0)))
        return Target(ordinals=tuple(range(1, count + 1)))
    if ordinals := _ORDINALS.match(text):
        found = re.findall(_ORDINAL, ordinals.group("list"), re.I)
        return Target(ordinals=tuple(_ordinal(word) for word in found))
    if _ONE.match(text):
        return Target(ref="one")
    if _ALL.match(text):
        return Target(ref="all", both=text.lower().startswith("both") or "two" in text.lower())
    stripped = _JUNK_START.sub("", text)
    if marker := MARK.fullmatch(stripped.strip()) or MARK.fullmatch(text.strip()):
        return Target(title=quotes[int(marker.group(1))])
    if _SELECTION.search(stripped) or _SELECTION.search(text):
        args, label, rest = parse_filter(stripped, quotes, now, zone)
        if rest and "tag" not in args:
            args["tag"] = rest.split()[-1]
            label = f"tasks tagged {args['tag']}"
        return Target(selection=args, label=label)
    words = unmask(stripped, quotes)
    return Target(words=words) if content_words(words) else Target()
