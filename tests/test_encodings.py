"""Text that is not UTF-8: detected (charset-normalizer) or read with corpus.encoding."""

from __future__ import annotations

import pytest

from bot.answer.answerer import Answerer
from bot.config import ConfigError, load_config
from bot.documents.corpus import load_corpus
from bot.documents.loading import UnreadableFile, decode_text
from bot.search.index import SearchIndex
from tests.conftest import config_for, write

BASE = "https://wiki.example.org/notes/"
LATIN1 = (
    "Le café du port\n\n"
    "Le café du port ouvre à sept heures; les crèmes brûlées sont préparées chaque matin "
    "par le pâtissier.\n"
)
CP1252 = "Canteen prices\n\nThe canteen’s “daily special” costs 6 € — soup and bread included.\n"


def ask(folder, question, **corpus):
    config = config_for([folder], corpus={"base_urls": ((folder, BASE),), **corpus})
    items = Answerer(SearchIndex.build(config)).answer(question).items
    assert items, question
    return items[0]


def test_latin1_and_cp1252_files_are_detected_and_quoted_exactly(tmp_path):
    write(tmp_path, "notes/port.txt", LATIN1.encode("latin-1"))
    write(tmp_path, "notes/canteen.txt", CP1252.encode("cp1252"))
    item = ask(tmp_path / "notes", "À quelle heure ouvre le café du port?")
    assert item.excerpt.text == (
        "Le café du port ouvre à sept heures; les crèmes brûlées sont préparées chaque matin "
        "par le pâtissier."
    )
    assert item.meta.title == "Le café du port" and item.passage.section is None
    assert item.link.startswith(BASE + "port.txt#:~:text=Le%20caf%C3%A9%20du%20port")
    item = ask(tmp_path / "notes", "How much does the daily special cost in the canteen?")
    assert item.excerpt.text == (
        "The canteen’s “daily special” costs 6 € — soup and bread included."
    )
    assert item.link.startswith(BASE + "canteen.txt#:~:text=")


def test_corpus_encoding_reads_what_detection_cannot(tmp_path):
    # Too short for detection to be confident: skipped with the way out named...
    write(tmp_path, "notes/short.txt", "Notiz\n\nDie Größe ± 2 ° ist ¬ gültig.\n".encode("latin-1"))
    write(tmp_path, "notes/other.txt", "Other\n\nA note that is plain UTF-8 text.\n")
    corpus = load_corpus(config_for([tmp_path / "notes"]).corpus)
    (skip,) = corpus.skipped
    assert "no encoding detected with confidence; set corpus.encoding" in skip.reason
    # ...and read exactly with the configured encoding.
    item = ask(tmp_path / "notes", "Welche Größe ist gültig?", encoding="latin-1")
    assert item.excerpt.text == "Die Größe ± 2 ° ist ¬ gültig."


def test_an_undecodable_file_is_skipped_with_the_reason(tmp_path):
    with pytest.raises(UnreadableFile, match="not valid UTF-8 nor ascii"):
        decode_text(b"caf\xe9", "ascii")
    with pytest.raises(UnreadableFile, match="no encoding detected with confidence"):
        decode_text(b"Title\n\ncaf\xc3 cr\xe8me and \xff\xfe more")  # broken UTF-8, not cp1250
    assert decode_text(b"plain ASCII stays") == "plain ASCII stays"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        bytes(range(1, 32)) * 20,  # controls, no NUL
    ],
)
def test_binary_data_is_never_decoded_as_some_code_page(data):
    with pytest.raises(UnreadableFile, match="binary file"):
        decode_text(data)


@pytest.mark.parametrize(
    ("value", "message"),
    [("klingon", "unknown text encoding 'klingon'"), ("base64", "'base64' is not a text encoding")],
)
def test_corpus_encoding_is_validated(tmp_path, value, message):
    path = write(tmp_path, "qabot.yaml", f"corpus:\n  paths: [docs]\n  encoding: {value}\n")
    with pytest.raises(ConfigError, match=f"qabot.yaml:3: corpus.encoding: {message}"):
        load_config(path)


def test_a_valid_encoding_loads(tmp_path):
    path = write(tmp_path, "qabot.yaml", "corpus:\n  paths: [docs]\n  encoding: cp1252\n")
    assert load_config(path).corpus.encoding == "cp1252"
