"""Bytes to text: UTF-8 (or a byte order mark), a configured encoding, or a detected one.

UTF-8 is tried first: text in another encoding almost never decodes as UTF-8.
A file that does not is read with ``corpus.encoding`` when one is configured,
else with the encoding charset-normalizer detects, when it is confident (it
measures how much the decoded text looks like a language and how little like
noise) and the decoded text reads as text (see _plausible). Binary data is
refused before any of this: a NUL byte in the first 8 KiB or too many control
characters, so no PNG is ever "decoded" as cp1252.
"""

from __future__ import annotations

import codecs
import unicodedata

from charset_normalizer import from_bytes

from bot.documents.errors import UnreadableFile

_SAMPLE = 8192
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# charset-normalizer's "mess" of the best guess (0 clean .. 1 noise) must stay under this.
MAX_CHAOS = 0.1
# Among the guesses that read a file equally cleanly, the one most used on the web
# wins: on a short text charset-normalizer ranks a rare code page (mac_iceland,
# hp_roman8) first as often as cp1252, and both decode its letters alike only
# where the file has none of the bytes they differ in.
_COMMON = (
    "cp1252",
    "latin_1",
    "iso8859_15",
    "cp1251",
    "shift_jis",
    "cp932",
    "euc_jp",
    "euc_kr",
    "gb18030",
    "big5",
    "cp1250",
    "iso8859_2",
    "cp1256",
    "koi8_r",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp874",
    "cp1257",
    "cp1258",
)
_NEAR = 0.01
MAX_SYMBOL_SHARE = 0.25  # chaos within this of the best counts as equally clean


def is_text_encoding(name: str) -> bool:
    """Whether ``name`` is a codec Python knows that decodes bytes to text (not base64)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    return getattr(info, "_is_text_encoding", True)


def decode_text(data: bytes, encoding: str | None = None) -> str:
    """The text of ``data``; raise UnreadableFile with the reason it is not text."""
    if not data or data.isspace():
        raise UnreadableFile("empty file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _check_textual(data.decode(codec))
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"not valid {codec.upper()}: {exc.reason}") from None
    if b"\x00" in data[:_SAMPLE]:
        raise UnreadableFile("binary file (contains NUL bytes)")
    try:
        return _check_textual(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        bad = exc.start
    if encoding is not None:
        try:
            return _check_textual(data.decode(encoding))
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"not valid UTF-8 nor {encoding} (corpus.encoding) text "
                f"(bad byte at offset {exc.start})"
            ) from None
    guess = detect_encoding(data)
    if guess is None or not _plausible(data.decode(guess, errors="replace")):
        raise UnreadableFile(
            f"not valid UTF-8 text (bad byte at offset {bad}) and no encoding detected "
            "with confidence; set corpus.encoding"
        )
    try:
        return _check_textual(data.decode(guess))
    except UnicodeDecodeError:  # the guess was made on a sample of the file
        raise UnreadableFile(
            f"not valid UTF-8 text (bad byte at offset {bad}), nor {guess} as detected; "
            "set corpus.encoding"
        ) from None


def detect_encoding(data: bytes) -> str | None:
    """The encoding charset-normalizer finds for ``data`` with confidence, else None."""
    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.chaos > MAX_CHAOS:
        return None
    near = [match for match in matches if match.chaos <= best.chaos + _NEAR]
    for name in _COMMON:
        if any(name in match.could_be_from_charset for match in near):
            return name
    return best.encoding


def _plausible(text: str) -> bool:
    """Whether a detected decoding reads as text: its non-ASCII characters are letters,
    punctuation, currency signs and spaces, with at most MAX_SYMBOL_SHARE of other
    symbols (a degree sign, a copyright sign) and no control, private, unassigned
    or spacing accent ones. Broken UTF-8 read as cp1250 ("cafĂ crčme and ˙ţ") is not."""
    odd = total = 0
    for ch in text:
        if ch.isascii():
            continue
        total += 1
        category = unicodedata.category(ch)
        if category[0] == "C" or category == "Sk" or ch == "\ufffd":
            return False  # controls, unassigned; spacing accents (˙ ˘ ¸) are mojibake
        if category in ("So", "Sm"):
            odd += 1
    return odd <= MAX_SYMBOL_SHARE * total


def _check_textual(text: str) -> str:
    sample = text[:_SAMPLE]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if sample and controls / len(sample) > 0.05:
        raise UnreadableFile("binary file (too many control characters)")
    return text
