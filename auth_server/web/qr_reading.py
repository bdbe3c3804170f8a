"""Reading the QR code in a picture the holder uploads to the app's Scan screen, as the phone's camera would: Pillow
opens the PNG or JPEG, zxing-cpp decodes the pixels. (The phone stub has its own reader: the layers keep the server
and the clients apart.)

Pillow and zxing-cpp are imported by the first picture read, not by the server's start."""

from __future__ import annotations

import io
import warnings

MAX_PICTURE_BYTES = 4 * 1024 * 1024  # a phone's screenshot or photo of a QR code; Seller Center's PNG is a few kB
MAX_PICTURE_PIXELS = 24_000_000  # a 24-megapixel photo; more is a picture built to exhaust the decoder
FORMATS = ("PNG", "JPEG")


class ScanRefused(Exception):
    """What the Scan screen cannot take (a picture, or a code's text), with a stable code, its HTTP status and what to
    do instead."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def too_large() -> ScanRefused:
    return ScanRefused(413, "qr_picture_too_large",
                          f"The picture is larger than {MAX_PICTURE_BYTES // (1024 * 1024)} MB or "
                          f"{MAX_PICTURE_PIXELS // 1_000_000} megapixels. Crop it to the QR code, or take a "
                          "screenshot of the code alone, and upload that.")


def no_picture() -> ScanRefused:
    return ScanRefused(400, "qr_picture_missing", "No picture was chosen. Choose a PNG or JPEG picture of the QR "
                                                     "code, then tap Scan picture.")


def qr_text(data: bytes) -> str:
    """The text the one QR code in the PNG or JPEG ``data`` encodes; :exc:`ScanRefused` says why there is none."""
    import zxingcpp
    from PIL import Image
    from PIL import UnidentifiedImageError

    if len(data) > MAX_PICTURE_BYTES:
        raise too_large()
    with warnings.catch_warnings():
        # Pillow only warns of a picture between its own limit and twice that: refuse it as it refuses larger ones.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                if image.width * image.height > MAX_PICTURE_PIXELS:
                    raise too_large()
                # Grayscale is what the decoder reads best; a palette or an alpha channel only gets in its way.
                barcodes = zxingcpp.read_barcodes(image.convert("L"))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_large() from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            # Not a PNG or JPEG (another format, or no picture at all), or one cut short.
            raise ScanRefused(400, "qr_picture_unreadable",
                                 "This file is not a PNG or JPEG picture that can be opened. Upload a screenshot "
                                 "or a photo of the QR code, as PNG or JPEG.") from None
    texts = list(dict.fromkeys(b.text for b in barcodes if b.format == zxingcpp.BarcodeFormat.QRCode))
    if not texts:
        raise ScanRefused(422, "qr_code_not_found",
                             "No QR code could be read in this picture. Make sure the whole code is in it, sharp "
                             "and not cut off, then upload it again.")
    if len(texts) > 1:
        raise ScanRefused(422, "qr_code_not_found",
                             f"This picture holds {len(texts)} different QR codes. Crop it to the one to scan, then "
                             "upload it again.")
    return texts[0]
