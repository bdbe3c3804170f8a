"""What the app shows, read from the server's answers; an answer without a documented field is
:exc:`MalformedAnswer`. Each object keeps the whole answer in ``raw`` (for ``--json`` and for fields added later).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from client_core.errors import MalformedViolation
from client_core.errors import read_violation
from mobile_stub.errors import MalformedAnswer
from mobile_stub.errors import Violation

OFFICIAL_LINK = "official_link"
LOGIN_KIT = "login_kit"


def _get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind):
        raise MalformedAnswer(f"the answer's {key!r} is missing or not what the API documents: {value!r:.100}")
    return value


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value: dict[str, Any] = _get(data, key, dict)
    return value


def _names(data: dict[str, Any], key: str) -> tuple[str, ...]:
    values = _get(data, key, list)
    if not all(isinstance(v, str) for v in values):
        raise MalformedAnswer(f"the answer's {key!r} is not a list of names")
    return tuple(values)


def _violation(data: dict[str, Any]) -> Violation:
    """A link's refusal: its code and message (the app shows no more of it)."""
    try:
        violation = read_violation(data, violation_type=Violation, extras=False)
    except MalformedViolation as malformed:
        raise MalformedAnswer(f"the answer's {malformed.name!r} is missing or not what the API documents: "
                              f"{malformed.value!r:.100}") from None
    assert isinstance(violation, Violation)
    return violation


def _objects(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    values = _get(data, key, list)
    if not all(isinstance(v, dict) for v in values):
        raise MalformedAnswer(f"the answer's {key!r} is not a list of objects")
    return list(values)


@dataclass(frozen=True)
class Account:
    """The account the app is signed in to."""

    open_id: str
    username: str
    nickname: str
    account_type: str
    verification: str  # unverified, pending, verified, failed
    verification_due_at: str | None
    standing: str
    affiliate_signed_up: bool = False  # at the Affiliate Center (M8)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Account:
        return cls(open_id=_get(data, "open_id", str), username=_get(data, "username", str),
                   nickname=_get(data, "nickname", str), account_type=_get(data, "account_type", str),
                   verification=_get(data, "verification", str),
                   verification_due_at=_get(data, "verification_due_at", str, optional=True),
                   standing=_get(data, "standing", str),
                   affiliate_signed_up=_get(data, "affiliate_signed_up", bool, optional=True) is True, raw=data)


@dataclass(frozen=True)
class Consent:
    """The consent screen after a scan: who asks (a shop or a partner app), for which account, for what.

    ``permissions`` are the shop's permissions (``official_link``) or the app's scopes (``login_kit``);
    ``required`` are those that cannot be turned off.
    """

    consent_id: str
    kind: str  # official_link or login_kit
    username: str  # the account signed in, which the consent is for
    name: str  # the shop's name, or the partner app's
    permissions: tuple[str, ...]
    required: tuple[str, ...] = ()
    shop_id: str | None = None
    link_id: str | None = None
    client_key: str | None = None
    expires_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Consent:
        kind = _get(data, "kind", str)
        shared = {"consent_id": _get(data, "consent_id", str), "kind": kind,
                  "username": _get(_object(data, "account"), "username", str),
                  "expires_at": _get(data, "expires_at", str, optional=True), "raw": data}
        if kind == OFFICIAL_LINK:
            shop = _object(data, "shop")
            return cls(name=_get(shop, "name", str), shop_id=_get(shop, "shop_id", str),
                       link_id=_get(data, "link_id", str), permissions=_names(data, "permissions"), **shared)
        if kind == LOGIN_KIT:
            app = _object(data, "app")
            scopes = _objects(data, "scopes")
            return cls(name=_get(app, "name", str), client_key=_get(app, "client_key", str),
                       permissions=tuple(_get(s, "scope", str) for s in scopes),
                       required=tuple(_get(s, "scope", str) for s in scopes if s.get("required") is True), **shared)
        raise MalformedAnswer(f"a consent of an unknown kind: {kind!r}")


@dataclass(frozen=True)
class Link:
    """A link between a shop and an account, as the app sees it after answering."""

    link_id: str
    shop_id: str
    state: str
    open_id: str | None
    granted_permissions: tuple[str, ...]
    refusals: tuple[Violation, ...]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Link:
        refusals = tuple(_violation(r) for r in _objects(data, "refusals"))
        return cls(link_id=_get(data, "link_id", str), shop_id=_get(data, "shop_id", str),
                   state=_get(data, "state", str), open_id=_get(data, "open_id", str, optional=True),
                   granted_permissions=_names(data, "granted_permissions"), refusals=refusals, raw=data)


@dataclass(frozen=True)
class ConsentAnswer:
    """What Authorize or Cancel did: a QR link's new state, or a Login Kit QR code's status and scopes granted."""

    kind: str
    decision: str  # authorize or cancel
    state: str  # the link's state (consented, refused), or the QR code's status (confirmed, cancelled)
    granted: tuple[str, ...]
    link: Link | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConsentAnswer:
        kind, decision = _get(data, "kind", str), _get(data, "decision", str)
        if kind == OFFICIAL_LINK:
            link = Link.from_json(_object(data, "link"))
            return cls(kind, decision, link.state, link.granted_permissions, link, data)
        return cls(kind, decision, _get(data, "status", str), _names(data, "scopes"), None, data)


@dataclass(frozen=True)
class PermissionRequest:
    """A Seller-app request (O10) in the inbox: turn on every toggle, then Continue."""

    link_id: str
    shop_id: str
    shop_name: str
    permissions: tuple[str, ...]
    expires_at: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PermissionRequest:
        return cls(link_id=_get(data, "link_id", str), shop_id=_get(data, "shop_id", str),
                   shop_name=_get(_object(data, "shop"), "name", str), permissions=_names(data, "permissions"),
                   expires_at=_get(data, "consent_expires_at", str, optional=True), raw=data)


@dataclass(frozen=True)
class Invitation:
    """A marketing invitation (M5) or an affiliate invitation (with its commission rate)."""

    invitation_id: str
    kind: str  # marketing or affiliate
    shop_id: str
    shop_name: str
    state: str
    expires_at: str | None
    commission_rate: str | None = None
    link_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Invitation:
        return cls(invitation_id=_get(data, "invitation_id", str), kind=_get(data, "kind", str),
                   shop_id=_get(data, "shop_id", str), shop_name=_get(_object(data, "shop"), "name", str),
                   state=_get(data, "state", str), expires_at=_get(data, "expires_at", str, optional=True),
                   commission_rate=_get(data, "commission_rate", str, optional=True),
                   link_id=_get(data, "link_id", str, optional=True), raw=data)


@dataclass(frozen=True)
class Inbox:
    """What waits in the app's inbox."""

    requests: tuple[PermissionRequest, ...]
    invitations: tuple[Invitation, ...]
    affiliate_invitations: tuple[Invitation, ...]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inbox:
        return cls(requests=tuple(PermissionRequest.from_json(r) for r in _objects(data, "requests")),
                   invitations=tuple(Invitation.from_json(i) for i in _objects(data, "invitations")),
                   affiliate_invitations=tuple(Invitation.from_json(i)
                                               for i in _objects(data, "affiliate_invitations")),
                   raw=data)

    def request(self, link_id: str) -> PermissionRequest | None:
        return next((r for r in self.requests if r.link_id == link_id), None)


@dataclass(frozen=True)
class Storefront:
    """What one active link puts on the profile (E3): a Shop Page (official) or a showcase (marketing)."""

    shop_id: str
    role: str  # official or marketing
    storefront: str  # shop_page or showcase
    sales_channels: tuple[str, ...]
    catalogue: tuple[str, ...]  # the product ids a Shop Page shows (the shop's whole catalogue)
    shopping_bag_visible: bool  # up to the shop's shopping-bag delay after the link, it is not there yet
    shopping_bag_visible_from: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Storefront:
        return cls(shop_id=_get(data, "shop_id", str), role=_get(data, "role", str),
                   storefront=_get(data, "storefront", str), sales_channels=_names(data, "sales_channels"),
                   catalogue=tuple(_get(p, "product_id", str) for p in _objects(data, "catalogue")),
                   shopping_bag_visible=_get(data, "shopping_bag_visible", bool),
                   shopping_bag_visible_from=_get(data, "shopping_bag_visible_from", str, optional=True), raw=data)


@dataclass(frozen=True)
class Profile:
    """The account's profile as the app shows it: its storefronts and the products in its showcase."""

    open_id: str
    username: str
    nickname: str
    account_type: str
    storefronts: tuple[Storefront, ...]
    showcase: tuple[str, ...]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        return cls(open_id=_get(data, "open_id", str), username=_get(data, "username", str),
                   nickname=_get(data, "nickname", str), account_type=_get(data, "account_type", str),
                   storefronts=tuple(Storefront.from_json(s) for s in _objects(data, "storefronts")),
                   showcase=_names(data, "showcase"), raw=data)

    def storefront(self, shop_id: str) -> Storefront | None:
        return next((s for s in self.storefronts if s.shop_id == shop_id), None)


@dataclass(frozen=True)
class ShowcaseItem:
    """A product in the showcase, and how it got there: own_shop, affiliate_invitation or marketplace (M8)."""

    product_id: str
    source: str
    added_at: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ShowcaseItem:
        return cls(product_id=_get(data, "product_id", str), source=_get(data, "source", str),
                   added_at=_get(data, "added_at", str, optional=True), raw=data)


@dataclass(frozen=True)
class LiveSession:
    """The account's LIVE: whether it runs, and whose LIVE it mirrors (M10)."""

    open_id: str
    live: bool
    started_at: str | None = None
    mirror_of: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LiveSession:
        return cls(open_id=_get(data, "open_id", str), live=_get(data, "live", bool),
                   started_at=_get(data, "started_at", str, optional=True),
                   mirror_of=_get(data, "mirror_of", str, optional=True), raw=data)


@dataclass(frozen=True)
class VideoProductTag:
    """A video posted with a shop's product tagged in it (E3: only an account linked to the shop may)."""

    video_id: str
    open_id: str
    product_id: str
    shop_id: str
    tagged_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VideoProductTag:
        return cls(video_id=_get(data, "video_id", str), open_id=_get(data, "open_id", str),
                   product_id=_get(data, "product_id", str), shop_id=_get(data, "shop_id", str),
                   tagged_at=_get(data, "tagged_at", str, optional=True), raw=data)
