"""`linksim scenario run | list | schema`: exit codes, the report, JUnit XML, and a server given by --url."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from click.testing import Result

from auth_server.cli import main
from auth_server.config import ServerConfig
from auth_server.scenarios import model
from auth_server.scenarios.runner import local_server
from auth_server.scenarios.schema import SCHEMA
from tests.scenarios.conftest import tiny_scenario

Write = Callable[[str, str], Path]


def linksim(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_scenario_that_behaves_as_it_expects_exits_0_with_a_step_by_step_report(write: Write) -> None:
    path = write("link.yaml", tiny_scenario())
    result = linksim("scenario", "run", path)  # no --url: the runner starts a server of its own
    assert result.exit_code == 0, result.output
    assert "PASS  link: a tiny world" in result.output
    assert "  ok      1. seller start_official_link shop=shop_one" in result.output
    assert "  ok      2. app @ana scan link=lnk_" in result.output
    assert "1 scenario: 1 passed, 0 failed" in result.output


def test_a_wrong_expectation_exits_1_and_the_report_says_expected_and_got(server_url: str, write: Write) -> None:
    path = write("wrong.yaml", tiny_scenario(expect="{state: pending_review}"))
    result = linksim("scenario", "run", "--url", server_url, path)
    assert result.exit_code == 1, result.output
    assert "FAIL  wrong: a tiny world" in result.output
    assert "  FAIL    4. seller accept_terms" in result.output
    assert "expected: ok, state: 'pending_review'" in result.output
    assert "got:      ok (state: active)" in result.output
    assert "why:      state: expected 'pending_review', got 'active'" in result.output
    assert "1 scenario: 0 passed, 1 failed" in result.output


def test_an_unexpected_refusal_is_a_mismatch_and_later_steps_are_not_run(server_url: str, write: Write) -> None:
    steps = """
steps:
  - seller: {action: start_official_link, shop: shop_nowhere}
  - seller: {action: start_official_link, shop: shop_one}
"""
    result = linksim("scenario", "run", "--url", server_url, write("refused.yaml", tiny_scenario(steps=steps)))
    assert result.exit_code == 1
    assert "expected: ok" in result.output and "got:      refused: shop_not_found" in result.output
    assert "  skip    2. seller start_official_link shop=shop_one  (not run" in result.output


def test_an_invalid_file_exits_2_naming_the_file_and_the_place(server_url: str, write: Write) -> None:
    broken = tiny_scenario().replace("{action: start_official_link, shop: shop_one}", "{action: start_official_link}")
    path = write("broken.yaml", broken)
    result = linksim("scenario", "run", "--url", server_url, path)
    assert result.exit_code == 2
    assert f"{path} is not a valid scenario" in result.output
    assert "steps[0].seller: 'shop' is a required property" in result.output


def test_an_invalid_file_stops_the_run_before_any_scenario_runs(server_url: str, write: Write) -> None:
    good = write("good.yaml", tiny_scenario())
    bad = write("bad.yaml", "name: nothing to do\nfixtures: demo\nsteps: []\n")
    result = linksim("scenario", "run", "--url", server_url, good, bad)
    assert result.exit_code == 2
    assert "steps: [] should be non-empty" in result.output
    assert "PASS" not in result.output


def test_junit_xml_has_one_case_per_scenario_and_counts_the_failures(server_url: str, write: Write,
                                                                     tmp_path: Path) -> None:
    write("passing.yaml", tiny_scenario("passes"))
    write("failing.yaml", tiny_scenario("fails", expect="{refused: official_slot_taken}"))
    report = tmp_path / "reports" / "scenarios.xml"
    result = linksim("scenario", "run", "--url", server_url, "--junit-xml", report, tmp_path)
    assert result.exit_code == 1
    root = ET.parse(report).getroot()
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == ("testsuites", "2", "1", "0")
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"passing", "failing"}
    failure = cases["failing"].find("failure")
    assert failure is not None and cases["passing"].find("failure") is None
    assert "expected refused: official_slot_taken, got ok (state: active)" in (failure.get("message") or "")
    assert "FAIL    4. seller accept_terms" in (failure.text or "")


def test_a_scenario_that_cannot_start_is_a_junit_error(server_url: str, write: Write, tmp_path: Path) -> None:
    # The data is valid, but its history breaks a rule: the server refuses to make the sandbox.
    history = "history:\n    - {ago: 1h, action: link_marketing, shop: shop_nowhere, account: ana}\n"
    text = tiny_scenario().replace("accounts:\n", f"{history}  accounts:\n")
    path = write("no_world.yaml", text)
    report = tmp_path / "out.xml"
    result = linksim("scenario", "run", "--url", server_url, "--junit-xml", report, path)
    assert result.exit_code == 1
    assert "ERROR no_world" in result.output and "the server refused the scenario's sandbox" in result.output
    root = ET.parse(report).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "1")


def test_a_folder_runs_every_scenario_file_in_it(server_url: str, write: Write, tmp_path: Path) -> None:
    write("one.yaml", tiny_scenario("one"))
    write("two.yml", tiny_scenario("two"))
    write("notes.txt", "not a scenario")
    result = linksim("scenario", "run", "--url", server_url, "-q", tmp_path)
    assert result.exit_code == 0, result.output
    assert "PASS  one: one" in result.output and "PASS  two: two" in result.output
    assert "2 scenarios: 2 passed, 0 failed" in result.output
    assert "seller start_official_link" not in result.output  # -q: steps only where one does not match


def test_a_shipped_scenario_runs_over_a_real_url(server_url: str) -> None:
    path = model.library_dir() / "O02_official_slot_taken.yaml"
    result = linksim("scenario", "run", "--url", server_url, path)
    assert result.exit_code == 0, result.output
    assert "-> refused: official_slot_taken" in result.output


def test_a_shipped_scenario_runs_by_its_name(server_url: str) -> None:
    result = linksim("scenario", "run", "--url", server_url, "-q", "O02")
    assert result.exit_code == 0, result.output
    assert "PASS  O02_official_slot_taken" in result.output and "1 scenario: 1 passed" in result.output


def test_the_start_of_a_name_runs_every_shipped_scenario_it_begins(server_url: str) -> None:
    result = linksim("scenario", "run", "--url", server_url, "-q", "O09")
    assert "PASS  O09_qr_consent" in result.output and "PASS  O09_review" in result.output


def test_a_name_that_is_no_file_and_no_shipped_scenario_exits_2_saying_where_names_are() -> None:
    result = linksim("scenario", "run", "O99")
    assert result.exit_code == 2 and "`linksim scenario list` names them" in result.output


def test_an_unreachable_server_exits_2(write: Write) -> None:
    result = linksim("scenario", "run", "--url", "http://127.0.0.1:9", write("x.yaml", tiny_scenario()))
    assert result.exit_code == 2
    assert "cannot reach linksim at http://127.0.0.1:9" in result.output


def test_run_needs_files_or_builtin() -> None:
    result = linksim("scenario", "run")
    assert result.exit_code == 2
    assert "--builtin" in result.output


def test_a_folder_with_no_scenario_files_exits_2_saying_so(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a scenario", encoding="utf-8")
    result = linksim("scenario", "run", folder)
    assert result.exit_code == 2
    assert f"{folder} holds no scenario files (*.yaml, *.yml, *.json)" in result.output
    assert "--builtin" not in result.output


def test_list_names_every_shipped_scenario_with_its_rules() -> None:
    result = linksim("scenario", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(model.library())
    assert any(line.startswith("O02_official_slot_taken") and " O2 " in line for line in lines)
    assert lines[0].startswith("O01_")  # in the order of RULES.md


def test_schema_prints_the_json_schema_of_a_scenario_file() -> None:
    result = linksim("scenario", "schema")
    assert result.exit_code == 0
    assert json.loads(result.output) == SCHEMA


def test_a_server_with_a_control_token_needs_it(write: Write) -> None:
    token = "a-control-token-of-16+"
    path = write("x.yaml", tiny_scenario(steps="steps: [{clock: {advance: 1h}}]\n"))
    with local_server(ServerConfig(control_token=token)) as url:
        refused = linksim("scenario", "run", "--url", url, path)
        allowed = linksim("scenario", "run", "--url", url, "--control-token", token, path)
    assert refused.exit_code == 2 and "refused its controls" in refused.output and "--control-token" in refused.output
    assert allowed.exit_code == 0, allowed.output
