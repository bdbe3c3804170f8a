"""Databases for the served figures, written straight into the store before the server starts.

The demo data, plus what a load needs ready: authorization codes (one per exchange, each good once) and a user
token for ``/v2/user/info/``; or many parties, for the list and search figures. Codes and tokens are kept as
their digests, as the server keeps them, so the server takes them for its own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from dataclasses import fields
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa

from auth_server.cli.setup import load
from auth_server.domain.accounts import Account
from auth_server.domain.links import Channel
from auth_server.domain.links import Invitation
from auth_server.domain.links import InvitationState
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop
from auth_server.domain.token_digests import token_digest
from auth_server.fixtures import DEMO
from auth_server.oauth.models import AuthorizationCode
from auth_server.oauth.models import Token
from auth_server.simulator import open_store

CLIENT_KEY = "linksim_demo_key"
CLIENT_SECRET = "linksim_demo_secret"
REDIRECT_URI = "http://127.0.0.1:8080/callback/"
HOLDER = "maya"


@dataclass
class Seeded:
    codes: list[str]
    access_token: str


def demo_with_credentials(db_url: str, *, codes: int) -> Seeded:
    """The demo data, ``codes`` authorization codes of maya's for the demo app, and a user token of hers."""
    loaded = load(db_url, DEMO, fresh=True)
    store = open_store(db_url)
    issued = [secrets.token_urlsafe(32) for _ in range(codes)]
    access_token = "act." + secrets.token_hex(32)
    with store.unit_of_work() as repo:
        holder = repo.account_by_username(HOLDER)
        assert holder is not None
        lasting = loaded.start + timedelta(days=30)
        repo.session.execute(sa.insert(AuthorizationCode), [
            {"code_digest": token_digest(code), "client_key": CLIENT_KEY, "open_id": holder.open_id,
             "redirect_uri": REDIRECT_URI, "scope": "user.info.basic", "expires_at": lasting} for code in issued])
        repo.add(Token(access_token_digest=token_digest(access_token), client_key=CLIENT_KEY,
                       scope="user.info.basic", issued_at=loaded.start, open_id=holder.open_id,
                       expires_in=int(timedelta(days=30).total_seconds())))
    store.dispose()
    return Seeded(issued, access_token)


def many_parties(db_url: str, *, accounts: int, shops: int) -> None:
    """The demo data, and ``accounts`` more accounts and ``shops`` more shops (each with its seller), without
    passwords: they are there to be listed and searched, not signed in to. Each account also had a link that ended
    and an invitation it declined, as a world that has run many flows holds: what came due is asked before every
    request, among all of them."""
    load(db_url, DEMO, fresh=True)
    store = open_store(db_url)
    when = datetime(2026, 3, 1, 9, tzinfo=UTC)  # the day before the demo data's start
    with store.unit_of_work() as repo:
        repo.session.execute(sa.insert(Seller), [
            _row(Seller(seller_id=f"seller_bulk_{n}", name=f"Bulk seller {n}", entity_id=f"ENT-BULK-{n}"))
            for n in range(shops)])
        repo.session.execute(sa.insert(Shop), [
            _row(Shop(shop_id=f"shop_bulk_{n}", seller_id=f"seller_bulk_{n}", name=f"Bulk shop {n}", region="US",
                      market="global")) for n in range(shops)])
        repo.session.execute(sa.insert(Account), [
            _row(Account(open_id=f"bulk_{n}", username=f"bulk_user_{n}", nickname=f"Bulk User {n}", region="US"))
            for n in range(accounts)])
        repo.session.execute(sa.insert(Link), [
            _row(Link(link_id=f"lnk_bulk_{n}", shop_id=f"shop_bulk_{n % shops}", open_id=f"bulk_{n}",
                      role=Role.OFFICIAL, channel=Channel.QR, state=LinkState.EXPIRED, created_at=when,
                      consent_expires_at=when + timedelta(minutes=5), ended_at=when + timedelta(minutes=5)))
            for n in range(accounts)])
        repo.session.execute(sa.insert(Invitation), [
            _row(Invitation(invitation_id=f"inv_bulk_{n}", shop_id=f"shop_bulk_{n % shops}", open_id=f"bulk_{n}",
                            state=InvitationState.DECLINED, created_at=when, expires_at=when + timedelta(days=7),
                            answered_at=when)) for n in range(accounts)])
    store.dispose()


def _row(obj: object) -> dict[str, object]:
    """The object's fields, its defaults filled in, for a bulk insert (which reads no dataclass defaults)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}  # type: ignore[arg-type]
