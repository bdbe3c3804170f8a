"""The ``linksim`` command line.

Every command works on the database named by ``--db`` (default ``sqlite:///linksim.db`` in the
working directory, or ``$LINKSIM_DB``). The simulated clock of the command line is kept in that
database, so ``linksim clock advance 25h`` carries over to the next command.

Exit codes: 0 done; 1 refused by a linking rule (the codes are printed); 2 bad usage or input.

The parties' step commands (``start``, ``scan``, ``unlink``, ``org create``, ...) are made from the actions
declared in :mod:`client_core.actions` (:mod:`.steps`); the others are written out in a module per concern.
"""

from __future__ import annotations

import click

from auth_server.cli.clock import clock
from auth_server.cli.context import CREATING_COMMANDS
from auth_server.cli.context import Context
from auth_server.cli.context import ReportingGroup
from auth_server.cli.demo import demo
from auth_server.cli.flows import link_marketing
from auth_server.cli.flows import link_official
from auth_server.cli.parties import app_fault
from auth_server.cli.parties import review_mode
from auth_server.cli.parties import shop_status
from auth_server.cli.parties import standing
from auth_server.cli.parties import verification_outcome
from auth_server.cli.rule_reference import rules_command
from auth_server.cli.serving import serve
from auth_server.cli.setup import codes_command
from auth_server.cli.setup import init
from auth_server.cli.setup import markets
from auth_server.cli.steps import add_step_commands
from auth_server.cli.steps import link
from auth_server.cli.views import journal
from auth_server.cli.views import links
from auth_server.cli.views import show
from auth_server.scenarios.cli import scenario
from auth_server.store import DEFAULT_URL
from mobile_stub.cli import app
from seller_client.cli import seller

__all__ = ["main"]


@click.group(cls=ReportingGroup)
@click.option("--db", envvar="LINKSIM_DB", default=DEFAULT_URL, show_default=True,
              help="Database URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
@click.version_option(package_name="tiktok-linksim")
@click.pass_context
def main(click_ctx: click.Context, db: str, as_json: bool) -> None:
    """linksim: a scriptable simulator of linking TikTok accounts to a TikTok Shop."""
    click_ctx.obj = Context(db, as_json, creates=click_ctx.invoked_subcommand in CREATING_COMMANDS)


for command in (init, serve, show, codes_command, rules_command, markets, clock, links, journal, demo,
                verification_outcome, app_fault, standing, review_mode, shop_status,
                seller, app, scenario):  # `linksim scenario run FILE...`: scenario files (docs/scenarios.md)
    main.add_command(command)
link.add_command(link_official)
link.add_command(link_marketing)
add_step_commands(main)
