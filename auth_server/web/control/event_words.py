"""A domain event in words, for the timeline page: ``@maya scanned the QR code``, not ``link.scanned``.

The linking flows' events have sentences of their own; any other kind is written from its name, and the changes
it made follow (``state: pending_consent → consented``). Accounts are named by their username, shops by their
name, as the world names them when the event is read (a page keeps the words it was first given).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from auth_server.domain.events import Event
from auth_server.domain.links import partner_key_of

ACTORS = {"app": "the app", "seller": "the seller", "simulator": "the simulator", "reviewer": "the reviewer",
          "history": "the data file's history"}

# Each sentence may name {actor}, {account} (the event's open_id, else its subject's), {shop}, {a_role} (an official,
# a marketing), {channel}.
SENTENCES = {
    "link.started": "{actor} started {a_role} link ({channel}) for {shop}",
    "link.scanned": "{account} scanned the QR code",
    "link.consented": "{account} authorized the link",
    "link.pending_review": "the link waits for TikTok's review",
    "link.review_held": "the review is held until decided by hand",
    "link.active": "the link is active: {account} is linked to {shop}",
    "link.refused": "the link was refused",
    "link.expired": "the link expired: nobody answered in time",
    "link.unlinked": "{actor} unlinked {account} from {shop}",
    "invitation.sent": "{actor} invited {account} to be a marketing account of {shop}",
    "invitation.accepted": "{account} accepted the invitation",
    "invitation.declined": "{account} declined the invitation",
    "invitation.expired": "the invitation expired",
    "invitation.refused": "the invitation was accepted, but a rule refused the link",
    "account.renamed": "{account} was renamed",
    "account.upgraded_to_business": "{account} became a Business account",
    "account.storefront_added": "{account} got the shop's storefront",
}
CHANNELS = {"qr": "QR code", "app_toggle": "Seller app", "invitation": "invitation", "organization": "organization"}


@dataclass(frozen=True)
class Names:
    """What the world calls its parties now: accounts by open_id, shops by id. A name not given is asked of
    ``look_up`` (``look_up(kind, key)``, kind ``account``, ``shop`` or ``invitation``), if there is one, and kept."""

    accounts: dict[str, str]  # open_id -> username
    shops: dict[str, str]  # shop_id -> name
    invited: dict[str, str] = field(default_factory=dict)  # invitation_id -> the invited account's open_id
    look_up: Callable[[str, str], str | None] | None = None

    def account(self, open_id: Any) -> str:
        if not isinstance(open_id, str):
            return "someone"
        username = self._named(self.accounts, "account", open_id)
        return f"@{username}" if username else open_id

    def shop(self, shop_id: Any) -> str:
        return (self._named(self.shops, "shop", shop_id) or shop_id) if isinstance(shop_id, str) else "a shop"

    def invited_account(self, invitation_id: str | None) -> str | None:
        """The open_id of the account an invitation went to."""
        return self._named(self.invited, "invitation", invitation_id) if invitation_id else None

    def _named(self, known: dict[str, str], kind: str, key: str) -> str | None:
        if key not in known and self.look_up is not None:
            found = self.look_up(kind, key)
            known[key] = found if found is not None else ""  # one look-up a name, found or not
        return known.get(key) or None

    def actor(self, actor: str) -> str:
        partner = partner_key_of(actor)
        if partner is not None:
            return f"the partner app {partner}"
        return ACTORS.get(actor) or self.account(actor)


def sentence(event: Event, names: Names) -> str:
    """What happened, in words, starting with a capital."""
    data = event.data
    open_id = data.get("open_id") or (event.subject_id if event.subject_type == "account" else None) or (
        names.invited_account(event.subject_id) if event.subject_type == "invitation" else None)
    facts = {
        "actor": names.actor(event.actor),
        "account": names.account(open_id),
        "shop": names.shop(data.get("shop_id")),
        "a_role": "an official" if data.get("role") == "official" else f"a {data.get('role', '')}".rstrip(),
        "channel": CHANNELS.get(str(data.get("channel")), str(data.get("channel", ""))),
    }
    template = SENTENCES.get(event.kind)
    text = template.format(**facts) if template else f"{event.kind.replace('.', ': ').replace('_', ' ')}"
    return text[:1].upper() + text[1:]


def changes_in_words(event: Event, names: Names) -> list[str]:
    """Each change as ``state: pending_consent → consented`` (an account by its username)."""
    written = []
    for attribute, change in event.changes.items():
        if isinstance(change, list) and len(change) == 2:
            before, after = (_value(attribute, value, names) for value in change)
            written.append(f"{attribute.replace('_', ' ')}: {before} → {after}")
    codes = event.data.get("codes")
    if isinstance(codes, list) and codes:
        written.append("refused for: " + ", ".join(str(code) for code in codes))
    return written


def _value(attribute: str, value: Any, names: Names) -> str:
    if value is None:
        return "—"
    if attribute == "open_id":
        return names.account(value)
    return str(value)
