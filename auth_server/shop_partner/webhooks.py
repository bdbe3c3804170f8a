"""TikTok Shop's webhooks (shared/TIKTOK_WIRE.md 3.7) and Login Kit's (1.8): built, signed and put in the outbox.

A webhook is made in the transaction of what caused it and kept in the store (``webhook_deliveries``) until it is
delivered or given up: a server that stops loses none. :mod:`.delivery` sends them, outside any request.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any
from typing import Protocol

from auth_server.shop_partner.models import Grant
from auth_server.shop_partner.models import ShopApp
from auth_server.shop_partner.models import WebhookDelivery
from auth_server.shop_partner.signing import login_kit_webhook_signature
from auth_server.shop_partner.signing import webhook_signature

SELLER_DEAUTHORIZATION = 6
UPCOMING_AUTHORIZATION_EXPIRATION = 7
CREATOR_DEAUTHORIZATION = 20
EVENT_NAMES = {
    SELLER_DEAUTHORIZATION: "SELLER_DEAUTHORIZATION",
    UPCOMING_AUTHORIZATION_EXPIRATION: "UPCOMING_AUTHORIZATION_EXPIRATION",
    CREATOR_DEAUTHORIZATION: "CREATOR_DEAUTHORIZATION",
}


class Repository(Protocol):
    def add(self, obj: object) -> None: ...


def notification_id() -> str:
    """Shaped like TikTok's ``tts_notification_id``: 19 digits."""
    return str(7_000_000_000_000_000_000 + secrets.randbelow(10**18))


def _unix(when: datetime) -> int:
    return int(when.timestamp())


def shop_webhook(repo: Repository, app: ShopApp, event_type: int | str, fields: dict[str, Any],
                 now: datetime) -> WebhookDelivery | None:
    """Put a Shop webhook for ``app`` in the outbox, due now: ``{type, tts_notification_id, ..., timestamp, data}``
    signed with the app's secret. None when the app has no webhook URL."""
    if not app.webhook_url:
        return None
    envelope: dict[str, Any] = {"type": event_type, "tts_notification_id": notification_id()}
    envelope.update(fields)
    envelope.setdefault("timestamp", _unix(now))
    body = json.dumps(envelope, separators=(",", ":"))
    delivery = WebhookDelivery(
        delivery_id=f"whd_{secrets.token_hex(8)}",
        event=EVENT_NAMES.get(event_type, str(event_type)) if isinstance(event_type, int) else event_type,
        url=app.webhook_url,
        body=body,
        headers={"Content-Type": "application/json",
                 "Authorization": webhook_signature(app.app_key, app.app_secret, body.encode())},
        app_key=app.app_key,
        created_at=now,
        due_at=now,
    )
    repo.add(delivery)
    return delivery


def seller_deauthorized(repo: Repository, app: ShopApp, grant: Grant, now: datetime) -> list[WebhookDelivery]:
    """Type 6, one per shop the authorization reached."""
    made = [shop_webhook(repo, app, SELLER_DEAUTHORIZATION, {
        "shop_id": shop_id, "timestamp": _unix(now),
        "data": {"message": f"Shop_id {shop_id} is deauthorized from your APP by merchant."},
    }, now) for shop_id in grant.shop_ids]
    return [delivery for delivery in made if delivery is not None]


def creator_deauthorized(repo: Repository, app: ShopApp, grant: Grant, now: datetime) -> list[WebhookDelivery]:
    """Type 20: no shop, the creator's open id, and when the authorization was cancelled."""
    made = shop_webhook(repo, app, CREATOR_DEAUTHORIZATION, {
        "creator_open_id": grant.open_id, "timestamp": _unix(now), "data": {"cancel_time": _unix(now)},
    }, now)
    return [made] if made is not None else []


def authorization_expiring(repo: Repository, app: ShopApp, grant: Grant, now: datetime) -> list[WebhookDelivery]:
    """Type 7, one per shop: the authorization ends in so many days (``expiration_time`` a string, as documented)."""
    assert grant.expires_at is not None, "only an authorization that expires is warned of"
    days = max(0, (grant.expires_at - now).days)
    made = [shop_webhook(repo, app, UPCOMING_AUTHORIZATION_EXPIRATION, {
        "shop_id": shop_id, "timestamp": _unix(now),
        "data": {"message": f"Authorization of shop_id {shop_id} is expiring in {days} days. "
                            "Please direct the merchant to re-authorize.",
                 "expiration_time": str(_unix(grant.expires_at))},
    }, now) for shop_id in grant.shop_ids]
    return [delivery for delivery in made if delivery is not None]


def login_kit_webhook(repo: Repository, *, client_key: str, client_secret: str, url: str, open_id: str,
                      reason: int, now: datetime) -> WebhookDelivery:
    """Login Kit's developer webhook ``authorization.removed`` (1.8), signed ``TikTok-Signature: t=..,s=..``."""
    body = json.dumps({"client_key": client_key, "event": "authorization.removed", "create_time": _unix(now),
                       "user_openid": open_id, "content": json.dumps({"reason": reason})}, separators=(",", ":"))
    delivery = WebhookDelivery(
        delivery_id=f"whd_{secrets.token_hex(8)}",
        event="authorization.removed",
        url=url,
        body=body,
        headers={"Content-Type": "application/json",
                 "TikTok-Signature": login_kit_webhook_signature(client_secret, _unix(now), body.encode())},
        client_key=client_key,
        created_at=now,
        due_at=now,
    )
    repo.add(delivery)
    return delivery
