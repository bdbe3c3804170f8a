"""The seller's token of an established link (RULES.md E4): a user token of the linked account, scoped to what the
seller sees, for the partner app that started the link.

A link becomes active in the domain, by whatever made it so (an immediate review, a review delay that ran out on
the clock, a decision by hand, a forced transition), and the domain knows nothing of tokens. So the token is
issued the first time the partner app asks for it once the link is active (the answer to the terms, or
``GET /api/links/{id}/token``), and kept: every later ask answers the same token.

Kept how: the store holds tokens as digests (:mod:`auth_server.domain.token_digests`), which cannot be answered
again. So the link's token pair is also kept sealed (Fernet: AES and an HMAC) with a key drawn from the server's
secret key, which is not in the database: a copy of the database alone gives no working token. A server started
with another secret key (each process draws its own unless ``--secret-key`` or ``LINKSIM_SECRET_KEY`` is given)
cannot open what an earlier one sealed: it issues the link a new token, which every later ask answers; the old one
works on until it expires or is revoked, as any token given out does.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING
from typing import Any

from auth_server.domain.repository import TransientConflict
from auth_server.domain.token_digests import token_digest
from auth_server.oauth.identifiers import open_id_for
from auth_server.oauth.models import LinkToken
from auth_server.oauth.models import Token
from auth_server.oauth.server import LoginKitServer
from auth_server.oauth.wire import tiktok_body

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

SELLER_SCOPE = "user.info.basic user.info.profile"  # what the seller sees of the account (E4)
KEEP_ATTEMPTS = 5  # runs of an ask that collided with another request keeping the link's token first
_KEY_PURPOSE = b"linksim.link-tokens\0"  # this key seals link tokens only, whatever else the secret key signs


class LinkTokens:
    """Issues and keeps the seller's token of each link, on a Login Kit server's records."""

    def __init__(self, server: LoginKitServer) -> None:
        self.server = server
        # Imported by the first link token, not with the module: cryptography maps its Rust library into the process
        # (8 MB resident), which a server that seals no link token has no use for.
        from cryptography.fernet import Fernet

        key = hashlib.sha256(_KEY_PURPOSE + server.config.secret_key.encode()).digest()
        self._seal: Fernet = Fernet(base64.urlsafe_b64encode(key))

    def token_of(self, link_id: str, client_key: str, open_id: str) -> dict[str, Any]:
        """The link's token in TikTok's wire shape: the one issued before, or one issued now. Looked for, issued and
        kept in one transaction; when another request kept one first, it is run again, and answers that one.

        The caller checks that ``client_key`` started the link and that the link is active.
        """
        for attempt in range(1, KEEP_ATTEMPTS + 1):
            try:
                token, pair = self._kept_or_issued(link_id, client_key, open_id)
                break
            except TransientConflict:
                if attempt == KEEP_ATTEMPTS:
                    raise
        return tiktok_body({"access_token": pair["access_token"], "expires_in": token.expires_in,
                            "open_id": open_id_for(token.client_key, token.open_id or ""),  # the app's, as on the wire
                            "refresh_token": pair["refresh_token"],
                            "refresh_expires_in": token.refresh_expires_in, "scope": token.scope,
                            "token_type": "Bearer"}, self.server.now())

    def _kept_or_issued(self, link_id: str, client_key: str, open_id: str) -> tuple[Token, dict[str, str]]:
        # The server's look-up of the app and its token kept go into the same transaction (one_transaction).
        with self.server.oauth_store.one_transaction() as repo:
            found = repo.get(LinkToken, link_id, lock=True)
            pair = self._opened(found) if found is not None else None
            token = repo.get(Token, found.access_token_digest) if found is not None and pair is not None else None
            if token is not None and pair is not None:
                return token, pair
            issued = self.server.issue_token(client_key, open_id, SELLER_SCOPE)
            pair = {"access_token": issued["access_token"], "refresh_token": issued["refresh_token"]}
            digest = token_digest(issued["access_token"])
            token = repo.get(Token, digest)  # its look-up writes it first (autoflush): the link's row names it
            assert token is not None, "the token was kept in this transaction just now"
            sealed = self._seal.encrypt(json.dumps(pair).encode()).decode()
            if found is None:
                repo.add(LinkToken(link_id=link_id, access_token_digest=digest, sealed=sealed))
            else:  # sealed by a server with another secret key, or before sealing
                found.access_token_digest, found.sealed = digest, sealed
            return token, pair

    def _opened(self, kept: LinkToken) -> dict[str, str] | None:
        from cryptography.fernet import InvalidToken  # imported when the seal was made

        if not kept.sealed:
            return None
        try:
            pair: dict[str, str] = json.loads(self._seal.decrypt(kept.sealed.encode()))
        except InvalidToken:
            return None
        return pair if token_digest(pair.get("access_token", "")) == kept.access_token_digest else None
