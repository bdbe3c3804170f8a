"""Checks and normal forms for what callers hand in: names, usernames, rates.

Whatever a caller passes (None, a number, an empty string), the answer is a refusal with
``invalid_input`` and the field named, never an exception from deep inside.
"""

from __future__ import annotations

import re
from decimal import Decimal
from decimal import InvalidOperation

from auth_server.domain import codes
from auth_server.domain.errors import Refused

MAX_COMMISSION_RATE = Decimal(80)


def clean_username(username: str) -> str:
    return username.strip().lstrip("@").strip().lower()


USERNAME = re.compile(r"[a-z0-9._]{2,24}")


ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
MAX_TEXT = 200  # the longest name, nickname or contact the store keeps


def valid_text(value: object, field: str, *, max_length: int = MAX_TEXT) -> str:
    """A non-empty string, stripped; anything else is refused as invalid input, never a crash."""
    if not isinstance(value, str) or not value.strip():
        raise Refused.because(codes.INVALID_INPUT, field=field, problem="give a non-empty text")
    if len(value.strip()) > max_length:
        raise Refused.because(codes.INVALID_INPUT, field=field, problem=f"give at most {max_length} characters")
    return value.strip()


def valid_id(value: object, field: str = "id") -> str:
    """An id a caller chooses: 1 to 64 letters, digits, dots, colons, dashes or underscores."""
    if not isinstance(value, str) or not ID.fullmatch(value):
        raise Refused.because(codes.INVALID_INPUT, field=field,
                              problem="use 1 to 64 letters, digits, dots, colons, dashes or underscores")
    return value


def valid_username(value: object) -> str:
    username = clean_username(valid_text(value, "username"))
    if not USERNAME.fullmatch(username):
        raise Refused.because(codes.INVALID_INPUT, field="username",
                              problem="use 2 to 24 letters, digits, dots or underscores")
    return username


def username_from_shop_name(shop_name: str) -> str:
    """The username a shop name asks for: lower case, letters, digits, dots and underscores."""
    return re.sub(r"[^a-z0-9._]+", "", shop_name.lower().replace(" ", "_"))[:24]


def valid_commission_rate(value: Decimal | float | str) -> Decimal:
    """A percentage with two decimals (as stored), above 0 and at most 80."""
    try:
        rate = Decimal(str(value).strip())
        if rate.is_finite():
            rate = rate.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Refused.because(codes.INVALID_COMMISSION_RATE, rate=value) from None
    if not rate.is_finite() or rate <= 0 or rate > MAX_COMMISSION_RATE:
        raise Refused.because(codes.INVALID_COMMISSION_RATE, rate=value)
    return rate
