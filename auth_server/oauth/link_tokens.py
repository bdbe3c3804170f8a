"""The seller's token of an established link (RULES.md E4): a user token of the linked account, scoped to what the
seller sees, for the partner app that started the link.

A link becomes active in the domain, by whatever made it so (an immediate review, a review delay that ran out on
the clock, a decision by hand, a forced transition), and the domain knows nothing of tokens. So the token is
issued the first time the partner app asks for it once the link is active (the answer to the terms, or
``GET /api/links/{id}/token``), and kept: every later ask answers the same token.
"""

from __future__ import annotations

from typing import Any

from auth_server.domain.repository import TransientConflict
from auth_server.oauth.identifiers import open_id_for
from auth_server.oauth.models import LinkToken
from auth_server.oauth.models import Token
from auth_server.oauth.records import UnitOfWork
from auth_server.oauth.server import LoginKitServer
from auth_server.oauth.wire import tiktok_body

SELLER_SCOPE = "user.info.basic user.info.profile"  # what the seller sees of the account (E4)


class LinkTokens:
    """Issues and keeps the seller's token of each link, on a Login Kit server's records."""

    def __init__(self, unit_of_work: UnitOfWork, server: LoginKitServer) -> None:
        self._unit_of_work = unit_of_work
        self.server = server

    def token_of(self, link_id: str, client_key: str, open_id: str) -> dict[str, Any]:
        """The link's token in TikTok's wire shape: the one issued before, or one issued now.

        The caller checks that ``client_key`` started the link and that the link is active.
        """
        kept = self._kept(link_id)
        if kept is None:
            issued = self.server.issue_token(client_key, open_id, SELLER_SCOPE)
            try:
                with self._unit_of_work() as repo:
                    repo.add(LinkToken(link_id=link_id, access_token=issued["access_token"]))
            except TransientConflict:
                pass  # another request kept its token first: that one is the link's (ours is never answered)
            kept = self._kept(link_id)
            assert kept is not None, "a token was kept for the link just now"
        return tiktok_body({"access_token": kept.access_token, "expires_in": kept.expires_in,
                            "open_id": open_id_for(kept.client_key, kept.open_id or ""),  # the app's, as on the wire
                            "refresh_token": kept.refresh_token,
                            "refresh_expires_in": kept.refresh_expires_in, "scope": kept.scope,
                            "token_type": "Bearer"}, self.server.now())

    def _kept(self, link_id: str) -> Token | None:
        with self._unit_of_work() as repo:
            found = repo.get(LinkToken, link_id)
            return repo.get(Token, found.access_token) if found is not None else None
