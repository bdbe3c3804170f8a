"""What the store keeps of a bearer token, a code or a partner app's client secret: a digest, never the secret.

A copy of the database (a backup, a dump, a file left in a container) is then no set of working credentials. The
tokens and codes are long random strings, so an unsalted digest is enough to look them up by and to keep them
from being guessed back. A client secret is never looked up by, only checked: it gets an HMAC-SHA256 under a random
key of its own, kept beside it, so two apps with one secret do not show it. Like a token, it is a long random
string, so a fast digest keeps it as well as a slow hash would, and costs a token request microseconds, not the
milliseconds of PBKDF2. Passwords, which people choose, are hashed slowly (:func:`.accounts.hash_secret`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from auth_server.domain.accounts import secret_matches

KEYED = "hmac_sha256"


def token_digest(token: str) -> str:
    """The hex SHA-256 of ``token``: what is stored, and looked up, in its place."""
    return hashlib.sha256(token.encode()).hexdigest()


def client_secret_digest(secret: str) -> str:
    """What is kept of a partner app's client secret: ``hmac_sha256$<key>$<HMAC-SHA256(key, secret)>``."""
    key = secrets.token_hex(16)
    return f"{KEYED}${key}${_keyed(key, secret)}"


def client_secret_matches(secret: str, kept: str) -> bool:
    """Whether ``secret`` is the one ``kept`` was made from; a PBKDF2 hash (an older linksim's) is checked as such."""
    if not kept.startswith(f"{KEYED}$"):
        return secret_matches(secret, kept)
    try:
        _, key, digest = kept.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(_keyed(key, secret), digest)


def _keyed(key: str, secret: str) -> str:
    return hmac.new(key.encode(), secret.encode(), hashlib.sha256).hexdigest()
