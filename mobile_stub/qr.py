"""Reading a QR code from an image, as the phone's camera does: zxing-cpp decodes the pixels, nothing else."""

from __future__ import annotations

from os import PathLike

import zxingcpp
from PIL import Image
from PIL import UnidentifiedImageError

from mobile_stub.errors import QrCodeNotFound


def decode_png(path: str | PathLike[str]) -> str:
    """The text the one QR code in the image at ``path`` encodes; :exc:`QrCodeNotFound` when there is none."""
    try:
        with Image.open(path) as image:
            # Grayscale is what the decoder reads best; a palette or an alpha channel only gets in its way.
            barcodes = zxingcpp.read_barcodes(image.convert("L"))
    except FileNotFoundError:
        raise QrCodeNotFound(f"{path}: no such file") from None
    except (UnidentifiedImageError, OSError) as error:
        raise QrCodeNotFound(f"{path} is not an image that can be read ({error})") from None
    texts = list(dict.fromkeys(b.text for b in barcodes if b.format == zxingcpp.BarcodeFormat.QRCode))
    if not texts:
        raise QrCodeNotFound(f"{path} holds no QR code that can be read")
    if len(texts) > 1:
        raise QrCodeNotFound(f"{path} holds {len(texts)} different QR codes: crop it to the one to scan")
    return texts[0]
