"""PDF fixtures written in the tests with reportlab: outline, columns, running lines."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

WIDTH, HEIGHT = A4
HEADER = "ACME Plant Handbook"
TITLE = "Plant Operations Handbook"
AUTHOR = "Grace Hopper"

# Each page: (bookmarks [(level, title, drawn as a line?)], left column, right column).
# A column is a list of lines; "" is a paragraph gap.
PAGES = [
    (
        [(0, "Safety", True)],
        [
            "Everyone on the plant floor wears a hard hat,",
            "ear protection and steel-toed boots.",
            "",
            "Visitors sign in at the gatehouse and are escorted",
            "at all times by a member of staff.",
        ],
        [],
    ),
    (
        [(1, "Coolant pumps", True)],
        [
            "The coolant pumps are lubri-",
            "cated every 200 hours with grade",
            "2 grease from the blue cabinet.",
            "",
            "A pump that rattles is switched",
            "off and tagged for the fitters.",
        ],
        [
            "The relief valve on each pump",
            "opens at 6 bar and vents into",
            "the drain beside the stairs.",
        ],
    ),
    (
        [(0, "Generators", True)],
        [
            "The backup generators in the basement start within",
            "ten seconds of a mains failure and run on diesel.",
        ],
        [],
    ),
    (
        [(0, "Appendix: contacts", False)],
        [
            "The duty engineer answers the emergency line around",
            "the clock on extension 4400.",
        ],
        [],
    ),
]


def handbook_pdf(pages=PAGES, *, header: str | None = HEADER, footer: bool = True) -> bytes:
    """A PDF with a bookmark per section, two columns on page 2, a running header and
    a "Page N of M" footer, and a word hyphenated at a line end."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    pdf.setTitle(TITLE)
    pdf.setAuthor(AUTHOR)
    for number, (bookmarks, left, right) in enumerate(pages, start=1):
        if header:
            pdf.setFont("Helvetica", 9)
            pdf.drawString(72, HEIGHT - 40, header)
        y = HEIGHT - 90
        for index, (level, title, drawn) in enumerate(bookmarks):
            key = f"p{number}-{index}"
            pdf.bookmarkPage(key)
            pdf.addOutlineEntry(title, key, level=level)
            if drawn:
                pdf.setFont("Helvetica-Bold", 14)
                pdf.drawString(72, y, title)
                y -= 30
        for x, column in ((72, left), (320, right)):
            line_y = y
            pdf.setFont("Helvetica", 11)
            for line in column:
                if line:
                    pdf.drawString(x, line_y, line)
                line_y -= 14
        if footer:
            pdf.setFont("Helvetica", 9)
            pdf.drawString(WIDTH / 2 - 30, 30, f"Page {number} of {len(pages)}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A page that is only an image (a scan): no text layer."""
    from PIL import Image

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    pdf.drawInlineImage(Image.new("L", (40, 40), 128), 72, 400, 200, 200)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def encrypted_pdf(user_password: str) -> bytes:
    """The handbook encrypted (RC4, which pypdf reads without extra packages)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(handbook_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
