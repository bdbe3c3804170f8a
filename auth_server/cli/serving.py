"""``linksim serve``: the mock TikTok identity provider over HTTP, on the command line's database and clock."""

from __future__ import annotations

import dataclasses
import errno
import signal
import socket
from typing import Any

import click
from werkzeug.serving import WSGIRequestHandler

from auth_server import fixtures
from auth_server.cli.context import Context
from auth_server.cli.context import pass_ctx
from auth_server.cli.server_lease import LeaseHolder
from auth_server.cli.server_lease import refuse_if_served
from auth_server.cli.setup import load
from auth_server.config import SHOP_REJECTION_ERRORS
from auth_server.control.redaction import redact
from auth_server.domain.clock import parse_duration
from auth_server.oauth.models import PartnerApp
from auth_server.shop_partner.models import ShopApp
from auth_server.store import supported_url

# Threads of each worker process by default (--threads): see auth_server.cli.worker_processes.
THREADS = 4


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.option("--fixtures", "source", help="Load this data file (or 'demo') into a fresh database first.")
@click.option("--oauth-error-status", default=200, show_default=True, type=click.IntRange(200, 599),
              help="The HTTP status of OAuth errors on TikTok's paths (TikTok answers them with 200).")
@click.option("--authorization-response-iss", is_flag=True,
              help="Name the issuer (iss) on the authorize redirect, for clients that check it against mix-up "
                   "(RFC 9207). TikTok's redirect has none.")
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
@click.option("--no-request-journal", "request_journal", is_flag=True, flag_value=False, default=True,
              help="Record no request (GET /_sim/journal answers its domain events only, with ?kind=event): "
                   "for long load runs, which then spend about a fifth less time on each request.")
@click.option("--shop-signature-without-body", is_flag=True,
              help="TikTok Shop: also take a signed call's sign computed without its body (as some SDKs send it).")
@click.option("--shop-rejection-error", type=click.Choice(SHOP_REJECTION_ERRORS), default="access_denied",
              show_default=True, help="TikTok Shop: the error a rejected authorization redirects with "
                                      "(the documents name both).")
@click.option("--secret-key", envvar="LINKSIM_SECRET_KEY",
              help="Signs sessions, QR codes and consent ids. Give every process that serves one database the same "
                   "(16 characters or more); by default each process draws its own, and a restart signs everyone out.")
@click.option("--access-log", is_flag=True, help="Print a line per request (the screens refresh every 2 seconds).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (gunicorn) on the database, every one serving every world; 1: one process "
                   "(werkzeug's threaded server). A database file or PostgreSQL, not an in-memory one.")
@click.option("--threads", type=click.IntRange(1, 64),
              help=f"Threads of each worker process (with --workers 2 or more; default {THREADS}): as many requests "
                   "at once, those a fault rule's delay holds included.")
@pass_ctx
def serve(ctx: Context, host: str, port: int, source: str | None, oauth_error_status: int,
          authorization_response_iss: bool, access_token_lifetime: str, refresh_token_lifetime: str,
          control_token: str | None, max_sandboxes: int, journal_file: str | None, journal_max_bytes: int,
          request_journal: bool, shop_signature_without_body: bool, shop_rejection_error: str, secret_key: str | None,
          access_log: bool, workers: int, threads: int | None) -> None:
    """Serve the mock TikTok identity provider: Login Kit v2, and the app's screens in a browser."""
    import os

    from auth_server.config import ServerConfig

    if secret_key is not None and len(secret_key) < 16:
        raise click.BadParameter("give a secret key of 16 characters or more", param_hint="--secret-key")
    if journal_file and not request_journal:
        raise click.BadParameter("the journal file is a copy of the request journal: leave out --no-request-journal, "
                                 "or the journal file", param_hint="--journal-file")
    if threads is not None and workers == 1:
        raise click.BadParameter("threads are those of each worker process: give --workers 2 or more (one process "
                                 "serves each request on a thread of its own)", param_hint="--threads")
    if workers > 1 and in_memory(ctx.db):
        raise click.BadParameter(f"several processes cannot share an in-memory database ({ctx.db}): serve a "
                                 "database file (sqlite:///FILE) or PostgreSQL, or one worker",
                                 param_hint="--workers")
    try:
        config = ServerConfig(oauth_error_status=oauth_error_status,
                              authorization_response_iss=authorization_response_iss,
                              access_token_lifetime=parse_duration(access_token_lifetime),
                              refresh_token_lifetime=parse_duration(refresh_token_lifetime),
                              control_token=control_token, max_sandboxes=max_sandboxes,
                              journal_file=journal_file, journal_file_bytes=journal_max_bytes,
                              request_journal=request_journal,
                              shop_signature_without_body=shop_signature_without_body,
                              shop_rejection_error=shop_rejection_error)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    if secret_key is not None:  # by default each process draws its own (workers inherit the master's one)
        config = dataclasses.replace(config, secret_key=secret_key)
    # The port first: a second `make run` whose port is taken ends here, before it touches any database.
    listening = bind(host, port)
    base = f"http://{host if ':' not in host else f'[{host}]'}:{listening.getsockname()[1]}"
    if source:
        refuse_if_served(ctx.db, "load a data file into")
        load(ctx.db, source, fresh=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # a simulator on plain http, on purpose
    ctx.clock.unfreeze()  # the server's time runs on from the database's clock
    ctx.save_clock()  # as an offset from the wall clock: a restart goes on from here, never back
    server = None
    if workers == 1:
        server = _threaded_server(listening, ctx, config, access_log)
    with ctx.sim.store.unit_of_work() as repo:
        apps = [(a.client_key, a.redirect_uris) for a in repo.all_of(PartnerApp, order_by="client_key")]
        shop_apps = [(a.app_key, a.service_id, a.redirect_url) for a in repo.all_of(ShopApp, order_by="app_key")]
    banner: list[str] = []
    say = banner.append
    say(f"linksim is serving on {base} (database {ctx.db}; clock {ctx.clock.now().isoformat()})")
    say(f"  start here:          {base}/   (the screens, the demo's accounts and apps, a reset)")
    say(f"  sign in to the app:  {base}/app/sign-in")
    say(f"  authorize:           {base}/v2/auth/authorize/")
    say(f"  token:               {base}/v2/oauth/token/   (plain OAuth: {base}/oauth/token)")
    say(f"  user info:           {base}/v2/user/info/")
    say(f"  metadata:            {base}/.well-known/oauth-authorization-server")
    say(f"  Seller Center:       {base}/seller/   (TikTok Shop: {base}/open/authorize?service_id=..., "
        f"{base}/api/v2/token/get)")
    who = "callers with the control token" if control_token else "loopback callers only"
    say(f"  controls:            {base}/_sim/clock, {base}/_sim/sandboxes ({who})")
    also = f" (and the file {journal_file})" if journal_file else ""
    if not request_journal:
        also = "?kind=event (--no-request-journal: no request is recorded)"
    say(f"  journal:             {base}/_sim/journal{also}")
    for client_key, redirect_uris in apps:
        secret = " client_secret linksim_demo_secret" if client_key == "linksim_demo_key" else ""
        say(f"  partner app:         client_key {client_key}{secret}; redirect {', '.join(redirect_uris)}")
    for app_key, service_id, redirect_url in shop_apps:
        secret = " app_secret linksim_demo_shop_secret" if app_key == "6demo0linksim" else ""
        say(f"  TikTok Shop app:     app_key {app_key}{secret} service_id {service_id}; redirect {redirect_url}")
    if source == fixtures.DEMO:
        say("  demo accounts:       every username of `linksim show`, password linksim-demo (try nora)")
        say("  demo sellers:        seller@acme.example (and nordic, review, mode, batik, kopi), password "
            "linksim-demo")
    if workers > 1:
        say(f"  workers:             {workers} processes (gunicorn) of {threads or THREADS} threads, one database")
    say("Press Ctrl+C to stop.")
    if server is None:
        _serve_in_processes(listening, ctx, config, workers=workers, threads=threads or THREADS, base=base,
                            access_log=access_log, banner=banner)
        return
    click.echo("\n".join(banner))
    # SIGTERM (a service manager's, `kill`'s) stops it as Ctrl+C does: the lease is let go and, at exit, the journal
    # writes what it still holds. By default Python would die at once and lose them.
    signal.signal(signal.SIGTERM, _stop_as_on_ctrl_c)
    try:
        with LeaseHolder(ctx.sim.store, base):
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _stop_as_on_ctrl_c(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def in_memory(db: str) -> bool:
    url = supported_url(db)
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def bind(host: str, port: int) -> socket.socket:
    """The listening socket; a port that is taken ends the command (exit 2), saying so."""
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listening = socket.socket(family, socket.SOCK_STREAM)
    except OSError as error:
        raise click.BadParameter(f"cannot listen on {host}: {error}", param_hint="--host") from None
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug and gunicorn do
        listening.bind(address)
        listening.listen(socket.SOMAXCONN)
    except OSError as error:
        listening.close()
        if error.errno == errno.EADDRINUSE:
            raise click.UsageError(f"port {port} on {host} is in use by another program (another linksim serve?): "
                                   "stop it, or choose another port with --port (0: any free port). Nothing was "
                                   "changed.") from None
        raise click.UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return listening


def _threaded_server(listening: socket.socket, ctx: Context, config: Any, access_log: bool) -> Any:
    """One process: werkzeug's threaded server on the bound socket, its app made now (the database is ready)."""
    from werkzeug.serving import make_server

    from auth_server.app import create_app

    host, port = listening.getsockname()[:2]
    server = make_server(host, port, create_app(ctx.sim, config), threaded=True, fd=listening.fileno(),
                         request_handler=_AccessLog if access_log else _QuietHandler)
    listening.close()  # werkzeug listens on its own copy of it
    return server


def _serve_in_processes(listening: socket.socket, ctx: Context, config: Any, *, workers: int, threads: int,
                        base: str, access_log: bool, banner: list[str]) -> None:
    """gunicorn: this process is the master, holding the lease; each worker makes its app on its own engine. The
    banner is printed once every worker listens: from then on, a request is answered."""
    from auth_server.app import create_app
    from auth_server.cli.worker_processes import WorkerProcesses

    master_store = ctx.sim.store

    def worker_app() -> Any:
        return create_app(Context(ctx.db, as_json=False).sim, config)

    def after_fork() -> None:
        # The master's pooled connections are the master's: the worker drops them without closing them (closing a
        # PostgreSQL connection from here would end the master's session too).
        master_store.engine.dispose(close=False)

    processes = WorkerProcesses(listening, worker_app, workers=workers, threads=threads, access_log=access_log,
                                after_fork=after_fork, when_listening=lambda: click.echo("\n".join(banner)))
    with LeaseHolder(master_store, base):
        try:
            processes.run()  # until SIGINT (Ctrl+C) or SIGTERM: every worker is stopped, then it exits
        except SystemExit as ended:
            if ended.code not in (0, None):
                raise
        finally:
            processes.release_port()


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without its line per request (``--access-log`` brings it back)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _AccessLog(WSGIRequestHandler):
    """A line per request, plain (no colour codes), with the secrets of its URL masked as the journal masks them:
    QR consent tokens, codes and tokens in a query are not for a terminal's scrollback."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        line = f"{self.command} {redact(getattr(self, 'path', ''))} {self.request_version}"
        self.log("info", '"%s" %s %s', line.translate(self._control_char_table), code, size)


