"""``python -m bench.cold_start_cpu RUNS FOLDER [FOLDER ...] [-- SERVE_ARGS]``: ``linksim serve`` (one process, a new
database) from its process start to its first answer, run from each folder in turn (two versions of linksim, as
``git archive`` wrote them), RUNS times each: the CPU the server spent (user and system, from /proc, read once it has
answered), steadier than the wall clock on a loaded machine, and the wall clock; medians and each run's CPU."""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def one_start(folder: str, serve_args: list[str]) -> tuple[float, float]:
    """The CPU and wall milliseconds of one start of ``linksim serve`` from ``folder``, to its first answer."""
    with tempfile.TemporaryDirectory(prefix="linksim-cold-") as scratch:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "auth_server.cli", "--db", f"sqlite:///{scratch}/cold.db",
                                    "serve", "--port", "0", *serve_args], cwd=folder, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        try:
            assert process.stdout is not None
            url = next(found.group(1) for line in process.stdout if (found := re.search(r"serving on (\S+)", line)))
            while True:
                try:
                    urllib.request.urlopen(url + "/_sim/clock", timeout=5).read()
                    break
                except OSError:
                    time.sleep(0.005)
            wall = (time.perf_counter() - started) * 1000
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
        finally:
            os.kill(process.pid, signal.SIGINT)
            process.wait(timeout=30)
            if process.stdout is not None:
                process.stdout.close()
    return cpu, wall


def main(argv: list[str]) -> None:
    serve_args = argv[argv.index("--") + 1:] if "--" in argv else []
    runs, *folders = argv[:argv.index("--")] if "--" in argv else argv
    samples: dict[str, list[tuple[float, float]]] = {folder: [] for folder in folders}
    for _ in range(int(runs)):
        for folder in folders:
            samples[folder].append(one_start(folder, serve_args))
    for folder, found in samples.items():
        cpu = sorted(c for c, _ in found)
        print(f"{folder}: CPU median {statistics.median(cpu):.0f} ms (each: {', '.join(f'{c:.0f}' for c in cpu)}), "
              f"wall median {statistics.median(w for _, w in found):.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
