"""The parties' step commands: each declared action (:mod:`auth_server.actions`) run on the domain service.

A run gets the action's parameters as a scenario names them (``shop``, ``link``, ``account``; ``as`` for the
holder whose app acts) and prints the answer; :mod:`.generate` makes its command from the declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from auth_server.actions import ACTIONS
from auth_server.actions import HOLDER
from auth_server.actions import Actor
from auth_server.cli.context import Context
from auth_server.cli.context import table
from auth_server.cli.generate import Run
from auth_server.cli.generate import command_of

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


def add_step_commands(main: click.Group) -> None:
    """Every declared action the command line offers, as its command (in a group for a two-word path)."""
    for key, action in ACTIONS.items():
        if action.command is None:
            continue
        *group, _ = action.command.path
        parent = GROUPS[group[0]] if group else main
        parent.add_command(command_of(action, RUNS[key]))
    for group_command in GROUPS.values():
        main.add_command(group_command)


def _runs(actor: Actor, name: str) -> Callable[[Run], Run]:
    """Bind a declared action of the actor to its run on the service."""
    if (actor, name) not in ACTIONS:
        raise KeyError(f"auth_server.actions declares no action {name!r} of the {actor}")

    def register(run: Run) -> Run:
        RUNS[actor, name] = run
        return run

    return register


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


@_runs("seller", "accept_terms")
def _accept_terms(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.accept_terms(p["link"], accepted=p.get("accepted", True))
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}")


@_runs("seller", "decide_review")
def _decide_review(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.decide_review(p["link"], approve=p["approve"])
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}")


@_runs("seller", "create_organization_account")
def _create_organization_account(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.create_organization_account(p["shop"], username=p["username"], email=p.get("email"),
                                                         phone=p.get("phone"), members=p.get("members", []))
    ctx.emit(result, lambda: f"organization account {result.open_id} created; link {result.link_id}: "
                             f"{result.state.value}")


@_runs("seller", "linked_accounts")
def _linked_accounts(ctx: Context, p: dict[str, Any]) -> None:
    ctx.emit(ctx.sim.service.linked_accounts(p["shop"]))


@_runs("seller", "unlink")
def _unlink(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.unlink(p["shop"], ctx.account(p["account"]).open_id)
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}")


@_runs("seller", "rename_shop")
def _rename_shop(ctx: Context, p: dict[str, Any]) -> None:
    shop = ctx.sim.service.rename_shop(p["shop"], p["name"])
    ctx.emit(shop, lambda: f"{shop.shop_id} is now {shop.name!r}")


@_runs("seller", "search_accounts")
def _search_accounts(ctx: Context, p: dict[str, Any]) -> None:
    found = ctx.sim.service.search_accounts(p["query"])
    ctx.emit(found, lambda: table(["username", "nickname", "open id", "region"],
                                  [[f"@{a.username}", a.nickname, a.open_id, a.region] for a in found]))


@_runs("seller", "invite_marketing_account")
def _invite_marketing_account(ctx: Context, p: dict[str, Any]) -> None:
    invitation = ctx.sim.service.invite_marketing_account(p["shop"], ctx.account(p["account"]).open_id,
                                                          invitation_id=p.get("invitation_id"))
    ctx.emit(invitation, lambda: f"invitation {invitation.invitation_id} sent; expires {invitation.expires_at}")


@_runs("seller", "link_organization_account")
def _link_organization_account(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.link_organization_account(p["shop"], ctx.account(p["account"]).open_id)
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}")


@_runs("seller", "remove_org_member")
def _remove_org_member(ctx: Context, p: dict[str, Any]) -> None:
    ctx.sim.service.remove_org_member(ctx.account(p["account"]).open_id, p["contact"])
    ctx.emit({"removed": p["contact"]}, f"{p['contact']} removed")


@_runs("seller", "invite_affiliate")
def _invite_affiliate(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.invite_affiliate(p["shop"], ctx.account(p["account"]).open_id, p["commission_rate"],
                                              invitation_id=p.get("invitation_id"))
    ctx.emit(result, lambda: f"affiliate invitation {result.invitation_id} sent")


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


@_runs("app", "start_verification")
def _start_verification(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.start_verification(_holder(ctx, p))
    ctx.emit(result, lambda: f"@{result.username}: {result.verification.value}")


@_runs("app", "profile")
def _profile(ctx: Context, p: dict[str, Any]) -> None:
    ctx.emit(ctx.sim.service.profile(_holder(ctx, p)))


@_runs("app", "rename")
def _rename(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.rename_account(_holder(ctx, p), nickname=p.get("nickname"), username=p.get("username"))
    ctx.emit(result, lambda: f"@{result.username} ({result.nickname})")


@_runs("app", "affiliate_sign_up")
def _affiliate_sign_up(ctx: Context, p: dict[str, Any]) -> None:
    result = ctx.sim.service.sign_up_affiliate(_holder(ctx, p))
    ctx.emit(result, f"@{result.username} signed up at the Affiliate Center")


@_runs("app", "add_to_showcase")
def _add_to_showcase(ctx: Context, p: dict[str, Any]) -> None:
    item = ctx.sim.service.add_to_showcase(_holder(ctx, p), p["product"])
    ctx.emit(item, lambda: f"{item.product_id} in the showcase ({item.source.value})")


@_runs("app", "start_live")
def _start_live(ctx: Context, p: dict[str, Any]) -> None:
    mirrored = ctx.account(p["mirror_of"]).open_id if p.get("mirror_of") else None
    session = ctx.sim.service.start_live(_holder(ctx, p), mirror_of=mirrored)
    ctx.emit(session, f"LIVE since {session.started_at.isoformat()}")


@_runs("app", "end_live")
def _end_live(ctx: Context, p: dict[str, Any]) -> None:
    ctx.sim.service.end_live(_holder(ctx, p))
    ctx.emit({"ended": True}, "LIVE ended")
