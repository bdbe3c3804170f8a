"""The parties' settings that no party chooses in the app: how verification and reviews end, standing, faults."""

from __future__ import annotations

import click

from auth_server.cli.context import Context
from auth_server.cli.context import pass_ctx
from auth_server.domain.accounts import AppFault
from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.clock import parse_duration
from auth_server.domain.shops import ReviewMode
from auth_server.domain.shops import ShopStatus


@click.command(name="verification-outcome")
@click.argument("account")
@click.argument("outcome", type=click.Choice([o.value for o in VerificationOutcome]))
@click.option("--delay", help="How long verification stays pending first (e.g. 2h).")
@pass_ctx
def verification_outcome(ctx: Context, account: str, outcome: str, delay: str | None) -> None:
    """Decide how ACCOUNT's identity verification ends."""
    result = ctx.sim.service.set_verification_outcome(
        ctx.account(account).open_id, VerificationOutcome(outcome), delay=parse_duration(delay) if delay else None
    )
    ctx.emit(result, lambda: f"@{result.username}: verification will {outcome.replace('_', ' ')}")


@click.command(name="app-fault")
@click.argument("account")
@click.argument("fault", type=click.Choice([f.value for f in AppFault]))
@pass_ctx
def app_fault(ctx: Context, account: str, fault: str) -> None:
    """Make ACCOUNT's TikTok app reproduce a troubleshooting case: the QR code will not scan, or Authorize fails."""
    result = ctx.sim.service.set_app_fault(ctx.account(account).open_id, AppFault(fault))
    ctx.emit(result, lambda: f"@{result.username}: app fault {result.app_fault.value}")


@click.command()
@click.argument("account")
@click.argument("standing", type=click.Choice([s.value for s in Standing]))
@pass_ctx
def standing(ctx: Context, account: str, standing: str) -> None:
    """Set ACCOUNT's standing (good or restricted)."""
    result = ctx.sim.service.set_standing(ctx.account(account).open_id, Standing(standing))
    ctx.emit(result, lambda: f"@{result.username}: {result.standing.value}")


@click.command(name="review-mode")
@click.argument("shop_id")
@click.argument("mode", type=click.Choice([m.value for m in ReviewMode] + ["default"]))
@click.option("--delay", help="For auto and reject: how long the review takes (e.g. 2h).")
@pass_ctx
def review_mode(ctx: Context, shop_id: str, mode: str, delay: str | None) -> None:
    """Choose how SHOP_ID's reviews end: auto (after --delay), manual, reject, or the market's default."""
    shop = ctx.sim.service.set_review(shop_id, None if mode == "default" else ReviewMode(mode),
                                      parse_duration(delay) if delay else None)
    ctx.emit(shop, lambda: f"{shop.shop_id}: review {mode}" + (f" after {delay}" if delay else ""))


@click.command(name="shop-status")
@click.argument("shop_id")
@click.argument("status", type=click.Choice([s.value for s in ShopStatus]))
@pass_ctx
def shop_status(ctx: Context, shop_id: str, status: str) -> None:
    """Set SHOP_ID's status."""
    shop = ctx.sim.service.set_shop_status(shop_id, ShopStatus(status))
    ctx.emit(shop, lambda: f"{shop.shop_id}: {shop.status.value}")
