"""Put the latest `make bench` report into the README (its summary table) and docs/benchmarks.md (the whole report,
and the fix-by-fix table if given): ``python scripts/update_bench_docs.py bench/results/report.json [FIXES.md]``."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import markdown  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def replace_between(text: str, key: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {key}: begin [^\n]*-->\n).*?(<!-- {key}: end -->)", re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"no {key} markers")
    return pattern.sub(lambda m: m.group(1) + body.rstrip("\n") + "\n" + m.group(2), text)


def summary(f: dict[str, Any]) -> str:
    """The README's table: the served figures with their ratios, and the one-off figures."""
    m, s = f["machine"], f["settings"]
    report = markdown(f)
    served = report.split("## Over HTTP, beside the ceiling and the peer\n\n", 1)[1].split("\n\n", 1)[0]
    return (f"{served}\n\n`make bench` on {m['when'][:10]}, commit {m['commit']}: {m['cpus']} CPUs ({m['cpu']}), "
            f"Python {m['python']}, load average at start {m['load_average_at_start']}; {s['driver']}, "
            f"{s['connections']} connections, {s['rounds']} round(s) of {s['seconds']:g} s; {s['server']}. The "
            "in-process, cold-start, memory and at-scale figures are in docs/benchmarks.md.\n")


def main() -> None:
    figures = json.loads(Path(sys.argv[1]).read_text())
    readme = ROOT / "README.md"
    readme.write_text(replace_between(readme.read_text(), "bench-table", summary(figures)))
    docs = ROOT / "docs" / "benchmarks.md"
    text = replace_between(docs.read_text(), "latest-report",
                           markdown(figures).replace("# linksim benchmark\n", "", 1).replace("\n## ", "\n### "))
    if len(sys.argv) > 2:
        text = replace_between(text, "fix-table", Path(sys.argv[2]).read_text())
    docs.write_text(text)


if __name__ == "__main__":
    main()
