"""The ``linksim`` command line.

Every command works on the database named by ``--db`` (default ``sqlite:///linksim.db`` in the
working directory, or ``$LINKSIM_DB``). The simulated clock of the command line is kept in that
database, so ``linksim clock advance 25h`` carries over to the next command.

Exit codes: 0 done; 1 refused by a linking rule (the codes are printed); 2 bad usage or input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from auth_server import fixtures
from auth_server.domain import codes
from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AppFault
from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.clock import ManualClock
from auth_server.domain.clock import parse_duration
from auth_server.domain.clock import parse_time
from auth_server.domain.errors import Refused
from auth_server.domain.errors import Violation
from auth_server.domain.journal import plain
from auth_server.domain.shops import ReviewMode
from auth_server.domain.shops import ShopStatus
from auth_server.simulator import Simulator
from auth_server.simulator import builtin_markets
from auth_server.store import DEFAULT_URL
from auth_server.store import Store
from auth_server.store import StoreError

EXIT_REFUSED = 1
EXIT_USAGE = 2
_CLOCK_KEY = "cli_clock"
_MARKETS_KEY = "markets"


class Context:
    def __init__(self, db: str, as_json: bool) -> None:
        self.db = db
        self.as_json = as_json
        self._sim: Simulator | None = None

    @property
    def sim(self) -> Simulator:
        if self._sim is None:
            store = Store(self.db)
            store.create_schema()
            with store.unit_of_work() as repo:
                clock_state = repo.setting(_CLOCK_KEY)
                market_data = repo.setting(_MARKETS_KEY)
            clock = ManualClock.from_state(clock_state) if clock_state else ManualClock(frozen=False)
            markets = builtin_markets()
            if market_data:
                markets = fixtures.markets_of({"markets": market_data}, markets)
            self._sim = Simulator(store, clock=clock, markets=markets)
        return self._sim

    @property
    def clock(self) -> ManualClock:
        clock = self.sim.clock
        assert isinstance(clock, ManualClock)
        return clock

    def save_clock(self) -> None:
        with self.sim.store.unit_of_work() as repo:
            repo.set_setting(_CLOCK_KEY, self.clock.state())

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
            click.echo(_pretty(value))


pass_ctx = click.make_pass_decorator(Context)


@contextmanager
def _reported(click_ctx: click.Context) -> Iterator[None]:
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


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        with _reported(ctx):
            return super().invoke(ctx)


@click.group(cls=_Group)
@click.option("--db", envvar="LINKSIM_DB", default=DEFAULT_URL, show_default=True,
              help="Database URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
@click.version_option(package_name="linksim")
@click.pass_context
def main(click_ctx: click.Context, db: str, as_json: bool) -> None:
    """linksim: a scriptable simulator of linking TikTok accounts to a TikTok Shop."""
    click_ctx.obj = Context(db, as_json)


# --- setting up ----------------------------------------------------------------------------------------------


@main.command()
@click.option("--fixtures", "source", default=fixtures.DEMO, show_default=True,
              help="A data file (YAML or JSON, see docs/fixtures.md), or 'demo' for the built-in demo data.")
@click.option("--fresh", is_flag=True, help="Drop everything in the database first.")
@pass_ctx
def init(ctx: Context, source: str, fresh: bool) -> None:
    """Create the database and load parties from a data file."""
    loaded = _load(ctx.db, source, fresh=fresh)
    ctx.emit(
        {"sellers": loaded.sellers, "shops": loaded.shops, "accounts": loaded.accounts,
         "partner_apps": loaded.partner_apps, "history": loaded.history, "clock": loaded.start.isoformat()},
        f"loaded {loaded.sellers} sellers, {loaded.shops} shops, {loaded.accounts} accounts, "
        f"{loaded.partner_apps} partner apps and {loaded.history} history entries into {ctx.db}; "
        f"the clock is frozen at {loaded.start.isoformat()}",
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.option("--fixtures", "source", help="Load this data file (or 'demo') into a fresh database first.")
@click.option("--oauth-error-status", default=200, show_default=True, type=click.IntRange(200, 599),
              help="The HTTP status of OAuth errors on TikTok's paths (TikTok answers them with 200).")
@click.option("--access-token-lifetime", default="24h", show_default=True,
              help="TikTok's documents say 24h, and 2h in their 2026 revision.")
@click.option("--refresh-token-lifetime", default="365d", show_default=True,
              help="TikTok's documents say 365d, and 180d in their 2026 revision.")
@click.option("--control-token", envvar="LINKSIM_CONTROL_TOKEN",
              help="Open the /_sim controls to callers on other machines that send this token (16+ characters) "
                   "as a bearer token. Without it they answer loopback callers only.")
@click.option("--max-sandboxes", default=1000, show_default=True, type=click.IntRange(0),
              help="How many sandboxes (POST /_sim/sandboxes) the server holds at once.")
@click.option("--journal-file", type=click.Path(dir_okay=False),
              help="Also append the request journal (GET /_sim/journal) to this JSON-lines file, every world's.")
@click.option("--journal-max-bytes", default=10 * 1024 * 1024, show_default=True, type=click.IntRange(1024),
              help="Rotate the journal file at this size, keeping 3 old files (FILE.1 to FILE.3).")
@pass_ctx
def serve(ctx: Context, host: str, port: int, source: str | None, oauth_error_status: int,
          access_token_lifetime: str, refresh_token_lifetime: str, control_token: str | None,
          max_sandboxes: int, journal_file: str | None, journal_max_bytes: int) -> None:
    """Serve the mock TikTok identity provider: Login Kit v2, and the app's screens in a browser."""
    import os

    from werkzeug.serving import make_server

    from auth_server.app import create_app
    from auth_server.config import ServerConfig

    try:
        config = ServerConfig(oauth_error_status=oauth_error_status,
                              access_token_lifetime=parse_duration(access_token_lifetime),
                              refresh_token_lifetime=parse_duration(refresh_token_lifetime),
                              control_token=control_token, max_sandboxes=max_sandboxes,
                              journal_file=journal_file, journal_file_bytes=journal_max_bytes)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    if source:
        _load(ctx.db, source, fresh=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # a simulator on plain http, on purpose
    ctx.clock.unfreeze()  # the server's time runs on from the database's clock
    app = create_app(ctx.sim, config)
    server = make_server(host, port, app, threaded=True)  # a port in use: werkzeug says so and exits
    base = f"http://{host if ':' not in host else f'[{host}]'}:{server.server_port}"
    with ctx.sim.store.unit_of_work() as repo:
        apps = [(a.client_key, a.redirect_uris) for a in repo.partner_apps()]
    click.echo(f"linksim is serving on {base} (database {ctx.db}; clock {ctx.clock.now().isoformat()})")
    click.echo(f"  sign in to the app:  {base}/app/sign-in")
    click.echo(f"  authorize:           {base}/v2/auth/authorize/")
    click.echo(f"  token:               {base}/v2/oauth/token/   (plain OAuth: {base}/oauth/token)")
    click.echo(f"  user info:           {base}/v2/user/info/")
    click.echo(f"  metadata:            {base}/.well-known/oauth-authorization-server")
    who = "callers with the control token" if control_token else "loopback callers only"
    click.echo(f"  controls:            {base}/_sim/clock, {base}/_sim/sandboxes ({who})")
    also = f" (and the file {journal_file})" if journal_file else ""
    click.echo(f"  journal:             {base}/_sim/journal{also}")
    for client_key, redirect_uris in apps:
        secret = " client_secret linksim_demo_secret" if client_key == "linksim_demo_key" else ""
        click.echo(f"  partner app:         client_key {client_key}{secret}; redirect {', '.join(redirect_uris)}")
    if source == fixtures.DEMO:
        click.echo("  demo accounts:       every username of `linksim show`, password linksim-demo (try maya)")
    click.echo("Press Ctrl+C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command()
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
            official = f"@{view['official']['username']} ({view['official']['state']})" if view["official"] else "-"
            marketing = ", ".join(f"@{m['username']}" for m in view["marketing"]) or "-"
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
            "shops\n" + _table(["shop", "name", "region", "market", "status", "official", "marketing"], shop_rows),
            "accounts\n" + _table(["username", "open id", "region", "type", "verification", "standing", "age"],
                                  account_rows),
            "links holding a slot\n" + _table(["link", "shop", "account", "role", "state", "since"], link_rows),
        ])

    ctx.emit(value, text)


@main.command(name="codes")
@click.option("--markdown", is_flag=True, help="Print the table that the README carries.")
@pass_ctx
def codes_command(ctx: Context, markdown: bool) -> None:
    """List every refusal code with its rules and message."""
    if markdown:
        click.echo(codes.markdown_table())
        return
    entries = sorted(codes.CATALOGUE.values(), key=lambda c: c.name)
    ctx.emit([{"code": c.name, "kind": c.kind.value, "rules": list(c.rules), "message": c.message} for c in entries],
             lambda: _table(["code", "kind", "rules"], [[c.name, c.kind.value, " ".join(c.rules)] for c in entries]))


@main.command()
@pass_ctx
def markets(ctx: Context) -> None:
    """Show the policy profile of every market."""
    profiles = {name: ctx.sim.markets[name] for name in ctx.sim.markets.names()}
    ctx.emit(profiles)


def _load(db: str, source: str, *, fresh: bool) -> fixtures.Loaded:
    """Load a data file into the database at ``db``, and freeze the command line's clock at its start."""
    data = fixtures.read(source)
    store = Store(db)
    if fresh:
        store.reset()
    else:
        store.create_schema()
    clock = ManualClock(frozen=True)
    sim = Simulator(store, clock=clock, markets=fixtures.markets_of(data, builtin_markets()))
    loaded = fixtures.load(sim.service, data, now=clock.now())
    clock.set(loaded.start)
    with store.unit_of_work() as repo:
        repo.set_setting(_CLOCK_KEY, clock.state())
        if data.get("markets"):
            repo.set_setting(_MARKETS_KEY, data["markets"])
    store.dispose()
    return loaded


# --- the clock -------------------------------------------------------------------------------------------------


@main.group()
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


# --- linking ---------------------------------------------------------------------------------------------------


@main.group()
def link() -> None:
    """Link an account to a shop, running the whole flow (or stopping where you say)."""


@link.command(name="official")
@click.argument("shop_id")
@click.argument("account")
@click.option("--via", type=click.Choice(["qr", "app"]), default="qr", show_default=True,
              help="qr: Seller Center web (scan, Authorize); app: Seller app (permission toggles).")
@click.option("--deny", is_flag=True, help="The holder taps Cancel instead of Authorize.")
@click.option("--permission", "permissions", multiple=True,
              help="With --via app: a toggle the holder turns on (repeat; default: all).")
@click.option("--answered-by", help="With --via app: the account that answers the request (default: ACCOUNT).")
@click.option("--decline-terms", is_flag=True, help="The seller does not accept the terms.")
@pass_ctx
def link_official(ctx: Context, shop_id: str, account: str, via: str, deny: bool, permissions: tuple[str, ...],
                  answered_by: str | None, decline_terms: bool) -> None:
    """Link ACCOUNT as the official account of SHOP_ID."""
    service = ctx.sim.service
    holder = ctx.account(account)
    if via == "qr":
        started = service.start_official_link(shop_id)
        click.echo(f"QR code shown for {shop_id} (link {started.link_id}); @{holder.username} scans it", err=True)
        service.scan(started.link_id, holder.open_id)
        granted = None
    else:
        started = service.request_app_consent(shop_id, holder.username)
        click.echo(f"request sent to @{holder.username} in the TikTok app (link {started.link_id})", err=True)
        granted = list(permissions) if permissions else None
    responder = ctx.account(answered_by) if answered_by else holder
    consented = service.give_consent(started.link_id, responder.open_id, authorize=not deny, permissions=granted)
    if consented.refusal_codes:
        raise Refused([Violation.of(code) for code in consented.refusal_codes])
    click.echo(f"@{responder.username} authorized", err=True)
    result = service.accept_terms(started.link_id, accepted=not decline_terms)
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}")


@link.command(name="marketing")
@click.argument("shop_id")
@click.argument("account")
@click.option("--decline", is_flag=True, help="The holder declines the invitation.")
@pass_ctx
def link_marketing(ctx: Context, shop_id: str, account: str, decline: bool) -> None:
    """Invite ACCOUNT as a marketing account of SHOP_ID and answer in the app."""
    service = ctx.sim.service
    holder = ctx.account(account)
    invitation = service.invite_marketing_account(shop_id, holder.open_id)
    click.echo(f"invitation {invitation.invitation_id} sent to @{holder.username}", err=True)
    answered = service.answer_invitation(invitation.invitation_id, holder.open_id, accept=not decline)
    ctx.emit(answered, lambda: f"invitation {answered.invitation_id}: {answered.state.value}"
             + (f", link {answered.link_id}" if answered.link_id else ""))


@link.command(name="organization")
@click.argument("shop_id")
@click.argument("account")
@pass_ctx
def link_organization(ctx: Context, shop_id: str, account: str) -> None:
    """Link an existing organization ACCOUNT as the official account of SHOP_ID."""
    result = ctx.sim.service.link_organization_account(shop_id, ctx.account(account).open_id)
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}")


@main.command()
@click.argument("shop_id")
@click.option("--via", type=click.Choice(["qr", "app"]), default="qr", show_default=True)
@click.option("--account", help="With --via app: the username the seller types.")
@click.option("--id", "link_id", help="Name the link (default: a random id).")
@pass_ctx
def start(ctx: Context, shop_id: str, via: str, account: str | None, link_id: str | None) -> None:
    """Step by step: the seller starts an official link (then `scan`, `consent`, `terms`)."""
    service = ctx.sim.service
    if via == "qr":
        result = service.start_official_link(shop_id, link_id=link_id)
    else:
        if not account:
            raise click.UsageError("--via app needs --account: the username the seller types")
        result = service.request_app_consent(shop_id, ctx.account(account).username, link_id=link_id)
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value} until {result.consent_expires_at}")


@main.command()
@click.argument("link_id")
@click.argument("account")
@pass_ctx
def scan(ctx: Context, link_id: str, account: str) -> None:
    """Step by step: ACCOUNT scans the QR code of LINK_ID in the app."""
    result = ctx.sim.service.scan(link_id, ctx.account(account).open_id)
    ctx.emit(result, lambda: f"link {result.link_id}: scanned; the app shows the consent screen")


@main.command()
@click.argument("link_id")
@click.argument("account")
@click.option("--deny", is_flag=True, help="Tap Cancel instead of Authorize.")
@click.option("--permission", "permissions", multiple=True, help="A toggle turned on (repeat; default: all).")
@pass_ctx
def consent(ctx: Context, link_id: str, account: str, deny: bool, permissions: tuple[str, ...]) -> None:
    """Step by step: ACCOUNT authorizes (or cancels) the link in the app."""
    result = ctx.sim.service.give_consent(link_id, ctx.account(account).open_id, authorize=not deny,
                                          permissions=list(permissions) if permissions else None)
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}"
             + (f" ({', '.join(result.refusal_codes)})" if result.refusal_codes else ""))


@main.command()
@click.argument("link_id")
@click.option("--decline", is_flag=True, help="Do not accept the terms.")
@pass_ctx
def terms(ctx: Context, link_id: str, decline: bool) -> None:
    """Step by step: the seller agrees to the terms and clicks "Link This Account"; the review starts."""
    result = ctx.sim.service.accept_terms(link_id, accepted=not decline)
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}")


@main.command()
@click.option("--shop", "shop_id", help="Only this shop's links.")
@click.option("--account", help="Only this account's links.")
@pass_ctx
def links(ctx: Context, shop_id: str | None, account: str | None) -> None:
    """Every link, in every state."""
    open_id = ctx.account(account).open_id if account else None
    found = ctx.sim.service.links(shop_id=shop_id, open_id=open_id)
    ctx.emit(found, lambda: _table(
        ["link", "shop", "account", "role", "channel", "state", "codes"],
        [[x.link_id, x.shop_id, x.open_id or "-", x.role.value, x.channel.value, x.state.value,
          ",".join(x.refusal_codes) or "-"] for x in found]))


@main.command()
@click.argument("shop_id")
@click.argument("account")
@click.option("--id", "invitation_id", help="Name the invitation (default: a random id).")
@pass_ctx
def invite(ctx: Context, shop_id: str, account: str, invitation_id: str | None) -> None:
    """Check the criteria and send ACCOUNT a marketing invitation from SHOP_ID (answer it with `answer`)."""
    invitation = ctx.sim.service.invite_marketing_account(shop_id, ctx.account(account).open_id,
                                                          invitation_id=invitation_id)
    ctx.emit(invitation, lambda: f"invitation {invitation.invitation_id} sent; expires {invitation.expires_at}")


@main.command()
@click.argument("invitation_id")
@click.argument("account")
@click.argument("decision", type=click.Choice(["accept", "decline"]))
@pass_ctx
def answer(ctx: Context, invitation_id: str, account: str, decision: str) -> None:
    """ACCOUNT accepts or declines an invitation in the app inbox."""
    result = ctx.sim.service.answer_invitation(invitation_id, ctx.account(account).open_id,
                                               accept=decision == "accept")
    ctx.emit(result, lambda: f"invitation {result.invitation_id}: {result.state.value}")


@main.command()
@click.argument("query")
@pass_ctx
def search(ctx: Context, query: str) -> None:
    """Search accounts by username or nickname, as the seller does before inviting."""
    found = ctx.sim.service.search_accounts(query)
    ctx.emit(found, lambda: _table(["username", "nickname", "open id", "region"],
                                   [[f"@{a.username}", a.nickname, a.open_id, a.region] for a in found]))


@main.command()
@click.argument("shop_id")
@click.argument("account")
@pass_ctx
def unlink(ctx: Context, shop_id: str, account: str) -> None:
    """Unlink ACCOUNT from SHOP_ID."""
    result = ctx.sim.service.unlink(shop_id, ctx.account(account).open_id)
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}")


@main.command()
@click.argument("shop_id")
@pass_ctx
def linked(ctx: Context, shop_id: str) -> None:
    """What the seller sees under Linked TikTok accounts."""
    ctx.emit(ctx.sim.service.linked_accounts(shop_id))


@main.command()
@click.argument("account")
@pass_ctx
def profile(ctx: Context, account: str) -> None:
    """What ACCOUNT's TikTok profile shows: type, storefronts, the shopping bag."""
    ctx.emit(ctx.sim.service.profile(ctx.account(account).open_id))


@main.command(name="rename-shop")
@click.argument("shop_id")
@click.argument("name")
@pass_ctx
def rename_shop(ctx: Context, shop_id: str, name: str) -> None:
    """Rename SHOP_ID; its official account's name follows."""
    shop = ctx.sim.service.rename_shop(shop_id, name)
    ctx.emit(shop, lambda: f"{shop.shop_id} is now {shop.name!r}")


@main.command(name="rename-account")
@click.argument("account")
@click.option("--nickname")
@click.option("--username")
@pass_ctx
def rename_account(ctx: Context, account: str, nickname: str | None, username: str | None) -> None:
    """The holder renames ACCOUNT in the app."""
    result = ctx.sim.service.rename_account(ctx.account(account).open_id, nickname=nickname, username=username)
    ctx.emit(result, lambda: f"@{result.username} ({result.nickname})")


@main.command()
@click.argument("account")
@pass_ctx
def verify(ctx: Context, account: str) -> None:
    """The holder starts identity verification."""
    result = ctx.sim.service.start_verification(ctx.account(account).open_id)
    ctx.emit(result, lambda: f"@{result.username}: {result.verification.value}")


@main.command(name="verification-outcome")
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


@main.command(name="app-fault")
@click.argument("account")
@click.argument("fault", type=click.Choice([f.value for f in AppFault]))
@pass_ctx
def app_fault(ctx: Context, account: str, fault: str) -> None:
    """Make ACCOUNT's TikTok app reproduce a troubleshooting case: the QR code will not scan, or Authorize fails."""
    result = ctx.sim.service.set_app_fault(ctx.account(account).open_id, AppFault(fault))
    ctx.emit(result, lambda: f"@{result.username}: app fault {result.app_fault.value}")


@main.command()
@click.argument("account")
@click.argument("standing", type=click.Choice([s.value for s in Standing]))
@pass_ctx
def standing(ctx: Context, account: str, standing: str) -> None:
    """Set ACCOUNT's standing (good or restricted)."""
    result = ctx.sim.service.set_standing(ctx.account(account).open_id, Standing(standing))
    ctx.emit(result, lambda: f"@{result.username}: {result.standing.value}")


@main.command()
@click.argument("link_id")
@click.argument("decision", type=click.Choice(["approve", "reject"]))
@pass_ctx
def review(ctx: Context, link_id: str, decision: str) -> None:
    """Decide the review of a link that waits in pending review."""
    result = ctx.sim.service.decide_review(link_id, approve=decision == "approve")
    ctx.emit(result, lambda: f"link {result.link_id}: {result.state.value}")


@main.command(name="review-mode")
@click.argument("shop_id")
@click.argument("mode", type=click.Choice([m.value for m in ReviewMode] + ["default"]))
@click.option("--delay", help="For auto and reject: how long the review takes (e.g. 2h).")
@pass_ctx
def review_mode(ctx: Context, shop_id: str, mode: str, delay: str | None) -> None:
    """Choose how SHOP_ID's reviews end: auto (after --delay), manual, reject, or the market's default."""
    shop = ctx.sim.service.set_review(shop_id, None if mode == "default" else ReviewMode(mode),
                                      parse_duration(delay) if delay else None)
    ctx.emit(shop, lambda: f"{shop.shop_id}: review {mode}" + (f" after {delay}" if delay else ""))


@main.command(name="shop-status")
@click.argument("shop_id")
@click.argument("status", type=click.Choice([s.value for s in ShopStatus]))
@pass_ctx
def shop_status(ctx: Context, shop_id: str, status: str) -> None:
    """Set SHOP_ID's status."""
    shop = ctx.sim.service.set_shop_status(shop_id, ShopStatus(status))
    ctx.emit(shop, lambda: f"{shop.shop_id}: {shop.status.value}")


@main.group()
def org() -> None:
    """Organization accounts: create, members, one-time passcodes."""


@org.command(name="create")
@click.argument("shop_id")
@click.argument("username")
@click.option("--email")
@click.option("--phone")
@click.option("--member", "members", multiple=True, help="A member's email or phone (repeat).")
@pass_ctx
def org_create(ctx: Context, shop_id: str, username: str, email: str | None, phone: str | None,
               members: tuple[str, ...]) -> None:
    """Create an organization account for SHOP_ID's seller and link it as the official account."""
    result = ctx.sim.service.create_organization_account(shop_id, username=username, email=email, phone=phone,
                                                         members=list(members))
    ctx.emit(result, lambda: f"organization account {result.open_id} created; link {result.link_id}: "
                             f"{result.state.value}")


@org.command(name="passcode")
@click.argument("account")
@click.argument("contact")
@pass_ctx
def org_passcode(ctx: Context, account: str, contact: str) -> None:
    """'get OTP': send a one-time passcode to CONTACT, a member of the organization account."""
    code = ctx.sim.service.request_passcode(ctx.account(account).username, contact)
    ctx.emit({"passcode": code}, f"passcode sent to {contact}: {code}")


@org.command(name="sign-in")
@click.argument("account")
@click.argument("contact")
@click.argument("passcode")
@pass_ctx
def org_sign_in(ctx: Context, account: str, contact: str, passcode: str) -> None:
    """Sign in to an organization account with a one-time passcode."""
    found = ctx.sim.service.sign_in_with_passcode(ctx.account(account).username, contact, passcode)
    ctx.emit(found, f"{contact} signed in to @{found.username}")


@org.command(name="remove-member")
@click.argument("account")
@click.argument("contact")
@pass_ctx
def org_remove_member(ctx: Context, account: str, contact: str) -> None:
    ctx.sim.service.remove_org_member(ctx.account(account).open_id, contact)
    ctx.emit({"removed": contact}, f"{contact} removed")


@main.command(name="sign-in")
@click.argument("username")
@click.argument("password")
@pass_ctx
def sign_in(ctx: Context, username: str, password: str) -> None:
    """Sign in to the TikTok app with a password."""
    account = ctx.sim.service.sign_in(username, password)
    ctx.emit(account, f"signed in as @{account.username}")


@main.group()
def affiliate() -> None:
    """Affiliate creators and showcases."""


@affiliate.command(name="sign-up")
@click.argument("account")
@pass_ctx
def affiliate_sign_up(ctx: Context, account: str) -> None:
    """ACCOUNT signs up at the Affiliate Center."""
    result = ctx.sim.service.sign_up_affiliate(ctx.account(account).open_id)
    ctx.emit(result, f"@{result.username} signed up at the Affiliate Center")


@affiliate.command(name="invite")
@click.argument("shop_id")
@click.argument("account")
@click.argument("commission_rate")
@click.option("--id", "invitation_id", help="Name the invitation (default: a random id).")
@pass_ctx
def affiliate_invite(ctx: Context, shop_id: str, account: str, commission_rate: str,
                     invitation_id: str | None) -> None:
    """Invite ACCOUNT to promote SHOP_ID's products for COMMISSION_RATE percent."""
    result = ctx.sim.service.invite_affiliate(shop_id, ctx.account(account).open_id, commission_rate,
                                              invitation_id=invitation_id)
    ctx.emit(result, lambda: f"affiliate invitation {result.invitation_id} sent")


@affiliate.command(name="answer")
@click.argument("invitation_id")
@click.argument("account")
@click.argument("decision", type=click.Choice(["accept", "decline"]))
@pass_ctx
def affiliate_answer(ctx: Context, invitation_id: str, account: str, decision: str) -> None:
    result = ctx.sim.service.answer_affiliate_invitation(invitation_id, ctx.account(account).open_id,
                                                         accept=decision == "accept")
    ctx.emit(result, lambda: f"affiliate invitation {result.invitation_id}: {result.state.value}")


@affiliate.command(name="showcase-add")
@click.argument("account")
@click.argument("product_id")
@pass_ctx
def showcase_add(ctx: Context, account: str, product_id: str) -> None:
    """ACCOUNT adds PRODUCT_ID to its showcase."""
    item = ctx.sim.service.add_to_showcase(ctx.account(account).open_id, product_id)
    ctx.emit(item, lambda: f"{item.product_id} in the showcase ({item.source.value})")


@main.group()
def live() -> None:
    """LIVE sessions."""


@live.command(name="start")
@click.argument("account")
@click.option("--mirror-of", help="The account whose LIVE this one mirrors.")
@pass_ctx
def live_start(ctx: Context, account: str, mirror_of: str | None) -> None:
    mirrored = ctx.account(mirror_of).open_id if mirror_of else None
    session = ctx.sim.service.start_live(ctx.account(account).open_id, mirror_of=mirrored)
    ctx.emit(session, f"LIVE since {session.started_at.isoformat()}")


@live.command(name="end")
@click.argument("account")
@pass_ctx
def live_end(ctx: Context, account: str) -> None:
    ctx.sim.service.end_live(ctx.account(account).open_id)
    ctx.emit({"ended": True}, "LIVE ended")


@main.command()
@click.option("--subject", help="Only events about this subject, as TYPE:ID (link:lnk_..., account:oid_...).")
@click.option("--last", type=click.IntRange(min=1), default=30, show_default=True,
              help="How many of the latest events.")
@pass_ctx
def journal(ctx: Context, subject: str | None, last: int) -> None:
    """The journal of events: side effects, transitions, decisions."""
    subject_type, _, subject_id = (subject or "").partition(":")
    events = ctx.sim.service.journal(subject_type=subject_type or None, subject_id=subject_id or None)[-last:]
    ctx.emit([e.as_dict() for e in events], lambda: _table(
        ["seq", "at", "actor", "kind", "subject", "changes"],
        [[e.seq, e.at.isoformat(), e.actor, e.kind, f"{e.subject_type}:{e.subject_id}",
          json.dumps(e.changes or e.data)[:70]] for e in events],
    ))


@main.command()
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


# --- output ----------------------------------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return "  (none)"
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join("  " + line for line in lines)


def _pretty(value: Any) -> str:
    return json.dumps(plain(value), indent=2, sort_keys=True)


def _client_groups() -> None:
    """The seller's tool and the phone, as `linksim seller ...` and `linksim app ...`."""
    from auth_server.scenarios.cli import scenario
    from seller_client.cli import seller

    main.add_command(seller)
    main.add_command(scenario)  # `linksim scenario run FILE...`: scenario files (docs/scenarios.md)
    try:
        from mobile_stub.cli import app
    except ImportError:  # pragma: no cover - the app stub arrives with its own commit
        return
    main.add_command(app)


_client_groups()

if __name__ == "__main__":
    main()
