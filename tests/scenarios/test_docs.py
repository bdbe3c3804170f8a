"""docs/scenarios.md's action tables are the declarations' (scripts/update_scenario_docs.py rewrites them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auth_server.scenarios.model import library
from client_core.actions import markdown_table

DOC = Path(__file__).parents[2] / "docs" / "scenarios.md"


@pytest.mark.parametrize("actor", ["seller", "app"])
def test_the_checked_in_action_table_is_current(actor: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    after_start = text.split(f"<!-- actions:{actor}:start", 1)[1].split("-->\n", 1)[1]
    table = after_start.split(f"\n<!-- actions:{actor}:end -->", 1)[0]
    assert table == markdown_table(actor), "run: .venv/bin/python scripts/update_scenario_docs.py (or make docs)"


def test_the_junit_example_counts_the_shipped_scenarios() -> None:
    text = DOC.read_text(encoding="utf-8")
    boundaries = [path for path in library() if path.name.startswith("B")]
    assert f'<testsuites name="linksim scenarios" tests="{len(library())}"' in text
    assert f'<testsuite name="linksim scenarios: boundaries" tests="{len(boundaries)}"' in text
