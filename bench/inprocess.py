"""The figures taken inside a Python process: QR link flows through the WSGI app and through the pytest fixtures,
the test-control plane's start-up and sandboxes (``benchmarks/control_plane.py`` before), and resident memory.

``python -m bench.inprocess wsgi-flows N`` runs N flows in a fresh process and prints its figures as JSON, so that
its resident memory is the app's own and not the harness's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.stats import latency_summary

COLD_START = """
import time
start = time.perf_counter()
from linksim.server import LiveServer
server = LiveServer()
server.session.get(server.url + "/_sim/clock").raise_for_status()
print((time.perf_counter() - start) * 1000)
server.stop()
"""


def official_link(seller: Any, phone: Any) -> None:
    """The official QR link flow: the seller starts it, the phone scans and authorizes, the seller accepts."""
    link = seller.start_official_link("shop_acme_us")
    assert link.qr is not None
    phone.authorize(phone.scan(link.qr.scan_url))
    linked = seller.accept_terms(link.link_id)
    assert linked.state == "active", linked


def wsgi_flows(flows: int) -> dict[str, Any]:
    """``flows`` complete flows through the WSGI app (``linksim.offline``: no socket), each in a fresh sandbox with
    the demo data, as a partner's test would run them; and the process's resident memory after them."""
    import os

    from bench.servers import resident_mb
    from linksim.offline import offline
    from linksim.offline import shared_app

    app = shared_app()
    with offline(app) as tiktok:  # the first block pays the one-off costs (the demo data's template)
        official_link(tiktok.seller(), tiktok.phone("maya"))
    before = resident_mb(os.getpid())
    samples = []
    start = time.perf_counter()
    for _ in range(flows):
        begun = time.perf_counter()
        with offline(app) as tiktok:
            official_link(tiktok.seller(), tiktok.phone("maya"))
        samples.append((time.perf_counter() - begun) * 1000)
    elapsed = time.perf_counter() - start
    return {"flows_per_second": flows / elapsed, "flow": latency_summary(samples),
            "resident_mb_before": round(before, 1), "resident_mb_after": round(resident_mb(os.getpid()), 1),
            "flows": flows}


def wsgi_flows_in_process(flows: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "bench.inprocess", "wsgi-flows", str(flows)], check=True,
                         capture_output=True, text=True).stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def fixture_flows(runs: int) -> dict[str, Any]:
    """Flows as the pytest fixtures run them: a live server in a thread, a sandbox per test, its seller and phone.
    ``flow``: the flow alone; ``with_token_and_sign_in``: with the one-off costs a test pays first (the seller's
    partner token and the phone's sign-in); ``flows_per_second``: everything, sandbox included."""
    from linksim.server import LiveServer

    flow_only, with_setup = [], []
    with LiveServer() as server:
        server.sandbox().delete()
        start_all = time.perf_counter()
        for _ in range(runs):
            with server.sandbox() as sandbox:
                start = time.perf_counter()
                seller, phone = sandbox.seller(), sandbox.phone("maya")
                seller.credentials.bearer()  # the partner token the seller's first call would fetch
                ready = time.perf_counter()
                official_link(seller, phone)
                end = time.perf_counter()
                flow_only.append((end - ready) * 1000)
                with_setup.append((end - start) * 1000)
        elapsed = time.perf_counter() - start_all
    return {"flows_per_second": runs / elapsed, "flow": latency_summary(flow_only),
            "with_token_and_sign_in": latency_summary(with_setup)}


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def control_plane(runs: int) -> dict[str, Any]:
    """The test-control plane's figures (issue 5's goals: start-up under 300 ms, a sandbox under 20 ms)."""
    from linksim.server import LiveServer

    startups = []
    for _ in range(runs):
        start = time.perf_counter()
        server = LiveServer()
        server.session.get(server.url + "/_sim/clock").raise_for_status()
        startups.append((time.perf_counter() - start) * 1000)
        server.stop()
    cold = [float(subprocess.run([sys.executable, "-c", COLD_START], check=True, capture_output=True,
                                 text=True).stdout.strip()) for _ in range(max(3, runs // 10))]
    figures: dict[str, Any] = {"startup": latency_summary(startups), "startup_cold_process": latency_summary(cold)}
    with LiveServer() as live:
        for name, fixtures in (("sandbox", "demo"), ("sandbox_empty", None)):
            live.sandbox(fixtures=fixtures).delete()  # the data set's template is loaded once per process
            created, deleted = [], []
            for _ in range(runs * 2):
                start = time.perf_counter()
                sandbox = live.sandbox(fixtures=fixtures)
                created.append((time.perf_counter() - start) * 1000)
                deleted.append(_timed(sandbox.delete))
            figures[name] = latency_summary(created)
            if fixtures:
                figures["sandbox_delete"] = latency_summary(deleted)
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["wsgi-flows"]:
        print(json.dumps(wsgi_flows(int(sys.argv[2]))))
    else:
        raise SystemExit("usage: python -m bench.inprocess wsgi-flows N")
