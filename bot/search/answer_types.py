"""Answer types: a "how many" question needs a number in the passage, a "when" one a time.

A lexical check from classic question answering: a passage about the right
topic that holds no number cannot answer "how many people were arrested?".
"""

from __future__ import annotations

import re

NUMBER = "number"
TIME = "time"

_EXPECTS = [
    (
        NUMBER,
        re.compile(r"\bhow (many|much)\b|\b(phone|telephone|fax) number\b|\bwhat percent", re.I),
    ),
    (
        TIME,
        re.compile(r"^\W*(since )?when\b|\bwhat (year|date|day|month|time)\b|\bhow long\b", re.I),
    ),
]
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundred hundreds thousand thousands million millions billion billions dozen dozens "
    "percent"
)
_EVIDENCE = {
    NUMBER: re.compile(r"\d|\b(" + "|".join(_NUMBER_WORDS.split()) + r")\b", re.I),
    TIME: re.compile(
        r"\b(1[5-9]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|"
        r"october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
        r"today|yesterday|tomorrow|ago|recently|historically|since|until|during|throughout|"
        r"term|days?|hours?|minutes?|weeks?|months?|years?|decades?|century|centuries|era|"
        r"morning|evening|night)\b",
        re.I,
    ),
}


def expected_type(question: str) -> str | None:
    """The kind of answer the question asks for, if it is a number or a time."""
    for kind, pattern in _EXPECTS:
        if pattern.search(question):
            return kind
    return None


def has_evidence(kind: str | None, passage: str) -> bool:
    """Whether the passage holds something of that kind (always true for no kind)."""
    return kind is None or _EVIDENCE[kind].search(passage) is not None
