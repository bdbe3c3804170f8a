"""What the store keeps of a bearer token or a code: its SHA-256 digest, never the token itself.

A copy of the database (a backup, a dump, a file left in a container) is then no set of working credentials. The
tokens and codes are long random strings, so an unsalted digest is enough to look them up by and to keep them
from being guessed back; passwords, which people choose, are hashed slowly instead (:func:`.accounts.hash_secret`).
"""

from __future__ import annotations

import hashlib


def token_digest(token: str) -> str:
    """The hex SHA-256 of ``token``: what is stored, and looked up, in its place."""
    return hashlib.sha256(token.encode()).hexdigest()
