"""The report's markdown: each figure, its reference measured in the same run, the ratio, and issue 14's goal."""

from __future__ import annotations

from typing import Any


def _ratio(value: float | None, reference: float | None) -> str:
    if not value or not reference:
        return "n/a"
    return f"{value / reference:.2f}"


def _rate(figure: dict[str, Any] | None) -> str:
    if not figure:
        return "n/a"
    errors = f", {figure['errors']} errors" if figure.get("errors") else ""
    return (f"{figure['requests_per_second']:,.0f} req/s (p50 {figure['p50_ms']:.1f} ms, "
            f"p99 {figure['p99_ms']:.1f} ms{errors})")


def markdown(f: dict[str, Any]) -> str:
    m, s = f["machine"], f["settings"]
    lines = [
        "# linksim benchmark",
        "",
        f"{m['when']}, commit {m['commit']}; {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}, load average at "
        f"start {m['load_average_at_start']}. Driver: {s['driver']}, {s['connections']} connections, "
        f"{s['rounds']} round(s) of {s['seconds']:g} s (the median round). Server: {s['server']}.",
    ]
    if "served" in f:
        lines += _served(f["served"])
    if "hot_paths" in f:
        lines += _hot_paths(f["hot_paths"])
    lines += _in_process(f)
    if "at_scale" in f:
        lines += _at_scale(f["at_scale"])
    lines += ["", f"The whole run took {f['elapsed_s']} s. The figures are in report.json beside this file.", ""]
    return "\n".join(lines)


def _served(served: dict[str, Any]) -> list[str]:
    ceiling = served.get("ceiling_hello_world", {}).get("requests_per_second")
    peer = served.get("peer_client_credentials", {}).get("requests_per_second")
    lines = [
        "",
        "## Over HTTP, beside the ceiling and the peer",
        "",
        "| what | throughput and latency | / ceiling | / peer | goal |",
        "|---|---|---|---|---|",
        f"| ceiling: Flask hello-world, same server stack | {_rate(served.get('ceiling_hello_world'))} | 1.00 | "
        f"{_ratio(ceiling, peer)} | |",
    ]
    floor = served.get("floor_client_credentials", {}).get("requests_per_second")
    if floor:
        lines.append(f"| floor: a token endpoint with nothing but authlib and a SQLite file, same server stack "
                     f"(`bench/token_floor.py`) | {_rate(served.get('floor_client_credentials'))} | "
                     f"{_ratio(floor, ceiling)} | {_ratio(floor, peer)} | |")
    read_floor = served.get("floor_user_info", {}).get("requests_per_second")
    if read_floor:
        lines.append(f"| floor of a read: a bearer token's row read through authlib's resource protector, same server "
                     f"stack (`bench/token_floor.py`) | {_rate(served.get('floor_user_info'))} | "
                     f"{_ratio(read_floor, ceiling)} | {_ratio(read_floor, peer)} | |")
    if served.get("peer_error"):
        lines.append(f"| peer: {served['peer_error']} | | | | |")
    if peer:
        lines.append(f"| peer: oauth2-mock-server `POST /token` client_credentials | "
                     f"{_rate(served.get('peer_client_credentials'))} | {_ratio(peer, ceiling)} | 1.00 | |")
    goals = {"client_credentials": "≥ 1.5 × peer, ≥ 0.4 × ceiling, p99 < 50 ms",
             "code_exchange": "≥ 1.5 × peer, ≥ 0.4 × ceiling, p99 < 50 ms", "user_info": "≥ 0.6 × ceiling"}
    names = {"client_credentials": "linksim `POST /v2/oauth/token/` client_credentials",
             "code_exchange": "linksim `POST /v2/oauth/token/` authorization code",
             "user_info": "linksim `GET /v2/user/info/`"}
    for key, name in names.items():
        rate = served.get(key, {}).get("requests_per_second")
        lines.append(f"| {name} | {_rate(served.get(key))} | {_ratio(rate, ceiling)} | {_ratio(rate, peer)} | "
                     f"{goals[key]} |")
    for key in ("client_credentials", "user_info"):
        quiet = served.get(f"{key}_no_request_journal")
        if quiet:
            rate = quiet["requests_per_second"]
            lines.append(f"| {names[key]}, served with `--no-request-journal` | {_rate(quiet)} | "
                         f"{_ratio(rate, ceiling)} | {_ratio(rate, peer)} | (no goal) |")
    http_flows = served["qr_flows_over_http"]
    token_rates = [served.get(key, {}).get("requests_per_second") for key in ("client_credentials", "code_exchange")]
    if floor and all(token_rates):
        lines.append(f"| linksim's token requests beside the floor | client_credentials {_ratio(token_rates[0], floor)}"
                     f" × floor, code exchange {_ratio(token_rates[1], floor)} × floor | | | |")
    user_info = served.get("user_info", {}).get("requests_per_second")
    if read_floor and user_info:
        lines.append(f"| linksim's user info beside the floor of a read | {_ratio(user_info, read_floor)} × floor "
                     "| | | |")
    lines += [
        f"| complete official QR link flows over HTTP, each in a new sandbox | {http_flows['flows_per_second']:.1f} "
        f"flows/s (flow p50 {http_flows['flow']['p50_ms']} ms, p99 {http_flows['flow']['p99_ms']} ms; "
        f"{http_flows['failures']} failed) | | | |",
        "",
        f"linksim's resident memory after the loads: {served['resident_mb_after_load']} MB (the largest worker's; "
        f"each worker: {', '.join(f'{mb} MB' for mb in served.get('resident_mb_per_worker_after_load', []))})"
        + _shares(served),
    ]
    return lines


def _shares(served: dict[str, Any]) -> str:
    """What the workers share told apart, where the report has it: PSS (a shared page divided among its sharers) and
    USS (a worker's private pages)."""
    pss, uss = served.get("pss_mb_per_worker_after_load"), served.get("uss_mb_per_worker_after_load")
    if not pss or not uss:
        return "."
    return (f"; of which each worker's share of what the processes share and its own pages: PSS "
            f"{', '.join(f'{mb} MB' for mb in pss)}, USS {', '.join(f'{mb} MB' for mb in uss)} (the master: PSS "
            f"{served.get('pss_mb_master_after_load')} MB, USS {served.get('uss_mb_master_after_load')} MB).")


def _in_process(f: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if "wsgi_flows" in f:
        wsgi = f["wsgi_flows"]
        lines += [
            f"| QR link flows through the WSGI app (`linksim.offline`, a sandbox each) | "
            f"{wsgi['flows_per_second']:.1f} flows/s (p50 {wsgi['flow']['p50_ms']} ms, p99 {wsgi['flow']['p99_ms']} "
            "ms) | ≥ 300 flows/s |",
            f"| resident memory after {wsgi['flows']:,} flows through the WSGI app | {wsgi['resident_mb_after']} MB "
            f"(before them: {wsgi['resident_mb_before']} MB) | < 100 MB |",
        ]
    if "fixture_flows" in f:
        fixture = f["fixture_flows"]
        lines.append(f"| QR link flows through the pytest fixtures (a sandbox each) | "
                     f"{fixture['flows_per_second']:.1f} flows/s (flow p50 {fixture['flow']['p50_ms']} ms, p99 "
                     f"{fixture['flow']['p99_ms']} ms) | |")
    if "cold_start" in f:
        cold = f["cold_start"]
        lines += [
            f"| cold start of `linksim serve` to its first answer, no data | p50 {cold['without_data']['p50_ms']} ms "
            "| < 400 ms |",
            f"| cold start of `linksim serve` to its first answer, demo data | p50 "
            f"{cold['with_demo_data']['p50_ms']} ms | < 700 ms |",
        ]
        for data, goal in (("without_data", "< 400 ms"), ("with_demo_data", "< 700 ms")):
            if f"{data}_workers_2" in cold:
                lines.append(f"| the same with `--workers 2`, {'no' if data == 'without_data' else 'demo'} data | p50 "
                             f"{cold[f'{data}_workers_2']['p50_ms']} ms | {goal} |")
    if "control_plane" in f:
        plane_goals = {"startup": "< 300 ms", "startup_cold_process": "< 300 ms", "sandbox": "< 20 ms"}
        plane_names = {"startup": "fixture start-up to the first answer (`LiveServer()`, imports done)",
                       "startup_cold_process": "the same in a new process, imports included",
                       "sandbox": "sandbox creation with the demo data", "sandbox_empty": "empty sandbox creation",
                       "sandbox_delete": "sandbox deletion"}
        for key, name in plane_names.items():
            figure = f["control_plane"][key]
            lines.append(f"| {name} | p50 {figure['p50_ms']} ms, p95 {figure['p95_ms']} ms | "
                         f"{plane_goals.get(key, '')} |")
    if "stored_sandboxes" in f:
        lines += _stored_sandboxes(f["stored_sandboxes"])
    if not lines:
        return []
    return ["", "## In-process and one-off figures", "", "| what | figure | goal |", "|---|---|---|", *lines]


def _stored_sandboxes(stored: dict[str, Any]) -> list[str]:
    lines = []
    for where, name in (("sqlite_file", "a SQLite file each"), ("postgres", "a PostgreSQL schema each")):
        if where not in stored:
            continue
        for key, what in (("create_demo", "creation with the demo data"), ("create_empty", "empty creation"),
                          ("delete_demo", "deletion"), ("burst", "empty creation, a burst beyond the copies ready")):
            if key in stored[where]:
                figure = stored[where][key]
                goal = "< 20 ms" if key.startswith("create") else ""
                lines.append(f"| stored sandbox ({name}): {what} | p50 {figure['p50_ms']} ms, p95 "
                             f"{figure['p95_ms']} ms | {goal} |")
    if stored.get("postgres_error"):
        lines.append(f"| stored sandbox (a PostgreSQL schema each): {stored['postgres_error']} | | |")
    return lines


def _at_scale(scale: dict[str, Any]) -> list[str]:
    sizes = scale["sizes"]
    lines = [
        "",
        f"## List and search at {sizes['large']['accounts']:,} accounts and {sizes['large']['shops']:,} shops, "
        f"against {sizes['small']['accounts']} and {sizes['small']['shops']}",
        "",
        "| call | p50 small | p50 large | ratio | goal |",
        "|---|---|---|---|---|",
    ]
    for key, figure in scale.items():
        if key != "sizes":
            lines.append(f"| {key} | {figure['small']['p50_ms']} ms | {figure['large']['p50_ms']} ms | "
                         f"{figure['ratio_p50']} | ≤ 2 |")
    return lines


def _hot_paths(hot: dict[str, Any]) -> list[str]:
    names = {"client_credentials": "`POST /v2/oauth/token/` client_credentials",
             "code_exchange": "`POST /v2/oauth/token/` authorization code", "user_info": "`GET /v2/user/info/`"}
    lines = ["", "## The hot paths in-process (the WSGI app, one request after another, a SQLite file)", "",
             "| request | p50 | p99 | requests/s |", "|---|---|---|---|"]
    for key, name in names.items():
        figure = hot[key]
        lines.append(f"| {name} | {figure['p50_ms']} ms | {figure['p99_ms']} ms | {figure['requests_per_second']} |")
    return lines
