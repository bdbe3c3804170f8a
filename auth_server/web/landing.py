"""linksim's start page at ``/``: what it is, where the screens are, the world's accounts (what each is for and,
when the demo data is loaded, their password), the partner apps' credentials, the addresses ``linksim serve``
prints, and a button that starts the world over from the demo data.

Everything it lists is read from the request's world (the main one, or the sandbox the path names). A secret is
shown only where it is the demo's published one: the store keeps digests, so the page checks the demo's secret
against what the store keeps, and shows nothing it cannot check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint
from flask import render_template
from flask import request

from auth_server import fixtures
from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import AppFault
from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import Verification
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.shops import Shop
from auth_server.domain.token_digests import client_secret_matches
from auth_server.oauth.models import PartnerApp
from auth_server.shop_partner.models import LoginKind
from auth_server.shop_partner.models import ShopApp
from auth_server.shop_partner.models import ShopLogin
from auth_server.web import context

bp = Blueprint("landing", __name__)

VERIFICATION_FACTS = {Verification.UNVERIFIED: "identity not verified (verifying is started in the app)",
                      Verification.PENDING: "identity verification pending",
                      Verification.FAILED: "identity verification failed"}


@dataclass(frozen=True)
class AccountEntry:
    """One account as the start page lists it: who it is, and what it is good for trying."""

    username: str
    nickname: str
    region: str
    facts: list[str]  # what the world says of it now: its links, its type, what a rule will refuse it for
    note: str | None  # what the demo data says it is for
    password: str | None  # the demo's password, when the account has it


@dataclass(frozen=True)
class AppEntry:
    """A partner app and the credentials a developer points a client at linksim with."""

    product: str  # Login Kit, or TikTok Shop
    name: str
    key: str
    secret: str | None  # only the demo's published secret, checked against the store
    details: list[tuple[str, str]]


@dataclass(frozen=True)
class LoginEntry:
    """A seller or partner who signs in to Seller Center or Partner Center."""

    email: str
    name: str
    kind: str
    password: str | None


SHOWN_ACCOUNTS = 100  # a start page, not a directory: a world of 100,000 accounts shows as quickly as the demo's


@bp.get("/")
def index() -> Any:
    demo = fixtures.read(fixtures.DEMO)
    with context.simulator().store.reading() as repo:
        partner_apps = repo.all_of(PartnerApp, order_by="client_key")
        shop_apps = repo.all_of(ShopApp, order_by="app_key")
        logins = repo.all_of(ShopLogin, order_by="email")
    accounts, links, shops, total = context.service().read_together(lambda op: _shown_accounts(op.repo, demo))
    password = _demo_password(demo, accounts)
    return render_template(
        "landing.html",
        accounts=account_entries(accounts, links, shops, demo, password, context.now().date()),
        more_accounts=total - len(accounts),
        apps=app_entries(partner_apps, shop_apps, demo),
        logins=login_entries(logins, demo, password),
        demo_password=password,
        addresses=addresses(request.url_root.rstrip("/")),
        control_token_needed=context.config().control_token is not None,
        world=context.world(),
    )


def _shown_accounts(repo: Any, demo: dict[str, Any]) -> tuple[list[Account], list[Link], list[Shop], int]:
    """The accounts the page shows (the demo's first, then the others by username, :data:`SHOWN_ACCOUNTS` in all),
    their links in force and those links' shops, and how many accounts the world holds."""
    demo_ids = _demo_open_ids(demo)
    from_demo = list(repo.accounts_with_ids(demo_ids))
    others = [account for account in repo.accounts(limit=SHOWN_ACCOUNTS) if account.open_id not in demo_ids]
    shown = (from_demo + others)[:SHOWN_ACCOUNTS]
    links = list(repo.holding_links(open_ids=[account.open_id for account in shown]))
    shops = list(repo.shops({link.shop_id for link in links}))
    return shown, links, shops, repo.count_of(Account)


def _demo_password(demo: dict[str, Any], accounts: list[Account]) -> str | None:
    """The demo's password, if the demo data is loaded here: an account of the demo signs in with it."""
    password = demo.get("default_password")
    demo_ids = _demo_open_ids(demo)
    first = next((account for account in accounts if account.open_id in demo_ids), None)
    if password and first is not None and first.check_password(password):
        return str(password)
    return None


def _demo_open_ids(demo: dict[str, Any]) -> dict[str, dict[str, Any]]:
    # The open ids the demo's accounts get when loaded (fixtures._Builder.account): they survive a rename.
    return {entry.get("open_id", f"oid_{entry['username'].lstrip('@').replace('.', '_')}"): entry
            for entry in demo.get("accounts", [])}


def account_entries(accounts: list[Account], links: list[Link], shops: list[Shop], demo: dict[str, Any],
                    password: str | None, today: date) -> list[AccountEntry]:
    from_demo = _demo_open_ids(demo)
    named = {shop.shop_id: shop.name for shop in shops}
    links_of: dict[str | None, list[Link]] = {}
    for link in links:
        links_of.setdefault(link.open_id, []).append(link)
    entries = []
    for account in accounts:
        entry = from_demo.get(account.open_id)
        has_password = password is not None and entry is not None and "password" not in entry
        facts = account_facts(account, links_of.get(account.open_id, []), named, today)
        loaded_as = entry["username"].lstrip("@") if entry else account.username
        if loaded_as != account.username:  # renamed since (rule E2 names an official account after its shop)
            facts.insert(0, f"was @{loaded_as}")
        entries.append(AccountEntry(account.username, account.nickname, account.region, facts,
                                    entry.get("note") if entry else None, password if has_password else None))
    return entries


def account_facts(account: Account, links: list[Link], shop_names: dict[str, str], today: date) -> list[str]:
    """What the world says of the account, in words: what it is linked to (``links``: its links in force, active or
    in review), and what a rule looks at."""
    facts = []
    for link in links:
        what = f"{link.role.value} account of {shop_names.get(link.shop_id, link.shop_id)}"
        facts.append(what if link.state is LinkState.ACTIVE else f"in review as the {what}")
    if account.account_type is not AccountType.PERSONAL:
        facts.append(f"{account.account_type.value} account")
    if account.verification in VERIFICATION_FACTS:
        facts.append(VERIFICATION_FACTS[account.verification])
    if account.standing is not Standing.GOOD:
        facts.append(account.standing.value.replace("_", " "))
    age = account.age_on(today)
    if age is not None and age < 18:
        facts.append(f"{age} years old")
    if account.affiliate_signed_up:
        facts.append("signed up at the Affiliate Center")
    if account.app_fault is not AppFault.NONE:
        facts.append(f"app fault: {account.app_fault.value.replace('_', ' ')}")
    return facts or ["free to link"]


def app_entries(partner_apps: list[PartnerApp], shop_apps: list[ShopApp], demo: dict[str, Any]) -> list[AppEntry]:
    demo_apps = demo.get("partner_apps", [])
    client_secrets = {app["client_key"]: app.get("client_secret") for app in demo_apps}
    app_secrets = {app["shop"]["app_key"]: app["shop"].get("app_secret") for app in demo_apps if "shop" in app}
    entries = []
    for app in partner_apps:
        secret = client_secrets.get(app.client_key)
        known = secret if secret and client_secret_matches(secret, app.client_secret_hash) else None
        entries.append(AppEntry("Login Kit", app.name, app.client_key, known,
                                [("redirect URIs", ", ".join(app.redirect_uris)), ("scopes", ", ".join(app.scopes))]))
    for shop_app in shop_apps:
        secret = app_secrets.get(shop_app.app_key)
        entries.append(AppEntry("TikTok Shop", shop_app.name, shop_app.app_key,
                                secret if secret == shop_app.app_secret else None,
                                [("service id", shop_app.service_id), ("redirect URL", shop_app.redirect_url)]))
    return entries


def login_entries(logins: list[ShopLogin], demo: dict[str, Any], password: str | None) -> list[LoginEntry]:
    demo_emails = {party["email"] for kind in ("sellers", "partners") for party in demo.get(kind, [])}
    return [LoginEntry(login.email, login.name,
                       "Partner Center" if login.kind is LoginKind.PARTNER else "Seller Center",
                       password if password is not None and login.email in demo_emails else None)
            for login in logins]


def addresses(base: str) -> list[tuple[str, str]]:
    """What ``linksim serve`` prints, for this world (a sandbox's under its own prefix)."""
    return [
        ("start here", f"{base}/"),
        ("sign in to the app", f"{base}/app/sign-in"),
        ("Seller Center", f"{base}/seller/"),
        ("authorize", f"{base}/v2/auth/authorize/"),
        ("token", f"{base}/v2/oauth/token/"),
        ("token (plain OAuth)", f"{base}/oauth/token"),
        ("user info", f"{base}/v2/user/info/"),
        ("metadata", f"{base}/.well-known/oauth-authorization-server"),
        ("TikTok Shop authorization", f"{base}/open/authorize?service_id=..."),
        ("TikTok Shop token", f"{base}/api/v2/token/get"),
        ("controls", f"{base}/_sim/clock, {base}/_sim/sandboxes"),
        ("journal", f"{base}/_sim/journal"),
    ]
