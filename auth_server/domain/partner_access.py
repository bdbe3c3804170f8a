"""Which shops a partner app may act for on the linking API: those of the sellers who authorized it.

TikTok Shop keeps the sellers' authorizations (``auth_server.shop_partner``), which the domain does not know. The
composition root gives the linking service a look-up of them (:data:`SellerAuthorizedApp`), run in each
operation's own transaction: an authorization removed a moment ago stops the app at once.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from datetime import datetime

from auth_server.domain.links import partner_key_of
from auth_server.domain.repository import Repository

SellerAuthorizedApp = Callable[[Repository, str, str, datetime], bool]
"""``(repo, client_key, seller_id, now)``: whether the seller holds an authorization in force for the partner app."""


def no_authorizations(repo: Repository, client_key: str, seller_id: str, now: datetime) -> bool:
    """A world that keeps no TikTok Shop authorizations: no partner app acts for any shop."""
    return False


def may_act_for(actor: str, seller_ids: Iterable[str], authorized: SellerAuthorizedApp, repo: Repository,
                now: datetime) -> bool:
    """A partner app acts for what belongs to ``seller_ids`` (a shop's seller; the sellers of an organization
    account's entity) when one of them authorized it; callers that are not a partner app (the command line, the
    data files, Seller Center's screens, the controls) act as the seller on anything."""
    client_key = partner_key_of(actor)
    return client_key is None or any(authorized(repo, client_key, seller_id, now) for seller_id in seller_ids)
