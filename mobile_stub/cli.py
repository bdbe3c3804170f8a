"""``linksim app ...``: the TikTok app on the account holder's phone, from a terminal.

The session is kept between commands in a small file (``~/.linksim/app-session.json``, or ``$LINKSIM_APP_STATE``,
or ``--state``), with the server that issued it: later commands go to that server unless ``--url`` says otherwise.

Exit codes: 0 done; 1 refused (each reason printed as ``code: message``); 2 bad usage or input (a PNG with no
QR code in it, for one); 3 the server cannot be reached, keeps failing, or answers what the API does not document.

The one-call commands (``whoami``, ``accept``, ``decline``, ``verify``, ``profile``, ``affiliate-sign-up``,
``live start``, ``live end``) are made from their declarations in :mod:`client_core.actions` (``tool=``); the
others are written out here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from client_core.actions import Action
from client_core.actions import Command
from client_core.actions import actions_of
from client_core.actions import call_by_convention
from client_core.commands import add_at
from client_core.commands import command_of
from client_core.commands import text_of
from mobile_stub import session
from mobile_stub.app import DEFAULT_URL
from mobile_stub.app import TikTokApp
from mobile_stub.errors import AppRefused
from mobile_stub.errors import MalformedAnswer
from mobile_stub.errors import QrCodeNotFound
from mobile_stub.errors import ServerUnavailable
from mobile_stub.models import OFFICIAL_LINK
from mobile_stub.models import Account
from mobile_stub.models import Consent
from mobile_stub.models import ConsentAnswer
from mobile_stub.models import Invitation
from mobile_stub.models import LiveSession
from mobile_stub.models import Profile
from mobile_stub.models import ShowcaseItem
from mobile_stub.transport import DEFAULT_TIMEOUT

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3


class AppContext:
    """The group's options, the saved session, and how the commands print."""

    def __init__(self, url: str, url_given: bool, state: Path, as_json: bool, timeout: float) -> None:
        self.url = url
        self.url_given = url_given
        self.state = state
        self.as_json = as_json
        self.timeout = timeout
        self.saved = session.load(state)

    def app(self, *, signed_in: bool = True) -> TikTokApp:
        """The app on the server named by ``--url`` (or the saved session's), with the saved session if it fits."""
        saved = self.saved
        url = saved.url if saved and not self.url_given else self.url
        token = saved.token if signed_in and saved and saved.url.rstrip("/") == url.rstrip("/") else None
        return TikTokApp(url, token=token, timeout=self.timeout)

    def emit(self, raw: Any, text: str) -> None:
        click.echo(json.dumps(raw, indent=2, sort_keys=True) if self.as_json else text)


pass_app = click.make_pass_decorator(AppContext)


@contextmanager
def _reported(ctx: click.Context) -> Iterator[None]:
    """Every failure as a clear message and its exit code, never a traceback."""
    try:
        yield
    except AppRefused as refusal:
        # ctx.obj is the group's AppContext only once the group's callback ran (a parent's object before).
        if isinstance(ctx.obj, AppContext) and ctx.obj.as_json:
            click.echo(json.dumps({"refused": {"code": refusal.code, "message": refusal.message,
                                               "status": refusal.status,
                                               "violations": [asdict(v) for v in refusal.violations]}}, indent=2))
        for violation in refusal.violations:
            click.echo(f"{violation.code}: {violation.message}", err=True)
        if refusal.code == "app_session_invalid":
            click.echo("Sign in first: linksim app sign-in USERNAME", err=True)
        ctx.exit(EXIT_REFUSED)
    except (ServerUnavailable, MalformedAnswer) as error:
        click.echo(f"error: {error}", err=True)
        ctx.exit(EXIT_UNAVAILABLE)
    except (QrCodeNotFound, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        ctx.exit(EXIT_USAGE)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        with _reported(ctx):
            return super().invoke(ctx)


@click.group(name="app", cls=_Group,
             epilog="Exit codes: 0 done, 1 refused (each reason as code: message), 2 bad usage or input, "
                    "3 the server cannot be reached or answers what the API does not document.")
@click.option("--url", envvar="LINKSIM_URL", default=DEFAULT_URL, show_default=True,
              help="The linksim server (default: the one signed in to, else this).")
@click.option("--state", "state_file", envvar=session.STATE_ENV, type=click.Path(dir_okay=False, path_type=Path),
              default=None, help=f"The session file [default: {session.DEFAULT_STATE}].")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds to wait for the server.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
@click.pass_context
def app(ctx: click.Context, url: str, state_file: Path | None, timeout: float, as_json: bool) -> None:
    """The TikTok app on the account holder's phone: sign in, scan, authorize, answer the inbox, verify; the
    profile, the showcase, LIVE."""
    parent = ctx.parent.obj if ctx.parent else None  # `linksim --json app ...` asks for JSON too
    url_given = ctx.get_parameter_source("url") is not ParameterSource.DEFAULT
    ctx.obj = AppContext(url, url_given, session.state_path(state_file), as_json or getattr(parent, "as_json", False),
                         timeout)


# --- signing in ----------------------------------------------------------------------------------------------


@app.command("sign-in")
@click.argument("username")
@click.option("--password", help="The account's password (asked for when neither option is given).")
@click.option("--contact", help="An organization member's email or phone: sign in with a one-time passcode.")
@pass_app
def sign_in(ctx: AppContext, username: str, password: str | None, contact: str | None) -> None:
    """Sign in as USERNAME; the session is kept for the next commands."""
    if password is not None and contact is not None:
        raise click.UsageError("give --password or --contact, not both")
    phone = ctx.app(signed_in=False)
    if contact is not None:
        passcode = phone.request_passcode(username, contact)
        if not ctx.as_json:
            click.echo(f"passcode {passcode} sent to {contact} (the simulator shows it instead of sending it)")
        account = phone.sign_in_with_passcode(username, contact, passcode)
    else:
        if password is None:
            password = click.prompt("Password", hide_input=True)
        account = phone.sign_in(username, password)
    assert phone.token is not None
    session.save(ctx.state, session.SavedSession(phone.base_url, phone.token, account.username, account.open_id))
    ctx.emit(account.raw, f"signed in as @{account.username} ({account.open_id}) on {phone.base_url}")


@app.command("sign-out")
@pass_app
def sign_out(ctx: AppContext) -> None:
    """Forget the session."""
    was_signed_in = session.clear(ctx.state)
    ctx.emit({"signed_out": was_signed_in}, "signed out" if was_signed_in else "not signed in")


def _account_text(account: Account) -> str:
    text = (f"@{account.username} ({account.open_id}): {account.nickname}, {account.account_type} account, "
            f"identity {account.verification}")
    if account.verification == "pending" and account.verification_due_at:
        text += f" (decided at {account.verification_due_at})"
    return text + ("" if account.standing == "good" else f", {account.standing}")


# --- scanning ------------------------------------------------------------------------------------------------


@app.command()
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="A picture of the QR code.")
@click.option("--url", "scan_url", help="What the QR code encodes, as a link opened on the phone.")
@click.option("--show", "decision", flag_value="show", default=True, help="Show the consent screen (the default).")
@click.option("--authorize", "decision", flag_value="authorize", help="Tap Authorize.")
@click.option("--deny", "decision", flag_value="deny", help="Tap Cancel.")
@click.option("--permission", "permissions", multiple=True,
              help="With --authorize: a permission (or Login Kit scope) to leave on; repeat it. Default: every one.")
@pass_app
def scan(ctx: AppContext, png: Path | None, scan_url: str | None, decision: str, permissions: tuple[str, ...]) -> None:
    """Scan a QR code (--png FILE or --url URL); show, authorize or deny it."""
    if (png is None) == (scan_url is None):
        raise click.UsageError("give the QR code as --png FILE or as --url URL (one of them)")
    phone = ctx.app()
    consent = phone.scan_png(png) if png is not None else phone.scan(scan_url or "")
    if decision == "show":
        ctx.emit(consent.raw, _consent_text(consent))
        return
    answer = phone.authorize(consent, permissions or None) if decision == "authorize" else phone.deny(consent)
    ctx.emit({"consent": consent.raw, "answer": answer.raw},
             f"{_consent_text(consent)}\n{_answer_text(consent, answer)}")


def _consent_text(consent: Consent) -> str:
    if consent.kind == OFFICIAL_LINK:
        lines = [f"{consent.name} ({consent.shop_id}) wants to link @{consent.username} as its official account",
                 f"  permissions: {', '.join(consent.permissions)}"]
    else:
        lines = [f"{consent.name} ({consent.client_key}) asks to sign in with @{consent.username}",
                 f"  scopes: {', '.join(consent.permissions)}"
                 + (f" ({', '.join(consent.required)} always on)" if consent.required else "")]
    if consent.expires_at:
        lines.append(f"  expires at {consent.expires_at}")
    return "\n".join(lines)


def _answer_text(consent: Consent, answer: ConsentAnswer) -> str:
    verb = "authorized" if answer.decision == "authorize" else "cancelled"
    if answer.link is not None:
        return f"{verb}: link {answer.link.link_id} is {answer.state}"
    granted = f", granted {', '.join(answer.granted)}" if answer.granted else ""
    return f"{verb}: {consent.name}'s QR code is {answer.state}{granted}"


# --- the inbox -----------------------------------------------------------------------------------------------


@app.command()
@pass_app
def inbox(ctx: AppContext) -> None:
    """What waits in the inbox: Seller-app requests and invitations."""
    found = ctx.app().inbox()
    lines = []
    for request in found.requests:
        lines.append(f"request {request.link_id}: {request.shop_name} ({request.shop_id}) asks to link this account "
                     f"as its official account; turn on {', '.join(request.permissions)}"
                     + (f" (until {request.expires_at})" if request.expires_at else ""))
    lines += [_invitation_text(i) for i in found.invitations + found.affiliate_invitations]
    ctx.emit(found.raw, "\n".join(lines) or "the inbox is empty")


def _invitation_text(invitation: Invitation) -> str:
    what = (f"affiliate invitation at {invitation.commission_rate}% commission" if invitation.kind == "affiliate"
            else "marketing account invitation")
    text = f"invitation {invitation.invitation_id}: {invitation.shop_name} ({invitation.shop_id}), {what}: "
    text += invitation.state
    if invitation.state == "pending" and invitation.expires_at:
        text += f" (until {invitation.expires_at})"
    if invitation.link_id:
        text += f", link {invitation.link_id}"
    return text


@app.command()
@click.argument("link_id")
@click.option("--permission", "permissions", multiple=True, help="A toggle to turn on; repeat it. Toggles start off.")
@click.option("--all", "all_on", is_flag=True, help="Turn on every toggle the request shows.")
@click.option("--cancel", is_flag=True, help="Tap Cancel instead of Continue.")
@pass_app
def request(ctx: AppContext, link_id: str, permissions: tuple[str, ...], all_on: bool, cancel: bool) -> None:
    """Answer a Seller-app request: turn on toggles, then Continue (or --cancel)."""
    phone = ctx.app()
    chosen = list(permissions)
    if all_on:
        shown = phone.inbox().request(link_id)
        chosen += [p for p in (shown.permissions if shown else ()) if p not in chosen]
    link = phone.answer_request(link_id, chosen, proceed=not cancel)
    granted = f" (granted {', '.join(link.granted_permissions)})" if link.granted_permissions else ""
    ctx.emit(link.raw, f"link {link.link_id}: {link.state}{granted}")


# --- the profile, the showcase and LIVE ----------------------------------------------------------------------


def _profile_text(shown: Profile) -> str:
    lines = [f"@{shown.username} ({shown.open_id}): {shown.nickname}, {shown.account_type} account"]
    for front in shown.storefronts:
        name = "Shop Page" if front.storefront == "shop_page" else "showcase"
        bag = ("shopping bag shown" if front.shopping_bag_visible
               else f"shopping bag not shown yet (from {front.shopping_bag_visible_from})")
        catalogue = f"; catalogue: {', '.join(front.catalogue)}" if front.catalogue else ""
        lines.append(f"  {name} of {front.shop_id} ({front.role}): channels {', '.join(front.sales_channels)}; "
                     f"{bag}{catalogue}")
    if not shown.storefronts:
        lines.append("  no shop linked: no Shop Page, no shopping bag")
    if shown.showcase:
        lines.append(f"  showcase: {', '.join(shown.showcase)}")
    return "\n".join(lines)


@app.command()
@click.option("--username", help="The new username.")
@click.option("--nickname", help="The new nickname.")
@pass_app
def rename(ctx: AppContext, username: str | None, nickname: str | None) -> None:
    """Rename the account (an official account's name follows its shop's)."""
    if username is None and nickname is None:
        raise click.UsageError("give --username, --nickname or both")
    account = ctx.app().rename(username=username, nickname=nickname)
    ctx.emit(account.raw, _account_text(account))


@app.command()
@click.option("--add", "product_id", help="Add this product (its id) by hand first.")
@pass_app
def showcase(ctx: AppContext, product_id: str | None) -> None:
    """The products in the showcase; --add PRODUCT_ID adds one by hand."""
    phone = ctx.app()
    if product_id is not None:
        item = phone.add_to_showcase(product_id)
        ctx.emit(item.raw, f"added {_item_text(item)}")
        return
    items = phone.showcase()
    ctx.emit({"items": [item.raw for item in items]}, "\n".join(map(_item_text, items)) or "the showcase is empty")


def _item_text(item: ShowcaseItem) -> str:
    return f"{item.product_id} ({item.source.replace('_', ' ')})"


@app.group()
def live() -> None:
    """LIVE sessions."""


def _live_text(live_session: LiveSession) -> str:
    if not live_session.live:
        return "not LIVE"
    mirrored = f", mirroring {live_session.mirror_of}" if live_session.mirror_of else ""
    return f"LIVE since {live_session.started_at}{mirrored}"


# --- the steps the action table declares (client_core.actions) ---------------------------------------------------

VIEWS: dict[type, Callable[[Any], str]] = {Account: _account_text, Invitation: _invitation_text,
                                           Profile: _profile_text, LiveSession: _live_text}  # text without ``text``


def _step(action: Action, form: Command) -> click.Command:
    """The action's command: the signed-in app's method on its parameters, the answer as ``form`` shows it."""

    def run(ctx: AppContext, p: dict[str, Any]) -> None:
        method = getattr(ctx.app(), action.client_method)
        result = call_by_convention(action, method, p, lambda open_id: open_id)  # the app names accounts by open id
        ctx.emit(result.raw, text_of(form, result) if form.text else VIEWS[type(result)](result))

    return command_of(form, run, AppContext)


for _action in actions_of("app").values():
    if _action.tool is not None:
        add_at(app, _action.tool, _step(_action, _action.tool))
