"""``linksim link official|marketing``: a whole linking flow in one command, each party acting in turn."""

from __future__ import annotations

import click

from auth_server.cli.context import Context
from auth_server.cli.context import pass_ctx
from auth_server.domain.errors import Refused


@click.command(name="official")
@click.argument("shop_id")
@click.argument("account")
@click.option("--via", type=click.Choice(["qr", "app"]), default="qr", show_default=True,
              help="qr: Seller Center web (scan, Authorize); app: Seller app (permission toggles).")
@click.option("--deny", is_flag=True, help="The holder taps Cancel instead of Authorize.")
@click.option("--permission", "permissions", multiple=True,
              help="With --via app: a toggle the holder turns on (repeat; default: all).")
@click.option("--answered-by", help="With --via app: the account that answers the request (default: ACCOUNT).")
@click.option("--decline-terms", is_flag=True, help="The seller does not accept the terms.")
@pass_ctx
def link_official(ctx: Context, shop_id: str, account: str, via: str, deny: bool, permissions: tuple[str, ...],
                  answered_by: str | None, decline_terms: bool) -> None:
    """Link ACCOUNT as the official account of SHOP_ID."""
    service = ctx.sim.service
    holder = ctx.account(account)
    if via == "qr":
        started = service.start_official_link(shop_id)
        click.echo(f"QR code shown for {shop_id} (link {started.link_id}); @{holder.username} scans it", err=True)
        service.scan(started.link_id, holder.open_id)
        granted = None
    else:
        started = service.request_app_consent(shop_id, holder.username)
        click.echo(f"request sent to @{holder.username} in the TikTok app (link {started.link_id})", err=True)
        granted = list(permissions) if permissions else None
    responder = ctx.account(answered_by) if answered_by else holder
    consented = service.give_consent(started.link_id, responder.open_id, authorize=not deny, permissions=granted)
    if consented.refusal_codes:
        raise Refused(consented.refusals())
    click.echo(f"@{responder.username} authorized", err=True)
    result = service.accept_terms(started.link_id, accepted=not decline_terms)
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}")


@click.command(name="marketing")
@click.argument("shop_id")
@click.argument("account")
@click.option("--decline", is_flag=True, help="The holder declines the invitation.")
@pass_ctx
def link_marketing(ctx: Context, shop_id: str, account: str, decline: bool) -> None:
    """Invite ACCOUNT as a marketing account of SHOP_ID and answer in the app."""
    service = ctx.sim.service
    holder = ctx.account(account)
    invitation = service.invite_marketing_account(shop_id, holder.open_id)
    click.echo(f"invitation {invitation.invitation_id} sent to @{holder.username}", err=True)
    answered = service.answer_invitation(invitation.invitation_id, holder.open_id, accept=not decline)
    ctx.emit(answered, lambda: f"invitation {answered.invitation_id}: {answered.state.value}"
             + (f", link {answered.link_id}" if answered.link_id else ""))
