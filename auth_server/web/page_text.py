"""How the screens write what the domain keeps: times on the world's clock, for people rather than parsers."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from flask import Flask


def utc_time(value: datetime | None) -> str:
    """``2026-03-02 09:05 UTC``; a dash for no time."""
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def register(app: Flask) -> None:
    app.add_template_filter(utc_time, "utc")
