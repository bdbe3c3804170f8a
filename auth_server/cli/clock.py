"""``linksim clock ...``: the command line's simulated clock, kept in the database between commands."""

from __future__ import annotations

import click

from auth_server.cli.context import Context
from auth_server.cli.context import pass_ctx
from auth_server.domain.clock import parse_duration
from auth_server.domain.clock import parse_time


@click.group()
def clock() -> None:
    """Read and move the simulated clock."""


@clock.command(name="show")
@pass_ctx
def clock_show(ctx: Context) -> None:
    ctx.emit({"now": ctx.clock.now().isoformat(), "frozen": ctx.clock.frozen})


@clock.command()
@click.argument("duration")
@pass_ctx
def advance(ctx: Context, duration: str) -> None:
    """Move the clock forward by DURATION (25h, 181d, 1d2h30m)."""
    now = ctx.clock.advance(parse_duration(duration))
    ctx.save_clock()
    ctx.sim.service.settle()
    ctx.emit({"now": now.isoformat()}, f"clock: {now.isoformat()}")


@clock.command(name="set")
@click.argument("when")
@pass_ctx
def clock_set(ctx: Context, when: str) -> None:
    """Set the clock to WHEN (ISO 8601)."""
    now = ctx.clock.set(parse_time(when))
    ctx.save_clock()
    ctx.emit({"now": now.isoformat()}, f"clock: {now.isoformat()}")


@clock.command()
@pass_ctx
def freeze(ctx: Context) -> None:
    """Stop the clock where it is."""
    now = ctx.clock.freeze()
    ctx.save_clock()
    ctx.emit({"now": now.isoformat(), "frozen": True}, f"clock frozen at {now.isoformat()}")


@clock.command(name="run")
@pass_ctx
def clock_run(ctx: Context) -> None:
    """Let the clock run with the wall clock again, from where it is."""
    now = ctx.clock.unfreeze()
    ctx.save_clock()
    ctx.emit({"now": now.isoformat(), "frozen": False}, f"clock running from {now.isoformat()}")
