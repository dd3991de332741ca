"""One clause of a request in, one command out: add, show, ask, act (complete, reopen,
delete, change, bring back), undo, small talk, or not understood."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from adapters.agents.offline import phrases as p
from adapters.agents.offline.add import TASK_VERBS, parse_add
from adapters.agents.offline.dates import find_when, maybe_when
from adapters.agents.offline.lists import Quoted, parse_filter, unmask
from adapters.agents.offline.match import forms
from adapters.agents.offline.phrases import chat_kind
from adapters.agents.offline.targets import Target, parse_target
from adapters.agents.offline.update import parse_clear, parse_update


@dataclass(frozen=True, slots=True)
class Add:
    """New tasks; ``bare`` when the request was only a task ("buy milk"), with no "add"."""

    tasks: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    bare: bool = False


@dataclass(frozen=True, slots=True)
class Show:
    """A list; ``due`` when the request was a date alone ("tomorrow"): right after a task was
    added or changed, that is its new due date."""

    arguments: dict[str, Any]
    label: str
    rest: str = ""
    due: str | None = None


@dataclass(frozen=True, slots=True)
class Ask:
    """A question about tasks: ``count``, or ``when`` / ``done`` / ``priority`` / ``what``
    about the task a target names."""

    kind: str
    target: Target = field(default_factory=Target)
    status: str | None = None


@dataclass(frozen=True, slots=True)
class Act:
    """``complete``, ``reopen``, ``delete``, ``update`` or ``back`` (restore or reopen) the
    task(s) a target names; ``changes`` are ``update_task`` fields (``add_tags`` adds)."""

    action: str
    target: Target
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Undo:
    pass


@dataclass(frozen=True, slots=True)
class Correct:
    """ "No, I meant mom": undo what the last reply changed and do it to another task."""

    target: Target


@dataclass(frozen=True, slots=True)
class Chat:
    kind: str


@dataclass(frozen=True, slots=True)
class Unknown:
    text: str


Command = Add | Show | Ask | Act | Undo | Correct | Chat | Unknown


class Grammar:
    """Parses clauses for one turn (the user's clock and zone fix what dates mean)."""

    def __init__(self, quotes: Quoted, now: datetime, zone: tzinfo) -> None:
        self.quotes = quotes
        self.now = now
        self.zone = zone

    def target(self, phrase: str) -> Target:
        return parse_target(phrase, self.quotes, self.now, self.zone)

    def classify(self, clause: str) -> str:
        """What a clause is, for splitting a sentence (see ``text.Classify``)."""
        command = self.parse(clause)
        if isinstance(command, Add):
            return "add"
        if isinstance(command, Show | Ask):
            return "show"
        if isinstance(command, Undo | Correct):
            return "explicit"
        if isinstance(command, Act):
            explicit = command.target.explicit
            if {"title", "description"} & set(command.changes):
                return "free-explicit" if explicit else "free"
            return "explicit" if explicit else "other"
        return "other"

    def parse(self, clause: str) -> Command:
        """The command of one clause (quotes masked, fillers and typos of its first word fixed)."""
        if kind := chat_kind(clause):
            return Chat(kind)
        if p.UNDO.match(clause):
            return Undo()
        for special in (self._back, self._note, self._tags, self._untag, self._clear, self._wrapped, self._new):
            if (command := special(clause)) is not None:
                return command
        order: tuple[Callable[[str], Command | None], ...] = (
            (self._question, self._show)
            if p.QUESTION_START.match(clause)
            else (self._delete, self._reopen, self._complete, self._question, self._update, self._show)
        )
        for parse in order:
            if (command := parse(clause)) is not None:
                return command
        first, *rest = clause.lower().split()
        if first in TASK_VERBS and rest and rest[0] not in {"it", "that", "this", "them", "those", "these"}:
            tasks, notes = parse_add(clause, self.quotes, self.now, self.zone)
            if all(len(task["title"].split()) > 1 for task in tasks):
                return Add(tasks, notes, bare=True)
        return Unknown(unmask(clause, self.quotes))

    def _back(self, clause: str) -> Command | None:
        if found := p.RESTORE.match(clause):
            return Act("restore", self.target(found.group("t")))
        if found := p.BACK.match(clause):
            return Act("back", self.target(found.group("t") or found.group("t2")))
        if found := p.MEANT.match(clause):
            return Correct(self.target(found.group("t") or found.group("t2")))
        return None

    def _new(self, clause: str) -> Command | None:
        if put := p.PUT.match(clause):
            return self._add(put.group("rest") + (put.group("tail") or ""))
        if add := p.ADD.match(clause):
            return self._add(add.group("rest"))
        return None

    def _note(self, clause: str) -> Command | None:
        if found := p.NOTE.match(clause):
            return Act("update", self.target(found.group("t")), {"description": unmask(found.group("v"), self.quotes)})
        return None

    def _tags(self, clause: str) -> Command | None:
        if found := p.TAGS.match(clause):
            raw = unmask(found.group("v") or found.group("v2") or found.group("v3"), self.quotes)
            tags = [t.lstrip("#") for t in re.split(r"\s*(?:,|\band\b)\s*", raw) if t.strip("# ")]
            target = found.group("t") or found.group("t2") or found.group("t3")
            return Act("update", self.target(target), {"add_tags": tags})
        return None

    def _untag(self, clause: str) -> Command | None:
        if found := p.UNTAG.match(clause):
            target = self.target(found.group("t") or found.group("t2"))
            return Act("update", target, {"remove_tags": [found.group("tag")] if found.group("tag") else []})
        if found := p.NO_REPEAT.match(clause):
            return Act("update", self.target(found.group("t") or found.group("t2")), {"recurrence": "none"})
        return None

    def _clear(self, clause: str) -> Command | None:
        if (cleared := parse_clear(clause, self.quotes, self.now, self.zone)) is not None:
            return Act("update", *cleared)
        return None

    def _wrapped(self, clause: str) -> Command | None:
        """ "I need to delete task 3" is the command; "I need to finish the report" is a new task."""
        if found := p.WRAPPED.match(clause):
            inner = self.parse(found.group("rest"))
            if (isinstance(inner, Act) and inner.target.explicit) or isinstance(inner, Show | Ask):
                return inner
        return None

    def _add(self, rest: str) -> Command:
        rest = re.sub(r"^(?:remember|remind\s+me|don'?t\s+forget)\s+(?:to\s+)?", "", rest, flags=re.I)
        tasks, notes = parse_add(rest, self.quotes, self.now, self.zone)
        return Add(tasks, notes)

    def _delete(self, clause: str) -> Command | None:
        if found := p.DELETE.match(clause):
            rest = found.group("rest") or found.group("rest2") or found.group("rest3") or ""
            return Act("delete", self.target(re.sub(r"\s+(?:any\s?more|anymore)$", "", rest)))
        return None

    def _reopen(self, clause: str) -> Command | None:
        if found := p.REOPEN.match(clause):
            rest = next(found.group(g) for g in ("rest", "rest2", "rest3", "rest4") if found.group(g))
            if verb := found.group("verb"):
                rest = f"{rest} {min(forms(verb), key=len)}"
            return Act("reopen", self.target(rest))
        return None

    def _complete(self, clause: str) -> Command | None:
        if found := p.COMPLETE.match(clause):
            return Act("complete", self.target(found.group("rest")))
        if found := p.DONE_STATEMENT.match(clause):
            return Act("complete", self.target(found.group("t")))
        if (found := p.PAST.match(clause)) and found.group("verb").lower() not in p.NOT_DONE_VERBS:
            return Act("complete", self.target(f"{found.group('verb')} {found.group('rest')}"))
        found_participle = p.DONE_PARTICIPLE.match(clause)
        if found_participle and found_participle.group("verb").lower() not in p.NOT_DONE_VERBS | {"done"}:
            words = f"{found_participle.group('t')} {found_participle.group('verb')}"
            return Act("complete", self.target(words))
        if found := p.SHORT_DONE.match(clause):
            words = found.group("t")
            return Act("complete", Target() if words.lower() in p.NOT_A_TASK else self.target(words))
        return None

    def _question(self, clause: str) -> Command | None:
        text = clause.rstrip("?")
        if found := p.COUNT.match(text):
            args, label, _ = parse_filter(found.group("rest"), self.quotes, self.now, self.zone)
            return Ask("count", Target(selection=args, label=label), status=args.get("status"))
        if found := p.STATUS.match(text):
            return Ask("done", self.target(found.group("t")))
        if (found := p.IS_WHEN.match(text)) and not re.match(r"(?:there\s+)?(?:any|some)", found.group("t"), re.I):
            return Ask("when", self.target(found.group("t")))
        if found := p.PRIORITY_Q.match(text):
            return Ask("priority", self.target(found.group("t") or found.group("t2") or found.group("t3")))
        if (found := p.WHEN.match(text)) and not re.search(r"\b(?:next|deadlines?|upcoming)\b", text, re.I):
            return Ask("when", self.target(found.group("t0") or found.group("t")))
        if found := p.WHAT.match(text):
            return Ask("what", self.target(found.group("t")))
        if found := p.IS_DONE.match(text):
            words = found.group("t") or f"{found.group('verb')} {found.group('t2')}"
            return Ask("done", self.target(words))
        return None

    def _update(self, clause: str) -> Command | None:
        if (update := parse_update(clause, self.quotes, self.now, self.zone)) is not None:
            return Act("update", *update)
        return None

    def _show(self, clause: str) -> Command | None:
        when = find_when(clause, self.now, self.zone) if maybe_when(clause) else None
        alone = when is not None and when.due is not None and not when.strip()
        if not p.SHOW.search(clause) and not alone:
            return None
        args, label, rest = parse_filter(clause, self.quotes, self.now, self.zone)
        return Show(args, label, rest, when.due if alone and when else None)
