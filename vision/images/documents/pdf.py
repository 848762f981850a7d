"""PDF pages through PDFium (pypdfium2): the page count and each page's size checked before it is
drawn, each page drawn straight at the size it is sent at, and the characters of its text."""

from __future__ import annotations

import threading

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from vision.errors import (
    ImageError,
    ImageTooLargeError,
    ImageUnreadableError,
    UnsupportedImageError,
)
from vision.images.documents.pages import out_of_range
from vision.limits import MAX_DECODE_PIXELS, MAX_PAGES
from vision.values.image import PartKind, SourcePart

# PDFium is not thread-safe (pypdfium2's documentation): one call into it at a time per process.
_PDFIUM = threading.RLock()

# A page has no pixels of its own: its full size is what a 200-dpi scan of it would be, which
# bounds how large any model gets it (a letter page: 1700×2200) and is checked against the
# decode guard before anything is drawn.
PAGE_DPI = 200
POINTS_PER_INCH = 72

DAMAGED = (
    "This PDF is damaged and cannot be read; save it again from the program that made it "
    "(or print it to a new PDF) and try again."
)


def _refusal(exc: pdfium.PdfiumError) -> ImageError:
    """The sentence for a PDF that PDFium will not open."""
    if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
        return UnsupportedImageError(
            "This PDF is locked with a password; open it, save a copy without the password "
            "(or print it to a new PDF) and try again."
        )
    if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
        return UnsupportedImageError(
            "This PDF uses a protection scheme that cannot be opened here; save a copy without "
            "it (or print it to a new PDF) and try again."
        )
    return ImageUnreadableError(DAMAGED)


class PdfPages:
    """A PDF opened to draw its pages; the page count is checked on opening."""

    kind: PartKind | None = "pdf"
    format = "PDF"
    lossless = True
    duration_s: float | None = None

    def __init__(self, data: bytes) -> None:
        with _PDFIUM:
            try:
                self._pdf = pdfium.PdfDocument(data)
            except pdfium.PdfiumError as exc:
                raise _refusal(exc) from None
            self.count = len(self._pdf)
        if self.count == 0:
            self.close()
            raise ImageUnreadableError(DAMAGED)
        if self.count > MAX_PAGES:
            count = self.count
            self.close()
            raise ImageTooLargeError(
                f"This PDF has {count:,} pages, more than the {MAX_PAGES:,} opened here; "
                "save the pages you need as a smaller PDF and try again."
            )

    def close(self) -> None:
        """Let go of the document."""
        with _PDFIUM:
            self._pdf.close()

    def _index(self, part: SourcePart | None) -> int:
        index = 0 if part is None else part.index
        if not 0 <= index < self.count:
            shown = part or SourcePart(kind="pdf", index=index)
            raise ImageUnreadableError(out_of_range(shown, self.count, "PDF"))
        return index

    def _page(self, index: int) -> pdfium.PdfPage:
        # Called holding _PDFIUM, as every call into the library is.
        try:
            return self._pdf[index]
        except pdfium.PdfiumError:
            raise ImageUnreadableError(
                f"Page {index + 1} of this PDF is damaged; choose another page."
            ) from None

    def points(self, index: int) -> tuple[float, float]:
        """A page's width and height in points (1/72 inch), as it is shown (rotation applied)."""
        with _PDFIUM:
            try:
                width, height = self._pdf.get_page_size(index)
            except pdfium.PdfiumError:
                raise ImageUnreadableError(DAMAGED) from None
        return float(width), float(height)

    def size(self, part: SourcePart | None) -> tuple[int, int]:
        """The page's size at 200 dpi; raises ImageTooLargeError past the decode guard."""
        index = self._index(part)
        width_pt, height_pt = self.points(index)
        scale = PAGE_DPI / POINTS_PER_INCH
        width, height = round(width_pt * scale), round(height_pt * scale)
        if width < 1 or height < 1:
            raise ImageUnreadableError(
                f"Page {index + 1} of this PDF has no area; choose another page."
            )
        if width * height > MAX_DECODE_PIXELS:
            inches = f"{width_pt / POINTS_PER_INCH:,.0f}×{height_pt / POINTS_PER_INCH:,.0f} in"
            raise ImageTooLargeError(
                f"Page {index + 1} of this PDF is {inches}, too large to draw safely; "
                "choose another page, or save this one at a smaller page size."
            )
        return width, height

    def render(self, part: SourcePart | None, size: tuple[int, int]) -> Image.Image:
        """The page drawn at exactly `size` on white (annotations included, forms as shown)."""
        index = self._index(part)
        width, height = size
        with _PDFIUM:
            page = self._page(index)
            try:
                bitmap = pdfium.PdfBitmap.new_native(width, height, pdfium_c.FPDFBitmap_BGR)
                bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
                pdfium_c.FPDF_RenderPageBitmap(
                    bitmap.raw, page.raw, 0, 0, width, height, 0, pdfium_c.FPDF_ANNOT
                )
                picture: Image.Image = bitmap.to_pil()
                bitmap.close()
            finally:
                page.close()
        return picture

    def characters(self, index: int) -> int:
        """The characters of page `index`'s text (from 0), whitespace aside."""
        with _PDFIUM:
            page = self._page(index)
            try:
                text = page.get_textpage()
                found = sum(not character.isspace() for character in text.get_text_range())
                text.close()
            finally:
                page.close()
        return found
