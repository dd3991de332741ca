"""One clause of a request in, one command out: add, show, ask, act (complete, reopen,
delete, change, bring back), undo, small talk, or not understood."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from adapters.agents.offline_add import TASK_VERBS, parse_add
from adapters.agents.offline_dates import find_when, maybe_when
from adapters.agents.offline_lists import Quoted, parse_filter, unmask
from adapters.agents.offline_match import forms
from adapters.agents.offline_targets import Target, parse_target
from adapters.agents.offline_typos import words
from adapters.agents.offline_update import parse_clear, parse_update


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

_UNDO = re.compile(
    r"^(?:undo|revert|take (?:that|it) back)(?:\s+(?:that|it|this|the last (?:one|change|thing)))?$", re.I
)
_RESTORE = re.compile(r"^(?:restore|undelete|recover|un-delete)\s+(?P<t>.+)$", re.I)
_BACK = re.compile(
    r"^(?:bring back|get back)\s+(?P<t>.+)$|^(?:bring|get|put)\s+(?P<t2>.+?)\s+back\b"
    r"(?:\s+(?:on|to|onto|in)\s+(?:my|the)\s+(?:todo\s+|to-do\s+)?list)?$",
    re.I,
)
_NOTE = re.compile(
    r"^(?:add|put|write|attach)\s+(?:a\s+|the\s+|this\s+)?(?:note|description|comment|details?)s?\s+(?:to|on|for)\s+"
    r"(?P<t>.+?)\s*(?::|saying|that says|-)\s*(?P<v>.+)$",
    re.I,
)
_TAGS = re.compile(
    r"^(?:add\s+(?:the\s+)?(?:tags?|labels?)\s+(?P<v>.+?)\s+to\s+(?P<t>.+)|(?:tag|label)\s+(?P<t2>.+?)\s+(?:with|as)\s+"
    r"(?P<v2>.+)|(?:tag|label)\s+(?P<t3>it|that|this|them|task\s+\d+|#\d+)\s+(?P<v3>#?[\w-]+))$",
    re.I,
)
_WRAPPED = re.compile(r"^(?:i\s+)?(?:need|want|have|would like|'d like)\s+to\s+(?P<rest>.+)$", re.I)
_ADD = re.compile(
    r"^(?:add|create|new|make\s+(?:a\s+(?:new\s+)?|new\s+)(?:task|todo|reminder)|jot(?:\s+down)?|note\s+down|write\s+down"
    r"|todo|to-do|to\s+do|note\s+to\s+self|reminder|remind\s+me(?:\s+to)?|remember\s+to|don'?t\s+(?:let\s+me\s+)?forget"
    r"|schedule|(?:set|create|make)\s+(?:up\s+)?(?:a\s+)?(?:reminder|note)(?:\s+(?:to|for|about))?"
    r"(?:\s+to)?|i\s+(?:really\s+|also\s+|still\s+)?(?:need|have|want|must|should|gotta|got|ought|'ll\s+need|will"
    r"\s+need)(?:\s+(?:probably|really|definitely))?(?:\s+to)?|i\s+should\s+probably|need\s+to|have\s+to|gotta|must"
    r"|we\s+(?:need|have|must|should|gotta|got)(?:\s+to)?)"
    r"\b\s*:?\s*(?P<rest>.*)$",
    re.I,
)
_PUT = re.compile(r"^put\s+(?P<rest>.+?)\s+(?:on|in|onto|to)\s+(?:my|the)\s+(?:[\w-]+\s+)?list(?P<tail>\s+.+)?$", re.I)
_DELETE = re.compile(
    r"^(?:delete|remove|trash|erase|drop|scratch|cancel|discard|get\s+rid\s+of|bin|nuke|kill|forget(?:\s+about)?"
    r"|clear(?:\s+out|\s+away)?|throw\s+(?:out|away)|purge|wipe(?:\s+out)?|empty"
    r"|cross\s+out|no\s+need\s+to|i\s+(?:don'?t|do\s+not|no\s+longer)\s+(?:need|have|want)\s+to)\b\s*(?P<rest>.*)$"
    r"|^take\s+(?P<rest2>.+?)\s+off\s+(?:my|the)\s+(?:[\w-]+\s+)?list$"
    r"|^(?P<rest3>.+?)\s+(?:is|are|was|has been)\s+(?:cancell?ed|off)$",
    re.I,
)
_REOPEN = re.compile(
    r"^(?:reopen|re-open|uncheck|untick|unmark|uncomplete|unfinish|unarchive)\s+(?P<rest>.+)$"
    r"|^(?:mark|set|flag)\s+(?P<rest2>.+?)\s+(?:as\s+)?(?:not\s+(?:yet\s+)?(?:done|complete|completed|finished)|undone"
    r"|incomplete|uncompleted|unfinished|pending|open|to\s?do|active)$"
    r"|^i\s+(?:did\s*n[o']?t|haven'?t|have\s+not|never)\s+(?:actually\s+|really\s+|yet\s+)?(?:finish|finished|complete"
    r"|completed|do|done)(?:\s+with)?\s+(?P<rest3>.+?)(?:\s+yet)?$"
    r"|^(?P<rest4>.+?)(?:'s\s+not|\s+(?:is\s*n[o']?t|isn'?t|are\s*n[o']?t|aren'?t|is\s+not|are\s+not|was\s*n'?t"
    r"|wasn'?t|were\s*n'?t))"
    r"\s+(?:actually\s+|really\s+)?(?:(?:done|finished|complete|completed)|(?P<verb>\w+ed))(?:\s+yet)?$",
    re.I,
)
_COMPLETE = re.compile(
    r"^(?:(?:mark|set)\s+(?:as\s+)?(?:done|complete|completed|finished)|complete|finish|finished|mark|check\s+off|check|tick\s+off|tick|cross\s+off|close|done\s+with|done"
    r"|i'?m\s+(?:all\s+)?(?:done|finished)(?:\s+with)?|i\s+am\s+(?:done|finished)(?:\s+with)?|i'?ve\s+(?:just\s+)?(?:done|finished|completed)|i\s+"
    r"(?:have\s+)?(?:just\s+|already\s+|finally\s+)?(?:done|did|finished|completed)|knock\s+out|wrap\s+up"
    r"|i'?m\s+finished\s+with)\b\s*:?\s*(?P<rest>.*?)"
    r"(?:\s+(?:as\s+)?(?:done|complete|completed|finished|off))?$",
    re.I,
)
_DONE_STATEMENT = re.compile(
    r"^(?P<t>.+?)(?:'s|\s+is|\s+are|\s+was|\s+were|\s+has\s+been|\s+have\s+been)\s+(?:all\s+|now\s+|finally\s+|already\s+)?"
    r"(?:done|finished|complete|completed|sorted|taken\s+care\s+of|handled|over|dealt\s+with)$",
    re.I,
)
_PAST = re.compile(
    r"^i(?:'ve|\s+have)?\s+(?:just\s+|already\s+|finally\s+)?(?P<verb>\w+ed|paid|bought|made|sent|wrote|took|got"
    r"|fed|met|swept|gave|ran|read)\s+(?P<rest>.+)$",
    re.I,
)
_DONE_PARTICIPLE = re.compile(
    r"^(?P<t>.+?)\s+(?:is\s+|are\s+|was\s+|were\s+|has\s+been\s+|have\s+been\s+|got\s+)?(?:all\s+|now\s+)?"
    r"(?P<verb>\w+ed|paid|bought|sent|made|written|taken|done|fed|swept|read)$",
    re.I,
)
_UNTAG = re.compile(
    r"^(?:untag|remove\s+(?:all\s+)?(?:the\s+)?tags\s+from|clear\s+(?:the\s+)?tags\s+(?:of|from|on))\s+(?P<t>.+)$"
    r"|^(?:remove|take\s+off|drop)\s+(?:the\s+)?(?:tag\s+)?#?(?P<tag>[\w-]+)(?:\s+tag)?\s+from\s+(?P<t2>.+)$",
    re.I,
)
_NO_REPEAT = re.compile(
    r"^(?:stop\s+repeating|don'?t\s+repeat|no\s+longer\s+repeat|stop\s+recurring)\s+(?P<t>.+)$"
    r"|^(?P<t2>.+?)\s+(?:shouldn'?t|should\s+not|doesn'?t\s+need\s+to|no\s+longer\s+needs\s+to)\s+(?:repeat|recur)$",
    re.I,
)
_MEANT = re.compile(
    r"^(?:no\s*,?\s+)?i\s+meant\s+(?P<t>.+)$|^(?:not\s+that\s+one|wrong\s+one)\s*,?\s+(?P<t2>.+)$", re.I
)
_NOT_DONE_VERBS = words(
    "wanted needed forgot decided started tried planned hoped liked loved added created asked mentioned noticed missed"
)
_SHORT_DONE = re.compile(r"^(?P<t>(?:\S+\s+){0,3}\S+?)\s*[,:-]?\s+(?:done|finished|completed|complete|sorted)$", re.I)
_NOT_A_TASK = frozenset({"all", "i'm", "im", "i am", "we're", "we are", "i", "that's", "thats", "everything's"})
_STATUS = re.compile(
    r"^(?:what(?:'s|\s+is)\s+the\s+status\s+(?:of|on)|how(?:'s|\s+is|\s+are)|where\s+am\s+i\s+(?:with|on)"
    r"|any\s+progress\s+on|status\s+of)\s+(?P<t>.+?)(?:\s+(?:going|coming\s+along|doing))?$",
    re.I,
)
_IS_WHEN = re.compile(
    r"^(?:is|are)\s+(?P<t>.+?)\s+(?:due\s+)?(?:on\s+)?(?:today|tomorrow|tonight|this\s+week|next\s+week"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day)$",
    re.I,
)
_COUNT = re.compile(r"^how\s+many\b(?P<rest>.*)$", re.I)
_WHEN = re.compile(
    r"^(?:tell\s+me\s+|do\s+you\s+know\s+)?when\s+(?P<t0>.+?)\s+(?:is|are)\s+due$"
    r"|^(?:tell\s+me\s+|do\s+you\s+know\s+)?(?:when(?:'s|\s+is|\s+are|\s+was|\s+do\s+i\s+(?:need|have)\s+to(?:\s+do)?|\s+should\s+i(?:\s+do)?)|what\s+day\s+is"
    r"|what(?:'s|\s+is)\s+the\s+(?:due\s+)?date\s+(?:of|for|on))\s+(?P<t>.+?)(?:\s+due)?$",
    re.I,
)
_IS_DONE = re.compile(
    r"^(?:is|are|was|were|have\s+i|did\s+i|has)\s+(?P<t>.+?)(?:\s+(?:done|finished|complete|completed|yet|already))+$"
    r"|^(?:did|have)\s+i\s+(?:already\s+)?(?P<verb>\w+)\s+(?P<t2>.+?)(?:\s+yet|\s+already)?$",
    re.I,
)
_PRIORITY_Q = re.compile(
    r"^what(?:'s|\s+is)\s+the\s+priority\s+(?:of|on|for)\s+(?P<t>.+)$|^(?:what|which)\s+priority\s+(?:is|does)\s+"
    r"(?P<t2>.+?)(?:\s+have)?$|^how\s+(?:important|urgent)\s+is\s+(?P<t3>.+)$",
    re.I,
)
_WHAT = re.compile(
    r"^(?:what(?:'s|\s+is)|show(?:\s+me)?|tell\s+me\s+about|details\s+(?:of|for))\s+(?P<t>task\s+#?\d+|#\d+)$", re.I
)
_SHOW = re.compile(
    r"^(?:show|list|what|what's|whats|which|display|view|see|get|give|find|search|look|any|anything|do\s+i\s+have|read"
    r"|are\s+there|is\s+there|is\s+anything|tell\s+me|my|everything|all)\b|\b(?:tasks|todos|to-dos|to\s+do\s+list"
    r"|todo\s+list|my\s+list|overdue|on\s+my\s+plate|agenda)\b",
    re.I,
)
_BYE = re.compile(
    r"^(?:bye|goodbye|good\s*bye|see\s+you(?:\s+later)?|see\s+ya|cya|later|good\s+night|night|ttyl)$", re.I
)
_GREETING = re.compile(r"^(?:hi|hello|hey|hey there|hi there|hiya|yo|good\s+(?:morning|afternoon|evening|day)|howdy"
                       r"|greetings|sup)$", re.I)  # fmt: skip
_THANKS = re.compile(r"^(?:thanks|thank\s+you|thx|ty|cheers|great|ok|okay|cool|nice|perfect|awesome|got\s+it|ok\s+cool"
                     r"|okay\s+cool|alright|sounds\s+good|good|brilliant|lovely|super|excellent|wonderful|fine)"
                     r"(?:\s+(?:very\s+much|a\s+lot|so\s+much|again|buddy|mate))?$", re.I)  # fmt: skip
_HELP = re.compile(
    r"^(?:help|help\s+me|\?|what\s+can\s+you\s+do|what\s+do\s+you\s+do|what\s+are\s+you|who\s+are\s+you|how\s+does\s+"
    r"this\s+work|how\s+do\s+i\s+use\s+(?:this|you)|commands|what\s+can\s+i\s+(?:say|ask|do)|what\s+commands.*|"
    r"how\s+do\s+(?:i|you)\s+.+)$",
    re.I,
)
_QUESTION_START = re.compile(
    r"^(?:what|what's|whats|which|who|how|show|list|any|anything|is|are|was|were|did|do|does|have|has|display"
    r"|view|search|find|when|tell\s+me|read|give)\b",
    re.I,
)
_HOW_ARE_YOU = re.compile(
    r"^(?:how\s+are\s+you(?:\s+doing)?|how's\s+it\s+going|what'?s\s+up|how\s+are\s+things)$", re.I
)


def chat_kind(text: str) -> str | None:
    """``greeting``, ``thanks``, ``help`` or ``smalltalk`` for a clause that is only that."""
    kinds = (("greeting", _GREETING), ("thanks", _THANKS), ("help", _HELP), ("smalltalk", _HOW_ARE_YOU), ("bye", _BYE))
    for kind, pattern in kinds:
        if pattern.match(text):
            return kind
    return None


class Grammar:
    """Parses clauses for one turn (the user's clock and zone fix what dates mean)."""

    def __init__(self, quotes: Quoted, now: datetime, zone: tzinfo) -> None:
        self.quotes = quotes
        self.now = now
        self.zone = zone

    def target(self, phrase: str) -> Target:
        return parse_target(phrase, self.quotes, self.now, self.zone)

    def classify(self, clause: str) -> str:
        """What a clause is, for splitting a sentence (see ``offline_text.Classify``)."""
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
        if _UNDO.match(clause):
            return Undo()
        for special in (self._back, self._note, self._tags, self._untag, self._clear, self._wrapped, self._new):
            if (command := special(clause)) is not None:
                return command
        order: tuple[Callable[[str], Command | None], ...] = (
            (self._question, self._show)
            if _QUESTION_START.match(clause)
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
        if found := _RESTORE.match(clause):
            return Act("restore", self.target(found.group("t")))
        if found := _BACK.match(clause):
            return Act("back", self.target(found.group("t") or found.group("t2")))
        if found := _MEANT.match(clause):
            return Correct(self.target(found.group("t") or found.group("t2")))
        return None

    def _new(self, clause: str) -> Command | None:
        if put := _PUT.match(clause):
            return self._add(put.group("rest") + (put.group("tail") or ""))
        if add := _ADD.match(clause):
            return self._add(add.group("rest"))
        return None

    def _note(self, clause: str) -> Command | None:
        if found := _NOTE.match(clause):
            return Act("update", self.target(found.group("t")), {"description": unmask(found.group("v"), self.quotes)})
        return None

    def _tags(self, clause: str) -> Command | None:
        if found := _TAGS.match(clause):
            raw = unmask(found.group("v") or found.group("v2") or found.group("v3"), self.quotes)
            tags = [t.lstrip("#") for t in re.split(r"\s*(?:,|\band\b)\s*", raw) if t.strip("# ")]
            target = found.group("t") or found.group("t2") or found.group("t3")
            return Act("update", self.target(target), {"add_tags": tags})
        return None

    def _untag(self, clause: str) -> Command | None:
        if found := _UNTAG.match(clause):
            target = self.target(found.group("t") or found.group("t2"))
            return Act("update", target, {"remove_tags": [found.group("tag")] if found.group("tag") else []})
        if found := _NO_REPEAT.match(clause):
            return Act("update", self.target(found.group("t") or found.group("t2")), {"recurrence": "none"})
        return None

    def _clear(self, clause: str) -> Command | None:
        if (cleared := parse_clear(clause, self.quotes, self.now, self.zone)) is not None:
            return Act("update", *cleared)
        return None

    def _wrapped(self, clause: str) -> Command | None:
        """ "I need to delete task 3" is the command; "I need to finish the report" is a new task."""
        if found := _WRAPPED.match(clause):
            inner = self.parse(found.group("rest"))
            if (isinstance(inner, Act) and inner.target.explicit) or isinstance(inner, Show | Ask):
                return inner
        return None

    def _add(self, rest: str) -> Command:
        rest = re.sub(r"^(?:remember|remind\s+me|don'?t\s+forget)\s+(?:to\s+)?", "", rest, flags=re.I)
        tasks, notes = parse_add(rest, self.quotes, self.now, self.zone)
        return Add(tasks, notes)

    def _delete(self, clause: str) -> Command | None:
        if found := _DELETE.match(clause):
            rest = found.group("rest") or found.group("rest2") or found.group("rest3") or ""
            return Act("delete", self.target(re.sub(r"\s+(?:any\s?more|anymore)$", "", rest)))
        return None

    def _reopen(self, clause: str) -> Command | None:
        if found := _REOPEN.match(clause):
            rest = next(found.group(g) for g in ("rest", "rest2", "rest3", "rest4") if found.group(g))
            if verb := found.group("verb"):
                rest = f"{rest} {min(forms(verb), key=len)}"
            return Act("reopen", self.target(rest))
        return None

    def _complete(self, clause: str) -> Command | None:
        if found := _COMPLETE.match(clause):
            return Act("complete", self.target(found.group("rest")))
        if found := _DONE_STATEMENT.match(clause):
            return Act("complete", self.target(found.group("t")))
        if (found := _PAST.match(clause)) and found.group("verb").lower() not in _NOT_DONE_VERBS:
            return Act("complete", self.target(f"{found.group('verb')} {found.group('rest')}"))
        found_participle = _DONE_PARTICIPLE.match(clause)
        if found_participle and found_participle.group("verb").lower() not in _NOT_DONE_VERBS | {"done"}:
            words = f"{found_participle.group('t')} {found_participle.group('verb')}"
            return Act("complete", self.target(words))
        if found := _SHORT_DONE.match(clause):
            words = found.group("t")
            return Act("complete", Target() if words.lower() in _NOT_A_TASK else self.target(words))
        return None

    def _question(self, clause: str) -> Command | None:
        text = clause.rstrip("?")
        if found := _COUNT.match(text):
            args, label, _ = parse_filter(found.group("rest"), self.quotes, self.now, self.zone)
            return Ask("count", Target(selection=args, label=label), status=args.get("status"))
        if found := _STATUS.match(text):
            return Ask("done", self.target(found.group("t")))
        if (found := _IS_WHEN.match(text)) and not re.match(r"(?:there\s+)?(?:any|some)", found.group("t"), re.I):
            return Ask("when", self.target(found.group("t")))
        if found := _PRIORITY_Q.match(text):
            return Ask("priority", self.target(found.group("t") or found.group("t2") or found.group("t3")))
        if (found := _WHEN.match(text)) and not re.search(r"\b(?:next|deadlines?|upcoming)\b", text, re.I):
            return Ask("when", self.target(found.group("t0") or found.group("t")))
        if found := _WHAT.match(text):
            return Ask("what", self.target(found.group("t")))
        if found := _IS_DONE.match(text):
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
        if not _SHOW.search(clause) and not alone:
            return None
        args, label, rest = parse_filter(clause, self.quotes, self.now, self.zone)
        return Show(args, label, rest, when.due if alone and when else None)
