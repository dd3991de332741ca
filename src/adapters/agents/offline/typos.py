"""Typos the offline agent forgives: one or two wrong letters in its own command words,
in weekdays, months and "tomorrow" (never in task titles: those go through a question).

Distances are optimal string alignment (a swap of two letters counts as one) from
rapidfuzz, ~1.5 us a look-up against the whole vocabulary.
"""

from __future__ import annotations

import functools
import re

from rapidfuzz import process
from rapidfuzz.distance import OSA


def words(text: str) -> frozenset[str]:
    """A set of words written as one string (word lists read better that way)."""
    return frozenset(text.split())


COMMAND_WORDS = (
    "add", "create", "complete", "finish", "delete", "remove", "rename", "reopen", "restore", "show", "list",
    "mark", "move", "change", "update", "reschedule", "postpone", "search", "find", "check", "uncheck", "cancel",
    "remind", "undo", "display", "set", "edit", "tag", "scratch", "erase", "untick", "done",
)  # fmt: skip
_SHORTHANDS = {"ad": "add", "dlt": "delete", "del": "delete", "rm": "remove", "ls": "list", "shw": "show"}
_REAL_WORDS = words(
    "last lost mast most made mad dad bad had and ads odd act all also at as an am ask asked mask made "
    "mike like lift lint list fist mist shoe shop show shot slow snow stow chat chop cheek chuck cheat "
    "doe dome dune dove tone gone bone none note nine mine done dance daily remain remand remark market "
    "marked finnish fetch fish fine find fund fond rename renew repeat report reports resort retire "
    "update upgrade set sit sat get got let net pet wet tag tab tap tar rag bag wag bat cat hat mat rat "
    "sad sag seat seed edict exit edit else undue under undo schedule scheduled plan plans find fine mind "
    "kind wind bind lint cheek check chuck shop shopping lisa list lust most must mist dust desk delay "
    "relate remote remove"
)
_TOMORROW = {"tmrw": "tomorrow", "tmr": "tomorrow", "tmrow": "tomorrow", "2morrow": "tomorrow", "tmw": "tomorrow",
             "tomoz": "tomorrow", "tonite": "tonight", "2nite": "tonight", "2day": "today"}  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "june", "july", "august", "september", "october",
           "november", "december")  # fmt: skip
_DATE_SLOT = re.compile(
    r"\b(?P<prep>on|by|next|this|until|till|before|due|for|to|every|each|from|coming)\s+(?P<word>[a-z]{4,11})\b"
    r"|\b(?P<word2>[a-z]{4,11})\s+(?P<num>\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(?P<word3>to[mn][a-z]{3,8}|tm[a-z]{1,6}|2morrow|2nite|2day)\b",
    re.I,
)


def _limit(word: str) -> int:
    return 1 if len(word) <= 6 else 2


def closest(word: str, vocabulary: tuple[str, ...]) -> str | None:
    """The one word of ``vocabulary`` within one (short words) or two letters of ``word``."""
    found = process.extract(word, vocabulary, scorer=OSA.distance, score_cutoff=_limit(word), limit=2)
    if not found or (len(found) > 1 and found[0][1] == found[1][1]):
        return None
    return str(found[0][0])


@functools.lru_cache(maxsize=2048)
def fix_command(word: str) -> str:
    """A command word as meant ("compelte" -> "complete"); other words as they are."""
    lower = word.lower()
    if lower in _SHORTHANDS:
        return _SHORTHANDS[lower]
    if lower in COMMAND_WORDS or lower in _REAL_WORDS or len(lower) < 4 or not lower.isalpha():
        return word
    return closest(lower, COMMAND_WORDS) or word


def _fix_date(word: str, vocabulary: tuple[str, ...]) -> str | None:
    lower = word.lower()
    if lower in vocabulary or lower in _TOMORROW.values():
        return None
    found = closest(lower, vocabulary)
    return found if found and found[0] == lower[0] else None


def fix_date_word(text: str) -> str:
    """``text`` with misspelt weekdays and months in date positions ("on firday", "decmber 5")
    and misspellings of tomorrow/tonight/today corrected."""

    def repair(match: re.Match[str]) -> str:
        whole = match.group(0)
        if word := match.group("word3"):
            fixed = _TOMORROW.get(word.lower()) or _fix_date(word, ("tomorrow", "tonight"))
            return fixed or whole
        if word := match.group("word"):
            fixed = _fix_date(word, _WEEKDAYS) or _fix_date(word, _MONTHS)
            return whole[: match.start("word") - match.start()] + fixed if fixed else whole
        word = match.group("word2")
        fixed = _fix_date(word, _MONTHS)
        return fixed + whole[len(word) :] if fixed else whole

    if " " not in text.strip() and text.strip().isalpha():
        word = text.strip()
        fixed = _TOMORROW.get(word.lower()) or _fix_date(word, _WEEKDAYS) or _fix_date(word, _MONTHS)
        return fixed or _fix_date(word, ("tomorrow", "tonight")) or text
    return _DATE_SLOT.sub(repair, text)
