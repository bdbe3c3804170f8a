"""linksim's own linking events, which a Shop app may opt in to receive as webhooks (``partner_apps[].shop.events``).

Each is named after what happened, in TikTok Shop's envelope with this name as its ``type``. The domain's event
log is their source: :mod:`.delivery` turns the world's new events into webhooks for the apps that opted in.
"""

from __future__ import annotations

# webhook type -> the domain event kinds it is made from
LINKING_EVENTS: dict[str, tuple[str, ...]] = {
    "LINK_ACTIVE": ("link.active",),
    "LINK_REFUSED": ("link.refused",),
    "LINK_UNLINKED": ("link.unlinked",),
    "ACCOUNT_UPGRADED": ("account.upgraded_to_business",),
    "ACCOUNT_NAME_SYNCED": ("account.renamed",),
    "INVITATION_ACCEPTED": ("invitation.accepted",),
    "INVITATION_DECLINED": ("invitation.declined",),
}
