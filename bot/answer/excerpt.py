"""The excerpt: the sentences of a passage that best answer, quoted exactly.

The excerpt is always a contiguous slice of the passage text (which is the
source with whitespace collapsed, code kept exactly), never reworded. When it
has to cut inside a sentence it cuts at a word boundary and marks the cut with
an ellipsis. Highlights are character spans, in the excerpt, of words matching
the question.

Code is not made of sentences: a code block is one unit, taken whole or not at
all; one longer than the budget is taken in runs of whole lines. The excerpt
says where its code is (``code``), so that it can be shown as code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from bot.analysis.analyzer import Analyzer
from bot.analysis.synonyms import SynonymTable
from bot.documents.passages import CodeSpan
from bot.documents.sentences import split_sentences

ELLIPSIS = "…"


@dataclass(frozen=True)
class Excerpt:
    text: str
    highlights: tuple[tuple[int, int], ...]  # spans in ``text``
    start: int  # slice of the passage text the excerpt quotes (ellipses excluded)
    end: int
    code: tuple[CodeSpan, ...] = ()  # spans of ``text`` that are code


def make_excerpt(
    passage: str,
    analyzer: Analyzer,
    weights: Mapping[str, float],
    max_chars: int,
    synonyms: SynonymTable | None = None,
    code: tuple[CodeSpan, ...] = (),
) -> Excerpt:
    """Pick and trim the best-answering sentences of ``passage``.

    ``weights`` maps the question's terms (with synonyms and typo matches) to
    their importance; a sentence scores the weights of the distinct terms it holds.
    Words of a synonym phrase whose group term the question has count as
    matches too ("Department of Government Efficiency" for "DOGE").
    ``code`` is where the passage is code (its units are blocks and lines).
    """
    words = [w for w in analyzer.words(passage) if w.term is not None]
    if synonyms is not None:
        words = _with_synonym_terms(words, weights, synonyms)
    # A whole identifier the question names ("os.path.join") picks the sentence that
    # holds it; only its words are highlighted, so the spans stay the words' own.
    code_words = [w for w in analyzer.code_words(passage) if w.term in weights]
    scored = sorted(words + code_words, key=lambda w: w.start) if code_words else words
    sentences = units(passage, code, max_chars) or [(0, len(passage))]
    held = _terms_by_sentence(scored, sentences, weights)
    scores = [round(sum(weights[t] for t in terms), 9) for terms in held]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    start, end = sentences[best]
    if end - start > max_chars:
        start, end = _densest_window(passage, scored, start, end, weights, max_chars - 2)
    else:
        first, last = _best_run(sentences, held, weights, max_chars)
        start, end = sentences[first][0], sentences[last][1]
        start, end = _fill(passage, sentences, first, last, start, end, max_chars, code)
    prefix = ELLIPSIS if start > 0 and not _at_sentence_start(sentences, start) else ""
    suffix = ELLIPSIS if end < len(passage) and not _at_sentence_end(sentences, end) else ""
    text = prefix + passage[start:end] + suffix
    highlights = tuple(
        (w.start - start + len(prefix), w.end - start + len(prefix))
        for w in words
        if start <= w.start and w.end <= end and w.term in weights
    )
    shift = len(prefix) - start
    inside = tuple(
        CodeSpan(max(c.start, start) + shift, min(c.end, end) + shift, c.language)
        for c in code
        if c.start < end and c.end > start
    )
    return Excerpt(text, highlights, start, end, inside)


def units(passage: str, code: tuple[CodeSpan, ...], max_chars: int) -> list[tuple[int, int]]:
    """The passage's units, in order: the sentences of its prose, its code blocks
    whole, or a code block's lines when the block is longer than ``max_chars``."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for block in code:
        spans += [
            (cursor + s, cursor + e) for s, e in split_sentences(passage[cursor : block.start])
        ]
        if block.end - block.start <= max_chars:
            spans.append((block.start, block.end))
        else:
            spans += _lines(passage, block.start, block.end)
        cursor = block.end
    spans += [(cursor + s, cursor + e) for s, e in split_sentences(passage[cursor:])]
    return spans


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The non-blank lines of ``text[start:end]``, indentation kept, line breaks not."""
    spans = []
    while start < end:
        stop = text.find("\n", start, end)
        stop = end if stop < 0 else stop
        if text[start:stop].strip():
            spans.append((start, len(text[start:stop].rstrip()) + start))
        start = stop + 1
    return spans


def _terms_by_sentence(
    words: list, sentences: list[tuple[int, int]], weights: Mapping[str, float]
) -> list[set[str]]:
    """The question terms each sentence holds (words and sentences are in text order)."""
    held: list[set[str]] = [set() for _ in sentences]
    index = 0
    for word in words:
        if word.term not in weights:
            continue
        while index < len(sentences) and sentences[index][1] <= word.start:
            index += 1
        if index == len(sentences):
            break
        if sentences[index][0] <= word.start:
            held[index].add(word.term)
    return held


def _best_run(
    sentences: list[tuple[int, int]],
    held: list[set[str]],
    weights: Mapping[str, float],
    max_chars: int,
) -> tuple[int, int]:
    """The run of whole sentences, within the budget, holding the most question weight.

    Each run starts at one sentence and takes as many following ones as fit; the
    best holds the most distinct question weight (the earliest among equals). A
    question's words are often spread over neighbouring sentences ("Adams pumped
    Tesla for information ... Tesla advised Adams that a two-phased system ..."),
    which growing around the one best sentence would miss.
    """
    best_key, best_run = None, (0, 0)
    last = 0
    for first, (start, _) in enumerate(sentences):
        last = max(last, first)
        while last + 1 < len(sentences) and sentences[last + 1][1] - start <= max_chars:
            last += 1
        if sentences[last][1] - start > max_chars:
            continue  # this sentence alone is too long; another run holds it
        # Rounded: equal term sets summed in another order must tie (earliest wins).
        weight = round(sum(weights[t] for t in set().union(*held[first : last + 1])), 9)
        key = (weight, -first)
        if best_key is None or key > best_key:
            best_key, best_run = key, (first, last)
    return best_run


def _fill(
    passage: str,
    sentences: list[tuple[int, int]],
    first: int,
    last: int,
    start: int,
    end: int,
    max_chars: int,
    code: tuple[CodeSpan, ...] = (),
) -> tuple[int, int]:
    """Use the rest of the budget on part of the next sentence (else the previous one).

    Whole neighbours that did not fit are often where the answer continues
    ("..., Lionsgate paid for Gods of Egypt, ..."); the cut is at a word
    boundary and marked with an ellipsis. Code is never cut this way: a neighbour
    that is code is left out (the other neighbour may be used instead).
    """
    room = max_chars - (end - start) - 2  # a space and the ellipsis
    if room < 30:
        return start, end
    if last + 1 < len(sentences) and not _in_code(code, sentences[last + 1][0]):
        cut_end = sentences[last + 1][0] + room
        _, new_end = _word_bounds(
            passage, start, min(cut_end, sentences[last + 1][1]), start, sentences[last + 1][1]
        )
        return start, max(end, new_end)
    if first > 0 and not _in_code(code, sentences[first - 1][0]):
        cut_start = sentences[first - 1][1] - room
        new_start, _ = _word_bounds(
            passage, max(cut_start, sentences[first - 1][0]), end, sentences[first - 1][0], end
        )
        return min(start, new_start), end
    return start, end


def _in_code(code: tuple[CodeSpan, ...], position: int) -> bool:
    return any(c.start <= position < c.end for c in code)


def _with_synonym_terms(words: list, weights: Mapping[str, float], synonyms: SynonymTable) -> list:
    """Words inside a matched synonym phrase take the phrase's group term."""
    replaced = list(words)
    for start, length, token in synonyms.matches([w.term for w in words]):
        if token in weights:
            for i in range(start, start + length):
                if replaced[i].term not in weights:
                    replaced[i] = dataclasses.replace(replaced[i], term=token)
    return replaced


def _score(words: list, start: int, end: int, weights: Mapping[str, float]) -> float:
    found = {w.term for w in words if start <= w.start < end and w.term in weights}
    return sum(weights[t] for t in found)


def _densest_window(
    passage: str, words: list, start: int, end: int, weights: Mapping[str, float], width: int
) -> tuple[int, int]:
    """The ``width``-character slice of a long sentence holding the most question weight."""
    inside = [w for w in words if start <= w.start and w.end <= end]
    best_start, best_score = start, -1.0
    for anchor in inside or []:
        if anchor.term not in weights:
            continue
        # Put a little context before the first match of the window.
        window_start = max(start, anchor.start - width // 4)
        score = _score(inside, window_start, window_start + width, weights)
        if score > best_score:
            best_start, best_score = window_start, score
    return _word_bounds(passage, best_start, min(end, best_start + width), start, end)


def _word_bounds(passage: str, start: int, end: int, low: int, high: int) -> tuple[int, int]:
    """Shrink [start, end) so that it neither starts nor ends inside a word."""
    if start > low and not passage[start - 1].isspace():
        space = passage.find(" ", start, end)
        start = space + 1 if space != -1 else start
    if end < high and not passage[end].isspace():
        space = passage.rfind(" ", start, end)
        end = space if space > start else end
    while end > start and passage[end - 1] in " ,;:":
        end -= 1
    return start, end


def _at_sentence_start(sentences: list[tuple[int, int]], position: int) -> bool:
    return any(s == position for s, _ in sentences)


def _at_sentence_end(sentences: list[tuple[int, int]], position: int) -> bool:
    return any(e == position for _, e in sentences)
