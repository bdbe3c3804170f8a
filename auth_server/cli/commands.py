"""The ``linksim`` group and its commands (:mod:`auth_server.cli` says what the command line is)."""

from __future__ import annotations

import importlib
from typing import Any

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
from auth_server.cli.serving import serve
from auth_server.cli.setup import codes_command
from auth_server.cli.setup import init
from auth_server.cli.setup import markets
from auth_server.cli.steps import add_step_commands
from auth_server.cli.steps import link
from auth_server.cli.views import journal
from auth_server.cli.views import links
from auth_server.cli.views import show
from auth_server.store import DEFAULT_URL

__all__ = ["main"]


# Commands whose modules are imported when they run (or when --help lists them), not by every command: the scenario
# runner and the two clients bring jsonschema, requests, Pillow and zxing, which `linksim serve` has no use for.
LAZY_COMMANDS = {
    "rules": "auth_server.cli.rule_reference:rules_command",
    "scenario": "auth_server.scenarios.cli:scenario",  # `linksim scenario run FILE...` (docs/scenarios.md)
    "seller": "seller_client.cli:seller",
    "app": "mobile_stub.cli:app",
}


class LinksimGroup(ReportingGroup):
    """The ``linksim`` group: :data:`LAZY_COMMANDS` are imported the first time they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, name = LAZY_COMMANDS[cmd_name].split(":")
            command: Any = getattr(importlib.import_module(module), name)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LinksimGroup)
@click.option("--db", envvar="LINKSIM_DB", default=DEFAULT_URL, show_default=True,
              help="Database URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
@click.version_option(package_name="tiktok-linksim")
@click.pass_context
def main(click_ctx: click.Context, db: str, as_json: bool) -> None:
    """linksim: a scriptable simulator of linking TikTok accounts to a TikTok Shop."""
    click_ctx.obj = Context(db, as_json, creates=click_ctx.invoked_subcommand in CREATING_COMMANDS)


for command in (init, serve, show, codes_command, markets, clock, links, journal, demo,
                verification_outcome, app_fault, standing, review_mode, shop_status):
    main.add_command(command)
link.add_command(link_official)
link.add_command(link_marketing)
add_step_commands(main)
