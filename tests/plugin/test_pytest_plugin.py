"""The pytest plugin, as a partner gets it: a fresh pytest process (``pytester``) in an empty folder, with no
conftest, finds the linksim_* fixtures through the ``pytest11`` entry point alone."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from linksim.server import Server

PARTNER_SUITE = Path(__file__).with_name("partner_suite.py")
# Warnings are errors in the partner's run too: an unclosed connection or a deprecation in the plugin fails it.
STRICT = ("-p", "no:cacheprovider", "-W", "error")


def test_the_entry_point_alone_gives_the_fixtures_one_server_per_xdist_worker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_partner=PARTNER_SUITE.read_text(encoding="utf-8"))
    result = pytester.runpytest_subprocess(*STRICT, "-n", "2")
    result.assert_outcomes(passed=7, errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.linksim has no option 'fixture'*"])
    servers: dict[str, set[str]] = defaultdict(set)
    for record in (pytester.path / "servers").iterdir():
        servers[record.name.split("-")[0]].add(record.read_text())
    assert sorted(servers) == ["gw0", "gw1"], "both workers ran a test that links maya"
    assert all(len(urls) == 1 for urls in servers.values()), "one server per worker, for the whole run"
    assert servers["gw0"] != servers["gw1"]


def test_linksim_url_uses_a_running_server_and_deletes_the_sandboxes_there(pytester: pytest.Pytester,
                                                                          linksim_server: Server) -> None:
    pytester.makepyfile(test_remote="""
        def test_uses_the_server_it_is_given(linksim_server, linksim_sandbox):
            assert type(linksim_server).__name__ == "RemoteServer"
            assert linksim_sandbox.base_url.startswith(linksim_server.url + "/sandboxes/")
            linksim_server.sandbox(fixtures=None, sandbox_id="left-by-the-partner-run")
    """)
    before = linksim_server.session.get(f"{linksim_server.url}/_sim/sandboxes", timeout=10).json()["count"]
    result = pytester.runpytest_subprocess(*STRICT, "--linksim-url", linksim_server.url)
    result.assert_outcomes(passed=1)
    after = linksim_server.session.get(f"{linksim_server.url}/_sim/sandboxes", timeout=10).json()
    # The fixture's sandbox is gone; the one the test made on its own is still there, on this very server.
    assert after["count"] == before + 1
    assert "left-by-the-partner-run" in {sandbox["id"] for sandbox in after["sandboxes"]}
    linksim_server.session.delete(f"{linksim_server.url}/_sim/sandboxes/left-by-the-partner-run", timeout=10)


def test_pytest_fixtures_lists_each_fixture_with_its_docstring(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--fixtures")
    assert result.ret == 0
    # pytest sorts the listing by "file:line" as text (line 100 before line 55): check each fixture on its own.
    for fixture in [["linksim_server [[]session scope[]] -- *pytest_plugin.py:*", "*The linksim server of this test*"],
                    ["linksim_sandbox -- *", "*A fresh sandbox for this test*"], ["linksim_seller -- *"],
                    ["linksim_phone -- *"], ["linksim_clock -- *"],
                    ["linksim_webhooks -- *", "*A webhook receiver for this test*"]]:
        result.stdout.fnmatch_lines(fixture, consecutive=False)
