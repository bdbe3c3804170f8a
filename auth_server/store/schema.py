"""The tables, the invariants the database enforces, and the mapping of the domain classes onto them.

The domain classes stay plain dataclasses; SQLAlchemy maps them imperatively here. The OAuth records map
themselves onto this metadata (:mod:`auth_server.oauth.tables`): the store knows nothing of OAuth.
The slot invariants are unique partial indexes, so that they hold whatever races
the application's own checks lose:

- ``one_official_per_shop``: a shop has at most one official link holding its slot (O2);
- ``one_official_shop_per_account``: an account is official at one shop at a time (O3);
- ``one_role_per_shop``: an account holds at most one link at a shop, so never both roles (O6, M4);
- ``marketing_slot``: each of a shop's numbered marketing slots holds at most one link, and every
  marketing link that holds a slot has a number, so a shop never has more links than slots (M1).
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import registry
from sqlalchemy.schema import CreateIndex

from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import AppFault
from auth_server.domain.accounts import AppSession
from auth_server.domain.accounts import OrgMember
from auth_server.domain.accounts import Passcode
from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.affiliates import AffiliateInvitation
from auth_server.domain.affiliates import LiveSession
from auth_server.domain.affiliates import ShowcaseItem
from auth_server.domain.affiliates import ShowcaseSource
from auth_server.domain.events import Event
from auth_server.domain.links import Channel
from auth_server.domain.links import Invitation
from auth_server.domain.links import InvitationState
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.shops import Product
from auth_server.domain.shops import ReviewMode
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop
from auth_server.domain.shops import ShopStatus


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("linksim stores timezone-aware times only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Seconds(sa.TypeDecorator[timedelta]):
    """A duration stored as whole seconds."""

    impl = sa.Integer
    cache_ok = True

    def process_bind_param(self, value: timedelta | None, dialect: Any) -> int | None:
        return None if value is None else int(value.total_seconds())

    def process_result_value(self, value: int | None, dialect: Any) -> timedelta | None:
        return None if value is None else timedelta(seconds=value)


def stored_enum(cls: type) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)


metadata = sa.MetaData()
_HOLDING = "state IN ('pending_review', 'active')"


def partial(condition: str) -> dict[str, Any]:
    """An index's keywords that make it partial: only the rows that meet ``condition`` (SQL) are in it."""
    where = sa.text(condition)
    # PostgreSQL's condition is added where its index is made (_partial_on_postgresql): as postgresql_where, it
    # would import SQLAlchemy's PostgreSQL dialect into every run on SQLite (60 ms of a cold start).
    return {"sqlite_where": where, "info": {"where": where}}


@compiles(CreateIndex, "postgresql")
def _partial_on_postgresql(create: CreateIndex, compiler: Any, **kw: Any) -> str:
    sql: str = compiler.visit_create_index(create, **kw)
    where = create.element.info.get("where")
    if where is not None:
        sql += " WHERE " + compiler.sql_compiler.process(where, include_table=False, literal_binds=True)
    return sql


sellers = sa.Table(
    "sellers", metadata,
    sa.Column("seller_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("entity_id", sa.String(64), nullable=False),
)

shops = sa.Table(
    "shops", metadata,
    sa.Column("shop_id", sa.String(64), primary_key=True),
    sa.Column("seller_id", sa.ForeignKey("sellers.seller_id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("region", sa.String(8), nullable=False),
    sa.Column("market", sa.String(32), nullable=False),
    sa.Column("status", stored_enum(ShopStatus), nullable=False),
    sa.Column("probation_until", UTCDateTime),
    sa.Column("review_mode", stored_enum(ReviewMode)),
    sa.Column("review_delay", Seconds),
    sa.Column("shopping_bag_delay", Seconds),
    sa.Column("created_at", UTCDateTime),
)

products = sa.Table(
    "products", metadata,
    sa.Column("product_id", sa.String(64), primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.shop_id"), nullable=False, index=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("in_marketplace", sa.Boolean, nullable=False),
)

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("open_id", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("nickname", sa.String(200), nullable=False, index=True),
    sa.Column("region", sa.String(8), nullable=False),
    sa.Column("birth_date", sa.Date),
    sa.Column("email", sa.String(200)),
    sa.Column("phone", sa.String(40)),
    sa.Column("avatar_url", sa.String(500)),
    sa.Column("account_type", stored_enum(AccountType), nullable=False),
    sa.Column("verification", stored_enum(Verification), nullable=False),
    sa.Column("verification_outcome", stored_enum(VerificationOutcome), nullable=False),
    # Indexed: whether a verification came due is asked before every operation, at any number of accounts.
    sa.Column("verification_due_at", UTCDateTime, index=True),
    sa.Column("verification_delay", Seconds, nullable=False),
    sa.Column("standing", stored_enum(Standing), nullable=False),
    sa.Column("followers", sa.Integer, nullable=False),
    sa.Column("affiliate_signed_up", sa.Boolean, nullable=False),
    sa.Column("app_fault", stored_enum(AppFault), nullable=False),
    sa.Column("password_hash", sa.String(200)),
    sa.Column("entity_id", sa.String(64)),
    sa.Column("created_at", UTCDateTime),
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sign_in_locked_until", UTCDateTime),
)
# The seller's search matches nicknames in any case: without this, every account is read.
sa.Index("ix_accounts_nickname_lower", sa.func.lower(accounts.c.nickname))

app_sessions = sa.Table(
    "app_sessions", metadata,
    sa.Column("session_id", sa.String(64), primary_key=True),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id"), nullable=False, index=True),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("ended_at", UTCDateTime),
)

org_members = sa.Table(
    "org_members", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id"), nullable=False, index=True),
    sa.Column("contact", sa.String(200), nullable=False),
    sa.Column("added_at", UTCDateTime, nullable=False),
    sa.Column("removed_at", UTCDateTime),
)

passcodes = sa.Table(
    "passcodes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id"), nullable=False),
    sa.Column("contact", sa.String(200), nullable=False),
    sa.Column("code_hash", sa.String(200), nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("used_at", UTCDateTime),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_passcodes_member", "open_id", "contact"),
)

links = sa.Table(
    "links", metadata,
    sa.Column("link_id", sa.String(64), primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.shop_id"), nullable=False),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id")),
    sa.Column("expected_open_id", sa.ForeignKey("accounts.open_id")),
    sa.Column("role", stored_enum(Role), nullable=False),
    sa.Column("channel", stored_enum(Channel), nullable=False),
    sa.Column("state", stored_enum(LinkState), nullable=False),
    sa.Column("marketing_slot", sa.Integer),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("consent_expires_at", UTCDateTime),
    sa.Column("scanned_at", UTCDateTime),
    sa.Column("granted_permissions", sa.JSON, nullable=False),
    sa.Column("consented_at", UTCDateTime),
    sa.Column("terms_accepted_at", UTCDateTime),
    sa.Column("review_mode", stored_enum(ReviewMode)),
    sa.Column("review_due_at", UTCDateTime),
    sa.Column("activated_at", UTCDateTime),
    sa.Column("ended_at", UTCDateTime),
    sa.Column("refusal_codes", sa.JSON, nullable=False),
    # the facts of each refusal code, in its order (a database from before it gains it, empty)
    sa.Column("refusal_details", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("created_by", sa.String(128), nullable=False),  # "partner:<client_key>" for the linking API
    sa.Column("ended_by", sa.String(128)),
    sa.CheckConstraint("marketing_slot IS NULL OR marketing_slot >= 1", name="marketing_slot_positive"),
    sa.CheckConstraint(
        f"NOT (role = 'marketing' AND {_HOLDING}) OR marketing_slot IS NOT NULL", name="marketing_link_has_slot"
    ),
    sa.CheckConstraint(f"NOT ({_HOLDING}) OR open_id IS NOT NULL", name="holding_link_has_account"),
    sa.Index("one_official_per_shop", "shop_id", unique=True, **partial(f"role = 'official' AND {_HOLDING}")),
    sa.Index("one_official_shop_per_account", "open_id", unique=True,
             **partial(f"role = 'official' AND {_HOLDING}")),
    sa.Index("one_role_per_shop", "shop_id", "open_id", unique=True, **partial(_HOLDING)),
    sa.Index("marketing_slot", "shop_id", "marketing_slot", unique=True,
             **partial(f"role = 'marketing' AND {_HOLDING}")),
    sa.Index("ix_links_open_id_state", "open_id", "state"),
    sa.Index("ix_links_shop_state", "shop_id", "state"),
    # Whether a review or a consent came due is asked before every operation and read: at any number of links.
    sa.Index("ix_links_state_review_due_at", "state", "review_due_at"),
    sa.Index("ix_links_state_consent_expires_at", "state", "consent_expires_at"),
)

invitations = sa.Table(
    "invitations", metadata,
    sa.Column("invitation_id", sa.String(64), primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.shop_id"), nullable=False),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id"), nullable=False, index=True),
    sa.Column("state", stored_enum(InvitationState), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("answered_at", UTCDateTime),
    sa.Column("link_id", sa.ForeignKey("links.link_id")),
    sa.Index("ix_invitations_state_expires_at", "state", "expires_at"),  # which came due: asked before every operation
    sa.Index("ix_invitations_shop_id", "shop_id"),
)

affiliate_invitations = sa.Table(
    "affiliate_invitations", metadata,
    sa.Column("invitation_id", sa.String(64), primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.shop_id"), nullable=False),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id"), nullable=False, index=True),
    sa.Column("commission_rate", sa.Numeric(5, 2), nullable=False),
    sa.Column("state", stored_enum(InvitationState), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("answered_at", UTCDateTime),
    sa.Index("ix_affiliate_invitations_state_expires_at", "state", "expires_at"),  # as the invitations'
)

showcase_items = sa.Table(
    "showcase_items", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id"), nullable=False),
    sa.Column("product_id", sa.ForeignKey("products.product_id"), nullable=False),
    sa.Column("source", stored_enum(ShowcaseSource), nullable=False),
    sa.Column("added_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("open_id", "product_id", name="one_showcase_entry_per_product"),
)

live_sessions = sa.Table(
    "live_sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id"), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("mirror_of", sa.String(64)),
    sa.Column("ended_at", UTCDateTime),
    sa.Index("one_live_per_account", "open_id", unique=True, **partial("ended_at IS NULL")),
)

events = sa.Table(
    "events", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("subject_type", sa.String(32), nullable=False),
    sa.Column("subject_id", sa.String(64), nullable=False),
    sa.Column("changes", sa.JSON, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Index("ix_events_subject", "subject_type", "subject_id"),
)

settings = sa.Table(
    "settings", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
)

mapper_registry = registry(metadata=metadata)
for cls, table in (
    (Seller, sellers),
    (Shop, shops),
    (Product, products),
    (Account, accounts),
    (OrgMember, org_members),
    (AppSession, app_sessions),
    (Passcode, passcodes),
    (Link, links),
    (Invitation, invitations),
    (AffiliateInvitation, affiliate_invitations),
    (ShowcaseItem, showcase_items),
    (LiveSession, live_sessions),
    (Event, events),
):
    mapper_registry.map_imperatively(cls, table)
