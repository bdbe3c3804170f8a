"""The floor: the least a token endpoint that keeps its tokens can cost on linksim's stack, served as the ceiling is.

Flask, authlib's client_credentials grant, and a SQLite file in WAL mode, one transaction a request through SQLAlchemy
Core: the client's row read and its secret checked with a keyed digest, the token written, the write lock taken at
``BEGIN IMMEDIATE``, writers of both workers taking turns as linksim's do (:class:`WriterTurns`). Nothing else: no
request journal, sandboxes, fault rules, clock, TikTok wire format or error texts. Served by
:class:`WorkerProcesses` with linksim's workers and threads. It is a reference, like the ceiling: what any token
endpoint that writes its tokens down costs on this stack and this machine, so a report can tell linksim's own cost
from the stack's.

The floor of a read is ``GET /userinfo``: the bearer token's row read (no transaction of a writer) and checked by
authlib's resource protector, its client and scope answered; what any endpoint that reads one row for a bearer token
costs on this stack, beside linksim's user info.

``python -m bench.token_floor DATABASE`` makes the database (one client, :data:`CLIENT_ID` and
:data:`CLIENT_SECRET`, and one token, :data:`ACCESS_TOKEN`) and serves ``POST /token`` and ``GET /userinfo`` on a
free port of 127.0.0.1, printing ``serving on URL``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import socket
import sys
import threading
import time
from typing import Any

import sqlalchemy as sa
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.integrations.flask_oauth2 import current_token
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749 import TokenMixin
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from flask import Flask

from auth_server.cli.serving import THREADS
from auth_server.cli.worker_processes import WorkerProcesses
from auth_server.store.writer_turns import WriterTurns

WORKERS = 2
CLIENT_ID, CLIENT_SECRET, SCOPE = "floor_client", "floor_secret", "user.info.basic"
ACCESS_TOKEN = "floor_access_token"  # made with the database, good for a day
_KEY = secrets.token_bytes(32)

metadata = sa.MetaData()
clients = sa.Table("clients", metadata, sa.Column("client_id", sa.String, primary_key=True),
                   sa.Column("secret_digest", sa.String, nullable=False), sa.Column("scope", sa.String))
tokens = sa.Table("tokens", metadata, sa.Column("access_token", sa.String, primary_key=True),
                  sa.Column("client_id", sa.String, nullable=False), sa.Column("scope", sa.String),
                  sa.Column("issued_at", sa.Float, nullable=False), sa.Column("expires_in", sa.Integer))


def _digest(secret: str) -> str:
    return hmac.new(_KEY, secret.encode(), hashlib.sha256).hexdigest()


class Client(ClientMixin):  # type: ignore[misc]  # authlib ships no types
    def __init__(self, client_id: str, secret_digest: str, scope: str) -> None:
        self.client_id, self.secret_digest, self.scope = client_id, secret_digest, scope

    def get_client_id(self) -> str:
        return self.client_id

    def get_allowed_scope(self, scope: str) -> str:
        return scope or self.scope

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.secret_digest, _digest(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_post", "client_secret_basic")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class ClientCredentials(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class Token(TokenMixin):  # type: ignore[misc]
    def __init__(self, access_token: str, client_id: str, scope: str, issued_at: float, expires_in: int) -> None:
        self.client_id, self.scope, self.issued_at, self.expires_in = client_id, scope, issued_at, expires_in

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return self.issued_at + self.expires_in < time.time()

    def is_revoked(self) -> bool:
        return False


def engine_on(database: str, turns: WriterTurns | None = None, *, writing: bool = True) -> sa.Engine:
    """The file's engine: WAL, commits not synced one by one; every transaction a writer's (with its turn), unless
    not ``writing``: then each statement reads on its own, as SQLite does outside a transaction."""
    engine = sa.create_engine(f"sqlite:///{database}", connect_args={"check_same_thread": False, "timeout": 60})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")

    if not writing:
        return engine

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        if turns is not None:
            turns.__enter__()  # let go of once the transaction ended (token below)
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_database(database: str) -> None:
    engine = engine_on(database)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(clients.insert().values(client_id=CLIENT_ID, secret_digest=_digest(CLIENT_SECRET),
                                                   scope=SCOPE))
        connection.execute(tokens.insert().values(access_token=ACCESS_TOKEN, client_id=CLIENT_ID, scope=SCOPE,
                                                  issued_at=time.time(), expires_in=86_400))
    engine.dispose()


def floor_app(database: str) -> Flask:
    turns = WriterTurns(database)
    engine = engine_on(database, turns)
    held = threading.local()  # the request's connection, in its one transaction

    reader = engine_on(database, writing=False)
    # Built once, their values bound as parameters: a statement built for each request costs it its cache key.
    client_by_id = sa.select(clients).where(clients.c.client_id == sa.bindparam("client_id"))
    token_insert = tokens.insert()
    token_by_value = sa.select(tokens).where(tokens.c.access_token == sa.bindparam("access_token"))

    class TokenOfTheRow(BearerTokenValidator):  # type: ignore[misc]
        def authenticate_token(self, token_string: str) -> Token | None:
            with reader.connect() as connection:
                row = connection.execute(token_by_value, {"access_token": token_string}).first()
            return Token(*row) if row is not None else None

    def query_client(client_id: str) -> Client | None:
        row = held.connection.execute(client_by_id, {"client_id": client_id}).first()
        return Client(*row) if row is not None else None

    def save_token(token: dict[str, Any], request: Any) -> None:
        held.connection.execute(token_insert, {
            "access_token": token["access_token"], "client_id": request.client.client_id, "scope": token.get("scope"),
            "issued_at": time.time(), "expires_in": token["expires_in"]})

    app = Flask(__name__)
    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_grant(ClientCredentials)

    @app.post("/token")
    def token() -> Any:
        try:
            with engine.begin() as held.connection:
                return server.create_token_response()
        finally:
            turns.let_go_to(0)

    require_token = ResourceProtector()
    require_token.register_token_validator(TokenOfTheRow())

    @app.get("/userinfo")
    @require_token(SCOPE)
    def user_info() -> Any:
        return {"client_id": current_token.client_id, "scope": current_token.scope}

    return app


def main() -> None:
    database = sys.argv[1]
    make_database(database)
    listening = socket.create_server(("127.0.0.1", 0), backlog=socket.SOMAXCONN)
    print(f"serving on http://127.0.0.1:{listening.getsockname()[1]}", flush=True)
    try:
        WorkerProcesses(listening, lambda: floor_app(database), workers=WORKERS, threads=THREADS,
                        access_log=False).run()
    except SystemExit as ended:  # gunicorn's master ends with one, after stopping its workers
        if ended.code not in (0, None):
            raise


if __name__ == "__main__":
    main()
