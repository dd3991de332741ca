"""The embedded agent: understands everyday task requests without a model."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, tzinfo

from adapters.agents.offline import replies as say
from adapters.agents.offline.actions import Actions
from adapters.agents.offline.grammar import Act, Add, Ask, Chat, Command, Correct, Grammar, Show, Undo, Unknown
from adapters.agents.offline.memory import Pending, remember
from adapters.agents.offline.session import Session
from adapters.agents.offline.targets import Target
from adapters.agents.offline.text import mask_quotes, normalize, sentences, split_clauses
from application.ports import AgentEvent, AgentReply, AgentTurn, TextDelta

_YES = re.compile(
    r"^(?:yes|yeah|yea|yep|yup|sure|ok(?:ay)?|go\s+ahead|do\s+it|please\s+do|correct|right|that's\s+right|exactly"
    r"|confirm(?:ed)?|y|absolutely|of\s+course|definitely|sounds\s+good|please|affirmative|that\s+one|yes\s+that\s+one)"
    r"(?:[\s,!.]+(?:yes|please|go\s+ahead|do\s+it|thanks|thank\s+you|that\s+one|sure|delete\s+them|do\s+that))*[\s!.]*$",
    re.I,
)
_NO = re.compile(
    r"^(?:no|nope|nah|cancel|never\s*mind|none(?:\s+of\s+them)?|neither(?:\s+of\s+them)?|don'?t|do\s+not|stop|no\s+thanks|leave\s+(?:it|them)|forget\s+it|not\s+that"
    r"(?:\s+one)?|wrong(?:\s+one)?|keep\s+(?:it|them)|n)(?:[\s,!.]+(?:thanks|thank\s+you|don'?t|leave\s+them))*[\s!.]*$",
    re.I,
)


class OfflineChatAgent:
    """The built-in assistant used when no model is configured. It understands everyday
    requests (add, list, ask, complete, reopen, change, delete, restore, undo), also several
    in one message, with dates, times, priorities and tags anywhere in the sentence, and it
    remembers the conversation: "it", "the second one" and "yes" refer to what it said
    before. It never acts on a task picked by a weak match (it asks), asks before acting on
    a selection of several tasks, and treats task text as data, never as commands."""

    async def run(self, turn: AgentTurn) -> AsyncIterator[AgentEvent]:
        session = Session(turn.tools, turn.now, turn.zone, remember(turn.history))
        text = await _reply(session, turn.message)
        for event in session.events:
            yield event
        yield TextDelta(text)
        yield AgentReply(text, tuple(session.records))


def _commands(session: Session, message: str) -> list[Command]:
    return parse_message(message, session.now, session.zone)


def parse_message(message: str, now: datetime, zone: tzinfo) -> list[Command]:
    """The commands of a message, one per clause (greetings and thanks dropped when there
    is more to do)."""
    masked, quotes = mask_quotes(normalize(message))
    grammar = Grammar(quotes, now, zone)
    found, urgent = sentences(masked)
    commands = [grammar.parse(clause) for sentence in found for clause in split_clauses(sentence, grammar.classify)]
    if urgent:
        for command in commands:
            if isinstance(command, Add):
                for task in command.tasks:
                    task.setdefault("priority", "high")
    if any(not isinstance(command, Chat) for command in commands):
        commands = [command for command in commands if not isinstance(command, Chat)]
    return commands


async def _reply(session: Session, message: str) -> str:
    pending = session.memory.pending
    text = normalize(message).strip()
    if pending is not None and (answer := await _answer(session, pending, text)) is not None:
        return answer
    if _YES.match(text) or _NO.match(text):
        return "I'm not sure what you mean: I haven't asked anything. Say \"help\" to see what I can do."
    commands = _commands(session, message)
    if not commands:
        return say.NOT_UNDERSTOOD
    if len(commands) == 1 and isinstance(commands[0], Unknown):
        return await _continued(session, text) or say.NOT_UNDERSTOOD
    actions = Actions(session)
    lines = []
    for command in commands:
        lines.append(await _run(actions, command))
    return "\n".join(line for line in lines if line)


async def _run(actions: Actions, command: Command) -> str:
    if isinstance(command, Chat):
        replies = {"greeting": say.GREETING, "thanks": say.THANKS, "smalltalk": say.SMALLTALK, "bye": say.BYE}
        return replies.get(command.kind, say.HELP)
    if isinstance(command, Unknown):
        return say.not_understood_part(command.text)
    if isinstance(command, Add):
        return await actions.add(command)
    if isinstance(command, Show):
        return await actions.show(command)
    if isinstance(command, Ask):
        return await actions.ask(command)
    if isinstance(command, Undo):
        return await actions.undo()
    if isinstance(command, Correct):
        return await _correct(actions, command)
    return await actions.act(command)


async def _correct(actions: Actions, command: Correct) -> str:
    """ "No, I meant mom": the last request's action, undone and done to the task meant."""
    session = actions.session
    earlier = [c for c in _commands(session, session.memory.last_request) if isinstance(c, Act)]
    changed = {c.arguments.get("task_id", (c.result or {}).get("id")) for c in session.memory.changes}
    if len(earlier) != 1 or len(changed) != 1:
        return 'I\'m not sure what to correct; please say the whole request again, e.g. "complete task 2".'
    found = await session.resolve(command.target, earlier[0].action)
    if found.reply:
        return found.reply
    undone = await actions.undo()
    redone = await actions.act(Act(earlier[0].action, Target(ids=tuple(found.ids)), earlier[0].changes))
    return f"{undone}\n{redone}"


async def _answer(session: Session, pending: Pending, text: str) -> str | None:
    """The reply to an answer to the last question, or None when the message is something else."""
    if _NO.match(text):
        return say.CANCELLED
    if pending.kind == "target":
        return await _named(session, pending, text)
    if _YES.match(text) and pending.kind == "which":
        return 'Which one? Say e.g. "the first one" or its number; nothing changed yet.'
    ids: list[int] | None = list(pending.ids) if _YES.match(text) else None
    if ids is None and pending.kind in {"which", "mean"}:
        ids = await _choice(session, pending, text)
    if ids is None:
        return None
    command = _resumed(session, pending)
    if command is None:
        return "I lost track of what you asked for; please say it again."
    actions = Actions(session)
    chosen = Target(ids=tuple(ids))
    if isinstance(command, Ask):
        return await actions.ask(Ask(command.kind, chosen, command.status))
    return await actions.act(Act(command.action, chosen, command.changes), confirmed=True)


async def _choice(session: Session, pending: Pending, text: str) -> list[int] | None:
    """Which of the tasks a question offered an answer names ("the second", "6", "the plumber one")."""
    masked, quotes = mask_quotes(text)
    cleaned = re.sub(
        r"^(?:i\s+mean|i\s+meant|oh|um|sorry|the\s+one\s+(?:called|about))\s*,?\s*", "", masked, flags=re.I
    )
    target = Grammar(quotes, session.now, session.zone).target(cleaned)
    candidates = list(pending.ids)
    if target.ordinals:
        if all(-len(candidates) <= o <= len(candidates) and o for o in target.ordinals):
            return [candidates[o - 1] if o > 0 else candidates[o] for o in target.ordinals]
        return None
    if target.ids:
        return list(target.ids) if set(target.ids) <= set(candidates) else None
    if target.ref == "all":
        return candidates
    if target.words:
        tasks = [await session.task(task_id) for task_id in candidates]
        from adapters.agents.offline.match import content_words, match

        found = match([t for t in tasks if isinstance(t, dict)], target.words, content_words(target.words))
        strong = found.exact or found.strong
        return [strong[0]["id"]] if len(strong) == 1 else None
    return None


_MORE = re.compile(r"^(?:and|also|plus|same\s+(?:for|with))\b|\b(?:too|as\s+well|also)[\s.!]*$", re.I)


async def _continued(session: Session, text: str) -> str | None:
    """ "And task 4", "the video too": the last request's action on more tasks."""
    if not _MORE.search(text):
        return None
    masked, quotes = mask_quotes(text)
    cleaned = re.sub(r"^(?:and|also|plus|same\s+(?:for|with))\s+", "", masked, flags=re.I)
    target = Grammar(quotes, session.now, session.zone).target(cleaned)
    earlier = [c for c in _commands(session, session.memory.last_request) if isinstance(c, Act)]
    if target.empty or target.selection is not None or len(earlier) != 1 or not session.memory.changes:
        return None
    return await Actions(session).act(Act(earlier[0].action, target, earlier[0].changes))


async def _named(session: Session, pending: Pending, text: str) -> str | None:
    """The answer to "Which task do you mean?": the earlier request, on the task now named."""
    commands = parse_message(text, session.now, session.zone)
    if len(commands) != 1 or not isinstance(commands[0], Unknown):
        return None
    masked, quotes = mask_quotes(normalize(text))
    target = Grammar(quotes, session.now, session.zone).target(masked)
    earlier = [c for c in _commands(session, pending.request) if isinstance(c, Act | Ask)]
    if target.empty or target.selection is not None or len(earlier) != 1:
        return None
    actions = Actions(session)
    if isinstance(earlier[0], Ask):
        return await actions.ask(Ask(earlier[0].kind, target, earlier[0].status))
    return await actions.act(Act(earlier[0].action, target, earlier[0].changes))


def _resumed(session: Session, pending: Pending) -> Act | Ask | None:
    """The command of the earlier request the question was about."""
    commands = [c for c in _commands(session, pending.request) if isinstance(c, Act | Ask)]
    if pending.kind == "confirm":
        return next((c for c in commands if c.target.selection is not None), None)
    words = pending.words.lower()
    for command in commands:
        if (command.target.words or command.target.title or "").lower() == words:
            return command
    return next((c for c in commands if not c.target.explicit), None)
