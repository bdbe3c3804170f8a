"""Each fix's before and after: :mod:`bench.hot_paths` at each of several commits, in turn, for some rounds.

``python -m bench.commits [--rounds N] [--requests N] COMMIT[=label] ...`` takes each commit's code from git (``git
archive`` into a scratch folder: the working tree is not touched) and runs this tree's ``bench.hot_paths`` on it in
a fresh process; the table gives each commit's median p50 over the rounds, and its speed-up over the first commit.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["auth_server", "client_core", "seller_client", "mobile_stub", "linksim"]
PATHS = {"client_credentials": "client_credentials", "code_exchange": "code exchange", "user_info": "user info"}


def at_commit(commit: str, scratch: Path, requests: int) -> dict[str, Any]:
    tree = scratch / commit
    if not tree.exists():
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", commit, *PACKAGES], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        (tree / "bench").mkdir()
        for source in (ROOT / "bench").glob("*.py"):
            (tree / "bench" / source.name).write_text(source.read_text())
    out = subprocess.run([sys.executable, "-m", "bench.hot_paths", str(requests)], cwd=tree, check=True,
                         capture_output=True, text=True).stdout
    figures: dict[str, Any] = json.loads(out)
    return figures


@click.command()
@click.option("--rounds", default=2, show_default=True)
@click.option("--requests", default=300, show_default=True)
@click.argument("commits", nargs=-1, required=True)
def main(rounds: int, requests: int, commits: tuple[str, ...]) -> None:
    """Print the markdown table of the hot paths at each commit."""
    named = [(c.split("=", 1)[0], c.split("=", 1)[1] if "=" in c else c) for c in commits]
    p50s: dict[str, dict[str, list[float]]] = {c: {k: [] for k in PATHS} for c, _ in named}
    with tempfile.TemporaryDirectory(prefix="linksim-bench-") as scratch:
        for _ in range(rounds):
            for commit, _label in named:
                figures = at_commit(commit, Path(scratch), requests)
                for key in PATHS:
                    p50s[commit][key].append(figures[key]["p50_ms"])
    first = named[0][0]
    base = {key: statistics.median(p50s[first][key]) for key in PATHS}
    click.echo("| commit | " + " | ".join(f"{name} p50" for name in PATHS.values()) + " |")
    click.echo("|---|" + "---|" * len(PATHS))
    for commit, label in named:
        cells = []
        for key in PATHS:
            p50 = statistics.median(p50s[commit][key])
            cells.append(f"{p50:.2f} ms ({base[key] / p50:.1f}×)")
        click.echo(f"| {label} ({commit[:7]}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
