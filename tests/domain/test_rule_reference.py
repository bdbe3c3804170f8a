"""docs/rules.md is made from the code that enforces the rules, and cannot drift from it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from auth_server.cli import main
from auth_server.cli.rule_reference import entries
from auth_server.cli.rule_reference import markdown
from auth_server.cli.rule_reference import named_rule_ids
from auth_server.cli.rule_reference import settings_read
from auth_server.domain import rules
from auth_server.domain.rule_book import RULE_BOOK

DOC = Path(__file__).parents[2] / "docs" / "rules.md"


def test_the_checked_in_page_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown() + "\n", "run: make docs"


def test_every_rule_the_code_names_is_in_the_book() -> None:
    assert named_rule_ids() <= set(RULE_BOOK)


def test_every_rule_of_the_book_has_a_scenario() -> None:
    assert [entry.rule_id for entry in entries() if not entry.scenarios] == []


def test_a_check_that_reads_the_unlink_wait_through_the_policy_lists_both_waits() -> None:
    assert settings_read(rules.unlink_wait_has_passed) == {"official_unlink_wait", "marketing_unlink_wait"}


def test_the_page_gives_each_rule_its_codes_and_its_market_values() -> None:
    text = markdown()
    o2 = text.split("## O2\n", 1)[1].split("\n## ", 1)[0]
    assert "`official_slot_taken`" in o2 and "`official_slot_is_free`" in o2
    u2 = text.split("## U2\n", 1)[1].split("\n## ", 1)[0]
    assert "`official_unbinds_per_shop` (global: no limit; tokopedia: 3)" in u2


def test_linksim_rules_prints_the_page() -> None:
    result = CliRunner().invoke(main, ["rules", "--markdown"])
    assert result.exit_code == 0 and result.output == markdown() + "\n"
