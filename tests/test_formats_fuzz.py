"""Random bytes for each reader: a skip with a reason, never an exception out of the walk."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.documents.corpus import iter_documents
from bot.documents.loading import SkippedFile, UnreadableFile, read_source
from tests.conftest import config_for
from tests.pdf_files import handbook_pdf

HANDBOOK = handbook_pdf()
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _mutated(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for position, value in edits:
        out[position % len(out)] = value
    return bytes(out)


def _docx_like(payload: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", payload)
        package.writestr("word/document.xml", payload)
    return out.getvalue()


contents = st.one_of(
    st.binary(max_size=2048),
    st.binary(max_size=512).map(lambda b: b"%PDF-1.4\n" + b),
    st.binary(max_size=512).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=512).map(_docx_like),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=30).map(
        lambda edits: _mutated(HANDBOOK, edits)
    ),
    st.integers(1, len(HANDBOOK)).map(lambda n: HANDBOOK[:n]),
)


@FUZZ
@given(data=contents, suffix=st.sampled_from([".pdf", ".docx", ".txt", ".md", ".html"]))
def test_each_reader_skips_random_bytes_with_a_reason(tmp_path, data, suffix):
    path = tmp_path / f"doc{suffix}"
    path.write_bytes(data)
    try:
        source = read_source(path, path.name, 10**7)
    except UnreadableFile as exc:
        assert str(exc).strip()
    else:
        assert source.blocks is None or all(
            0 <= b.start <= b.end <= len(source.text) for b in source.blocks
        )


@FUZZ
@given(data=contents)
def test_the_corpus_walk_survives_any_file_of_any_format(tmp_path, data):
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    for suffix in (".pdf", ".docx", ".txt"):
        (folder / f"fuzz{suffix}").write_bytes(data)
    skipped: list[SkippedFile] = []
    documents = list(iter_documents(config_for([folder]).corpus, skipped))
    assert len(documents) + len(skipped) == 3
    assert all(item.reason for item in skipped)
