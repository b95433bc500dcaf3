"""Question filler: words of casual chat that carry no topic of any corpus.

People ask in a help channel the way they talk: "whats the actual difference",
"best way to ...", "is that even possible", "anyone know ... thanks". These
words are not stop words (a document may use them, and they still take part in
the ranking at ``FILLER_WEIGHT`` of a word), but they are not what the question
is about, so they are not concepts: they never count toward coverage or
``retrieval.min_matched_terms``. Otherwise "can anyone recommend a keyboard,
thanks" would look half answered by any passage saying "thanks", and "whats the
actual difference between A and B" would need "actual" in the answer.

The list is general English, not tuned to any corpus: politeness and greetings,
chat markers, hedges and intensifiers, the frames of a request ("i want to",
"i need", "best way to", "wondering", "trying"), and stop words typed without
their apostrophe ("whats", "dont"). A word inside an identifier the question
writes (``r.ok``) is never filler. ``analysis.question_filler`` switches it off.
"""

from __future__ import annotations

# Filler still ranks, at this share of a word's weight (0 and 1 measured the same
# on the realdocs dev sets: it only breaks ties).
FILLER_WEIGHT = 0.3

QUESTION_FILLER = frozenset(
    """
    please pls plz thanks thank thx ty cheers hi hello hey guys folks
    lol lmao haha tbh imo imho btw fyi idk afaik ok okay yeah kinda sorta
    actual actually really basically literally simply even quite seriously honestly
    totally maybe perhaps somehow possible possibly
    wondering wonder trying know need want wanna gonna way best easiest simplest
    proper properly
    whats dont doesnt didnt cant isnt im ive thats theres youre
    """.split()
)


def is_filler(norm: str) -> bool:
    """Whether a question word (normalised, unstemmed) is chat filler."""
    return norm in QUESTION_FILLER
