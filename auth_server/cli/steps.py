"""The parties' step commands: each declared action (:mod:`client_core.actions`) run on the domain service.

A run gets the action's parameters as a scenario names them (``shop``, ``link``, ``account``; ``as`` for the
holder whose app acts) and prints the answer; its command is made from the declaration
(:func:`client_core.commands.command_of`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from auth_server.cli.context import Context
from auth_server.cli.context import table
from client_core.actions import ACTIONS
from client_core.actions import HOLDER
from client_core.actions import Action
from client_core.actions import Actor
from client_core.actions import call_by_convention
from client_core.commands import add_at
from client_core.commands import command_of as click_command_of
from client_core.commands import text_of

Run = Callable[[Context, dict[str, Any]], None]  # carries out an action on the service and prints its answer
RUNS: dict[tuple[Actor, str], Run] = {}


@click.group()
def link() -> None:
    """Link an account to a shop, running the whole flow (or stopping where you say)."""


@click.group()
def org() -> None:
    """Organization accounts: create, members, one-time passcodes."""


@click.group()
def affiliate() -> None:
    """Affiliate creators and showcases."""


@click.group()
def live() -> None:
    """LIVE sessions."""


GROUPS = {group.name: group for group in (link, org, affiliate, live)}


def command_of(action: Action, run: Run) -> click.Command:
    """The command the declaration describes, carrying out ``run``."""
    if action.command is None:
        raise ValueError(f"the command line offers no {action.actor} action {action.name!r}")
    return click_command_of(action.command, run, Context)


def add_step_commands(main: click.Group) -> None:
    """Every declared action the command line offers, as its command (in a group for a two-word path)."""
    for group_command in GROUPS.values():
        main.add_command(group_command)
    for key, action in ACTIONS.items():
        if action.command is not None:
            add_at(main, action.command, command_of(action, RUNS[key]))


def _runs(actor: Actor, name: str) -> Callable[[Run], Run]:
    """Bind a declared action of the actor to its run on the service."""
    if (actor, name) not in ACTIONS:
        raise KeyError(f"client_core.actions declares no action {name!r} of the {actor}")

    def register(run: Run) -> Run:
        RUNS[actor, name] = run
        return run

    return register


def default_run(action: Action) -> Run:
    """The service's method on the action's parameters (the holder's open id first, for the app); the answer
    printed as JSON with ``--json``, else as its command's ``text`` says (or as the command line shows any value)."""

    def run(ctx: Context, p: dict[str, Any]) -> None:
        method = getattr(ctx.sim.service, action.service_method)
        leading = [_holder(ctx, p)] if action.actor == "app" else []
        result = call_by_convention(action, method, p, lambda name: ctx.account(name).open_id, *leading)
        form = action.command
        ctx.emit(result, None if form is None or form.text is None else lambda: text_of(form, result))

    return run


def _holder(ctx: Context, p: dict[str, Any]) -> str:
    return ctx.account(p[HOLDER]).open_id


# --- the seller ----------------------------------------------------------------------------------------------------


@_runs("seller", "start_official_link")
def _start_official_link(ctx: Context, p: dict[str, Any]) -> None:
    service = ctx.sim.service
    if p["via"] == "qr":
        result = service.start_official_link(p["shop"], link_id=p.get("link_id"))
    else:
        if not p.get("username"):
            raise click.UsageError("--via app needs --account: the username the seller types")
        result = service.request_app_consent(p["shop"], ctx.account(p["username"]).username,
                                             link_id=p.get("link_id"))
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value} until {result.consent_expires_at}")




@_runs("seller", "create_organization_account")
def _create_organization_account(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.create_organization_account(p["shop"], username=p["username"], email=p.get("email"),
                                                         phone=p.get("phone"), members=p.get("members", []))
    ctx.emit(result, lambda: f"organization account {result.open_id} created; link {result.link_id}: "
                             f"{result.state.value}")





@_runs("seller", "search_accounts")
def _search_accounts(ctx: Context, p: dict[str, Any]) -> None:
    found = ctx.sim.service.search_accounts(p["query"])
    ctx.emit(found, lambda: table(["username", "nickname", "open id", "region"],
                                  [[f"@{a.username}", a.nickname, a.open_id, a.region] for a in found]))




@_runs("seller", "remove_org_member")
def _remove_org_member(ctx: Context, p: dict[str, Any]) -> None:
    ctx.sim.service.remove_org_member(ctx.account(p["account"]).open_id, p["contact"])
    ctx.emit({"removed": p["contact"]}, f"{p['contact']} removed")



# --- the app on a holder's phone -----------------------------------------------------------------------------------


@_runs("app", "sign_in")
def _sign_in(ctx: Context, p: dict[str, Any]) -> None:
    account = ctx.sim.service.sign_in(p["username"], p["password"])
    ctx.emit(account, f"signed in as @{account.username}")


@_runs("app", "request_passcode")
def _request_passcode(ctx: Context, p: dict[str, Any]) -> None:
    code = ctx.sim.service.request_passcode(ctx.account(p["username"]).username, p["contact"])
    ctx.emit({"passcode": code}, f"passcode sent to {p['contact']}: {code}")


@_runs("app", "sign_in_with_passcode")
def _sign_in_with_passcode(ctx: Context, p: dict[str, Any]) -> None:
    found = ctx.sim.service.sign_in_with_passcode(ctx.account(p["username"]).username, p["contact"], p["passcode"])
    ctx.emit(found, f"{p['contact']} signed in to @{found.username}")


@_runs("app", "scan")
def _scan(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.scan(p["link"], _holder(ctx, p))
    ctx.emit(result, lambda: f"link {result.link_id}: scanned; the app shows the consent screen")


@_runs("app", "consent")
def _consent(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.give_consent(p["link"], _holder(ctx, p), authorize=p.get("authorize", True),
                                          permissions=p.get("permissions"))
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}"
             + (f" ({', '.join(result.refusal_codes)})" if result.refusal_codes else ""))


@_runs("app", "answer_invitation")
def _answer_invitation(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.answer_invitation(p["invitation"], _holder(ctx, p), accept=p["accept"])
    ctx.emit(result, lambda: f"invitation {result.invitation_id}: {result.state.value}")


@_runs("app", "answer_affiliate_invitation")
def _answer_affiliate_invitation(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.answer_affiliate_invitation(p["invitation"], _holder(ctx, p), accept=p["accept"])
    ctx.emit(result, lambda: f"affiliate invitation {result.invitation_id}: {result.state.value}")







@_runs("app", "start_live")
def _start_live(ctx: Context, p: dict[str, Any]) -> None:
    mirrored = ctx.account(p["mirror_of"]).open_id if p.get("mirror_of") else None
    session = ctx.sim.service.start_live(_holder(ctx, p), mirror_of=mirrored)
    ctx.emit(session, f"LIVE since {session.started_at.isoformat()}")


@_runs("app", "end_live")
def _end_live(ctx: Context, p: dict[str, Any]) -> None:
    ctx.sim.service.end_live(_holder(ctx, p))
    ctx.emit({"ended": True}, "LIVE ended")


RUNS.update({key: default_run(action) for key, action in ACTIONS.items()
             if action.command is not None and key not in RUNS})
