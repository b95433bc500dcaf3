"""PDF documents (pypdf): pages, outline sections, columns, running lines, hyphens, skips."""

from __future__ import annotations

import pytest

from bot.answer.answerer import Answerer
from bot.documents.corpus import load_corpus
from bot.documents.loading import UnreadableFile, read_source
from bot.documents.pdflayout import Line, join_lines, paragraphs, strip_running
from bot.documents.pdftext import NO_TEXT, pdf_to_text
from bot.search.index import SearchIndex
from tests.conftest import config_for, write
from tests.pdf_files import AUTHOR, HEADER, TITLE, encrypted_pdf, handbook_pdf, scanned_pdf

BASE = "https://intranet.example.com/manuals/"


@pytest.fixture(scope="module")
def handbook():
    return handbook_pdf()


def answer(folder, question, **retrieval):
    config = config_for([folder], corpus={"base_urls": ((folder, BASE),)}, retrieval=retrieval)
    items = Answerer(SearchIndex.build(config)).answer(question).items
    assert items, question
    return items[0]


@pytest.mark.parametrize("engine", ["rank-bm25", "tantivy"])
def test_a_pdf_answer_quotes_the_page_with_its_section_page_and_page_link(
    tmp_path, handbook, engine
):
    write(tmp_path, "docs/plant handbook.pdf", handbook)
    folder = tmp_path / "docs"
    item = answer(folder, "How often are the coolant pumps lubricated?", engine=engine,
                  index_dir=tmp_path / "index")  # fmt: skip
    # The word hyphenated at the line end ("lubri-" / "cated") is whole again.
    assert item.excerpt.text == (
        "The coolant pumps are lubricated every 200 hours with grade 2 grease from the blue "
        "cabinet."
    )
    assert item.passage.section == "Safety › Coolant pumps"  # from the outline
    assert item.passage.page == 2
    assert item.location == "Safety › Coolant pumps, page 2, paragraph 3"
    # Page url + #page=N; no text fragment, which PDF viewers ignore.
    assert item.link == BASE + "plant%20handbook.pdf#page=2"
    assert item.page_link == BASE + "plant%20handbook.pdf#page=2"
    assert item.meta.title == TITLE and item.meta.author == AUTHOR
    assert item.meta.date == "2000-01-01T00:00:00Z"


def test_the_second_column_is_its_own_passage_after_the_first(tmp_path, handbook):
    write(tmp_path, "docs/handbook.pdf", handbook)
    item = answer(tmp_path / "docs", "At what pressure does the relief valve open?")
    assert item.excerpt.text == (
        "The relief valve on each pump opens at 6 bar and vents into the drain beside the stairs."
    )
    assert item.passage.page == 2 and item.passage.section == "Safety › Coolant pumps"
    source = read_source(tmp_path / "docs" / "handbook.pdf", "handbook.pdf", 10**7)
    text = source.text
    assert text.index("switched\noff") < text.index("The relief valve")  # left, then right


def test_a_bookmark_not_drawn_on_its_page_starts_its_section_at_the_page_top(tmp_path, handbook):
    write(tmp_path, "docs/handbook.pdf", handbook)
    item = answer(tmp_path / "docs", "Which extension does the duty engineer answer?")
    assert item.excerpt.text == (
        "The duty engineer answers the emergency line around the clock on extension 4400."
    )
    assert item.passage.section == "Appendix: contacts" and item.passage.page == 4


def test_running_header_and_page_number_footer_are_not_in_any_passage(tmp_path, handbook):
    write(tmp_path, "docs/handbook.pdf", handbook)
    corpus = load_corpus(config_for([tmp_path / "docs"]).corpus)
    texts = [p.text for p in corpus.passages]
    assert not [t for t in texts if HEADER in t or "Page " in t]
    assert {p.page for p in corpus.passages} == {1, 2, 3, 4}


def test_a_pdf_without_a_url_has_no_link_but_still_says_the_page(tmp_path, handbook):
    write(tmp_path, "docs/handbook.pdf", handbook)
    config = config_for([tmp_path / "docs"])
    item = Answerer(SearchIndex.build(config)).answer("backup generators diesel start").items[0]
    assert item.link is None and item.passage.page == 3
    assert item.location == "Generators, page 3, paragraph 6"


def test_scanned_encrypted_and_corrupt_pdfs_are_skipped_with_the_reason(tmp_path, handbook):
    folder = tmp_path / "docs"
    write(folder, "scan.pdf", scanned_pdf())
    write(folder, "locked.pdf", encrypted_pdf(user_password="secret"))
    write(folder, "open-locked.pdf", encrypted_pdf(user_password=""))  # owner password only
    write(folder, "truncated.pdf", handbook[: len(handbook) // 3])
    write(folder, "not-a-pdf.pdf", b"%PDF-1.7\nthis is not really a PDF at all\n")
    corpus = load_corpus(config_for([folder]).corpus)
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert reasons["scan.pdf"] == NO_TEXT == "no text layer; OCR is not supported"
    assert reasons["locked.pdf"] == "encrypted (needs a password)"
    assert reasons["truncated.pdf"].startswith("corrupt PDF: ")
    assert reasons["not-a-pdf.pdf"].startswith("corrupt PDF: ")
    assert set(corpus.documents) == {"open-locked.pdf"}  # the empty password opens it


def test_a_pdf_is_never_binary_and_its_sidecar_still_overrides(tmp_path, handbook):
    write(tmp_path, "docs/handbook.pdf", handbook)
    write(tmp_path, "docs/handbook.pdf.meta.yaml", "title: The Handbook\nsource: Plant office\n")
    corpus = load_corpus(config_for([tmp_path / "docs"]).corpus)
    meta = corpus.documents["handbook.pdf"].meta
    assert (meta.title, meta.source, meta.author) == ("The Handbook", "Plant office", AUTHOR)
    assert corpus.documents["handbook.pdf"].kind == "pdf"


def line(text, y, x=72.0, size=11.0):
    return Line(text, x, y, size)


def test_layout_rules_on_lines():
    # Hyphen joined only before a lower-case letter; a soft hyphen always.
    assert join_lines([line("infor-", 700), line("mation", 686)]) == "information"
    assert join_lines([line("Jean-", 700), line("Paul", 686)]) == "Jean-\nPaul"
    assert join_lines([line("co\u00ad", 700), line("operate", 686)]) == "cooperate"
    # A wider gap, a jump up (next column) and a font size change end a paragraph.
    lines = [line("a", 700), line("b", 686), line("c", 650), line("d", 700, x=320),
             line("e", 686, x=320, size=16)]  # fmt: skip
    assert [[x.text for x in p] for p in paragraphs(lines)] == [["a", "b"], ["c"], ["d"], ["e"]]


def test_running_lines_need_the_page_edge_and_half_the_pages():
    box = (0.0, 800.0)

    def page(n, footer):
        return [line("Title", 780), line(f"body {n} text", 400), line(footer, 20)]

    pages = [page(n, f"Page {n}") for n in range(1, 5)]
    kept = strip_running(pages, [box] * 4)
    assert [[x.text for x in p] for p in kept][0] == ["body 1 text"]
    # A line that repeats mid-page is content; so is one edge line on one page of four.
    middle = [[line("Title", 780), line("Same body", 400), line("x", 20)] for _ in range(4)]
    assert all("Same body" in [x.text for x in p] for p in strip_running(middle, [box] * 4))
    once = [page(1, "Unique footer")] + [[line(f"b{n}", 400)] for n in range(3)]
    assert "Unique footer" in [x.text for x in strip_running(once, [box] * 4)[0]]


def test_a_bookmarked_chapter_title_atop_every_page_is_a_heading_not_a_running_header():
    extracted = pdf_to_text(handbook_pdf(pages=_pages(12)))
    headings = [b for b in extracted.blocks if b.kind == "heading"]
    assert [b.title for b in headings] == [f"Chapter {n}" for n in range(1, 13)]
    assert [b.page for b in headings] == list(range(1, 13))
    assert not any(HEADER in extracted.text[b.start : b.end] for b in extracted.blocks)


def _pages(count):
    return [([(0, f"Chapter {n}", True)], [f"Paragraph {n} of the long manual."], [])
            for n in range(1, count + 1)]  # fmt: skip


def test_an_unreadable_pdf_raises_unreadable_file_not_anything_else():
    with pytest.raises(UnreadableFile):
        pdf_to_text(b"")
