"""What every command shares: the database and clock it works on, how it prints, and its exit codes."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from auth_server import fixtures
from auth_server.domain.accounts import Account
from auth_server.domain.clock import ManualClock
from auth_server.domain.errors import Refused
from auth_server.domain.events import plain
from auth_server.markets import builtin_markets
from auth_server.simulator import CLOCK_SETTING
from auth_server.simulator import MARKETS_SETTING
from auth_server.simulator import Simulator
from auth_server.simulator import open_store
from auth_server.store import Store
from auth_server.store import StoreError
from auth_server.store import supported_url

EXIT_REFUSED = 1
EXIT_USAGE = 2
MARKETS_KEY = MARKETS_SETTING


# The commands that make a database, or fill it; every other one works on one that holds parties already.
CREATING_COMMANDS = frozenset({"init", "serve"})


class Context:
    def __init__(self, db: str, as_json: bool, *, creates: bool = True) -> None:
        self.db = db
        self.as_json = as_json
        self.creates = creates  # False: a missing or empty database is an error, not a new empty one
        self._sim: Simulator | None = None

    @property
    def sim(self) -> Simulator:
        if self._sim is None:
            if not self.creates and not self.database_exists():
                raise StoreError(f"There is no linksim database at {self._where()}. Run `linksim init` here to "
                                 "make one with the demo data (or `make run` in the project), or name the "
                                 "database your server uses with --db or LINKSIM_DB.")
            store = open_store(self.db)
            if not self.creates and _is_empty(store):
                store.dispose()
                raise StoreError(f"The database {self._where()} is empty. Load the demo data with `linksim init` "
                                 "(or a data file with `linksim init --fixtures FILE`), or name the database your "
                                 "server uses with --db or LINKSIM_DB.")
            with store.unit_of_work() as repo:
                clock_state = repo.setting(CLOCK_SETTING)
                market_data = repo.setting(MARKETS_KEY)
            clock = ManualClock.from_state(clock_state) if clock_state else ManualClock(frozen=False)
            markets = builtin_markets()
            if market_data:
                markets = fixtures.markets_of({"markets": market_data}, markets)
            self._sim = Simulator(store, clock=clock, markets=markets, keeps_clock=True)
        return self._sim

    def database_exists(self) -> bool:
        """False only for a SQLite file that is not there (a server's database is assumed to be)."""
        url = supported_url(self.db)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return True
        return os.path.exists(url.database)

    def _where(self) -> str:
        url = supported_url(self.db)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return os.path.abspath(url.database)
        return url.render_as_string(hide_password=True)

    @property
    def clock(self) -> ManualClock:
        clock = self.sim.clock
        assert isinstance(clock, ManualClock)
        return clock

    def save_clock(self) -> None:
        self.sim.save_clock()

    def account(self, name: str) -> Account:
        """An account by @username, username or open id."""
        service = self.sim.service
        try:
            return service.get_account_by_username(name)
        except Refused:
            return service.get_account(name)

    def emit(self, value: Any, text: Callable[[], str] | str | None = None) -> None:
        if self.as_json:
            click.echo(json.dumps(plain(value), indent=2, sort_keys=True))
        elif callable(text):
            click.echo(text())
        elif text is not None:
            click.echo(text)
        else:
            click.echo(pretty(value))


def _is_empty(store: Store) -> bool:
    with store.unit_of_work() as repo:
        return not repo.shops() and not repo.accounts()


pass_ctx = click.make_pass_decorator(Context)


@contextmanager
def reported(click_ctx: click.Context) -> Iterator[None]:
    """Turn refusals and bad input into a clear message and an exit code, never a traceback."""
    try:
        yield
    except Refused as refusal:
        if click_ctx.obj is not None and click_ctx.obj.as_json:
            click.echo(json.dumps({"refused": refusal.as_dict()}, indent=2))
        else:
            click.secho("refused:", fg="red", bold=True, err=True)
            for violation in refusal.violations:
                rules = f" [{', '.join(violation.rules)}]" if violation.rules else ""
                click.echo(f"  {violation.code}{rules}: {violation.message}", err=True)
        sys.exit(EXIT_REFUSED)
    except (fixtures.FixtureError, StoreError, ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        click.secho(f"error: {message}", fg="red", err=True)
        sys.exit(EXIT_USAGE)


class ReportingGroup(click.Group):
    """A group whose commands end in an exit code and a message, never a traceback. ``--db`` may come after the
    command too (``linksim init --db sqlite:///x.db``): it is the group's option, wherever it is written."""

    def invoke(self, ctx: click.Context) -> Any:
        with reported(ctx):
            return super().invoke(ctx)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_db(args))


def hoist_db(args: list[str]) -> list[str]:
    """``args`` with every ``--db URL`` (or ``--db=URL``) written after the command moved before it."""
    start = 0
    while start < len(args) and args[start].startswith("-"):
        start += 2 if args[start] == "--db" else 1
    moved: list[str] = []
    rest: list[str] = []
    index = start
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        if arg == "--db" and index + 1 < len(args):
            moved += args[index:index + 2]
            index += 2
            continue
        (moved if arg.startswith("--db=") else rest).append(arg)
        index += 1
    return args[:start] + moved + rest


# --- output ----------------------------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return "  (none)"
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join("  " + line for line in lines)


def pretty(value: Any) -> str:
    return json.dumps(plain(value), indent=2, sort_keys=True)
