"""What a partner app sees of an account on Login Kit's wire, minted at the boundary as TikTok mints them.

- ``open_id`` is opaque and per partner app: two apps see two open ids of one account;
- ``union_id`` is per developer: a developer's apps share it (a partner app's developer is its ``developer``
  field, the app itself when unset);
- authorization codes hold ``*`` and ``!``, as real ones do (TIKTOK_WIRE 1.2), so a client that forgets to
  URL-decode the code on the redirect is refused, as it would be by TikTok.

The ids are a plain SHA-256 of the app (or developer) and the account's own id: stable across restarts and
secret keys, and across worlds. Inside linksim (its tables, the linking API, the app's API, the journal) an account
keeps its own id; only Login Kit's answers carry these.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid

_CODE_ALPHABET = string.ascii_letters + string.digits + "-_"


def _digest_id(kind: str, owner: str, account_id: str) -> str:
    digest = hashlib.sha256(f"linksim.{kind}\0{owner}\0{account_id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16]))


def open_id_for(client_key: str, account_id: str) -> str:
    """The open id the partner app ``client_key`` sees of the account (shaped like TikTok's: a UUID)."""
    return _digest_id("open_id", client_key, account_id)


def union_id_for(developer: str, account_id: str) -> str:
    """The union id every app of ``developer`` sees of the account."""
    return _digest_id("union_id", developer, account_id)


def new_authorization_code() -> str:
    """Shaped like TikTok's (``...BFoBELY*0!6410``): 64 URL-safe characters, then ``*``, a digit, ``!`` and four
    digits."""
    body = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(64))
    return f"{body}*{secrets.randbelow(10)}!{secrets.randbelow(10_000):04d}"
