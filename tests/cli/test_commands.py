"""The command line: exit codes, JSON output, and clear errors instead of tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from auth_server.cli import main
from auth_server.cli.context import hoist_db


@pytest.fixture
def linksim(tmp_path: Path):  # noqa: ANN201
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str):  # noqa: ANN202
        return runner.invoke(main, ["--db", db, *args])

    assert run("init", "--fresh").exit_code == 0
    return run


def test_init_reports_what_it_loaded(linksim) -> None:  # noqa: ANN001
    result = linksim("--json", "init", "--fresh")
    assert json.loads(result.stdout) == {"accounts": 27, "clock": "2026-03-02T09:00:00+00:00", "history": 33,
                                         "partner_apps": 1, "sellers": 6, "shops": 8}


def test_show_prints_the_parties_and_the_clock(linksim) -> None:  # noqa: ANN001
    result = linksim("show")
    assert result.exit_code == 0
    assert "clock: 2026-03-02T09:00:00+00:00 (frozen)" in result.stdout
    assert "shop_acme_gb" in result.stdout and "active (probation)" in result.stdout
    assert "@budi" in result.stdout


def test_a_refusal_exits_1_with_every_code(linksim) -> None:  # noqa: ANN001
    result = linksim("link", "organization", "shop_batik_id", "acme.org")
    assert result.exit_code == 1
    for code in ("official_slot_taken", "region_mismatch", "entity_mismatch"):
        assert code in result.stderr


def test_a_refusal_in_json_carries_codes_rules_and_messages(linksim) -> None:  # noqa: ANN001
    result = linksim("--json", "link", "official", "shop_acme_us", "rex")
    refused = json.loads(result.stdout)["refused"]
    assert refused["code"] == "account_restricted"
    assert refused["violations"][0]["rules"] == ["O7"]
    assert "good standing" in refused["message"]


def test_bad_input_exits_2_with_a_message_not_a_traceback(linksim) -> None:  # noqa: ANN001
    result = linksim("clock", "advance", "soon")
    assert result.exit_code == 2
    assert "is not a duration" in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_shop_is_a_refusal_with_its_code(linksim) -> None:  # noqa: ANN001
    result = linksim("--json", "unlink", "shop_nowhere", "maya")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["refused"]["code"] == "shop_not_found"


def test_a_database_in_a_missing_folder_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path}/no/such/dir/x.db", "init"])
    assert result.exit_code == 2
    assert f"the folder {tmp_path}/no/such/dir does not exist" in result.stderr


def test_a_command_where_there_is_no_database_says_so_and_makes_none(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path}/linksim.db", "link", "official", "shop_acme_us",
                                       "maya"])
    assert result.exit_code == 2
    assert f"There is no linksim database at {tmp_path}/linksim.db. Run `linksim init` here" in result.stderr
    assert not (tmp_path / "linksim.db").exists()


def test_a_command_on_an_empty_database_says_how_to_fill_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("start: 2026-03-02T09:00:00Z\n")
    db = f"sqlite:///{tmp_path}/linksim.db"
    assert CliRunner().invoke(main, ["--db", db, "init", "--fixtures", str(empty)]).exit_code == 0
    result = CliRunner().invoke(main, ["--db", db, "show"])
    assert result.exit_code == 2 and "is empty. Load the demo data with `linksim init`" in result.stderr


@pytest.mark.parametrize("url", ["postgres://me@localhost/linksim", "mysql://me@localhost/linksim",
                                 "postgresql://me@localhost/linksim", "not a url"])
def test_a_database_url_linksim_cannot_use_names_the_forms_that_work(url: str) -> None:
    result = CliRunner().invoke(main, ["--db", url, "show"])
    assert result.exit_code == 2
    assert "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE" in result.stderr
    assert "Traceback" not in result.output


def test_the_markets_are_shown_without_a_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path}/linksim.db", "--json", "markets"])
    assert result.exit_code == 0 and "tokopedia" in json.loads(result.stdout)
    assert not (tmp_path / "linksim.db").exists()


def test_the_clock_carries_over_between_commands(linksim) -> None:  # noqa: ANN001
    linksim("clock", "advance", "25h")
    assert json.loads(linksim("--json", "clock", "show").stdout)["now"] == "2026-03-03T10:00:00+00:00"


def test_the_code_table_is_printable_as_markdown(linksim) -> None:  # noqa: ANN001
    result = linksim("codes", "--markdown")
    assert result.stdout.startswith("| code | kind | rules |")


def test_journal_needs_a_positive_count(linksim) -> None:  # noqa: ANN001
    assert linksim("journal", "--last", "0").exit_code == 2


@pytest.mark.parametrize(("written", "read"), [
    (["init", "--db", "sqlite:///x.db"], ["--db", "sqlite:///x.db", "init"]),
    (["show", "--db=sqlite:///x.db"], ["--db=sqlite:///x.db", "show"]),
    (["--json", "clock", "advance", "25h", "--db", "sqlite:///x.db"],
     ["--json", "--db", "sqlite:///x.db", "clock", "advance", "25h"]),
    (["--db", "sqlite:///a.db", "show"], ["--db", "sqlite:///a.db", "show"]),
    (["seller", "--", "--db", "x"], ["seller", "--", "--db", "x"]),
])
def test_db_is_read_before_or_after_the_command(written: list[str], read: list[str]) -> None:
    assert hoist_db(written) == read


def test_init_takes_db_after_the_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", "--db", f"sqlite:///{tmp_path}/after.db"])
    assert result.exit_code == 0 and (tmp_path / "after.db").exists()
