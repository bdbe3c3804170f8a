"""A holder removing a Login Kit app's access ("Manage app permissions" in the app): shared by the app's API and
its screens."""

from __future__ import annotations

from auth_server.oauth.identifiers import open_id_for
from auth_server.oauth.models import DeveloperWebhook
from auth_server.oauth.records import OAuthRepository
from auth_server.shop_partner import webhooks
from auth_server.web import context

USER_DISCONNECTED = 1  # authorization.removed's reason: the user disconnected the app in the TikTok app


def remove_app(client_key: str, open_id: str) -> bool:
    """Revoke every token the app holds of the holder (``open_id``: the account's own id; the webhook names the holder
    by the app's open id), and put ``authorization.removed`` in the outbox in the same
    transaction when the app has a developer webhook. False when the app held nothing of theirs."""
    now = context.now()

    def notify(repo: OAuthRepository, webhook: DeveloperWebhook | None) -> None:
        if webhook is not None:
            webhooks.login_kit_webhook(repo, client_key=client_key, client_secret=webhook.client_secret,
                                       url=webhook.url, open_id=open_id_for(client_key, open_id),
                                       reason=USER_DISCONNECTED, now=now)

    return context.login_kit().oauth_store.remove_authorization(client_key, open_id, notify) > 0
