"""What each actor of a scenario can do, and how a step is carried out over HTTP.

Four actors act in a scenario's sandbox: the ``seller`` (a :class:`~seller_client.SellerClient`), the
``app`` on a holder's phone (one :class:`~mobile_stub.app.TikTokApp` per holder name, signed in on first
use), the ``clock`` (``/_sim/clock``) and ``control`` (any other ``/_sim/...`` call). A step's answer is
an :class:`Outcome`: what the server answered, what it refused (with its codes), or an error that is
nobody's answer (the server unreachable, a broken reply, a mistake in the scenario).

The seller's and the app's actions are declared once, in :data:`SELLER_ACTIONS` and :data:`APP_ACTIONS`,
with their parameters: the scenario schema (:mod:`.schema`) and the documentation are made from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Literal

import requests

from client_core.control import ControlPlane
from client_core.errors import ClientError
from client_core.errors import ControlRefused
from client_core.errors import Refused
from mobile_stub.app import TikTokApp
from mobile_stub.models import Consent
from seller_client.client import SellerClient
from seller_client.models import Invitation as SellerInvitation
from seller_client.models import Link as SellerLink

ACTORS = ("seller", "app", "clock", "control")
CONTROL_METHODS = ("post", "get", "delete")
CLOCK_MOVES = ("advance", "set")
TIMEOUT = 30.0


class StepFailed(Exception):
    """A step could not be carried out for a reason that is no answer of the server's: a scenario mistake."""


# --- outcomes --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What happened: ``ok`` with the answer, ``refused`` with ``{code, codes, message, status}``, or ``error``."""

    kind: Literal["ok", "refused", "error"]
    value: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def ok(cls, value: dict[str, Any]) -> Outcome:
        return cls("ok", value)

    @classmethod
    def refused(cls, code: str, codes: list[str], message: str, status: int) -> Outcome:
        return cls("refused", {"code": code, "codes": codes or [code], "message": message, "status": status})

    @classmethod
    def error(cls, message: str) -> Outcome:
        return cls("error", {"error": message})

    @property
    def codes(self) -> list[str]:
        return list(self.value.get("codes", [])) if self.kind == "refused" else []


# --- declarations ------------------------------------------------------------------------------------------------


ParamKind = Literal["string", "boolean", "strings"]
Run = Callable[["Session", dict[str, Any]], dict[str, Any]]  # carries out an action: its answer as JSON


@dataclass(frozen=True)
class Param:
    kind: ParamKind
    doc: str
    required: bool = False


@dataclass(frozen=True)
class Action:
    """One thing an actor can do: its parameters (as the scenario file names them) and how it is done."""

    name: str
    doc: str
    params: dict[str, Param]
    run: Run

    @property
    def required(self) -> list[str]:
        return [name for name, param in self.params.items() if param.required]


SELLER_ACTIONS: dict[str, Action] = {}
APP_ACTIONS: dict[str, Action] = {}


def _action(table: dict[str, Action], name: str, doc: str, /, **params: Param) -> Callable[[Run], Run]:
    """Declare an action of an actor: its name, what it does, its parameters; the function carries it out."""

    def register(run: Run) -> Run:
        table[name] = Action(name, doc, params, run)
        return run

    return register


def _text(doc: str, required: bool = False) -> Param:
    return Param("string", doc, required)


def _flag(doc: str) -> Param:
    return Param("boolean", doc)


def _names(doc: str) -> Param:
    return Param("strings", doc)


SHOP = _text("the shop's id", required=True)
LINK = _text("the link's id (usually `${saved.link_id}`)", required=True)
ACCOUNT = _text("the account: a username the data gives it (even after a link renamed it), or an open id",
                required=True)


# --- the parties in a sandbox --------------------------------------------------------------------------------------


class AccountBook:
    """The accounts a scenario's data names: open ids and passwords by the username the data gives them."""

    def __init__(self, data: dict[str, Any] | None) -> None:
        data = data or {}
        self.default_password: str | None = data.get("default_password")
        self.open_ids: dict[str, str] = {}
        self.passwords: dict[str, str] = {}
        for account in data.get("accounts", []):
            username = str(account["username"]).lstrip("@")
            self.open_ids[username] = account.get("open_id", f"oid_{username.replace('.', '_')}")
            if account.get("password"):
                self.passwords[username] = account["password"]

    def open_id(self, name: str) -> str | None:
        name = name.lstrip("@")
        if name in self.open_ids:
            return self.open_ids[name]
        return name if name in self.open_ids.values() else None

    def password(self, username: str) -> str | None:
        return self.passwords.get(username.lstrip("@"), self.default_password)


@dataclass
class Phone:
    """One holder's phone: the app, and the consent screen its last scan opened."""

    app: TikTokApp
    consent: Consent | None = None


class Session:
    """The actors of one scenario, all talking to one sandbox over one HTTP session."""

    def __init__(self, base_url: str, *, client_key: str, client_secret: str, accounts: AccountBook,
                 control_token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.accounts = accounts
        self.controls = ControlPlane(self.base_url, session=self.http, timeout=TIMEOUT, control_token=control_token)
        # No retries, so nothing ever sleeps: time moves only by the scenario's clock steps.
        self.seller = SellerClient(self.base_url, client_key, client_secret, retries=0, session=self.http,
                                   sleep=_never_sleep)
        self.phones: dict[str, Phone] = {}
        self.shown_qr: dict[str, str] = {}  # link id -> the URL its QR code encoded when the seller showed it

    def close(self) -> None:
        for phone in self.phones.values():
            phone.app.close()
        self.http.close()

    # --- carrying out a step (params already substituted) ---------------------------------------------------

    def perform(self, actor: str, params: dict[str, Any]) -> Outcome:
        try:
            if actor == "seller":
                return Outcome.ok(SELLER_ACTIONS[params["action"]].run(self, params))
            if actor == "app":
                return Outcome.ok(APP_ACTIONS[params["action"]].run(self, params))
            if actor == "clock":
                return self._clock(params)
            return self._control(params)
        except ControlRefused as refusal:
            if not isinstance(refusal.body, dict):
                return Outcome.error(f"{refusal.method} {refusal.path} answered {refusal.status} with no JSON: "
                                     f"{str(refusal.body)[:120]!r}")
            return Outcome.refused(refusal.code, refusal.codes, refusal.message, refusal.status)
        except Refused as refusal:  # the seller's tool's, the app's
            return Outcome.refused(refusal.code, refusal.codes, refusal.message, refusal.status)
        except (ClientError, StepFailed) as error:
            return Outcome.error(str(error))

    def _clock(self, params: dict[str, Any]) -> Outcome:
        move = next(name for name in CLOCK_MOVES if name in params)
        return self.control_call("post", "/_sim/clock", {move: params[move]})

    def _control(self, params: dict[str, Any]) -> Outcome:
        method = next(name for name in CONTROL_METHODS if name in params)
        return self.control_call(method, str(params[method]), params.get("json"))

    def control_call(self, method: str, path: str, body: Any = None) -> Outcome:
        """A call to the sandbox's own control plane; a refusal (raised) has the body's code."""
        answer = self.controls.control(method, path, body if method != "get" else None)
        return Outcome.ok(answer if isinstance(answer, dict) else {} if answer is None else {"items": answer})

    # --- the parties ------------------------------------------------------------------------------------------

    def open_id(self, name: str) -> str:
        """An account's open id: from the data's usernames, else the seller's search (which may refuse)."""
        known = self.accounts.open_id(name)
        return known if known is not None else self.seller.find_account(name).open_id

    def phone(self, holder: str, *, sign_in: bool = True) -> Phone:
        """The holder's phone; signed in with the holder's username and password on first use."""
        phone = self.phones.get(holder)
        if phone is None:
            phone = self.phones[holder] = Phone(TikTokApp(self.base_url, retries=0, session=self.http,
                                                          sleep=_never_sleep))
        if sign_in and phone.app.token is None:
            password = self.accounts.password(holder)
            if password is None:
                raise StepFailed(f"no password is known for @{holder}: sign in first "
                                 "(app: {action: sign_in, password: ...})")
            phone.app.sign_in(holder.lstrip("@"), password)
        return phone

    def remember_qr(self, link: SellerLink) -> None:
        if link.qr is not None and link.link_id not in self.shown_qr:
            self.shown_qr[link.link_id] = link.qr.scan_url

    def qr_of(self, link_id: str) -> str:
        """The URL the link's QR code encodes, as the seller's screen showed it (a later scan reuses it)."""
        if link_id not in self.shown_qr:
            self.remember_qr(self.seller.get_link(link_id))
        if link_id not in self.shown_qr:
            raise StepFailed(f"the seller shows no QR code for the link {link_id}: it waits for no scan")
        return self.shown_qr[link_id]


def _never_sleep(seconds: float) -> None:
    raise StepFailed(f"a client wanted to wait {seconds:g}s; scenarios never sleep (move the clock instead)")


def _link(link: SellerLink) -> dict[str, Any]:
    return dict(link.raw)


def _invitation(invitation: SellerInvitation) -> dict[str, Any]:
    return dict(invitation.raw)


# --- the seller ----------------------------------------------------------------------------------------------------


@_action(SELLER_ACTIONS, "start_official_link", "Show a QR code (via qr), or send a request to an app (via app)",
         shop=SHOP, via=_text("qr (default) or app"), username=_text("via app: the account the seller names"),
         agreed=_flag("via app: the seller ticked the agreement (default true)"),
         link_id=_text("name the link (default: made up)"))
def _start_official_link(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    via = p.get("via", "qr")
    if via not in ("qr", "app"):
        raise StepFailed(f"via is qr or app, not {via!r}")
    link = session.seller.start_official_link(p["shop"], via=via, username=p.get("username"),
                                              agreed=p.get("agreed", True), link_id=p.get("link_id"))
    session.remember_qr(link)
    return _link(link)


@_action(SELLER_ACTIONS, "get_link", "Look at a link", link=LINK)
def _get_link(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return _link(session.seller.get_link(p["link"]))


@_action(SELLER_ACTIONS, "accept_terms", 'Agree to the terms and click "Link This Account" (or decline them)',
         link=LINK, accepted=_flag("false declines the terms (default true)"))
def _accept_terms(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return _link(session.seller.accept_terms(p["link"], accepted=p.get("accepted", True)))


@_action(SELLER_ACTIONS, "decide_review", "Decide a review by hand", link=LINK,
         approve=Param("boolean", "true approves, false rejects", required=True))
def _decide_review(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return _link(session.seller.decide_review(p["link"], approve=p["approve"]))


@_action(SELLER_ACTIONS, "create_organization_account",
         "Create an organization account for the seller's entity, linked as the official account",
         shop=SHOP, username=_text("the new account's username", required=True), nickname=_text("its nickname"),
         email=_text("its email"), phone=_text("its phone"), members=_names("who may sign in by passcode"))
def _create_organization_account(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    link = session.seller.create_organization_account(p["shop"], p["username"], nickname=p.get("nickname"),
                                                      email=p.get("email"), phone=p.get("phone"),
                                                      members=p.get("members", []))
    return _link(link)


@_action(SELLER_ACTIONS, "linked_accounts", 'What the seller sees under "Linked TikTok accounts"', shop=SHOP)
def _linked_accounts(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.seller.linked_accounts(p["shop"]).raw)


@_action(SELLER_ACTIONS, "unlink", "Unlink an account from the shop", shop=SHOP, account=ACCOUNT)
def _unlink(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return _link(session.seller.unlink(p["shop"], session.open_id(p["account"])))


@_action(SELLER_ACTIONS, "rename_shop", "Rename the shop (its official account's name follows)", shop=SHOP,
         name=_text("the new name", required=True))
def _rename_shop(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.seller.rename_shop(p["shop"], p["name"]).raw)


@_action(SELLER_ACTIONS, "search_accounts", "Search accounts by username or nickname; answers {accounts, count}",
         query=_text("a username (with or without @) or a nickname", required=True))
def _search_accounts(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    found = session.seller.search_accounts(p["query"])
    return {"accounts": [dict(a.raw) for a in found], "count": len(found)}


@_action(SELLER_ACTIONS, "marketing_criteria", "Check whether an account may be invited as a marketing account",
         shop=SHOP, account=ACCOUNT)
def _marketing_criteria(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.seller.marketing_criteria(p["shop"], session.open_id(p["account"])).raw)


@_action(SELLER_ACTIONS, "invite_marketing_account", "Invite an account to be a marketing account", shop=SHOP,
         account=ACCOUNT, invitation_id=_text("name the invitation (default: made up)"))
def _invite_marketing_account(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    invitation = session.seller.invite_marketing_account(p["shop"], session.open_id(p["account"]),
                                                         invitation_id=p.get("invitation_id"))
    return _invitation(invitation)


@_action(SELLER_ACTIONS, "get_invitation", "Look at an invitation",
         invitation=_text("the invitation's id", required=True))
def _get_invitation(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return _invitation(session.seller.get_invitation(p["invitation"]))


# --- the app on a holder's phone -----------------------------------------------------------------------------------


@_action(APP_ACTIONS, "sign_in", "Sign in with a password (every other action signs in on first use)",
         username=_text("default: the holder's name (`as`)"),
         password=_text("default: the data's password for the account"))
def _sign_in(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    holder = p["as"]
    username = p.get("username", holder).lstrip("@")
    password = p.get("password") or session.accounts.password(username)
    if password is None:
        raise StepFailed(f"no password is known for @{username}: give one (password: ...)")
    app = session.phone(holder, sign_in=False).app
    return dict(app.sign_in(username, password).raw)


@_action(APP_ACTIONS, "request_passcode", 'An organization member\'s "get OTP"; answers {passcode}',
         contact=_text("the member's email or phone", required=True),
         username=_text("the organization account (default: the holder's name)"))
def _request_passcode(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    app = session.phone(p["as"], sign_in=False).app
    return {"passcode": app.request_passcode(p.get("username", p["as"]).lstrip("@"), p["contact"])}


@_action(APP_ACTIONS, "sign_in_with_passcode", "Sign in as an organization member (asks for a passcode unless given)",
         contact=_text("the member's email or phone", required=True), passcode=_text("default: a fresh one"),
         username=_text("the organization account (default: the holder's name)"))
def _sign_in_with_passcode(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    app = session.phone(p["as"], sign_in=False).app
    account = app.sign_in_with_passcode(p.get("username", p["as"]).lstrip("@"), p["contact"], p.get("passcode"))
    return dict(account.raw)


@_action(APP_ACTIONS, "sign_out", "Sign out of the app")
def _sign_out(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    session.phone(p["as"], sign_in=False).app.sign_out()
    return {"signed_in": False}


@_action(APP_ACTIONS, "me", "The signed-in account as the app shows it")
def _me(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.phone(p["as"]).app.me().raw)


@_action(APP_ACTIONS, "scan", "Scan a QR code: the one the seller shows for a link, or a URL given as it is",
         link=_text("the link whose QR code the seller shows"), scan_url=_text("what the QR code encodes"))
def _scan(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    if ("link" in p) == ("scan_url" in p):
        raise StepFailed("scan names either link (the QR code the seller shows) or scan_url")
    scan_url = session.qr_of(p["link"]) if "link" in p else p["scan_url"]
    phone = session.phone(p["as"])
    phone.consent = phone.app.scan(scan_url)
    return dict(phone.consent.raw)


def _scanned(session: Session, holder: str) -> Consent:
    consent = session.phone(holder).consent
    if consent is None:
        raise StepFailed(f"@{holder.lstrip('@')} has scanned no QR code yet: scan one first")
    return consent


@_action(APP_ACTIONS, "authorize", "Tap Authorize on the last scanned consent screen",
         permissions=_names("the permissions left on (default: every one shown)"))
def _authorize(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    consent = _scanned(session, p["as"])
    return dict(session.phone(p["as"]).app.authorize(consent, p.get("permissions")).raw)


@_action(APP_ACTIONS, "deny", "Tap Cancel on the last scanned consent screen")
def _deny(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    consent = _scanned(session, p["as"])
    return dict(session.phone(p["as"]).app.deny(consent).raw)


@_action(APP_ACTIONS, "inbox", "What waits in the inbox: {requests, invitations, affiliate_invitations}")
def _inbox(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.phone(p["as"]).app.inbox().raw)


@_action(APP_ACTIONS, "answer_request", "Answer a Seller-app request: turn toggles on, then Continue (or Cancel)",
         link=LINK, permissions=_names("the toggles turned on (default: every one the inbox shows for it)"),
         proceed=_flag("false taps Cancel (default true: Continue)"))
def _answer_request(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    app = session.phone(p["as"]).app
    permissions = p.get("permissions")
    if permissions is None:
        shown = app.inbox().request(p["link"])
        permissions = list(shown.permissions) if shown is not None else []
    return dict(app.answer_request(p["link"], permissions, proceed=p.get("proceed", True)).raw)


@_action(APP_ACTIONS, "accept", "Accept an invitation (marketing or affiliate)",
         invitation=_text("the invitation's id", required=True))
def _accept(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.phone(p["as"]).app.accept(p["invitation"]).raw)


@_action(APP_ACTIONS, "decline", "Decline an invitation", invitation=_text("the invitation's id", required=True))
def _decline(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.phone(p["as"]).app.decline(p["invitation"]).raw)


@_action(APP_ACTIONS, "start_verification", "Start identity verification")
def _start_verification(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.phone(p["as"]).app.start_verification().raw)


@_action(APP_ACTIONS, "profile",
         "The profile as the app shows it: storefronts (a Shop Page with its catalogue, or a showcase), "
         "sales channels, whether the shopping bag shows yet, the showcase's products")
def _profile(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.phone(p["as"]).app.profile().raw)


@_action(APP_ACTIONS, "rename", "Rename the account (an official account's name is locked: E2)",
         username=_text("the new username"), nickname=_text("the new nickname"))
def _rename(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    app = session.phone(p["as"]).app
    return dict(app.rename(username=p.get("username"), nickname=p.get("nickname")).raw)


@_action(APP_ACTIONS, "affiliate_sign_up", "Sign up at the Affiliate Center (to show Product Marketplace products)")
def _affiliate_sign_up(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.phone(p["as"]).app.sign_up_affiliate().raw)


@_action(APP_ACTIONS, "showcase", "The products in the showcase: {items: [{product_id, source, added_at}]}")
def _showcase(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return {"items": [dict(item.raw) for item in session.phone(p["as"]).app.showcase()]}


@_action(APP_ACTIONS, "add_to_showcase", "Add a product to the showcase by hand",
         product=_text("the product's id", required=True))
def _add_to_showcase(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.phone(p["as"]).app.add_to_showcase(p["product"]).raw)


@_action(APP_ACTIONS, "start_live", "Go LIVE, or mirror another account's LIVE",
         mirror_of=_text("the account whose LIVE this one mirrors: a username the data gives it, or an open id"))
def _start_live(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    mirror_of = session.open_id(p["mirror_of"]) if "mirror_of" in p else None
    return dict(session.phone(p["as"]).app.start_live(mirror_of).raw)


@_action(APP_ACTIONS, "end_live", "End the LIVE")
def _end_live(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return dict(session.phone(p["as"]).app.end_live().raw)
