"""The phrases of the offline grammar: one regular expression (or word list) per way of
saying a command. Quoted text is masked before they run, so they never see a title in quotes."""

from __future__ import annotations

import re

from adapters.agents.offline.typos import words

UNDO = re.compile(
    r"^(?:undo|revert|take (?:that|it) back)(?:\s+(?:that|it|this|the last (?:one|change|thing)))?$", re.I
)
RESTORE = re.compile(r"^(?:restore|undelete|recover|un-delete)\s+(?P<t>.+)$", re.I)
BACK = re.compile(
    r"^(?:bring back|get back)\s+(?P<t>.+)$|^(?:bring|get|put)\s+(?P<t2>.+?)\s+back\b"
    r"(?:\s+(?:on|to|onto|in)\s+(?:my|the)\s+(?:todo\s+|to-do\s+)?list)?$",
    re.I,
)
NOTE = re.compile(
    r"^(?:(?:add|put|write|attach)\s+(?:a\s+|the\s+|this\s+)?)?(?:note|description|comment|details?)s?\s+"
    r"(?:to|on|for)\s+(?!self\b|myself\b)(?P<t>.+?)\s*(?::|saying|that says|-)\s*(?P<v>.+)$",
    re.I,
)
TAGS = re.compile(
    r"^(?:add\s+(?:the\s+)?(?:tags?|labels?)\s+(?P<v>.+?)\s+to\s+(?P<t>.+)|(?:tag|label)\s+(?P<t2>.+?)\s+(?:with|as)\s+"
    r"(?P<v2>.+)|(?:tag|label)\s+(?P<t3>it|that|this|them|task\s+\d+|#\d+)\s+(?P<v3>#?[\w-]+))$",
    re.I,
)
WRAPPED = re.compile(r"^(?:i\s+)?(?:need|want|have|would like|'d like)\s+to\s+(?P<rest>.+)$", re.I)
ADD = re.compile(
    r"^(?:add|create|new|make\s+(?:a\s+(?:new\s+)?|new\s+)(?:task|todo|reminder)|jot(?:\s+down)?|note\s+down|write\s+down"
    r"|todo|to-do|to\s+do|note\s+to\s+self|reminder|remind\s+me(?:\s+to)?|remember\s+to|don'?t\s+(?:let\s+me\s+)?forget"
    r"|schedule|(?:set|create|make)\s+(?:up\s+)?(?:a\s+)?(?:reminder|note)(?:\s+(?:to|for|about))?"
    r"(?:\s+to)?|i\s+(?:really\s+|also\s+|still\s+)?(?:(?:have|want|got|ought|'ll\s+need|will\s+need)\s+to|need"
    r"|must|should|gotta)(?:\s+(?:probably|really|definitely))?(?:\s+to)?|i\s+should\s+probably|need\s+to|have\s+to"
    r"|gotta|must|we\s+(?:(?:have|got)\s+to|need|must|should|gotta)(?:\s+to)?)"
    r"\b\s*:?\s*(?P<rest>.*)$",
    re.I,
)
PUT = re.compile(r"^put\s+(?P<rest>.+?)\s+(?:on|in|onto|to)\s+(?:my|the)\s+(?:[\w-]+\s+)?list(?P<tail>\s+.+)?$", re.I)
DELETE = re.compile(
    r"^(?:delete|remove|trash|erase|drop|scratch|cancel|discard|get\s+rid\s+of|bin|nuke|kill|forget(?:\s+about)?"
    r"|clear(?:\s+out|\s+away)?|throw\s+(?:out|away)|purge|wipe(?:\s+out)?|empty"
    r"|cross\s+out|no\s+need\s+to|i\s+(?:don'?t|do\s+not|no\s+longer)\s+(?:need|have|want)\s+to)\b\s*(?P<rest>.*)$"
    r"|^take\s+(?P<rest2>.+?)\s+off\s+(?:my|the)\s+(?:[\w-]+\s+)?list$"
    r"|^(?P<rest3>.+?)\s+(?:is|are|was|has been)\s+(?:cancell?ed|off)$",
    re.I,
)
REOPEN = re.compile(
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
COMPLETE = re.compile(
    r"^(?:(?:mark|set)\s+(?:as\s+)?(?:done|complete|completed|finished)|complete|finish|finished|mark|check\s+off|check|tick\s+off|tick|cross\s+off|close|done\s+with|done"
    r"|i'?m\s+(?:all\s+)?(?:done|finished)(?:\s+with)?|i\s+am\s+(?:done|finished)(?:\s+with)?|i'?ve\s+(?:just\s+)?(?:done|finished|completed)|i\s+"
    r"(?:have\s+)?(?:just\s+|already\s+|finally\s+)?(?:done|did|finished|completed)|knock\s+out|wrap\s+up"
    r"|i'?m\s+finished\s+with)\b\s*:?\s*(?P<rest>.*?)"
    r"(?:\s+(?:as\s+)?(?:done|complete|completed|finished|off))?$",
    re.I,
)
DONE_STATEMENT = re.compile(
    r"^(?P<t>.+?)(?:'s|\s+is|\s+are|\s+was|\s+were|\s+has\s+been|\s+have\s+been)\s+(?:all\s+|now\s+|finally\s+|already\s+)?"
    r"(?:done|finished|complete|completed|sorted|taken\s+care\s+of|handled|over|dealt\s+with)$",
    re.I,
)
PAST = re.compile(
    r"^i(?:'ve|\s+have)?\s+(?:just\s+|already\s+|finally\s+)?(?P<verb>\w+ed|paid|bought|made|sent|wrote|took|got"
    r"|fed|met|swept|gave|ran|read)\s+(?P<rest>.+)$",
    re.I,
)
DONE_PARTICIPLE = re.compile(
    r"^(?P<t>.+?)\s+(?:is\s+|are\s+|was\s+|were\s+|has\s+been\s+|have\s+been\s+|got\s+)?(?:all\s+|now\s+)?"
    r"(?P<verb>\w+ed|paid|bought|sent|made|written|taken|done|fed|swept|read)$",
    re.I,
)
UNTAG = re.compile(
    r"^(?:untag|remove\s+(?:all\s+)?(?:the\s+)?tags\s+from|clear\s+(?:the\s+)?tags\s+(?:of|from|on))\s+(?P<t>.+)$"
    r"|^(?:remove|take\s+off|drop)\s+(?:the\s+)?(?:tag\s+)?#?(?P<tag>[\w-]+)(?:\s+tag)?\s+from\s+(?P<t2>.+)$",
    re.I,
)
NO_REPEAT = re.compile(
    r"^(?:stop\s+repeating|don'?t\s+repeat|no\s+longer\s+repeat|stop\s+recurring)\s+(?P<t>.+)$"
    r"|^(?P<t2>.+?)\s+(?:shouldn'?t|should\s+not|doesn'?t\s+need\s+to|no\s+longer\s+needs\s+to)\s+(?:repeat|recur)$",
    re.I,
)
MEANT = re.compile(r"^(?:no\s*,?\s+)?i\s+meant\s+(?P<t>.+)$|^(?:not\s+that\s+one|wrong\s+one)\s*,?\s+(?P<t2>.+)$", re.I)
NOT_DONE_VERBS = words(
    "wanted needed forgot decided started tried planned hoped liked loved added created asked mentioned noticed missed"
)
SHORT_DONE = re.compile(r"^(?P<t>(?:\S+\s+){0,3}\S+?)\s*[,:-]?\s+(?:done|finished|completed|complete|sorted)$", re.I)
NOT_A_TASK = frozenset({"all", "i'm", "im", "i am", "we're", "we are", "i", "that's", "thats", "everything's"})
STATUS = re.compile(
    r"^(?:what(?:'s|\s+is)\s+the\s+status\s+(?:of|on)|how(?:'s|\s+is|\s+are)|where\s+am\s+i\s+(?:with|on)"
    r"|any\s+progress\s+on|status\s+of)\s+(?P<t>.+?)(?:\s+(?:going|coming\s+along|doing))?$",
    re.I,
)
IS_WHEN = re.compile(
    r"^(?:is|are)\s+(?P<t>.+?)\s+(?:due\s+)?(?:on\s+)?(?:today|tomorrow|tonight|this\s+week|next\s+week"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day)$",
    re.I,
)
COUNT = re.compile(r"^how\s+many\b(?P<rest>.*)$", re.I)
WHEN = re.compile(
    r"^(?:tell\s+me\s+|do\s+you\s+know\s+)?when\s+(?P<t0>.+?)\s+(?:is|are)\s+due$"
    r"|^(?:tell\s+me\s+|do\s+you\s+know\s+)?(?:when(?:'s|\s+is|\s+are|\s+was|\s+do\s+i\s+(?:need|have)\s+to(?:\s+do)?|\s+should\s+i(?:\s+do)?)|what\s+day\s+is"
    r"|what(?:'s|\s+is)\s+the\s+(?:due\s+)?date\s+(?:of|for|on))\s+(?P<t>.+?)(?:\s+due)?$",
    re.I,
)
IS_DONE = re.compile(
    r"^(?:is|are|was|were|have\s+i|did\s+i|has)\s+(?P<t>.+?)(?:\s+(?:done|finished|complete|completed|yet|already))+$"
    r"|^(?:did|have)\s+i\s+(?:already\s+)?(?P<verb>\w+)\s+(?P<t2>.+?)(?:\s+yet|\s+already)?$",
    re.I,
)
PRIORITY_Q = re.compile(
    r"^what(?:'s|\s+is)\s+the\s+priority\s+(?:of|on|for)\s+(?P<t>.+)$|^(?:what|which)\s+priority\s+(?:is|does)\s+"
    r"(?P<t2>.+?)(?:\s+have)?$|^how\s+(?:important|urgent)\s+is\s+(?P<t3>.+)$",
    re.I,
)
WHAT = re.compile(
    r"^(?:what(?:'s|\s+is)|show(?:\s+me)?|tell\s+me\s+about|details\s+(?:of|for))\s+(?P<t>task\s+#?\d+|#\d+)$", re.I
)
SHOW = re.compile(
    r"^(?:show|list|what|what's|whats|which|display|view|see|get|give|find|search|look|any|anything|do\s+i\s+have|read"
    r"|are\s+there|is\s+there|is\s+anything|tell\s+me|my|everything|all)\b|\b(?:tasks|todos|to-dos|to\s+do\s+list"
    r"|todo\s+list|my\s+list|overdue|on\s+my\s+plate|agenda)\b",
    re.I,
)
BYE = re.compile(
    r"^(?:bye|goodbye|good\s*bye|see\s+you(?:\s+later)?|see\s+ya|cya|later|good\s+night|night|ttyl)$", re.I
)
GREETING = re.compile(r"^(?:hi|hello|hey|hey there|hi there|hiya|yo|good\s+(?:morning|afternoon|evening|day)|howdy"
                       r"|greetings|sup)$", re.I)  # fmt: skip
THANKS = re.compile(r"^(?:thanks|thank\s+you|thx|ty|cheers|great|ok|okay|cool|nice|perfect|awesome|got\s+it|ok\s+cool"
                     r"|okay\s+cool|alright|sounds\s+good|good|brilliant|lovely|super|excellent|wonderful|fine)"
                     r"(?:\s+(?:very\s+much|a\s+lot|so\s+much|again|buddy|mate))?$", re.I)  # fmt: skip
HELP = re.compile(
    r"^(?:help|help\s+me|\?|what\s+can\s+you\s+do|what\s+do\s+you\s+do|what\s+are\s+you|who\s+are\s+you|how\s+does\s+"
    r"this\s+work|how\s+do\s+i\s+use\s+(?:this|you)|commands|what\s+can\s+i\s+(?:say|ask|do)|what\s+commands.*|"
    r"how\s+do\s+(?:i|you)\s+.+)$",
    re.I,
)
QUESTION_START = re.compile(
    r"^(?:what|what's|whats|which|who|how|show|list|any|anything|is|are|was|were|did|do|does|have|has|display"
    r"|view|search|find|when|tell\s+me|read|give)\b",
    re.I,
)
HOW_ARE_YOU = re.compile(r"^(?:how\s+are\s+you(?:\s+doing)?|how's\s+it\s+going|what'?s\s+up|how\s+are\s+things)$", re.I)


def chat_kind(text: str) -> str | None:
    """``greeting``, ``thanks``, ``help`` or ``smalltalk`` for a clause that is only that."""
    kinds = (("greeting", GREETING), ("thanks", THANKS), ("help", HELP), ("smalltalk", HOW_ARE_YOU), ("bye", BYE))
    for kind, pattern in kinds:
        if pattern.match(text):
            return kind
    return None
