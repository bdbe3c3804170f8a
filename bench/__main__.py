"""``python -m bench`` (``make bench``): measure, and write the report (markdown and JSON)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from auth_server.cli.serving import THREADS
from bench import hot_paths
from bench import inprocess
from bench import sandboxes
from bench import served
from bench.driver import driver_name
from bench.report import markdown

SECTIONS = {
    "served": "over HTTP, the ceiling, the peer, linksim's endpoints and QR link flows",
    "hot_paths": "token requests and user info through the WSGI app, one after another",
    "cold_start": "linksim serve's cold start, without and with the demo data",
    "wsgi_flows": "QR link flows through the WSGI app, and resident memory after them",
    "fixture_flows": "QR link flows through the pytest fixtures",
    "control_plane": "the test-control plane: fixture start-up, sandboxes",
    "stored_sandboxes": "sandboxes beside a main store on a SQLite file, and on PostgreSQL if one is named",
    "at_scale": "list and search latency at 100,000 accounts against 100",
}


@click.command()
@click.option("--seconds", default=10.0, show_default=True, help="How long each load runs, per round.")
@click.option("--rounds", default=2, show_default=True, help="Rounds of the loads (the median round is reported).")
@click.option("--connections", default=16, show_default=True, help="Connections the load driver keeps open.")
@click.option("--runs", default=30, show_default=True, help="Runs of each in-process and latency measurement.")
@click.option("--memory-flows", default=10_000, show_default=True,
              help="Flows through the WSGI app before resident memory is read.")
@click.option("--accounts", default=100_000, show_default=True, help="Accounts of the large list and search run.")
@click.option("--shops", default=10_000, show_default=True, help="Shops of the large list and search run.")
@click.option("--no-peer", is_flag=True, help="Leave out the peer (oauth2-mock-server; it needs npm).")
@click.option("--only", multiple=True, type=click.Choice(SECTIONS),
              help="Measure only this section (again for several); the report leaves the others out.")
@click.option("--out", "out_dir", default="bench/results", show_default=True, type=click.Path(file_okay=False),
              help="Where report.md and report.json are written.")
def main(seconds: float, rounds: int, connections: int, runs: int, memory_flows: int, accounts: int, shops: int,
         no_peer: bool, only: tuple[str, ...], out_dir: str) -> None:
    """Measure linksim beside its references, and write the report."""
    started = time.perf_counter()
    peer = not no_peer and shutil.which("npm") is not None and shutil.which("node") is not None
    figures: dict[str, Any] = {"machine": machine(), "settings": {
        "seconds": seconds, "rounds": rounds, "connections": connections, "runs": runs,
        "memory_flows": memory_flows, "driver": driver_name(), "peer": peer,
        "server": f"linksim serve --workers 2: gunicorn, 2 gthread workers of {THREADS} threads, SQLite (WAL) "
                  "file; the ceiling on the same stack"}}
    with tempfile.TemporaryDirectory(prefix="linksim-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        wanted = set(only or SECTIONS)
        measures: dict[str, Callable[[], dict[str, Any]]] = {
            "served": lambda: served.load_figures(scratch, rounds=rounds, seconds=seconds, connections=connections,
                                                  peer=peer),
            "hot_paths": lambda: hot_paths.hot_paths_in_process(runs * 20),
            "cold_start": lambda: served.cold_start(scratch, max(3, runs // 10)),
            "wsgi_flows": lambda: inprocess.wsgi_flows_in_process(memory_flows),
            "fixture_flows": lambda: inprocess.fixture_flows(runs),
            "control_plane": lambda: inprocess.control_plane(runs),
            "stored_sandboxes": lambda: sandboxes.stored_sandboxes(scratch, runs),
            "at_scale": lambda: served.at_scale(scratch, accounts=accounts, shops=shops, runs=runs),
        }
        for name in SECTIONS:
            if name in wanted:
                click.echo(f"{name}: {SECTIONS[name]} ...", err=True)
                figures[name] = measures[name]()
    figures["elapsed_s"] = round(time.perf_counter() - started, 1)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(figures, indent=2) + "\n")
    (out / "report.md").write_text(markdown(figures))
    click.echo(markdown(figures))
    click.echo(f"written: {out / 'report.md'} and {out / 'report.json'}", err=True)


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {"when": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "cpu": _cpu_model(), "python": platform.python_version(), "system": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in load], "commit": _commit()}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


if __name__ == "__main__":
    main()
