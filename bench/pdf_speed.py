"""How long a 300-page PDF takes to read and to index.

    .venv/bin/python bench/pdf_speed.py [--pages 300] [--repeat 3]

Writes a manual with reportlab (a test dependency): a bookmarked chapter every 10
pages, a running header, a "Page N of M" footer, two columns of about 45 lines of
prose on each page (about 700 words), hyphenated line ends. It prints the best
time of ``pdf_to_text`` (pypdf plus the layout rules), of ``load_corpus`` (those
plus passages) and of a whole index build with each engine, and checks that the
header and footer are in no passage.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.documents.corpus import load_corpus  # noqa: E402
from bot.documents.pdftext import pdf_to_text  # noqa: E402
from bot.search.index import SearchIndex  # noqa: E402

WORDS = (
    "pump valve pressure coolant reactor turbine generator diesel operator shift "
    "inspection filter bearing lubricant seal gasket flange sensor alarm panel "
    "breaker circuit relay manual procedure checklist maintenance schedule safety "
    "the a of and to in is for on with at by from every each before after during"
).split()
HEADER = "Plant Operations Manual, revision 7"


def manual(pages: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    width, height = A4
    pdf.setTitle("Plant Operations Manual")
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(56, height - 36, HEADER)
        pdf.drawString(width / 2 - 25, 28, f"Page {number} of {pages}")
        y = height - 70
        if number % 10 == 1:
            title = f"Chapter {number // 10 + 1}: section {rng.choice(WORDS)}"
            pdf.bookmarkPage(f"c{number}")
            pdf.addOutlineEntry(title, f"c{number}", level=0)
            pdf.setFont("Helvetica-Bold", 14)
            pdf.drawString(56, y, title)
            y -= 28
        pdf.setFont("Helvetica", 9)
        for x in (56, width / 2 + 8):
            line_y = y
            while line_y > 60:
                if rng.random() < 0.12:
                    line_y -= 11  # a paragraph gap
                words = [rng.choice(WORDS) for _ in range(8)]
                if rng.random() < 0.1:
                    words[-1] = words[-1][:3] + "-"  # hyphenated at the line end
                pdf.drawString(x, line_y, " ".join(words))
                line_y -= 11
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def best(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = manual(args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        (folder / "manual.pdf").write_bytes(data)
        config = load_config(REPO / "config" / "default.yaml")
        corpus_config = dataclasses.replace(config.corpus, paths=(folder,))
        config = dataclasses.replace(config, corpus=corpus_config)
        extracted = pdf_to_text(data)
        words = len(extracted.text.split())
        print(f"{args.pages} pages, {len(data) / 1e6:.1f} MB, {words:,} words")
        read = best(args.repeat, lambda: pdf_to_text(data))
        print(f"pdf_to_text: {read:.2f} s ({read / args.pages * 1000:.1f} ms a page)")
        corpus = load_corpus(corpus_config)
        leaked = [p for p in corpus.passages if HEADER in p.text or "Page " in p.text]
        pages = {p.page for p in corpus.passages}
        print(
            f"load_corpus: {best(args.repeat, lambda: load_corpus(corpus_config)):.2f} s, "
            f"{len(corpus.passages):,} passages on {len(pages)} pages, "
            f"{len(leaked)} with the header or footer"
        )
        for engine in ("rank-bm25", "tantivy"):
            retrieval = dataclasses.replace(
                config.retrieval, engine=engine, index_dir=Path(tmp) / f"index-{engine}"
            )
            engine_config = dataclasses.replace(config, retrieval=retrieval)
            # A fresh index folder each time, so tantivy builds rather than reopens.
            runs = []
            for attempt in range(args.repeat):
                retrieval = dataclasses.replace(
                    retrieval, index_dir=Path(tmp) / f"index-{engine}-{attempt}"
                )
                engine_config = dataclasses.replace(engine_config, retrieval=retrieval)
                start = time.perf_counter()
                SearchIndex.build(engine_config)
                runs.append(time.perf_counter() - start)
            print(f"index build ({engine}): {min(runs):.2f} s")


if __name__ == "__main__":
    main()
