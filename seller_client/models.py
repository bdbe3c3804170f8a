"""The linking API's answers as typed, read-only objects (see ``auth_server/openapi.yaml``).

Each ``from_json`` checks the shape it needs and raises :class:`ServerError` naming the field, so a
broken server shows up as one clear error and never as a ``KeyError`` deep in a caller. ``raw`` keeps
the answer as it came, for ``--json`` output and for fields this package does not model.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import TypeVar

from client_core.errors import MalformedViolation
from client_core.errors import read_violation
from seller_client.errors import ServerError
from seller_client.errors import Violation

__all__ = [
    "AccountMatch", "AffiliateInvitation", "Criteria", "Invitation", "LinkedAccount", "LinkedAccounts", "Link",
    "OrgMemberRemoval", "QrCode", "Shop", "Token",
]

T = TypeVar("T")

CONSENT_DONE = frozenset({"confirmed", "refused", "expired", "utilised"})


class _Reader:
    """Typed access to one JSON object of an answer; a missing or mistyped field is a ServerError."""

    def __init__(self, value: object, what: str) -> None:
        if not isinstance(value, dict):
            raise ServerError(f"linksim sent {type(value).__name__} where {what} should be a JSON object")
        self.data: dict[str, Any] = value
        self.what = what

    def _get(self, name: str, kind: type[T] | tuple[type, ...], required: bool) -> Any:
        if name not in self.data or self.data[name] is None:
            if required:
                raise ServerError(f"linksim's {self.what} has no {name!r}")
            return None
        value = self.data[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ServerError(f"linksim's {self.what} has {name!r} of the wrong type: {value!r}")
        return value

    def text(self, name: str) -> str:
        return str(self._get(name, str, True))

    def opt_text(self, name: str) -> str | None:
        value = self._get(name, str, False)
        return None if value is None else str(value)

    def number(self, name: str) -> int:
        return int(self._get(name, int, True))

    def flag(self, name: str) -> bool:
        return bool(self._get(name, bool, True))

    def items(self, name: str, *, required: bool = True) -> list[Any]:
        value = self._get(name, list, required)
        return [] if value is None else list(value)

    def obj(self, name: str) -> object | None:
        return self.data.get(name)


def violation_of(value: object, what: str = "violation") -> Violation:
    """A violation read by the client core's reader; a malformed one is a ServerError naming ``what``."""
    try:
        return read_violation(value)
    except MalformedViolation as malformed:
        raise ServerError(malformed.describe(what)) from None


@dataclass(frozen=True)
class Token:
    """An access token from ``/v2/oauth/token/``: the partner app's (``clt.``) or a linked account's (``act.``)."""

    access_token: str
    expires_in: int
    token_type: str
    open_id: str | None = None
    scope: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, value: object) -> Token:
        reader = _Reader(value, "token")
        return cls(access_token=reader.text("access_token"), expires_in=reader.number("expires_in"),
                   token_type=reader.opt_text("token_type") or "Bearer", open_id=reader.opt_text("open_id"),
                   scope=reader.opt_text("scope"), raw=reader.data)


@dataclass(frozen=True)
class QrCode:
    """What a QR link shows while it waits for consent: the URL the code encodes and where its images are."""

    scan_url: str
    png_url: str
    svg_url: str
    expires_at: str | None

    @classmethod
    def from_json(cls, value: object) -> QrCode:
        reader = _Reader(value, "link's qr")
        return cls(scan_url=reader.text("scan_url"), png_url=reader.text("png_url"), svg_url=reader.text("svg_url"),
                   expires_at=reader.opt_text("expires_at"))


@dataclass(frozen=True)
class Link:
    """A link between a shop and an account, as ``GET /api/links/{id}`` shows it."""

    link_id: str
    shop_id: str
    role: str
    channel: str
    state: str
    consent_status: str
    refusals: list[Violation]
    open_id: str | None = None
    consent_expires_at: str | None = None
    granted_permissions: list[str] = field(default_factory=list)
    review_due_at: str | None = None
    activated_at: str | None = None
    ended_at: str | None = None
    qr: QrCode | None = None
    token: Token | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, value: object) -> Link:
        reader = _Reader(value, "link")
        qr = reader.obj("qr")
        token = reader.obj("token")
        return cls(
            link_id=reader.text("link_id"), shop_id=reader.text("shop_id"), role=reader.text("role"),
            channel=reader.text("channel"), state=reader.text("state"), consent_status=reader.text("consent_status"),
            refusals=[violation_of(r, "link's refusal") for r in reader.items("refusals")],
            open_id=reader.opt_text("open_id"), consent_expires_at=reader.opt_text("consent_expires_at"),
            granted_permissions=[str(p) for p in reader.items("granted_permissions", required=False)],
            review_due_at=reader.opt_text("review_due_at"), activated_at=reader.opt_text("activated_at"),
            ended_at=reader.opt_text("ended_at"), qr=QrCode.from_json(qr) if qr is not None else None,
            token=Token.from_json(token) if token is not None else None, raw=reader.data,
        )

    @property
    def consent_done(self) -> bool:
        """The holder has answered, or can no longer: confirmed, refused, expired, or past the consent."""
        return self.consent_status in CONSENT_DONE or self.state != "pending_consent"

    @property
    def review_done(self) -> bool:
        """The link is past its review, or waits for a person to decide it (manual review has no due time)."""
        return self.state != "pending_review" or self.review_due_at is None


@dataclass(frozen=True)
class Invitation:
    """An invitation to be a shop's marketing account; the holder accepts or declines it in the app."""

    invitation_id: str
    shop_id: str
    open_id: str
    state: str
    created_at: str | None = None
    expires_at: str | None = None
    answered_at: str | None = None
    link_id: str | None = None
    refusal: Violation | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, value: object) -> Invitation:
        reader = _Reader(value, "invitation")
        refusal = reader.obj("refusal")
        return cls(
            invitation_id=reader.text("invitation_id"), shop_id=reader.text("shop_id"), open_id=reader.text("open_id"),
            state=reader.text("state"), created_at=reader.opt_text("created_at"),
            expires_at=reader.opt_text("expires_at"), answered_at=reader.opt_text("answered_at"),
            link_id=reader.opt_text("link_id"),
            refusal=violation_of(refusal, "invitation's refusal") if refusal is not None else None, raw=reader.data,
        )


@dataclass(frozen=True)
class AffiliateInvitation:
    """An invitation to a creator to promote the shop's products for a commission (a percentage, as text)."""

    invitation_id: str
    shop_id: str
    open_id: str
    state: str
    commission_rate: str
    created_at: str | None = None
    expires_at: str | None = None
    answered_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, value: object) -> AffiliateInvitation:
        reader = _Reader(value, "affiliate invitation")
        return cls(
            invitation_id=reader.text("invitation_id"), shop_id=reader.text("shop_id"), open_id=reader.text("open_id"),
            state=reader.text("state"), commission_rate=reader.text("commission_rate"),
            created_at=reader.opt_text("created_at"), expires_at=reader.opt_text("expires_at"),
            answered_at=reader.opt_text("answered_at"), raw=reader.data,
        )


@dataclass(frozen=True)
class OrgMemberRemoval:
    """A member removed from an organization account: it can no longer sign in by passcode."""

    open_id: str
    contact: str
    removed_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, value: object) -> OrgMemberRemoval:
        reader = _Reader(value, "member removal")
        return cls(open_id=reader.text("open_id"), contact=reader.text("contact"),
                   removed_at=reader.opt_text("removed_at"), raw=reader.data)


@dataclass(frozen=True)
class LinkedAccount:
    """One row of "Linked TikTok accounts": the official account shows a masked phone, marketing ones an email.

    A link still in review shows its ``state`` alone: the details (``username`` and the rest) come once it is active.
    """

    role: str
    open_id: str
    username: str | None = None
    state: str | None = None
    link_id: str | None = None
    nickname: str | None = None
    phone: str | None = None
    email: str | None = None
    bound_at: str | None = None
    avatar_url: str | None = None

    @classmethod
    def from_json(cls, value: object, role: str) -> LinkedAccount:
        reader = _Reader(value, f"{role} account")
        return cls(role=role, open_id=reader.text("open_id"), username=reader.opt_text("username"),
                   state=reader.opt_text("state"), link_id=reader.opt_text("link_id"),
                   nickname=reader.opt_text("nickname"), phone=reader.opt_text("phone"), email=reader.opt_text("email"),
                   bound_at=reader.opt_text("bound_at"), avatar_url=reader.opt_text("avatar_url"))


@dataclass(frozen=True)
class LinkedAccounts:
    """What the seller sees under "Linked TikTok accounts"."""

    shop_id: str
    official: LinkedAccount | None
    marketing: list[LinkedAccount]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, value: object) -> LinkedAccounts:
        reader = _Reader(value, "linked accounts")
        official = reader.obj("official")
        return cls(shop_id=reader.text("shop_id"),
                   official=LinkedAccount.from_json(official, "official") if official is not None else None,
                   marketing=[LinkedAccount.from_json(m, "marketing") for m in reader.items("marketing")],
                   raw=reader.data)

    @property
    def accounts(self) -> list[LinkedAccount]:
        return ([self.official] if self.official else []) + self.marketing


@dataclass(frozen=True)
class AccountMatch:
    """An account found by the seller's search."""

    open_id: str
    username: str
    nickname: str | None = None
    avatar_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, value: object) -> AccountMatch:
        reader = _Reader(value, "account")
        return cls(open_id=reader.text("open_id"), username=reader.text("username"),
                   nickname=reader.opt_text("nickname"), avatar_url=reader.opt_text("avatar_url"), raw=reader.data)

    @classmethod
    def list_from_json(cls, value: object) -> list[AccountMatch]:
        return [cls.from_json(a) for a in _Reader(value, "search result").items("accounts")]


@dataclass(frozen=True)
class Criteria:
    """Whether an account meets every criterion to be invited as a marketing account, and which it fails."""

    eligible: bool
    violations: list[Violation]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, value: object) -> Criteria:
        reader = _Reader(value, "marketing criteria")
        return cls(eligible=reader.flag("eligible"), violations=[violation_of(v) for v in reader.items("violations")],
                   raw=reader.data)


@dataclass(frozen=True)
class Shop:
    """A shop's id and name, as the rename answers."""

    shop_id: str
    name: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, value: object) -> Shop:
        reader = _Reader(value, "shop")
        return cls(shop_id=reader.text("shop_id"), name=reader.text("name"), raw=reader.data)
