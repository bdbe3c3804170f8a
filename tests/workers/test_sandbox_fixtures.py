"""The sandbox fixtures (``linksim_sandbox``, ``linksim_seller``, ``linksim_clock``...) against two workers: the
plugin's own tests, run with ``--linksim-url`` in a pytest process of their own, pass as they do against one process.

A sandbox made by one worker must be found by the other, its clock, faults and journal too: they all live in the
store (docs/control-plane.md, docs/architecture.md), which is what this checks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.workers.conftest import TwoWorkers

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_TESTS = ["tests/plugin/test_sandbox.py", "tests/plugin/test_webhooks_end_to_end.py",
                "tests/plugin/test_shop_kit.py", "tests/plugin/test_login_kit_webhook.py",
                "tests/plugin/partner_suite.py"]
# The partner suite's misspelt marker is an error by design (tests/plugin/test_pytest_plugin.py checks it).
DESELECTED = "tests/plugin/partner_suite.py::test_a_misspelt_marker_option_is_an_error"


def test_the_plugins_tests_pass_against_two_workers(two_workers: TwoWorkers, tmp_path: Path) -> None:
    # In a folder of its own: the partner suite writes what it saw there.
    run = subprocess.run([sys.executable, "-m", "pytest", *(str(ROOT / test) for test in PLUGIN_TESTS),
                          "--rootdir", str(ROOT), "--deselect", DESELECTED, "-q", "-p", "no:cacheprovider",
                          "-n", "0", "--linksim-url", two_workers.url],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
