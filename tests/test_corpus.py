"""Documents to passages: formats, metadata, boilerplate, broken files."""

import pytest

from bot.documents.corpus import CorpusError, load_corpus
from bot.documents.loading import UnreadableFile, decode_text, normalise_date
from bot.documents.passages import windows
from tests.conftest import config_for, fail_reading, write


def corpus_of(folder, **corpus_settings):
    return load_corpus(config_for([folder], corpus=corpus_settings).corpus)


def test_seed_article_attribution_and_boilerplate(seed_index):
    corpus = seed_index.corpus
    (document,) = corpus.documents.values()
    assert document.meta.title == (
        "Social Security workers are required to turn over appointment details to ICE"
    )
    assert document.meta.source == "WIRED"
    assert document.meta.date == "2026-02-15T05:16:26Z"  # "Posted on: 1771132586"
    texts = " ".join(p.text for p in corpus.passages)
    for furniture in [
        "What’s your take",
        "Share your thoughts",
        "#Social",
        "Posted on",
        "Want more",
        "Click here",
        "Leave a Reply",
        "email address",
        "must-read",
    ]:
        assert furniture not in texts
    assert corpus.skipped == []


def test_passages_are_exact_source_slices(seed_index):
    corpus = seed_index.corpus
    source = next(iter(corpus.documents.values())).path.read_text(encoding="utf-8")
    for passage in corpus.passages:
        assert " ".join(source[passage.start : passage.end].split()) == passage.text


def test_markdown_headings_front_matter_and_paragraph_numbers(tmp_path):
    write(
        tmp_path,
        "guide.md",
        (
            "---\ntitle: The Guide\nauthor: Ada\ndate: 2024-05-01\nurl: https://example.org/g\n---\n"
            "# Welcome\n\nFirst paragraph has several words.\n\n## Setup\n\n"
            "Install the thing with care.\nIt wraps over lines.\n\nRun it after installing.\n"
        ),
    )
    corpus = corpus_of(tmp_path)
    document = corpus.documents["guide.md"]
    assert (document.meta.title, document.meta.author, document.meta.date, document.meta.url) == (
        "The Guide",
        "Ada",
        "2024-05-01",
        "https://example.org/g",
    )
    assert document.meta.source == "guide.md"
    got = [(p.section, p.paragraph, p.text) for p in corpus.passages]
    assert got == [
        ("Welcome", 1, "First paragraph has several words."),
        ("Welcome › Setup", 2, "Install the thing with care. It wraps over lines."),
        ("Welcome › Setup", 3, "Run it after installing."),
    ]


def test_sidecar_metadata_and_fallback_title(tmp_path):
    write(tmp_path, "notes.txt", "Quarterly notes\n\nThe budget grew by ten percent this year.\n")
    write(tmp_path, "notes.txt.meta.yaml", "source: Finance Team\ndate: 1700000000\n")
    write(
        tmp_path, "plain.txt", "A first line that serves as title\n\nBody text goes right here.\n"
    )
    corpus = corpus_of(tmp_path)
    notes, plain = corpus.documents["notes.txt"], corpus.documents["plain.txt"]
    assert (notes.meta.title, notes.meta.source, notes.meta.date) == (
        "Quarterly notes",
        "Finance Team",
        "2023-11-14T22:13:20Z",
    )
    assert plain.meta.title == "A first line that serves as title"
    assert plain.meta.source == "plain.txt"
    assert [p.text for p in corpus.passages if p.doc_id == "plain.txt"] == [
        "Body text goes right here."
    ]


def test_html_visible_text_only(tmp_path):
    write(
        tmp_path,
        "page.html",
        (
            "<html><head><title>Page Title</title><style>p{color:red}</style>"
            "<meta name='author' content='Bo'><script>var secret = 'hidden words';</script></head>"
            "<body><nav>Menu</nav><h1>Main heading</h1>"
            "<p>Visible paragraph with <b>bold</b> text.</p>"
            "<div><div><div><p>Deeply nested paragraph text here.</p></div></div></div>"
            "<noscript>enable javascript please</noscript></body></html>"
        ),
    )
    corpus = corpus_of(tmp_path)
    texts = [p.text for p in corpus.passages]
    assert texts == ["Visible paragraph with bold text.", "Deeply nested paragraph text here."]
    meta = corpus.documents["page.html"].meta
    assert (meta.title, meta.author) == ("Page Title", "Bo")
    assert corpus.passages[0].section == "Main heading"


def test_long_paragraph_becomes_sentence_windows(tmp_path):
    sentences = [f"Sentence number {i} talks about topic {i} at some length." for i in range(40)]
    write(tmp_path, "long.txt", "Title line\n\n" + " ".join(sentences) + "\n")
    corpus = corpus_of(tmp_path, max_passage_chars=200)
    assert len(corpus.passages) > 5
    assert all(len(p.text) <= 200 for p in corpus.passages)
    assert all(p.paragraph == 1 for p in corpus.passages)
    assert all(p.text.endswith(".") for p in corpus.passages)  # whole sentences
    joined = " ".join(p.text for p in corpus.passages)
    assert joined == " ".join(sentences)


def test_very_long_paragraph_becomes_windows_of_whole_sentences():
    sentences = [
        f"Dr. Smith wrote note {i}, e.g. about fig. {i} in the U.S. today." for i in range(3000)
    ]
    paragraph = " ".join(sentences)  # about 190,000 characters in one paragraph
    cuts = list(windows(paragraph, 0, len(paragraph), 1500))
    texts = [paragraph[s:e] for s, e in cuts]
    assert all(len(t) <= 1500 and t.endswith("today.") for t in texts)
    assert " ".join(texts) == paragraph


def test_run_without_sentence_end_is_cut_only_where_the_limit_forces_it():
    run = "word " * 40_000  # 200,000 characters, no sentence boundary
    cuts = list(windows(run, 0, len(run) - 1, 1500))
    assert all(e - s > 1500 - len("word ") for s, e in cuts[:-1])
    assert " ".join(run[s:e] for s, e in cuts) == run.strip()


def test_single_huge_line_is_cut_not_kept_whole(tmp_path):
    write(tmp_path, "blob.txt", "Title\n\n" + "word " * 50_000 + "\n")
    corpus = corpus_of(tmp_path, max_passage_chars=500)
    assert max(len(p.text) for p in corpus.passages) <= 500


def test_broken_files_are_skipped_with_a_reason_and_the_rest_loads(tmp_path):
    write(tmp_path, "good.txt", "Good title\n\nThis document is perfectly readable text.\n")
    write(tmp_path, "empty.txt", "")
    write(tmp_path, "blank.md", "   \n\n  \n")
    write(tmp_path, "binary.txt", bytes(range(256)) * 4)
    write(tmp_path, "garbled.txt", bytes(range(128, 256)) * 4)  # no encoding reads it
    write(
        tmp_path, "utf16.txt", "Title\n\nUTF sixteen text with a byte order mark.".encode("utf-16")
    )
    write(tmp_path, "image.png", b"\x89PNG\r\n")
    write(tmp_path, "only-boilerplate.txt", "Headline\n\nLeave a Reply\n")
    corpus = corpus_of(tmp_path)
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert set(corpus.documents) == {"good.txt", "utf16.txt"}
    assert reasons["empty.txt"] == "empty file"
    assert "empty" in reasons["blank.md"]
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["garbled.txt"].startswith("not valid UTF-8 text")
    assert reasons["image.png"] == "unsupported file type '.png'"
    assert reasons["only-boilerplate.txt"] == "no passage left after removing boilerplate"


def test_unreadable_file_is_skipped(tmp_path, monkeypatch):
    secret = write(tmp_path, "secret.txt", "Title\n\nHidden words in here.\n")
    write(tmp_path, "ok.txt", "Title\n\nVisible words in here.\n")
    fail_reading(monkeypatch, secret)
    corpus = corpus_of(tmp_path)
    assert [(s.path, s.reason) for s in corpus.skipped] == [
        ("secret.txt", "cannot read: Permission denied")
    ]
    assert set(corpus.documents) == {"ok.txt"}


def test_symlink_loop_and_oversized_file(tmp_path):
    write(tmp_path, "docs/a.txt", "Title\n\nSome real text to index here.\n")
    (tmp_path / "docs" / "loop").symlink_to(tmp_path / "docs", target_is_directory=True)
    write(tmp_path, "docs/big.txt", "x" * 2000)
    corpus = corpus_of(tmp_path / "docs", max_file_bytes=1000)
    assert set(corpus.documents) == {"a.txt"}
    assert any("larger than corpus.max_file_bytes" in s.reason for s in corpus.skipped)


def test_no_readable_document_is_a_clear_error(tmp_path):
    write(tmp_path, "empty.txt", "")
    with pytest.raises(CorpusError, match="no readable document.*empty.txt: empty file"):
        corpus_of(tmp_path)


def test_several_roots_prefix_document_ids(tmp_path):
    write(tmp_path, "one/a.txt", "Title\n\nAlpha text in the first root.\n")
    write(tmp_path, "two/a.txt", "Title\n\nBeta text in the second root.\n")
    corpus = load_corpus(config_for([tmp_path / "one", tmp_path / "two"]).corpus)
    assert set(corpus.documents) == {"one/a.txt", "two/a.txt"}


def test_decode_and_dates():
    assert decode_text("\ufeffhello".encode()) == "hello"
    with pytest.raises(UnreadableFile, match="NUL"):
        decode_text(b"abc\x00def")
    assert normalise_date(1771132586) == "2026-02-15T05:16:26Z"
    assert normalise_date("2024-01-02") == "2024-01-02"
    assert normalise_date(None) is None


def test_a_link_within_the_corpus_is_read(tmp_path):
    write(tmp_path, "docs/shared/policy.txt", "Policy\n\nRefunds are paid within thirty days.\n")
    write(tmp_path, "other/extra.txt", "Extra\n\nThe second root holds shipping rules.\n")
    (tmp_path / "docs" / "refunds.txt").symlink_to(tmp_path / "docs" / "shared" / "policy.txt")
    (tmp_path / "docs" / "shipping.txt").symlink_to(tmp_path / "other" / "extra.txt")
    config = config_for([tmp_path / "docs", tmp_path / "other"])
    corpus = load_corpus(config.corpus)
    # refunds.txt is the first name for policy.txt; shipping.txt links into the second root.
    assert set(corpus.documents) == {"docs/refunds.txt", "docs/shipping.txt"}
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert reasons == {
        "docs/shared/policy.txt": "same file as another document (symlink)",
        "other/extra.txt": "same file as another document (symlink)",
    }


ONE_PARAGRAPH = "The quarterly report covers zymurgy results for the brewing team."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("note.txt", ONE_PARAGRAPH + "\n"),
        ("note.md", ONE_PARAGRAPH + "\n"),
        ("note.md", f"---\nauthor: Ann\n---\n{ONE_PARAGRAPH}\n"),
        ("note.html", f"<html><body><p>{ONE_PARAGRAPH}</p></body></html>"),
    ],
    ids=["txt", "md", "md-front-matter", "html"],
)
@pytest.mark.parametrize("engine", ["rank-bm25", "tantivy"])
def test_a_one_paragraph_file_is_indexed_as_its_paragraph(tmp_path, name, content, engine):
    from bot.answer.answerer import Answerer
    from bot.search.index import SearchIndex

    write(tmp_path, f"docs/{name}", content)
    write(tmp_path, "docs/other.txt", "Other\n\nThe canteen menu changes every week.\n")
    config = config_for(
        [tmp_path / "docs"], retrieval={"engine": engine, "index_dir": tmp_path / "index"}
    )
    index = SearchIndex.build(config)
    assert index.corpus.skipped == []
    assert index.corpus.documents[name].meta.title == ONE_PARAGRAPH  # its first line
    answer = Answerer(index).answer("what does the quarterly report cover?")
    assert answer.items[0].doc_id == name
    assert answer.items[0].passage.text == ONE_PARAGRAPH


def test_a_title_line_is_still_no_passage_when_the_file_says_more(tmp_path):
    write(tmp_path, "two.txt", f"{ONE_PARAGRAPH}\n\nThe brewing team meets on Mondays to taste.\n")
    write(tmp_path, "boilerplate.txt", "Quarterly zymurgy report headline\n\nLeave a Reply\n")
    corpus = corpus_of(tmp_path)
    assert [p.text for p in corpus.passages] == ["The brewing team meets on Mondays to taste."]
    assert {s.path: s.reason for s in corpus.skipped} == {
        "boilerplate.txt": "no passage left after removing boilerplate"
    }
