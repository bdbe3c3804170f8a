"""The Shop authorization records' tables, on the store's metadata, and the records mapped onto them.

New tables only: a database made before them gains them when it is opened (``create_schema`` makes what is
missing), and the domain's tables stay as they were.
"""

from __future__ import annotations

import sqlalchemy as sa

from auth_server.shop_partner.models import Grant
from auth_server.shop_partner.models import LoginKind
from auth_server.shop_partner.models import ShopApp
from auth_server.shop_partner.models import ShopCode
from auth_server.shop_partner.models import ShopLogin
from auth_server.shop_partner.models import ShopToken
from auth_server.shop_partner.models import WebhookDelivery
from auth_server.store import schema

shop_apps = sa.Table(
    "shop_apps", schema.metadata,
    sa.Column("app_key", sa.String(64), primary_key=True),
    sa.Column("app_secret", sa.String(200), nullable=False),
    sa.Column("service_id", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("redirect_url", sa.String(512), nullable=False),
    sa.Column("client_key", sa.String(64)),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("markets", sa.JSON, nullable=False),
    sa.Column("user_types", sa.JSON, nullable=False),
    sa.Column("webhook_url", sa.String(512)),
    sa.Column("events", sa.JSON, nullable=False),
    sa.Column("authorization_duration", schema.Seconds, nullable=False),
    sa.Column("created_at", schema.UTCDateTime),
)

shop_logins = sa.Table(
    "shop_logins", schema.metadata,
    sa.Column("email", sa.String(200), primary_key=True),
    sa.Column("kind", schema.stored_enum(LoginKind), nullable=False),
    sa.Column("party_id", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("region", sa.String(8), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sign_in_locked_until", schema.UTCDateTime),
)

shop_grants = sa.Table(
    "shop_grants", schema.metadata,
    sa.Column("grant_id", sa.String(64), primary_key=True),
    sa.Column("app_key", sa.ForeignKey("shop_apps.app_key"), nullable=False),
    sa.Column("user_type", sa.Integer, nullable=False),
    sa.Column("party_id", sa.String(64), nullable=False),
    sa.Column("open_id", sa.String(128), nullable=False),
    sa.Column("name", sa.String(200)),
    sa.Column("region", sa.String(8)),
    sa.Column("shop_ids", sa.JSON, nullable=False),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("granted_at", schema.UTCDateTime, nullable=False),
    sa.Column("expires_at", schema.UTCDateTime),
    sa.Column("revoked_at", schema.UTCDateTime),
    sa.Column("warned_at", schema.UTCDateTime),
    sa.UniqueConstraint("app_key", "user_type", "party_id", name="one_grant_per_app_and_party"),
    sa.Index("ix_shop_grants_party", "party_id", "user_type"),  # whom a partner app acts for: every linking call
    sa.Index("ix_shop_grants_expires_at", "expires_at"),  # those whose expiry warnings may be due: 4 times a second
)

shop_codes = sa.Table(
    "shop_codes", schema.metadata,
    sa.Column("code", sa.String(200), primary_key=True),
    sa.Column("grant_id", sa.ForeignKey("shop_grants.grant_id"), nullable=False),
    sa.Column("app_key", sa.String(64), nullable=False),
    sa.Column("expires_at", schema.UTCDateTime, nullable=False),
    sa.Column("used_at", schema.UTCDateTime),
)

shop_tokens = sa.Table(
    "shop_tokens", schema.metadata,
    sa.Column("access_token", sa.String(200), primary_key=True),
    sa.Column("refresh_token", sa.String(200), nullable=False, unique=True),
    sa.Column("grant_id", sa.ForeignKey("shop_grants.grant_id"), nullable=False, index=True),
    sa.Column("app_key", sa.String(64), nullable=False),
    sa.Column("issued_at", schema.UTCDateTime, nullable=False),
    sa.Column("access_expires_at", schema.UTCDateTime, nullable=False),
    sa.Column("refresh_expires_at", schema.UTCDateTime, nullable=False),
    sa.Column("refreshed_at", schema.UTCDateTime),
    sa.Column("revoked_at", schema.UTCDateTime),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries", schema.metadata,
    sa.Column("delivery_id", sa.String(64), primary_key=True),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("url", sa.String(512), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("app_key", sa.String(64)),
    sa.Column("client_key", sa.String(64)),
    sa.Column("created_at", schema.UTCDateTime, nullable=False),
    sa.Column("due_at", schema.UTCDateTime, index=True),
    sa.Column("attempts", sa.JSON, nullable=False),
    sa.Column("delivered_at", schema.UTCDateTime),
    sa.Column("given_up_at", schema.UTCDateTime),
    sa.Column("claimed_until", schema.UTCDateTime),
)

for cls, table in (
    (ShopApp, shop_apps),
    (ShopLogin, shop_logins),
    (Grant, shop_grants),
    (WebhookDelivery, webhook_deliveries),
):
    schema.mapper_registry.map_imperatively(cls, table)
# Codes and tokens are kept as digests (auth_server/domain/token_digests.py), in the columns that once held them, so
# that a database made before opens.
schema.mapper_registry.map_imperatively(ShopCode, shop_codes, properties={"code_digest": shop_codes.c.code})
schema.mapper_registry.map_imperatively(ShopToken, shop_tokens, properties={
    "access_token_digest": shop_tokens.c.access_token, "refresh_token_digest": shop_tokens.c.refresh_token})
