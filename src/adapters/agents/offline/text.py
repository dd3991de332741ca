"""A message cut into clauses: quotes masked, sentences split, greetings, fillers and polite
wrappers removed, the first word's typo fixed, and "and" split only where a new command starts.

Quoted text is masked first (``«n»``), so nothing inside quotes acts as a command or splits.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from adapters.agents.offline.match import forms
from adapters.agents.offline.typos import fix_command, words

Quoted = tuple[str, ...]

_QUOTE = re.compile(r"\"([^\"]*)\"|“([^”]*)”|‘([^’]*)’|(?<![\w])'([^']*)'(?![\w])")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\s*[;\n]+\s*")
_FILLER = re.compile(
    r"^(?:(?:oh|oops|whoops|um+|uh+|er+m?|well|so|ok(?:ay)?|alright|right|wait|hmm+|actually|also|and|then|now|sorry"
    r"|hey|hi|hello|please|pls|plz|kindly|just|ah|ugh|btw|by the way|one more thing|quick one|on second thought"
    r"|no(?=\s*,)|nah(?=\s*,)|no\s+wait|oh\s+wait)"
    r"(?:\s+there)?\b[,!:.\s]+)+(?=\S)",
    re.I,
)
_POLITE = re.compile(
    r"^(?:(?:can|could|would|will)\s+you(?:\s+(?:please|pls|also|just|quickly))?|would\s+you\s+mind|do\s+you\s+mind"
    r"|i'?d\s+like\s+you\s+to|i\s+want\s+you\s+to|i\s+need\s+you\s+to|please|pls|go\s+ahead\s+and|help\s+me"
    r"|let'?s|could\s+i\s+get\s+you\s+to|i\s+was\s+wondering\s+if\s+you\s+could|mind)\s+",
    re.I,
)
_TRAILER = re.compile(
    r"(?:[,\s]+(?:please|pls|plz|thanks|thank\s+you|thx|for\s+me|right\s+now|if\s+you\s+can|if\s+possible|ok"
    r"|okay|thanks\s+a\s+lot|cheers|ty|actually|after\s+all|though))+$",
    re.I,
)
_PRIORITY_SENTENCE = re.compile(r"^(?:urgent|important|asap|high\s+priority|top\s+priority)$", re.I)
_LEADING_WHEN = re.compile(
    r"^(?P<when>today|tonight|tomorrow|this\s+(?:morning|afternoon|evening|weekend)|on\s+\w+day|next\s+\w+)\s*,?\s+"
    r"(?P<rest>(?:i|remind|add|please|can|could|don'?t|remember|we)\b.+)$",
    re.I,
)
_STRONG = re.compile(r"\s*,?\s+(?:and\s+)?then\s+|\s*,\s*(?:and\s+)?also\s+|\s+and\s+also\s+", re.I)
_WEAK = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.I)
SPLIT_VERBS = words(
    "complete finish mark check tick cross delete remove drop scratch trash cancel rename change update "
    "edit set move reschedule postpone push bump make tag reopen restore show list undo add create "
    "uncheck put bring"
)
_COMMANDS = words(
    "add create complete finish delete remove rename reopen restore show list mark move change update reschedule "
    "postpone search find check uncheck cancel remind display set edit tag put make schedule push bump"
)


def mask_quotes(text: str) -> tuple[str, Quoted]:
    """Quoted strings replaced by ``«n»`` markers; the text and the strings."""
    quotes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        quotes.append(next(group for group in match.groups() if group is not None).strip())
        return f"«{len(quotes) - 1}»"

    return _QUOTE.sub(keep, text), tuple(quotes)


_POSSESSIVE_DAY = re.compile(r"\b(today|tomorrow|tonight)'?s\b", re.I)


def normalize(message: str) -> str:
    text = message.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = _POSSESSIVE_DAY.sub(r"\1", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _first_word(text: str) -> str:
    """The first word as meant: a typo fixed ("compelte"), a gerund made a verb ("marking")."""
    head, _, tail = text.partition(" ")
    word = fix_command(head)
    if word.lower().endswith("ing") and len(word) > 5:
        verb = next((f for f in forms(word.lower()) if f in _COMMANDS), None)
        word = verb or word
    return f"{word} {tail}".strip() if tail else word


_GREETING_ONLY = re.compile(r"^(?:hi|hello|hey|hiya|yo)(?:\s+there)?$", re.I)


def clean(sentence: str) -> str:
    """A sentence without fillers, polite wrappers and trailing thanks."""
    text = sentence.strip(" .!?,")
    if _GREETING_ONLY.match(text):
        return text
    for _ in range(3):
        before = text
        text = _FILLER.sub("", text)
        text = _POLITE.sub("", text)
        text = _TRAILER.sub("", text).strip(" .!?,")
        if text == before:
            break
    if when := _LEADING_WHEN.match(text):
        text = f"{when.group('rest')} {when.group('when')}"
    return _first_word(text) if text else text


def sentences(masked: str) -> tuple[list[str], bool]:
    """The cleaned sentences of a message, and whether one of them only said "urgent"."""
    urgent = False
    found = []
    for raw in _SENTENCE.split(masked):
        text = clean(raw)
        if _PRIORITY_SENTENCE.match(text):
            urgent = True
        elif text:
            found.append(text)
    return found, urgent


Classify = Callable[[str], str]
"""What a clause is for splitting: ``add``, ``free`` / ``free-explicit`` (a new title or note,
its task named by words / by number or reference), ``explicit`` (an action on tasks named by
number or reference), ``show`` (a list or a question), or ``other``."""
_FREE = frozenset({"add", "free", "free-explicit"})
_EXPLICIT = frozenset({"explicit", "free-explicit"})


def split_clauses(sentence: str, classify: Classify) -> list[str]:
    """The clauses of a sentence: split at "then" / "also" always, at "and" and commas only
    before a command verb (after a new task's text only when the next command names its
    task), or after a command on named tasks followed by words that are not part of it."""
    clauses: list[str] = []
    for part in _STRONG.split(sentence):
        if part.strip():
            clauses += _split_weak(_first_word(part.strip()), classify)
    return clauses


def _split_weak(text: str, classify: Classify) -> list[str]:
    separators = list(_WEAK.finditer(text))
    if not separators:
        return [text]
    whole = classify(text)
    for separator in separators:
        head, tail = text[: separator.start()], _first_word(text[separator.end() :].strip())
        verb = re.sub(r"^(?:please|also)\s+", "", tail, flags=re.I).split(" ", 1)[0].lower()
        if verb not in SPLIT_VERBS or not head.strip():
            continue
        if classify(head) in _FREE and classify(tail) not in {"add", "show", *_EXPLICIT}:
            continue
        return [head, *_split_weak(tail, classify)]
    if whole not in _EXPLICIT and whole != "add":
        for separator in separators:
            head = text[: separator.start()]
            if classify(head) in _EXPLICIT:
                return [head, text[separator.end() :].strip()]
    return [text]
