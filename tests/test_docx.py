"""Word documents (python-docx): heading paths, tables whole, lists, core properties."""

from __future__ import annotations

import datetime as dt
import io

import docx

from bot.answer.answerer import Answerer
from bot.documents.corpus import load_corpus
from bot.documents.docxtext import docx_to_text
from bot.search.index import SearchIndex
from tests.conftest import config_for, write

BASE = "https://intranet.example.com/guides/"


def guide_docx() -> bytes:
    document = docx.Document()
    properties = document.core_properties
    properties.title = "New Starter Guide"
    properties.author = "Katherine Johnson"
    properties.created = dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.timezone.utc)
    document.add_heading("Onboarding", level=1)
    document.add_paragraph("Your manager books the first week of meetings before you arrive.")
    document.add_heading("Laptops", level=2)
    document.add_paragraph("Collect your laptop from the IT desk on the second floor:")
    for item in ("bring your badge", "sign the asset form", "set a disk password"):
        document.add_paragraph(item, style="List Bullet")
    document.add_heading("Leave allowance", level=2)
    table = document.add_table(rows=3, cols=2)
    for row, (kind, days) in zip(
        table.rows,
        [("Leave", "Days"), ("Annual leave", "25"), ("Parental leave", "20")],
        strict=True,
    ):
        row.cells[0].text, row.cells[1].text = kind, days
    document.add_heading("Security", level=1)
    document.add_paragraph("Report a lost laptop to the security hotline within one hour.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def ask(folder, question):
    config = config_for([folder], corpus={"base_urls": ((folder, BASE),)})
    items = Answerer(SearchIndex.build(config)).answer(question).items
    assert items, question
    return items[0]


def test_a_word_answer_has_its_heading_path_metadata_and_link(tmp_path):
    write(tmp_path, "docs/starter guide.docx", guide_docx())
    item = ask(tmp_path / "docs", "Where do I collect my laptop?")
    assert item.excerpt.text == "Collect your laptop from the IT desk on the second floor:"
    assert item.passage.section == "Onboarding › Laptops"
    assert item.passage.page is None
    assert item.link.startswith(BASE + "starter%20guide.docx#:~:text=Collect%20your%20laptop")
    meta = item.meta
    assert (meta.title, meta.author, meta.date) == (
        "New Starter Guide",
        "Katherine Johnson",
        "2024-03-05T09:30:00Z",
    )


def test_a_table_is_one_passage_with_its_rows_and_a_list_keeps_its_items(tmp_path):
    write(tmp_path, "docs/guide.docx", guide_docx())
    item = ask(tmp_path / "docs", "How many days of parental leave?")
    assert item.passage.section == "Onboarding › Leave allowance"
    assert item.passage.text == "Leave | Days Annual leave | 25 Parental leave | 20"
    extracted = docx_to_text(guide_docx())
    lists = [extracted.text[b.start : b.end] for b in extracted.blocks if "- bring" in
             extracted.text[b.start : b.end]]  # fmt: skip
    assert lists == ["- bring your badge\n- sign the asset form\n- set a disk password"]
    kinds = [(b.kind, b.path) for b in extracted.blocks]
    assert ("table", ("Onboarding", "Leave allowance")) in kinds
    assert ("heading", ("Security",)) in kinds  # a Heading 1 closes the Heading 2 above


def test_a_corrupt_word_file_is_skipped_with_the_reason_and_the_rest_loads(tmp_path):
    good = guide_docx()
    write(tmp_path, "docs/guide.docx", good)
    write(tmp_path, "docs/truncated.docx", good[: len(good) // 2])
    write(tmp_path, "docs/renamed.docx", b"This is a text file with the wrong name.\n")
    write(tmp_path, "docs/empty-zip.docx", _zip({"hello.txt": "hi"}))
    corpus = load_corpus(config_for([tmp_path / "docs"]).corpus)
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert set(corpus.documents) == {"guide.docx"}
    assert reasons["truncated.docx"].startswith("corrupt Word file: ")
    assert reasons["renamed.docx"].startswith("corrupt Word file: not a zip package")
    assert reasons["empty-zip.docx"].startswith("corrupt Word file: ")


def _zip(files: dict[str, str]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, text in files.items():
            package.writestr(name, text)
    return out.getvalue()
