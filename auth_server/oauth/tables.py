"""The OAuth records' tables, on the store's metadata, and the records mapped onto them.

The store maps the domain's classes; the OAuth layer maps its own, so that the store needs to know nothing
of OAuth. Importing :mod:`auth_server.oauth` maps them (the package imports this module), so a partner app
or a token is never used unmapped, and a schema made after it holds these tables too.
"""

from __future__ import annotations

import sqlalchemy as sa

from auth_server.oauth.models import AuthorizationCode
from auth_server.oauth.models import DeveloperWebhook
from auth_server.oauth.models import LinkToken
from auth_server.oauth.models import LoginQr
from auth_server.oauth.models import PartnerApp
from auth_server.oauth.models import QrStatus
from auth_server.oauth.models import Token
from auth_server.store import schema

partner_apps = sa.Table(
    "partner_apps", schema.metadata,
    sa.Column("client_key", sa.String(64), primary_key=True),
    sa.Column("client_secret_hash", sa.String(200), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("redirect_uris", sa.JSON, nullable=False),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("grant_types", sa.JSON, nullable=False),
    sa.Column("created_at", schema.UTCDateTime),
    sa.Column("developer", sa.String(64)),
)

authorization_codes = sa.Table(
    "authorization_codes", schema.metadata,
    sa.Column("code", sa.String(200), primary_key=True),
    sa.Column("client_key", sa.ForeignKey("partner_apps.client_key"), nullable=False),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id"), nullable=False),
    sa.Column("redirect_uri", sa.String(512), nullable=False),
    sa.Column("scope", sa.String(500), nullable=False),
    sa.Column("expires_at", schema.UTCDateTime, nullable=False),
    sa.Column("code_challenge", sa.String(200)),
    sa.Column("code_challenge_method", sa.String(16)),
    sa.Column("used_at", schema.UTCDateTime),
    sa.Column("token", sa.String(200)),
)

tokens = sa.Table(
    "tokens", schema.metadata,
    sa.Column("access_token", sa.String(200), primary_key=True),
    sa.Column("refresh_token", sa.String(200), unique=True),
    sa.Column("client_key", sa.ForeignKey("partner_apps.client_key"), nullable=False),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id")),
    sa.Column("scope", sa.String(500), nullable=False),
    sa.Column("issued_at", schema.UTCDateTime, nullable=False),
    sa.Column("expires_in", sa.Integer, nullable=False),
    sa.Column("refresh_expires_in", sa.Integer),
    sa.Column("access_revoked_at", schema.UTCDateTime),
    sa.Column("refresh_revoked_at", schema.UTCDateTime),
    sa.Column("family", sa.String(200), index=True),
    # A user's tokens (an app removed, the apps listed); a client's own tokens (no user) are left out of it.
    sa.Index("ix_tokens_open_id_client_key", "open_id", "client_key", **schema.partial("open_id IS NOT NULL")),
)

login_qr_codes = sa.Table(
    "login_qr_codes", schema.metadata,
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("client_key", sa.ForeignKey("partner_apps.client_key"), nullable=False),
    sa.Column("scope", sa.String(500), nullable=False),
    sa.Column("redirect_uri", sa.String(512), nullable=False),
    sa.Column("state", sa.Text),
    sa.Column("status", schema.stored_enum(QrStatus), nullable=False),
    sa.Column("client_ticket", sa.String(512), nullable=False),
    sa.Column("created_at", schema.UTCDateTime, nullable=False),
    sa.Column("expires_at", schema.UTCDateTime, nullable=False),
    sa.Column("open_id", sa.ForeignKey("accounts.open_id")),
    sa.Column("code", sa.String(200)),  # no foreign key: the code row is written in the same flush
    sa.Column("granted_scope", sa.String(500)),
    sa.Column("confirmed_at", schema.UTCDateTime),
    sa.Column("delivered_at", schema.UTCDateTime),
)

developer_webhooks = sa.Table(
    "developer_webhooks", schema.metadata,
    sa.Column("client_key", sa.ForeignKey("partner_apps.client_key"), primary_key=True),
    sa.Column("url", sa.String(512), nullable=False),
    sa.Column("client_secret", sa.String(200), nullable=False),
)

# Tokens and codes are kept as digests (auth_server/domain/token_digests.py). Their columns keep the names they had
# when they held the tokens themselves, so that a database made before opens; the records name them for what they
# hold now.
schema.mapper_registry.map_imperatively(PartnerApp, partner_apps)
schema.mapper_registry.map_imperatively(AuthorizationCode, authorization_codes, properties={
    "code_digest": authorization_codes.c.code, "token_digest": authorization_codes.c.token})
schema.mapper_registry.map_imperatively(Token, tokens, properties={
    "access_token_digest": tokens.c.access_token, "refresh_token_digest": tokens.c.refresh_token})
schema.mapper_registry.map_imperatively(LoginQr, login_qr_codes, properties={
    "token_digest": login_qr_codes.c.token, "code_digest": login_qr_codes.c.code})
schema.mapper_registry.map_imperatively(DeveloperWebhook, developer_webhooks)

# The seller's token of each established link (oauth/link_tokens.py): one per link, answered every time it is asked.
link_tokens = sa.Table(
    "link_tokens", schema.metadata,
    sa.Column("link_id", sa.ForeignKey("links.link_id"), primary_key=True),
    sa.Column("access_token", sa.ForeignKey("tokens.access_token"), nullable=False),
    sa.Column("sealed", sa.Text),  # the token pair, encrypted with the server's secret key
)
schema.mapper_registry.map_imperatively(LinkToken, link_tokens, properties={
    "access_token_digest": link_tokens.c.access_token})
