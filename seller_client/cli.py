"""``linksim seller ...``: the seller's side of every linking flow, over linksim's HTTP API.

Exit codes: 0 done; 1 refused (each code printed as ``code: message``); 2 bad usage or input;
3 the server is unreachable or broken (after the retries); 4 gave up waiting (``--wait-timeout``).
With ``--json`` every command prints JSON on stdout, a refusal as ``{"refused": {...}}`` and a failure
as ``{"error": {...}}``.

The one-call commands (``link``, ``terms``, ``review``, ``unlink``, ``rename``, ``invite``, ``invitation``) are made
from their declarations in :mod:`client_core.actions` (``tool=``); the others are written out here.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import Literal
from typing import NoReturn

import click

from client_core.actions import Action
from client_core.actions import Command
from client_core.actions import actions_of
from client_core.actions import call_by_convention
from client_core.commands import add_at
from client_core.commands import command_of
from client_core.commands import text_of
from seller_client.client import DEFAULT_URL
from seller_client.client import DEMO_CLIENT_KEY
from seller_client.client import DEMO_CLIENT_SECRET
from seller_client.client import SellerClient
from seller_client.errors import SellerRefused
from seller_client.errors import ServerError
from seller_client.errors import ServerUnreachable
from seller_client.errors import WaitTimeout
from seller_client.models import Invitation
from seller_client.models import Link
from seller_client.models import Token
from seller_client.terminal import StatusLine
from seller_client.terminal import can_print
from seller_client.terminal import qr_text
from seller_client.terminal import table

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_WAIT_TIMEOUT = 4
EXPIRED_CODES = {"qr": "qr_expired", "app_toggle": "consent_expired"}


class SellerContext:
    """The group's options, and the client they make (built on first use, so ``--help`` needs no server)."""

    client_factory: Callable[..., SellerClient] = SellerClient  # tests swap in one with a recorded sleep

    def __init__(self, url: str, client_key: str, client_secret: str, timeout: float, retries: int,
                 as_json: bool) -> None:
        self.url = url
        self.client_key = client_key
        self.client_secret = client_secret
        self.timeout = timeout
        self.retries = retries
        self.as_json = as_json
        self._client: SellerClient | None = None

    @property
    def client(self) -> SellerClient:
        if self._client is None:
            self._client = self.client_factory(self.url, self.client_key, self.client_secret, timeout=self.timeout,
                                        retries=self.retries)
        return self._client

    def emit(self, value: Any, text: Callable[[], str] | str) -> None:
        """``value`` as JSON with ``--json``, else the text."""
        if self.as_json:
            click.echo(json.dumps(value, indent=2, sort_keys=True))
        else:
            click.echo(text() if callable(text) else text)

    def note(self, text: str) -> None:
        """Progress for a person, on stderr; silent with ``--json`` so stdout stays one JSON document."""
        if not self.as_json:
            click.echo(text, err=True)


pass_ctx = click.make_pass_decorator(SellerContext)


def _fail(ctx: SellerContext | None, code: int, kind: str, message: str) -> NoReturn:
    if ctx is not None and ctx.as_json:
        click.echo(json.dumps({"error": {"kind": kind, "message": message}}, indent=2, sort_keys=True))
    else:
        click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Turns every failure into its exit code and a clear message, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SellerRefused as refusal:
            seller_ctx = ctx.obj if isinstance(ctx.obj, SellerContext) else None
            if seller_ctx is not None and seller_ctx.as_json:
                click.echo(json.dumps({"refused": refusal.as_dict()}, indent=2, sort_keys=True))
            else:
                click.secho("refused:", fg="red", bold=True, err=True)
                for violation in refusal.violations:
                    rules = f" [{', '.join(violation.rules)}]" if violation.rules else ""
                    click.echo(f"  {violation.code}: {violation.message}{rules}", err=True)
            sys.exit(EXIT_REFUSED)
        except ServerUnreachable as exc:
            _fail(_seller_ctx(ctx), EXIT_UNREACHABLE, "unreachable", str(exc))
        except ServerError as exc:
            _fail(_seller_ctx(ctx), EXIT_UNREACHABLE, "server_error", str(exc))
        except WaitTimeout as exc:
            _fail(_seller_ctx(ctx), EXIT_WAIT_TIMEOUT, "wait_timeout", str(exc))
        except (ValueError, OSError) as exc:  # a bad --url, a file that cannot be written
            _fail(_seller_ctx(ctx), EXIT_USAGE, "usage", str(exc))


def _seller_ctx(ctx: click.Context) -> SellerContext | None:
    return ctx.obj if isinstance(ctx.obj, SellerContext) else None


@click.group(cls=_Group)
@click.option("--url", envvar="LINKSIM_URL", default=DEFAULT_URL, show_default=True,
              help="The linksim server (env LINKSIM_URL).")
@click.option("--client-key", envvar="LINKSIM_CLIENT_KEY", default=DEMO_CLIENT_KEY, show_default=True,
              help="The partner app's client_key (env LINKSIM_CLIENT_KEY).")
@click.option("--client-secret", envvar="LINKSIM_CLIENT_SECRET", default=DEMO_CLIENT_SECRET, show_default=True,
              help="The partner app's client_secret (env LINKSIM_CLIENT_SECRET).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds to wait for each answer.")
@click.option("--http-retries", "retries", default=3, show_default=True, type=click.IntRange(0, 10),
              help="Repeats of a call that failed to connect or got a 5xx, with exponential backoff.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
@click.pass_context
def seller(click_ctx: click.Context, url: str, client_key: str, client_secret: str, timeout: float, retries: int,
           as_json: bool) -> None:
    """The seller's side: link accounts, review, invite, list, unlink, over linksim's HTTP API.

    Exit codes: 0 done, 1 refused (codes printed), 2 bad usage, 3 server unreachable or broken,
    4 gave up waiting.
    """
    # Under `linksim --json seller ...` the parent's flag counts too: click passes the parent's obj down.
    as_json = as_json or bool(getattr(click_ctx.obj, "as_json", False))
    click_ctx.obj = SellerContext(url, client_key, client_secret, timeout, retries, as_json)


# --- official accounts -----------------------------------------------------------------------------------------


@seller.command("link-official")
@click.argument("shop")
@click.option("--via", type=click.Choice(["qr", "app"]), default="qr", show_default=True,
              help="qr: a QR code the holder scans; app: a request to --username's app (Seller-app toggles).")
@click.option("--username", help="With --via app: the account to ask (with or without @).")
@click.option("--agreed/--not-agreed", default=True, show_default=True,
              help="With --via app: the seller ticks the agreement when sending the request.")
@click.option("--png", "png_path", type=click.Path(dir_okay=False, path_type=Path), help="Save the QR code as PNG.")
@click.option("--svg", "svg_path", type=click.Path(dir_okay=False, path_type=Path), help="Save the QR code as SVG.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait for the holder, then accept the terms and follow the review.")
@click.option("--accept-terms/--no-accept-terms", default=True, show_default=True,
              help="Once the holder consents, agree to the terms and link the account.")
@click.option("--retries", "fresh_codes", default=0, show_default=True, type=click.IntRange(0),
              help="Fresh QR codes to offer when one expires (0: report the expiry).")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds between polls, unless the server sends Retry-After.")
@click.option("--wait-timeout", default=600.0, show_default=True, type=click.FloatRange(min=0),
              help="Give up (exit 4) after this many seconds of waiting for the holder, and again for the review.")
@pass_ctx
def link_official(ctx: SellerContext, shop: str, via: Literal["qr", "app"], username: str | None, agreed: bool,
                  png_path: Path | None, svg_path: Path | None, wait: bool, accept_terms: bool, fresh_codes: int,
                  interval: float, wait_timeout: float) -> None:
    """Link SHOP's official account: show a QR code (or send the request to the app), wait, link.

    The status (new, scanned, confirmed) is shown on stderr as it changes. When the code expires, a
    fresh one is offered up to --retries times.
    """
    if via == "app" and not username:
        raise click.UsageError("--via app needs --username: the account the seller names")
    if via == "qr" and username:
        raise click.UsageError("--username is for --via app; with a QR code, whoever scans it answers")
    if via == "app" and (png_path or svg_path):
        raise click.UsageError("--png and --svg are for --via qr: the Seller-app flow has no QR code")
    client = ctx.client
    status = StatusLine(sys.stderr, quiet=ctx.as_json)
    offered = 0
    while True:
        link = client.start_official_link(shop, via, username.removeprefix("@") if username else None, agreed)
        _show_started(ctx, link, png_path, svg_path)
        if not wait:
            ctx.emit(link.raw, f"link {link.link_id} is waiting for consent; follow it with: "
                                f"linksim seller link {link.link_id}")
            return
        try:
            link = client.wait_for_consent(link.link_id, interval=interval, timeout=wait_timeout,
                                           on_status=lambda seen: status.show(f"status: {seen.consent_status}"))
        finally:
            status.end()
        if link.state != "expired":
            break
        if offered >= fresh_codes:
            code = EXPIRED_CODES.get(link.channel, "consent_expired")
            raise SellerRefused(code, f"The {'QR code' if via == 'qr' else 'request'} expired at "
                                      f"{link.consent_expires_at} before the holder authorized it. Run the command "
                                      "again (or pass --retries N) for a fresh one.", [], 200)
        offered += 1
        what = "QR code" if via == "qr" else "request"
        ctx.note(f"the {what} expired; here is a fresh one ({offered} of {fresh_codes})")
    _refuse_if_ended(link)
    if link.state == "consented" and not accept_terms:
        ctx.emit(link.raw, f"{link.open_id} consented; link it with: linksim seller terms {link.link_id}")
        return
    token: Token | None = None
    if link.state == "consented":
        link = client.accept_terms(link.link_id)
        token = link.token
        status.show(f"status: {link.state}")
    in_review = link.state == "pending_review"
    try:
        if not link.review_done:
            link = client.wait_for_review(link.link_id, interval=interval, timeout=wait_timeout,
                                          on_state=lambda seen: status.show(f"status: {seen.state}"))
    finally:
        status.end()
    _refuse_if_ended(link)
    if in_review and link.state == "active":  # the review activated it after the terms: its token is there now
        token = client.link_token(link.link_id)
    view = {**link.raw, **({"token": token.raw} if token else {})}
    ctx.emit(view, lambda: _linked_text(link))


def _show_started(ctx: SellerContext, link: Link, png_path: Path | None, svg_path: Path | None) -> None:
    """The QR code in the terminal and in the files asked for, or where the Seller-app request went."""
    if png_path is not None:
        png_path.write_bytes(ctx.client.qr_png(link.link_id))
        ctx.note(f"saved the QR code as {png_path}")
    if svg_path is not None:
        svg_path.write_bytes(ctx.client.qr_svg(link.link_id))
        ctx.note(f"saved the QR code as {svg_path}")
    if ctx.as_json:
        return
    if link.qr is None:
        click.echo(f"link {link.link_id}: the request waits in the named account's app inbox (/app/inbox)")
        return
    art = qr_text(link.qr.scan_url)
    click.echo(art if can_print(sys.stdout, art) else qr_text(link.qr.scan_url, unicode=False), nl=False)
    click.echo(f"link {link.link_id}: scan the code in the TikTok app, or open {link.qr.scan_url}")
    if link.qr.expires_at:
        click.echo(f"the code expires at {link.qr.expires_at}")


def _refuse_if_ended(link: Link) -> None:
    """A link that ended refused is a refusal, with the reasons the server recorded."""
    if link.state in ("refused", "unlinked"):
        reasons = link.refusals or []
        first = reasons[0] if reasons else None
        raise SellerRefused(first.code if first else f"link_{link.state}",
                            first.message if first else f"The link ended {link.state}.", reasons, 200)


def _linked_text(link: Link) -> str:
    if link.state == "active":
        return f"linked: {link.open_id} is the {link.role} account of {link.shop_id} (link {link.link_id})"
    if link.state == "pending_review":
        return (f"link {link.link_id} waits for a manual review: "
                f"linksim seller review {link.link_id} approve|reject")
    return _link_text(link)


@seller.command("org-create")
@click.argument("shop")
@click.argument("username")
@click.option("--nickname", help="Default: the shop's name.")
@click.option("--email")
@click.option("--phone")
@click.option("--member", "members", multiple=True, help="An email or phone that may sign in (repeat).")
@pass_ctx
def org_create(ctx: SellerContext, shop: str, username: str, nickname: str | None, email: str | None,
               phone: str | None, members: tuple[str, ...]) -> None:
    """Create an organization account USERNAME for SHOP's entity, linked as its official account."""
    link = ctx.client.create_organization_account(shop, username.removeprefix("@"), nickname=nickname, email=email,
                                                  phone=phone, members=members)
    ctx.emit(link.raw, lambda: _link_text(link))


# --- marketing accounts ----------------------------------------------------------------------------------------


@seller.command()
@click.argument("query")
@pass_ctx
def search(ctx: SellerContext, query: str) -> None:
    """Search accounts by username or nickname (every match: nicknames are not unique)."""
    found = ctx.client.search_accounts(query)
    ctx.emit({"accounts": [a.raw for a in found]},
             lambda: table(["open id", "username", "nickname"], [[a.open_id, f"@{a.username}", a.nickname]
                                                                  for a in found]))


def _open_id(ctx: SellerContext, account: str) -> str:
    """An open id, or the open id of ``@username``."""
    return ctx.client.find_account(account).open_id if account.startswith("@") else account


@seller.command()
@click.argument("shop")
@click.argument("account", metavar="OPEN_ID")
@pass_ctx
def criteria(ctx: SellerContext, shop: str, account: str) -> None:
    """Whether OPEN_ID (or @username) may be invited as SHOP's marketing account; exit 1 if not."""
    result = ctx.client.marketing_criteria(shop, _open_id(ctx, account))
    if ctx.as_json:
        ctx.emit(result.raw, "")
    elif result.eligible:
        click.echo("eligible: the account meets every criterion")
    else:
        click.secho("not eligible:", fg="red", bold=True, err=True)
        for violation in result.violations:
            click.echo(f"  {violation.code}: {violation.message}", err=True)
    if not result.eligible:
        sys.exit(EXIT_REFUSED)


# --- what the seller sees --------------------------------------------------------------------------------------


@seller.command()
@click.argument("shop")
@pass_ctx
def linked(ctx: SellerContext, shop: str) -> None:
    """SHOP's linked TikTok accounts, as Seller Center lists them."""
    accounts = ctx.client.linked_accounts(shop)
    rows = [[a.role, f"@{a.username}" if a.username else "(in review)", a.nickname, a.phone or a.email,
             a.bound_at or a.state] for a in accounts.accounts]
    ctx.emit(accounts.raw, lambda: table(["role", "username", "nickname", "phone/email", "bound at"], rows))


# --- text ------------------------------------------------------------------------------------------------------


def _link_text(link: Link) -> str:
    lines = [f"link {link.link_id}: {link.role} account of {link.shop_id} via {link.channel}",
             f"  state: {link.state} (consent {link.consent_status})"]
    if link.open_id:
        lines.append(f"  account: {link.open_id}")
    if link.qr is not None:
        lines.append(f"  scan: {link.qr.scan_url}")
        lines.append(f"  expires: {link.qr.expires_at}")
    if link.state == "pending_review":
        lines.append(f"  review: due {link.review_due_at}" if link.review_due_at
                     else f"  review: manual (linksim seller review {link.link_id} approve|reject)")
    if link.activated_at:
        lines.append(f"  linked at: {link.activated_at}")
    if link.ended_at:
        lines.append(f"  ended at: {link.ended_at}")
    lines += [f"  {r.code}: {r.message}" for r in link.refusals]
    return "\n".join(lines)


def _invitation_text(invitation: Invitation) -> str:
    lines = [f"invitation {invitation.invitation_id}: {invitation.open_id} to be a marketing account of "
             f"{invitation.shop_id}", f"  state: {invitation.state}"]
    if invitation.state == "pending" and invitation.expires_at:
        lines.append(f"  expires: {invitation.expires_at}")
    if invitation.link_id:
        lines.append(f"  link: {invitation.link_id}")
    if invitation.refusal is not None:
        lines.append(f"  {invitation.refusal.code}: {invitation.refusal.message}")
    return "\n".join(lines)


# --- the steps the action table declares (client_core.actions) ---------------------------------------------------

VIEWS: dict[type, Callable[[Any], str]] = {Link: _link_text, Invitation: _invitation_text}  # text without ``text``


def _step(action: Action, form: Command) -> click.Command:
    """The action's command: the SellerClient's method on its parameters, the answer as ``form`` shows it."""

    def run(ctx: SellerContext, p: dict[str, Any]) -> None:
        method = getattr(ctx.client, action.client_method)
        result = call_by_convention(action, method, p, lambda account: _open_id(ctx, account))
        ctx.emit(result.raw, lambda: text_of(form, result) if form.text else VIEWS[type(result)](result))

    return command_of(form, run, SellerContext)


for _action in actions_of("seller").values():
    if _action.tool is not None:
        add_at(seller, _action.tool, _step(_action, _action.tool))


if __name__ == "__main__":
    seller()
