"""Masking secrets before anything is written down: what the request journal keeps is safe to show and to share.

A secret is found by its name, wherever it appears: a key of a JSON object or a form, a header, a parameter in
a query string or in a URL held in any text (``...?token=...``, ``Location: ...?code=...``). A value found under
a secret name is then masked wherever else it turns up too (an error message that echoes it, say), so a secret
never needs to sit under the right name everywhere.

A secret linksim mints at random (a token, an authorization code, a QR token, a consent id, a client ticket)
keeps a hint, so that a tester can still tell two of them apart: its first four characters and a fingerprint,
``act.…#1f2e3d4c`` (the fingerprint is the start of the value's SHA-256, which reveals nothing of a random
value, and which a tester can compute from a token they hold). A secret that someone chose is masked whole,
``[redacted]``: a client secret, a password or passcode, a PKCE verifier, the control token, HTTP Basic
credentials, and whatever the caller names in ``chosen``. Its first characters and a fingerprint would let
anyone holding the journal guess a weak one offline. Short values are masked whole too.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

MASK = "[redacted]"
SECRET_NAMES = frozenset({
    "access_token", "auth_code", "authorization", "client_secret", "client_ticket", "code", "code_verifier",
    "consent_id", "cookie", "csrf_token", "id_token", "passcode", "password", "proxy_authorization", "qr_token",
    "refresh_token", "secret", "set_cookie", "t", "token",
})
SECRET_SUFFIXES = ("_token", "_secret", "_password", "_passcode")
# Values someone chose rather than linksim minted: masked whole, as their entropy is anyone's guess.
CHOSEN_NAMES = frozenset({"client_secret", "code_verifier", "passcode", "password", "secret"})
CHOSEN_SUFFIXES = ("_secret", "_password", "_passcode", "control_token")
CHOSEN_SCHEMES = frozenset({"basic", "digest"})  # credentials that carry a person's password
SHORTEST_HINTED = 16  # a shorter secret is masked whole: four characters of it would be too many
SHORTEST_SCRUBBED = 6  # a shorter value is too likely to occur by chance in other text to be replaced there
# A refusal's "code" is a name from a catalogue (snake_case); an OAuth code is random and mixed-case.
CODE_NAME = re.compile(r"[a-z][a-z0-9_.]{0,63}")
# name=value in a query string, a form body or a URL inside any text; the name starts the text or follows ?&; or
# a space, so "scan_url=..." is not read as "url=...".
PARAMETER = re.compile(r"(?<![^?&;\s])([A-Za-z0-9_.\-]+)=([^&#\s\"'<>;]*)")
HINT = re.compile(r".{0,4}…#[0-9a-f]{8}", re.DOTALL)
AUTH_SCHEME = re.compile(r"(?i)^(bearer|basic|token|digest)\s+(.+)$", re.DOTALL)


@dataclass(frozen=True)
class _Masking:
    scrub: list[str]  # to replace wherever they appear in text, the longest first
    whole: frozenset[str]  # chosen by someone: masked whole under any name too


def redact(value: Any, *, known: Collection[str] = (), chosen: Collection[str] = ()) -> Any:
    """``value`` (JSON-like: dicts, lists, text, numbers) with every secret masked.

    Secrets are the values under a secret name (:func:`is_secret_name`), in objects, forms, headers, query
    strings and URLs in text, and every value in ``known`` wherever it appears (see :func:`secrets_in`): there
    it is masked whole, as nothing tells whether a person chose it. ``chosen`` values (the control token) are
    masked whole everywhere, under a secret name too, where a minted token would keep its hint.
    """
    return Redaction(known=known, chosen=chosen)(value)


class Redaction:
    """:func:`redact` with the same ``known`` and ``chosen`` secrets, for several values (a request's path, query,
    headers and bodies): what is to be masked is worked out once."""

    def __init__(self, *, known: Collection[str] = (), chosen: Collection[str] = ()) -> None:
        secrets = {s for s in (*known, *chosen) if len(s) >= SHORTEST_SCRUBBED}
        self._masking = _Masking(sorted(secrets, key=len, reverse=True), frozenset(chosen))

    def __call__(self, value: Any) -> Any:
        return _redact(value, self._masking)


def secrets_in(*values: Any) -> set[str]:
    """The secret values that ``values`` carry under secret names: to be masked wherever else they appear."""
    found: set[str] = set()
    for value in values:
        _collect(value, found)
    return found


@functools.lru_cache(maxsize=1024)  # the names a server sees are few; each request asks of a dozen or more
def is_secret_name(name: str) -> bool:
    """Whether a key, header or parameter of this name holds a secret (case, dashes and underscores aside)."""
    normal = name.strip().lower().replace("-", "_")
    return normal in SECRET_NAMES or normal.endswith(SECRET_SUFFIXES)


@functools.lru_cache(maxsize=1024)
def is_chosen_name(name: str) -> bool:
    """Whether a secret of this name is chosen by someone (a client secret, a password) rather than minted."""
    normal = name.strip().lower().replace("-", "_")
    return normal in CHOSEN_NAMES or normal.endswith(CHOSEN_SUFFIXES)


def fingerprint(value: str) -> str:
    """Eight hex digits that tell values apart and reveal nothing of a random one."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def hint(value: str, *, name: str = "") -> str:
    """What is left of a secret: its first four characters and a fingerprint, or only the mask (for a secret
    someone chose, by its ``name``, and for a short one)."""
    if not value or value == MASK or HINT.fullmatch(value):
        return value  # nothing to hide, or hidden already
    if is_chosen_name(name) or len(value) < SHORTEST_HINTED:
        return MASK
    return f"{value[:4]}…#{fingerprint(value)}"


def _keeps(name: str, value: Any) -> bool:
    """A value under a secret name that is not one: a refusal's code, a flag, a missing value."""
    if value is None or isinstance(value, bool) or value == "":
        return True
    return name.lower() == "code" and isinstance(value, str) and CODE_NAME.fullmatch(value) is not None


def _hide(value: str, masking: _Masking, name: str = "") -> str:
    return MASK if value in masking.whole else hint(value, name=name)


def _mask(name: str, value: Any, masking: _Masking) -> Any:
    if _keeps(name, value):
        return value
    if isinstance(value, list | tuple):
        return [_mask(name, v, masking) for v in value]
    if not isinstance(value, str):
        return MASK  # a number (a passcode sent as one), say
    normal = name.lower().replace("-", "_")
    if normal in ("cookie", "set_cookie"):
        return "; ".join(_mask_cookie(part, masking) for part in value.split(";"))
    scheme = AUTH_SCHEME.match(value.strip())
    if scheme:
        # Basic credentials are a client's key and secret (or a user's password) in base64: nothing minted.
        chosen = scheme.group(1).lower() in CHOSEN_SCHEMES
        credential = scheme.group(2).strip()
        return f"{scheme.group(1)} {MASK if chosen else _hide(credential, masking)}"
    return _hide(value, masking, name)


def _mask_cookie(part: str, masking: _Masking) -> str:
    name, sep, value = part.strip().partition("=")
    return f"{name}={_hide(value, masking)}" if sep else _hide(part.strip(), masking)


def _redact(value: Any, masking: _Masking) -> Any:
    if isinstance(value, dict):
        # An object under a secret name (a link's "token": {access_token, open_id, ...}) is read by its own keys.
        return {str(k): _mask(str(k), v, masking) if is_secret_name(str(k)) and not isinstance(v, dict)
                else _redact(v, masking) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v, masking) for v in value]
    if isinstance(value, str):
        return _redact_text(value, masking)
    return value


def _redact_text(text: str, masking: _Masking) -> str:
    if "=" in text:
        text = PARAMETER.sub(lambda match: _masked_parameter(match, masking), text)
    for secret in masking.scrub:  # the longest first, so that a secret containing another is masked whole
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _masked_parameter(match: re.Match[str], masking: _Masking) -> str:
    name, value = match.group(1), match.group(2)
    if not is_secret_name(name) or _keeps(name, unquote_plus(value)) or value == MASK or value.endswith("…"):
        return match.group(0)  # not a secret, or masked already (a hint's "#" ends the match after its "…")
    return f"{name}={_hide(unquote_plus(value), masking, name)}"


def _collect(value: Any, found: set[str], name: str | None = None) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _collect(v, found, str(k) if is_secret_name(str(k)) and not isinstance(v, dict) else None)
    elif isinstance(value, list | tuple):
        for v in value:
            _collect(v, found, name)
    elif isinstance(value, str):
        if name is not None:
            found.update(_secret_values(name, value))
        for match in PARAMETER.finditer(value):
            found.update(_secret_values(match.group(1), unquote_plus(match.group(2))))
            found.update(_secret_values(match.group(1), match.group(2)))


def _secret_values(name: str, value: str) -> list[str]:
    """The secrets in a value under a secret name: a cookie's values, a credential without its scheme."""
    if not is_secret_name(name) or _keeps(name, value) or value == MASK:
        return []
    if name.lower().replace("-", "_") in ("cookie", "set_cookie"):
        return [part.partition("=")[2].strip() or part.strip() for part in value.split(";") if part.strip()]
    scheme = AUTH_SCHEME.match(value.strip())
    return [scheme.group(2).strip() if scheme else value]
