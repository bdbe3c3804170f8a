"""A load driver in a process of its own (``python -m bench.python_driver load SPEC.json``), for machines without
wrk; and the driver of complete QR link flows over HTTP (``flows URL SECONDS THREADS``), which no single-request
driver can play. Each prints its figures as JSON."""

from __future__ import annotations

import http.client
import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from bench.stats import latency_summary
from bench.stats import percentile


def load(spec: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(spec["url"])
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    bodies = spec.get("bodies") or []
    next_body = itertools.count()
    deadline = time.perf_counter() + spec["seconds"]
    samples: list[list[float]] = []
    errors = [0]

    def connection_loop() -> None:
        mine: list[float] = []
        samples.append(mine)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.perf_counter() < deadline:
            body = bodies[min(next(next_body), len(bodies) - 1)] if bodies else spec.get("body")
            start = time.perf_counter()
            try:
                connection.request(spec["method"], target, body=body, headers=spec["headers"])
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append((time.perf_counter() - start) * 1000)
        connection.close()

    elapsed = run_in_threads(connection_loop, spec["connections"])
    ordered = sorted(itertools.chain.from_iterable(samples))
    return {"requests_per_second": len(ordered) / elapsed, "p50_ms": percentile(ordered, 0.5),
            "p99_ms": percentile(ordered, 0.99), "requests": len(ordered), "errors": errors[0]}


def run_in_threads(target: Callable[[], None], count: int) -> float:
    """Run ``target`` in ``count`` threads at once; the seconds until the last one ends."""
    threads = [threading.Thread(target=target) for _ in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def flows(url: str, seconds: float, threads: int) -> dict[str, Any]:
    """Complete official QR link flows, each in a sandbox of its own with the demo data, from ``threads`` threads:
    the seller starts the link, the phone scans and authorizes, the seller accepts the terms."""
    from linksim.server import RemoteServer

    deadline = time.perf_counter() + seconds
    flow_ms: list[float] = []
    whole_ms: list[float] = []
    failures: list[str] = []

    def loop() -> None:
        server = RemoteServer(url)  # a session of its own per thread
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                with server.sandbox() as sandbox:
                    seller, phone = sandbox.seller(), sandbox.phone("maya")
                    ready = time.perf_counter()
                    link = seller.start_official_link("shop_acme_us")
                    assert link.qr is not None
                    phone.authorize(phone.scan(link.qr.scan_url))
                    linked = seller.accept_terms(link.link_id)
                    done = time.perf_counter()
                    assert linked.state == "active", linked
            except Exception as error:  # a failed flow is counted and told, not fatal to the run
                failures.append(repr(error)[:200])
                continue
            flow_ms.append((done - ready) * 1000)
            whole_ms.append((time.perf_counter() - start) * 1000)
        server.stop()

    elapsed = run_in_threads(loop, threads)
    return {"flows_per_second": len(whole_ms) / elapsed, "flows": len(whole_ms), "failures": len(failures),
            "first_failure": failures[0] if failures else None,
            "flow": latency_summary(flow_ms), "with_sandbox": latency_summary(whole_ms)}


def main(argv: list[str]) -> None:
    if argv[0] == "load":
        with open(argv[1]) as file:
            print(json.dumps(load(json.load(file))))
    elif argv[0] == "flows":
        print(json.dumps(flows(argv[1], float(argv[2]), int(argv[3]))))
    else:
        raise SystemExit(f"unknown command {argv[0]}: load SPEC.json, or flows URL SECONDS THREADS")


if __name__ == "__main__":
    main(sys.argv[1:])

