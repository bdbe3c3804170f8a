"""How the screens write what the domain keeps: times on the world's clock, for people rather than parsers."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from flask import Flask

from auth_server.domain import codes
from auth_server.domain.clock import parse_duration
from auth_server.domain.errors import Violation

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
DURATION = re.compile(r"(\d+[dhms])+")


def utc_time(value: datetime | None) -> str:
    """``2026-03-02 09:05 UTC``; a dash for no time."""
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def shop_time(value: datetime | str | None) -> str:
    """``2 Mar 2026, 09:05 UTC``: how Seller Center writes a time. The market profiles name no time zone, so the
    zone is UTC, and named."""
    if value is None:
        return "—"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{when.astimezone(UTC):%-d %b %Y, %H:%M} UTC"


def duration_in_words(delta: timedelta) -> str:
    """``23 hours 59 minutes``: the two largest units, for a person; under a minute is "less than a minute"."""
    seconds = int(delta.total_seconds())
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return " ".join(parts[:2]) or "less than a minute"


def initials(name: str) -> str:
    """An avatar's letters: the first of the first two words (``Maya Shop`` → ``MS``)."""
    words = [w for w in name.replace("_", " ").replace(".", " ").split() if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


# What each permission of an official link's consent lets the shop do, in the words of the documents (003: "your
# profile information, content, and potentially data related to your audience"; 002: "showcase products and create
# shoppable content using your TikTok profile"; 000, E4: what the seller sees once linked). A market may name
# permissions of its own: those are shown by their id, written as words.
PERMISSIONS = {
    "profile_information": ("Profile information",
                            "Seller Center sees your avatar, username, nickname and phone number, and your profile "
                            "shows the shop's products."),
    "content": ("Content", "The shop creates shoppable content with your account: videos and LIVE with its "
                           "products tagged."),
    "audience_data": ("Audience data", "The shop uses data about your audience for product showcases and targeted "
                                       "advertising."),
}


def permission_name(permission: str) -> str:
    """``Profile information`` for ``profile_information``: the name the consent screens show."""
    known = PERMISSIONS.get(permission)
    return known[0] if known else permission.replace("_", " ").capitalize()


def permission_allows(permission: str) -> str:
    """What granting the permission lets the shop do; empty for a permission only a market's profile names."""
    known = PERMISSIONS.get(permission)
    return known[1] if known else ""


def readable_message(violation: Violation) -> str:
    """The refusal's message with its times and durations written for people (``3 Mar 2026, 09:00 UTC``, ``1
    day``) and its permissions by name, where the API's message keeps ISO 8601, ``1d`` and the permissions' ids for
    the programs that read it."""
    details = {key: _readable(value) for key, value in violation.details.items()}
    missing = violation.details.get("missing_permissions")
    if isinstance(missing, list):
        details["missing"] = ", ".join(permission_name(str(p)) for p in missing)
    return codes.get(violation.code).render(**details)


def _readable(value: object) -> object:
    if isinstance(value, str) and ISO_TIME.match(value):
        try:
            return shop_time(value)
        except ValueError:
            return value
    if isinstance(value, str) and DURATION.fullmatch(value):
        return duration_in_words(parse_duration(value))
    return value


def register(app: Flask) -> None:
    app.add_template_filter(utc_time, "utc")
    app.add_template_filter(shop_time, "shop_time")
    app.add_template_filter(initials, "initials")
    app.add_template_filter(readable_message, "readable")
    app.add_template_filter(permission_name, "permission_name")
    app.add_template_filter(permission_allows, "permission_allows")
