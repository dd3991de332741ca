"""Which tasks words of a request name: whole words or their stems, never parts of words.

A task whose title holds every content word of the request (or a form of it: "watering"
-> "Water the plants", "taxes" -> "tax") is a strong match; one that holds only some of
them, or holds them only with a typo ("grocries"), is weak. The agent acts on one strong
match only; a weak one is a question.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import OSA

from adapters.agents.offline.typos import words

Task = dict[str, Any]

FUNCTION_WORDS = words(
    "the a an my our your his her their its it it's this that these those them they one ones task tasks "
    "todo todos to-do item items thing things stuff entry reminder of to for with on in at about from by "
    "and or is are was be been i i'm me we you please pls also too again now just really actually as some "
    "any all list"
    " not no yet almost nearly half never still"
)
_IRREGULAR = {
    "paid": "pay", "bought": "buy", "did": "do", "done": "do", "made": "make", "sent": "send", "went": "go",
    "gone": "go", "wrote": "write", "written": "write", "took": "take", "taken": "take", "got": "get",
    "gotten": "get", "gave": "give", "given": "give", "met": "meet", "read": "read", "ran": "run", "saw": "see",
    "seen": "see", "kept": "keep", "left": "leave", "brought": "bring", "thought": "think", "told": "tell",
    "sold": "sell", "found": "find", "spoke": "speak", "spoken": "speak", "ate": "eat", "fed": "feed",
    "drove": "drive", "driven": "drive", "forgot": "forget", "began": "begin", "swept": "sweep",
}  # fmt: skip
_WORD = re.compile(r"[\w']+")


@functools.lru_cache(maxsize=4096)
def forms(word: str) -> frozenset[str]:
    """The word and the stems it may stand for ("called" -> call, "taxes" -> tax)."""
    word = word.lower().strip("'").removesuffix("'s")
    found = {word}
    if word in _IRREGULAR:
        found.add(_IRREGULAR[word])
    for suffix in ("ies", "es", "s", "ing", "ed", "er"):
        if len(word) - len(suffix) < 3 or not word.endswith(suffix) or word.endswith("ss"):
            continue
        base = word[: -len(suffix)]
        found |= {base, base + "e"}
        if suffix == "ies":
            found.add(base + "y")
        if len(base) > 3 and base[-1] == base[-2]:
            found.add(base[:-1])
    if word.endswith("e") and len(word) > 3:
        found.add(word[:-1])
    return frozenset(found)


def content_words(text: str) -> list[str]:
    """The words of ``text`` that can name a task (function words and numbers left out)."""
    return [w for w in _WORD.findall(text.lower()) if w not in FUNCTION_WORDS and not w.isdigit()]


def _close(word: str, title_word: str) -> bool:
    if len(word) < 4 or len(title_word) < 4 or word[0] != title_word[0]:
        return False
    return OSA.distance(word, title_word, score_cutoff=2) <= (1 if len(word) <= 6 else 2)


@functools.lru_cache(maxsize=8192)
def _title(title: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """A title's words and every form of them (cached: titles repeat across turns)."""
    title_words = tuple(_WORD.findall(title.lower()))
    return title_words, frozenset().union(*(forms(word) for word in title_words))


@dataclass(frozen=True, slots=True)
class Matches:
    """Tasks named by words: ``exact`` (the whole title), ``strong`` (every word), ``weak``."""

    exact: list[Task]
    strong: list[Task]
    weak: list[Task]


def score(words: list[str], title: str) -> tuple[list[str], int]:
    """The words the title holds as whole words (or forms of them), and how many more it
    holds only with a typo."""
    title_words, title_forms = _title(title)
    same = [word for word in words if not forms(word).isdisjoint(title_forms)]
    close = sum(1 for word in words if word not in same and any(_close(word, tw) for tw in title_words))
    return same, close


def match(tasks: list[Task], phrase: str, words: list[str]) -> Matches:
    """The tasks ``words`` (the content words of ``phrase``) name, strongest first. A partial
    match is weak when a matched word has four letters or more and at least half the words
    of the request match."""
    folded = " ".join(phrase.lower().split())
    exact = [t for t in tasks if " ".join(str(t["title"]).lower().split()) == folded]
    strong: list[Task] = []
    weak: list[Task] = []
    if not words:
        return Matches(exact, strong, weak)
    for task in tasks:
        same, close = score(words, str(task["title"]))
        if len(same) == len(words):
            strong.append(task)
        elif len(same) + close == len(words) or (any(len(w) >= 4 for w in same) and 2 * len(same) >= len(words)):
            weak.append(task)
    return Matches(exact, strong, weak)


def search_text(words: list[str]) -> str | None:
    """A piece of text every title a strong match may have contains (for ``list_tasks q``),
    or None when no word is safe to search by (an irregular form)."""
    for word in sorted(words, key=len, reverse=True):
        if word in _IRREGULAR or word in _IRREGULAR.values():
            continue
        stems = sorted(forms(word), key=len)
        prefix = _common_prefix([word, *stems])
        if len(prefix) >= 3:
            return prefix
    return None


def _common_prefix(words: list[str]) -> str:
    first = words[0]
    for index, letter in enumerate(first):
        if any(len(w) <= index or w[index] != letter for w in words):
            return first[:index]
    return first
