"""What each actor of a scenario can do, and how a step is carried out over HTTP.

Four actors act in a scenario's sandbox: the ``seller`` (a :class:`~seller_client.SellerClient`), the
``app`` on a holder's phone (one :class:`~mobile_stub.app.TikTokApp` per holder name, signed in on first
use), the ``clock`` (``/_sim/clock``) and ``control`` (any other ``/_sim/...`` call). A step's answer is
an :class:`Outcome`: what the server answered, what it refused (with its codes), or an error that is
nobody's answer (the server unreachable, a broken reply, a mistake in the scenario).

The seller's and the app's actions are declared once, with their parameters, in :mod:`client_core.actions`
(the scenario schema, :mod:`.schema`, is made from them); here each is bound to how it is done over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Literal

import requests

from client_core.actions import HOLDER
from client_core.actions import Action
from client_core.actions import Actor
from client_core.actions import actions_of
from client_core.actions import call_by_convention
from client_core.control import ControlPlane
from client_core.errors import ClientError
from client_core.errors import ControlRefused
from client_core.errors import Refused
from mobile_stub.app import TikTokApp
from mobile_stub.models import Consent
from seller_client.client import SellerClient
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


# --- the declared actions, carried out over HTTP -------------------------------------------------------------------


Run = Callable[["Session", dict[str, Any]], dict[str, Any]]  # carries out an action: its answer as JSON

SELLER_ACTIONS: dict[str, Action] = actions_of("seller", scenarios=True)
APP_ACTIONS: dict[str, Action] = actions_of("app", scenarios=True)
SELLER_RUNS: dict[str, Run] = {}
APP_RUNS: dict[str, Run] = {}


def _runs(actor: Actor, name: str) -> Callable[[Run], Run]:
    """Bind a declared action of the actor to the function that carries it out."""
    declared, runs = (SELLER_ACTIONS, SELLER_RUNS) if actor == "seller" else (APP_ACTIONS, APP_RUNS)
    if name not in declared:
        raise KeyError(f"client_core.actions declares no scenario action {name!r} of the {actor}")

    def register(run: Run) -> Run:
        runs[name] = run
        return run

    return register


def default_run(action: Action) -> Run:
    """The SellerClient's method (or the holder's TikTokApp's) on the action's parameters; its answer's JSON."""

    def run(session: Session, p: dict[str, Any]) -> dict[str, Any]:
        party = session.seller if action.actor == "seller" else session.phone(p[HOLDER]).app
        result = call_by_convention(action, getattr(party, action.client_method), p, session.open_id)
        return dict(result.raw)

    return run


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
                return Outcome.ok(SELLER_RUNS[params["action"]](self, params))
            if actor == "app":
                return Outcome.ok(APP_RUNS[params["action"]](self, params))
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


# --- the seller ----------------------------------------------------------------------------------------------------


@_runs("seller", "start_official_link")
def _start_official_link(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    via = p.get("via", "qr")
    if via not in ("qr", "app"):
        raise StepFailed(f"via is qr or app, not {via!r}")
    link = session.seller.start_official_link(p["shop"], via=via, username=p.get("username"),
                                              agreed=p.get("agreed", True), link_id=p.get("link_id"))
    session.remember_qr(link)
    return _link(link)





@_runs("seller", "create_organization_account")
def _create_organization_account(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    link = session.seller.create_organization_account(p["shop"], p["username"], nickname=p.get("nickname"),
                                                      email=p.get("email"), phone=p.get("phone"),
                                                      members=p.get("members", []))
    return _link(link)





@_runs("seller", "search_accounts")
def _search_accounts(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    found = session.seller.search_accounts(p["query"])
    return {"accounts": [dict(a.raw) for a in found], "count": len(found)}





# --- the app on a holder's phone -----------------------------------------------------------------------------------


@_runs("app", "sign_in")
def _sign_in(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    holder = p["as"]
    username = p.get("username", holder).lstrip("@")
    password = p.get("password") or session.accounts.password(username)
    if password is None:
        raise StepFailed(f"no password is known for @{username}: give one (password: ...)")
    app = session.phone(holder, sign_in=False).app
    return dict(app.sign_in(username, password).raw)


@_runs("app", "request_passcode")
def _request_passcode(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    app = session.phone(p["as"], sign_in=False).app
    return {"passcode": app.request_passcode(p.get("username", p["as"]).lstrip("@"), p["contact"])}


@_runs("app", "sign_in_with_passcode")
def _sign_in_with_passcode(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    app = session.phone(p["as"], sign_in=False).app
    account = app.sign_in_with_passcode(p.get("username", p["as"]).lstrip("@"), p["contact"], p.get("passcode"))
    return dict(account.raw)


@_runs("app", "sign_out")
def _sign_out(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    session.phone(p["as"], sign_in=False).app.sign_out()
    return {"signed_in": False}



@_runs("app", "scan")
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


@_runs("app", "authorize")
def _authorize(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    consent = _scanned(session, p["as"])
    return dict(session.phone(p["as"]).app.authorize(consent, p.get("permissions")).raw)


@_runs("app", "deny")
def _deny(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    consent = _scanned(session, p["as"])
    return dict(session.phone(p["as"]).app.deny(consent).raw)



@_runs("app", "answer_request")
def _answer_request(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    app = session.phone(p["as"]).app
    permissions = p.get("permissions")
    if permissions is None:
        shown = app.inbox().request(p["link"])
        permissions = list(shown.permissions) if shown is not None else []
    return dict(app.answer_request(p["link"], permissions, proceed=p.get("proceed", True)).raw)








@_runs("app", "showcase")
def _showcase(session: Session, p: dict[str, Any]) -> dict[str, Any]:
    return {"items": [dict(item.raw) for item in session.phone(p["as"]).app.showcase()]}


for _declared, _bound in ((SELLER_ACTIONS, SELLER_RUNS), (APP_ACTIONS, APP_RUNS)):
    _bound.update({name: default_run(action) for name, action in _declared.items() if name not in _bound})
