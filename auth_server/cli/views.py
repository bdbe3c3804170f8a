"""What the world looks like: the parties and their states, every link, the journal of events."""

from __future__ import annotations

import json

import click

from auth_server.cli.context import Context
from auth_server.cli.context import pass_ctx
from auth_server.cli.context import table
from auth_server.domain.events import plain


@click.command()
@pass_ctx
def show(ctx: Context) -> None:
    """Print the parties and their states: shops, accounts, links and the clock."""
    service = ctx.sim.service
    shops = service.shops()
    accounts = service.accounts()
    views = {shop.shop_id: service.linked_accounts(shop.shop_id) for shop in shops}
    usernames = {a.open_id: a.username for a in accounts}
    value = {"clock": ctx.clock.now().isoformat(), "shops": shops, "accounts": accounts, "linked": views}

    def text() -> str:
        shop_rows = []
        for shop in shops:
            view = views[shop.shop_id]
            # The simulator's own view names every account, even one the seller cannot see yet (in review, E4).
            official = (f"@{usernames.get(view['official']['open_id'], '?')} ({view['official']['state']})"
                        if view["official"] else "-")
            marketing = ", ".join(f"@{usernames.get(m['open_id'], '?')}" for m in view["marketing"]) or "-"
            probation = " (probation)" if shop.in_probation(ctx.clock.now()) else ""
            shop_rows.append([shop.shop_id, shop.name, shop.region, shop.market, shop.status.value + probation,
                              official, marketing])
        account_rows = [
            [f"@{a.username}", a.open_id, a.region, a.account_type.value, a.verification.value, a.standing.value,
             a.age_on(ctx.clock.now().date()) if a.birth_date else "-"]
            for a in accounts
        ]
        held = [link for link in service.links() if link.state.holds_slot]
        link_rows = [[link.link_id, link.shop_id, f"@{usernames.get(link.open_id or '', '?')}", link.role.value,
                      link.state.value, plain(link.activated_at) or "-"] for link in held]
        return "\n\n".join([
            f"clock: {ctx.clock.now().isoformat()} ({'frozen' if ctx.clock.frozen else 'running'})",
            "shops\n" + table(["shop", "name", "region", "market", "status", "official", "marketing"], shop_rows),
            "accounts\n" + table(["username", "open id", "region", "type", "verification", "standing", "age"],
                                 account_rows),
            "links holding a slot\n" + table(["link", "shop", "account", "role", "state", "since"], link_rows),
        ])

    ctx.emit(value, text)


@click.command()
@click.option("--shop", "shop_id", help="Only this shop's links.")
@click.option("--account", help="Only this account's links.")
@pass_ctx
def links(ctx: Context, shop_id: str | None, account: str | None) -> None:
    """Every link, in every state."""
    open_id = ctx.account(account).open_id if account else None
    found = ctx.sim.service.links(shop_id=shop_id, open_id=open_id)
    ctx.emit(found, lambda: table(
        ["link", "shop", "account", "role", "channel", "state", "codes"],
        [[x.link_id, x.shop_id, x.open_id or "-", x.role.value, x.channel.value, x.state.value,
          ",".join(x.refusal_codes) or "-"] for x in found]))


@click.command()
@click.option("--subject", help="Only events about this subject, as TYPE:ID (link:lnk_..., account:oid_...).")
@click.option("--last", type=click.IntRange(min=1), default=30, show_default=True,
              help="How many of the latest events.")
@pass_ctx
def journal(ctx: Context, subject: str | None, last: int) -> None:
    """The journal of events: side effects, transitions, decisions."""
    subject_type, _, subject_id = (subject or "").partition(":")
    events = ctx.sim.service.journal(subject_type=subject_type or None, subject_id=subject_id or None)[-last:]
    ctx.emit([e.as_dict() for e in events], lambda: table(
        ["seq", "at", "actor", "kind", "subject", "changes"],
        [[e.seq, e.at.isoformat(), e.actor, e.kind, f"{e.subject_type}:{e.subject_id}",
          json.dumps(e.changes or e.data)[:70]] for e in events],
    ))
