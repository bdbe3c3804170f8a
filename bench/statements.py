"""What each request of the QR link flow costs: SQL statements, the store's transactions, CPU and wall time,
through the WSGI app in-process (``linksim.offline``, the sandbox's store in memory), as
:func:`bench.inprocess.wsgi_flows` runs it.

``python -m bench.statements [FLOWS]`` runs FLOWS flows (after one that pays the one-off costs) and prints, per
request, the statements of one flow (the same in every flow), the transactions it opened (``write``: a unit of
work, ``BEGIN IMMEDIATE`` on SQLite; ``read``: a reading one) and the median milliseconds; then the whole flow's,
the clients' work included. ``--json`` prints the figures as JSON; ``--sql`` first prints each statement of the
last flow, request by request.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

# A request's path with its variable parts (ids, tokens) named, so one flow's requests add up across flows.
_VARIABLE = re.compile(r"/(?:sbx_|lnk_|link_)?[A-Za-z0-9_-]{16,}|/\d+")


@dataclass
class Request:
    name: str
    statements: list[str] = field(default_factory=list)
    cpu_ms: float = 0.0
    wall_ms: float = 0.0

    transactions: list[str] = field(default_factory=list)  # "write" or "read", as the store opened each

    @property
    def writes(self) -> int:
        return self.transactions.count("write")

    @property
    def reads(self) -> int:
        return self.transactions.count("read")


@dataclass
class Recorder:
    """Notes every statement that any engine of the process sends, under the request under way."""

    requests: list[Request] = field(default_factory=list)
    current: Request | None = None

    def statement(self, _conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if self.current is not None:
            self.current.statements.append(" ".join(sql.split()))

    def transaction(self, kind: str) -> None:
        if self.current is not None:
            self.current.transactions.append(kind)

    @contextmanager
    def request(self, name: str) -> Iterator[None]:
        self.current = Request(name)
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            yield
        finally:
            self.current.cpu_ms = (time.process_time() - cpu) * 1000
            self.current.wall_ms = (time.perf_counter() - wall) * 1000
            self.requests.append(self.current)
            self.current = None


def request_name(method: str, url: str) -> str:
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    return f"{method} /{_VARIABLE.sub('/<id>', '/' + path).lstrip('/')}"


def measure(flows: int) -> list[list[Request]]:
    """``flows`` flows, each its list of requests (the first flow, which pays the one-off costs, left out)."""
    import sqlalchemy as sa
    from sqlalchemy import event

    from auth_server.store import Store
    from bench.inprocess import official_link
    from linksim.offline import WsgiBridge
    from linksim.offline import offline
    from linksim.offline import shared_app

    recorder = Recorder()
    run = WsgiBridge.run
    transaction = Store._transaction

    def counted(store: Store, *, reading: bool) -> Any:
        recorder.transaction("read" if reading else "write")
        return transaction(store, reading=reading)

    def recorded(bridge: WsgiBridge, method: str, url: str, headers: Any, body: bytes, timeout: float | None) -> Any:
        with recorder.request(request_name(method, url)):
            # In the caller's thread (no timeout), so that CPU time is the request's and the statements its own.
            return run(bridge, method, url, headers, body, None)

    app = shared_app()
    event.listen(sa.Engine, "before_cursor_execute", recorder.statement)
    WsgiBridge.run = recorded  # type: ignore[method-assign]
    Store._transaction = counted  # type: ignore[method-assign]
    try:
        per_flow = []
        for _ in range(flows + 1):
            recorder.requests = []
            cpu, wall = time.process_time(), time.perf_counter()
            with offline(app) as tiktok:
                official_link(tiktok.seller(), tiktok.phone("maya"))
            whole = Request("the whole flow, clients and all", cpu_ms=(time.process_time() - cpu) * 1000,
                            wall_ms=(time.perf_counter() - wall) * 1000)
            per_flow.append([*recorder.requests, whole])
    finally:
        WsgiBridge.run = run  # type: ignore[method-assign]
        Store._transaction = transaction  # type: ignore[method-assign]
        event.remove(sa.Engine, "before_cursor_execute", recorder.statement)
    return per_flow[1:]


def summary(measured: list[list[Request]]) -> dict[str, Any]:
    per_flow = [flow[:-1] for flow in measured]
    last = per_flow[-1]
    rows = []
    for index, request in enumerate(last):
        rows.append({"request": request.name, "statements": len(request.statements), "writes": request.writes,
                     "reads": request.reads,
                     "cpu_ms": round(statistics.median(flow[index].cpu_ms for flow in per_flow), 2),
                     "wall_ms": round(statistics.median(flow[index].wall_ms for flow in per_flow), 2)})
    flow_cpu = [sum(r.cpu_ms for r in flow) for flow in per_flow]
    flow_wall = [sum(r.wall_ms for r in flow) for flow in per_flow]
    return {"requests": rows, "flow": {
        "statements": sum(row["statements"] for row in rows), "writes": sum(row["writes"] for row in rows),
        "reads": sum(row["reads"] for row in rows), "cpu_ms": round(statistics.median(flow_cpu), 2),
        "wall_ms": round(statistics.median(flow_wall), 2)},
        "whole_flow": {"cpu_ms": round(statistics.median(flow[-1].cpu_ms for flow in measured), 2),
                       "wall_ms": round(statistics.median(flow[-1].wall_ms for flow in measured), 2)},
        "flows": len(per_flow)}


def table(figures: dict[str, Any]) -> str:
    lines = [f"{'request':<44} {'stmts':>5} {'write':>5} {'read':>5} {'cpu ms':>7} {'wall ms':>7}"]
    for row in [*figures["requests"], {"request": "the flow (requests only)", **figures["flow"]}]:
        lines.append(f"{row['request'][:44]:<44} {row['statements']:>5} {row['writes']:>5} {row['reads']:>5} "
                     f"{row['cpu_ms']:>7.2f} {row['wall_ms']:>7.2f}")
    whole = figures["whole_flow"]
    lines.append(f"{'the whole flow, clients and all':<44} {'':>17} {whole['cpu_ms']:>7.2f} {whole['wall_ms']:>7.2f}")
    lines.append(f"(medians of {figures['flows']} flows; write/read: the store's transactions)")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    flows = next((int(arg) for arg in argv if arg.isdigit()), 30)
    per_flow = measure(flows)
    figures = summary(per_flow)
    if "--sql" in argv:
        for request in per_flow[-1][:-1]:
            print(f"== {request.name}")
            for sql in request.statements:
                print("   ", sql[:200])
    print(json.dumps(figures) if "--json" in argv else table(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
