"""``linksim demo``: every flow of the linking rules over HTTP, each outcome checked."""

from __future__ import annotations

import sys

import click

from auth_server.cli.context import EXIT_REFUSED
from auth_server.cli.context import Context
from auth_server.cli.context import pass_ctx


@click.command()
@click.option("--url", help="A running linksim server (each case runs in a sandbox of its own there, and the "
                            "server's own data is left alone); by default the demo starts a server of its own.")
@click.option("--control-token", envvar="LINKSIM_CONTROL_TOKEN",
              help="The server's control token, if it was started with one (it makes the sandboxes).")
@pass_ctx
def demo(ctx: Context, url: str | None, control_token: str | None) -> None:
    """Run every flow of the linking rules over HTTP, as a seller and as phones, and check every outcome."""
    from linksim import demo as walkthrough

    def say(line: str) -> None:
        if not ctx.as_json:
            click.echo(line, err=True)

    if url:
        outcomes = walkthrough.run(url, say, control_token=control_token)
    else:
        with walkthrough.in_process_server() as own_url:
            say(f"a linksim server of the demo's own is listening on {own_url}")
            outcomes = walkthrough.run(own_url, say)
    ctx.emit([{"case": o.case.name, "rules": o.case.rules, "expected": o.case.expected, "actual": o.actual,
               "matches": o.matches, "detail": o.detail} for o in outcomes], lambda: walkthrough.summary(outcomes))
    if not all(o.matches for o in outcomes):
        sys.exit(EXIT_REFUSED)
