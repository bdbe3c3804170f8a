"""The load driver: wrk (Debian's) when it is on the PATH, else :mod:`bench.python_driver` in another process.

A :class:`Load` is one kind of request, sent again and again over ``connections`` keep-alive connections for
``seconds``; its bodies are one body, or one per request from a list (authorization codes, each good once).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

WRK_SCRIPT = r"""
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local bodies = {}
function init(args)
  if args[1] == nil then return end
  local n, every = 0, tonumber(args[2])
  for line in io.lines(args[1]) do
    if n % every == tid then bodies[#bodies + 1] = line end
    n = n + 1
  end
end

local sent = 0
function request()
  sent = sent + 1
  if #bodies == 0 then return wrk.format() end
  return wrk.format(nil, nil, nil, bodies[math.min(sent, #bodies)])
end
"""
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Load:
    """One kind of request to send again and again."""

    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    bodies: list[str] | None = None  # one per request, each used once (the last again if they run out)


@dataclass
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # answers that were not 2xx or 3xx, and socket errors
    driver: str

    def as_dict(self) -> dict[str, Any]:
        return {"requests_per_second": round(self.requests_per_second, 1), "p50_ms": round(self.p50_ms, 2),
                "p99_ms": round(self.p99_ms, 2), "requests": self.requests, "errors": self.errors,
                "driver": self.driver}


def driver_name() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def run_load(load: Load, *, seconds: float, connections: int, threads: int = 2) -> LoadResult:
    if shutil.which("wrk"):
        return _wrk(load, seconds=seconds, connections=connections, threads=threads)
    return _python(load, seconds=seconds, connections=connections)


def _wrk(load: Load, *, seconds: float, connections: int, threads: int) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="linksim-bench-") as scratch:
        script = Path(scratch, "load.lua")
        lines = [WRK_SCRIPT, f"wrk.method = {json.dumps(load.method)}"]
        lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in load.headers.items()]
        if load.body is not None:
            lines.append(f"wrk.body = {json.dumps(load.body)}")
        script.write_text("\n".join(lines) + "\n")
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
                   "--timeout", "10s", "-s", str(script), load.url]
        if load.bodies:
            bodies = Path(scratch, "bodies.txt")
            bodies.write_text("\n".join(load.bodies) + "\n")
            command += ["--", str(bodies), str(threads)]
        ran = subprocess.run(command, check=True, capture_output=True, text=True)
    return parse_wrk(ran.stdout + ran.stderr)


def parse_wrk(out: str) -> LoadResult:
    """wrk's ``--latency`` report, read."""

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return float(value) * UNITS[unit]

    latencies = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)[ \t]*$", out, re.MULTILINE))
    done = re.search(r"(\d+) requests in", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    if not ("50" in latencies and "99" in latencies and done and rate):
        raise RuntimeError(f"cannot read wrk's report:\n{out}")
    return LoadResult(requests_per_second=float(rate.group(1)), p50_ms=ms(latencies["50"]),
                      p99_ms=ms(latencies["99"]), requests=int(done.group(1)), errors=errors, driver="wrk")


def _python(load: Load, *, seconds: float, connections: int) -> LoadResult:
    spec = {"url": load.url, "method": load.method, "headers": load.headers, "body": load.body,
            "bodies": load.bodies, "seconds": seconds, "connections": connections}
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="linksim-bench-") as file:
        json.dump(spec, file)
        file.flush()
        out = subprocess.run([sys.executable, "-m", "bench.python_driver", "load", file.name], check=True,
                             capture_output=True, text=True).stdout
    figures = json.loads(out)
    return LoadResult(driver="python", **figures)
