"""QR codes drawn as PNG or SVG (the consent payload they carry: :mod:`auth_server.oauth.consent_tokens`)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg


def png(data: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(data, box_size=8, border=4).save(buffer, format="PNG")
    return buffer.getvalue()


def svg(data: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=4).save(buffer)
    return buffer.getvalue()
