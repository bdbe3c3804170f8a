"""How fast the test-control plane is, measured on this machine (``make bench``).

Three figures, each the median and 95th percentile of many runs:

1. fixture start-up to the first answered request: ``LiveServer()`` (the ``linksim_server`` fixture's work:
   a fresh app, a server on a free port in a thread), until ``GET /_sim/clock`` answers. Imports are done
   before the clock starts; the cold figure (a new Python process, imports included) is reported beside it.
2. sandbox creation: ``POST /_sim/sandboxes`` over HTTP, empty and with the demo data (the
   ``linksim_sandbox`` fixture's work), and its deletion.
3. one complete QR link flow through the fixtures' clients: the seller starts an official link, the phone
   scans and authorizes, the seller accepts the terms, and the link is active. Reported without and with the
   one-off costs a test pays first (the seller's partner token and the phone's sign-in).

Goals (issue 5): under 300 ms, under 20 ms, under 50 ms.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import click

from linksim.server import LiveServer

# The start-up goal holds for both readings: once the libraries are imported, and in a new process with them.
GOALS_MS = {"startup": 300.0, "startup_cold_process": 300.0, "sandbox": 20.0, "qr_flow": 50.0}
COLD_START = """
import time
start = time.perf_counter()
from linksim.server import LiveServer
server = LiveServer()
server.session.get(server.url + "/_sim/clock").raise_for_status()
print((time.perf_counter() - start) * 1000)
server.stop()
"""


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
            "min_ms": round(ordered[0], 2), "runs": len(ordered)}


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def startup(runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        server = LiveServer()
        server.session.get(server.url + "/_sim/clock").raise_for_status()
        samples.append((time.perf_counter() - start) * 1000)
        server.stop()
    return samples


def cold_startup(runs: int) -> list[float]:
    return [float(subprocess.run([sys.executable, "-c", COLD_START], check=True, capture_output=True,
                                 text=True).stdout.strip()) for _ in range(runs)]


def sandboxes(server: LiveServer, runs: int, fixtures: str | None) -> tuple[list[float], list[float]]:
    server.sandbox(fixtures=fixtures).delete()  # the data set's template is loaded once per process
    created, deleted = [], []
    for _ in range(runs):
        start = time.perf_counter()
        sandbox = server.sandbox(fixtures=fixtures)
        created.append((time.perf_counter() - start) * 1000)
        deleted.append(timed(sandbox.delete))
    return created, deleted


def qr_flows(server: LiveServer, runs: int) -> tuple[list[float], list[float]]:
    flow_only, with_setup = [], []
    for _ in range(runs):
        with server.sandbox() as sandbox:
            start = time.perf_counter()
            seller, phone = sandbox.seller(), sandbox.phone("maya")
            seller.credentials.bearer()  # the partner token the seller's first call would fetch
            ready = time.perf_counter()
            link = seller.start_official_link("shop_acme_us")
            assert link.qr is not None
            phone.authorize(phone.scan(link.qr.scan_url))
            linked = seller.accept_terms(link.link_id)
            end = time.perf_counter()
            assert linked.state == "active", linked
            flow_only.append((end - ready) * 1000)
            with_setup.append((end - start) * 1000)
            sandbox.delete()
    return flow_only, with_setup


@click.command()
@click.option("--runs", default=50, show_default=True, help="Runs of each measurement.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def main(runs: int, as_json: bool) -> None:
    """Measure the test-control plane on this machine and compare with the goals."""
    figures: dict[str, dict[str, float]] = {
        "startup": summary(startup(runs)),
        "startup_cold_process": summary(cold_startup(max(3, runs // 10))),
    }
    with LiveServer() as server:
        created, deleted = sandboxes(server, runs * 4, fixtures="demo")
        figures["sandbox"] = summary(created)
        figures["sandbox_delete"] = summary(deleted)
        figures["sandbox_empty"] = summary(sandboxes(server, runs * 4, fixtures=None)[0])
        flow_only, with_setup = qr_flows(server, runs)
        figures["qr_flow"] = summary(flow_only)
        figures["qr_flow_with_token_and_sign_in"] = summary(with_setup)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"linksim test-control plane, {runs} runs (medians and 95th percentiles, milliseconds)")
    for name, figure in figures.items():
        goal = GOALS_MS.get(name)
        verdict = "" if goal is None else (f"  goal < {goal:g} ms: " + ("met" if figure["p95_ms"] < goal else
                                                                          "MISSED (p95)"))
        click.echo(f"  {name:34} median {figure['median_ms']:8.2f}  p95 {figure['p95_ms']:8.2f}{verdict}")


if __name__ == "__main__":
    main()
