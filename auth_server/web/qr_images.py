"""QR codes drawn as PNG or SVG (the consent payload they carry: :mod:`auth_server.oauth.consent_tokens`).

qrcode (and Pillow, for PNG) are imported by the first QR code drawn, not by the server's start (about 40 ms)."""

from __future__ import annotations

import io


def png(data: str) -> bytes:
    import qrcode

    buffer = io.BytesIO()
    qrcode.make(data, box_size=8, border=4).save(buffer, format="PNG")
    return buffer.getvalue()


def svg(data: str) -> bytes:
    import qrcode
    import qrcode.image.svg

    buffer = io.BytesIO()
    qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=4).save(buffer)
    return buffer.getvalue()
