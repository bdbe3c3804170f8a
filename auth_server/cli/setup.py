"""Setting up: the database and its parties, the refusal codes, the markets' policies."""

from __future__ import annotations

from typing import Any

import click

from auth_server import fixtures
from auth_server.cli import loaded_worlds
from auth_server.cli.context import MARKETS_KEY
from auth_server.cli.context import Context
from auth_server.cli.context import pass_ctx
from auth_server.cli.context import table
from auth_server.cli.server_lease import refuse_if_served
from auth_server.domain import codes
from auth_server.domain.clock import ManualClock
from auth_server.markets import builtin_markets
from auth_server.simulator import CLOCK_SETTING
from auth_server.simulator import Simulator
from auth_server.simulator import open_store


@click.command()
@click.option("--fixtures", "source", default=fixtures.DEMO, show_default=True,
              help="A data file (YAML or JSON, see docs/fixtures.md), or 'demo' for the built-in demo data.")
@click.option("--fresh", is_flag=True, help="Drop everything in the database first.")
@pass_ctx
def init(ctx: Context, source: str, fresh: bool) -> None:
    """Create the database and load parties from a data file."""
    if fresh:
        refuse_if_served(ctx.db, "start over in")
    loaded = load(ctx.db, source, fresh=fresh)
    ctx.emit(
        {"sellers": loaded.sellers, "shops": loaded.shops, "accounts": loaded.accounts,
         "partner_apps": loaded.partner_apps, "history": loaded.history, "clock": loaded.start.isoformat()},
        f"loaded {loaded.sellers} sellers, {loaded.shops} shops, {loaded.accounts} accounts, "
        f"{loaded.partner_apps} partner apps and {loaded.history} history entries into {ctx.db}; "
        f"the clock is frozen at {loaded.start.isoformat()}",
    )


@click.command(name="codes")
@click.option("--markdown", is_flag=True, help="Print the table that the README carries.")
@pass_ctx
def codes_command(ctx: Context, markdown: bool) -> None:
    """List every refusal code with its rules and message."""
    if markdown:
        click.echo(codes.markdown_table())
        return
    entries = sorted(codes.CATALOGUE.values(), key=lambda c: c.name)
    ctx.emit([{"code": c.name, "kind": c.kind.value, "rules": list(c.rules), "message": c.message} for c in entries],
             lambda: table(["code", "kind", "rules"], [[c.name, c.kind.value, " ".join(c.rules)] for c in entries]))


@click.command()
@pass_ctx
def markets(ctx: Context) -> None:
    """Show the policy profile of every market."""
    # Without a database, the built-in profiles: a data file's own ones live in the database it was loaded into.
    known = ctx.sim.markets if ctx.database_exists() else builtin_markets()
    profiles = {name: known[name] for name in known.names()}
    ctx.emit(profiles)


def load(db: str, source: str, *, fresh: bool) -> fixtures.Loaded:
    """Load a data file into the database at ``db``, and freeze the command line's clock at its start. Into a fresh
    database file, data loaded before is copied in (:mod:`.loaded_worlds`) rather than replayed."""
    if fresh:
        copied = loaded_worlds.copy_in(db, source, load_data)
        if copied is not None:
            return copied
    return load_data(db, fixtures.read(source), fresh=fresh)


def load_data(db: str, data: dict[str, Any], *, fresh: bool = False) -> fixtures.Loaded:
    """Load validated ``data`` into the database at ``db`` through the flows; its clock frozen at the data's start."""
    store = open_store(db, fresh=fresh)
    clock = ManualClock(frozen=True)
    sim = Simulator(store, clock=clock, markets=fixtures.markets_of(data, builtin_markets()))
    loaded = fixtures.load(sim.service, data, now=clock.now())
    clock.set(loaded.start)
    with store.unit_of_work() as repo:
        repo.set_setting(CLOCK_SETTING, clock.state())
        if data.get("markets"):
            repo.set_setting(MARKETS_KEY, data["markets"])
    store.dispose()
    return loaded
