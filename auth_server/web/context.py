"""What a request works with: its world (the sandbox it names, or the main one) and that world's linking service,
Login Kit server and signers; the server's configuration; the set of worlds.

The app factory installs them with :func:`install`. Blueprints reach them through these functions only: nothing
else in the web layer reads the app's extensions or knows where the request's world is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from flask import Flask
from flask import current_app
from flask import g
from itsdangerous import URLSafeSerializer

from auth_server.config import ServerConfig
from auth_server.domain.service import LinkingService
from auth_server.oauth.consent_tokens import ConsentTokens
from auth_server.oauth.link_tokens import LinkTokens
from auth_server.oauth.qr_code import QrCodeAuthorization
from auth_server.oauth.server import LoginKitServer
from auth_server.shop_partner.authorizations import ShopAuthorizations
from auth_server.simulator import Simulator
from auth_server.worlds import HostedWorld
from auth_server.worlds import Worlds

if TYPE_CHECKING:
    from auth_server.control.journal_file import JournalFile
    from auth_server.web.webhook_dispatch import WebhookDispatcher

# The app's extensions. The tests read the main simulator by its name.
MAIN_SIMULATOR = "linksim"
CONFIG = "linksim_config"
WORLDS = "linksim_worlds"
JOURNAL_FILE = "linksim_journal_file"
WEBHOOKS = "linksim_webhooks"
_WORLD = "linksim_world"  # the request's world, on flask.g once selected


def install(app: Flask, simulator: Simulator, config: ServerConfig, worlds: Worlds) -> None:
    """Give ``app`` its main simulator, its configuration, its worlds and the journal file the configuration names."""
    app.extensions[MAIN_SIMULATOR] = simulator
    app.extensions[CONFIG] = config
    app.extensions[WORLDS] = worlds
    app.extensions[JOURNAL_FILE] = None
    if config.journal_file:
        from auth_server.control.journal_file import JournalFile  # slow to import, seldom asked for

        app.extensions[JOURNAL_FILE] = JournalFile(config.journal_file, max_bytes=config.journal_file_bytes,
                                                   backups=config.journal_file_backups)


def config(app: Flask | None = None) -> ServerConfig:
    """The server's configuration: the request's app's, or ``app``'s outside a request."""
    found: ServerConfig = (app or current_app).extensions[CONFIG]
    return found


def worlds() -> Worlds:
    found: Worlds = current_app.extensions[WORLDS]
    return found


def journal_file(app: Flask | None = None) -> JournalFile | None:
    """The app's journal file, if it was started with one (close it when done with the app)."""
    found: JournalFile | None = (app or current_app).extensions.get(JOURNAL_FILE)
    return found


def install_webhooks(app: Flask, dispatcher: WebhookDispatcher) -> None:
    app.extensions[WEBHOOKS] = dispatcher


def webhooks(app: Flask | None = None) -> WebhookDispatcher:
    """The app's webhook delivery loop."""
    found: WebhookDispatcher = (app or current_app).extensions[WEBHOOKS]
    return found


def enter_world(world_id: str | None) -> None:
    """Make the world named ``world_id`` (None: the main one) the request's; an unknown sandbox is refused
    (``sandbox_not_found``) and leaves the request in no world."""
    g.pop(_WORLD, None)
    found = worlds().get(world_id)
    found.refresh()  # another process may have moved its clock or changed its fault rules
    setattr(g, _WORLD, found)


def in_a_world() -> bool:
    """Whether the request reached a world (not so while an unknown sandbox is being refused)."""
    return g.get(_WORLD) is not None


def world() -> HostedWorld:
    """The request's world; the main one while an unknown sandbox is being refused."""
    found: HostedWorld | None = g.get(_WORLD)
    return found if found is not None else worlds().main


def simulator() -> Simulator:
    return world().simulator


def now() -> datetime:
    """The time on the request's world's clock."""
    return world().simulator.clock.now()


def service() -> LinkingService:
    return world().simulator.service


def login_kit() -> LoginKitServer:
    """The world's Login Kit (OAuth) server: its store of partner apps, codes and tokens."""
    return world().login_kit


def login_kit_qr() -> QrCodeAuthorization:
    """The world's Login Kit with QR code: the codes partner apps show and the app scans."""
    return world().login_kit.qr_codes


def shop_partner() -> ShopAuthorizations:
    """The world's TikTok Shop authorization: apps, authorizations, codes, tokens, signed calls."""
    return world().shop_partner


def consent_tokens() -> ConsentTokens:
    """The world's signer of Seller Center QR codes."""
    return world().consent_tokens


def link_tokens() -> LinkTokens:
    """The world's seller tokens of established links (E4), issued on the world's Login Kit server."""
    return LinkTokens(world().login_kit)


def signer(salt: str) -> URLSafeSerializer:
    """Signs what the server hands out and reads back unchanged (the app's sessions, its consent ids), salted
    with the world: what was signed in one sandbox means nothing in another."""
    secret_key: Any = current_app.config["SECRET_KEY"]
    return URLSafeSerializer(secret_key, salt=f"{salt}@{world().id}")
