"""The refusal-code catalogue: documented in the README, and complete."""

from __future__ import annotations

import re
from pathlib import Path

from auth_server.domain import codes
from auth_server.domain import rules
from auth_server.domain.errors import Refused
from auth_server.domain.errors import Violation

ROOT = Path(__file__).resolve().parents[2]


def test_readme_carries_the_generated_code_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = readme.split("<!-- codes:start -->\n", 1)[1].split("\n<!-- codes:end -->", 1)[0]
    assert documented == codes.markdown_table(), "regenerate it with `linksim codes --markdown`"


def test_every_code_raised_in_the_product_is_in_the_catalogue() -> None:
    used = set()
    for path in (ROOT / "auth_server").rglob("*.py"):
        used |= set(re.findall(r"codes\.([A-Z][A-Z_]+)\b", path.read_text(encoding="utf-8")))
    names = {name for name in used if name.isupper() and name != "CATALOGUE"}
    for name in names:
        assert getattr(codes, name) in codes.CATALOGUE


def test_codes_are_snake_case_and_messages_say_what_to_do() -> None:
    for code in codes.CATALOGUE.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", code.name)
        assert code.message.rstrip().endswith((".", "}")), code.name


def test_every_rule_id_named_by_a_code_or_rule_is_a_rule_of_rules_md() -> None:
    rules_md = {f"O{i}" for i in range(1, 12)} | {f"M{i}" for i in range(1, 11)} | {"U1", "U2", "U3"} | {
        f"E{i}" for i in range(1, 6)}
    for code in codes.CATALOGUE.values():
        assert set(code.rules) <= rules_md, code.name
    rule_ids = {rule_id for checks in (rules.LINK_RULES, rules.CONSENT_RULES, rules.UNLINK_RULES)
                for rule in checks for rule_id in rule.ids}
    assert rule_ids <= rules_md


def test_a_message_is_filled_from_the_details() -> None:
    violation = Violation.of(codes.REGION_MISMATCH, account_region="GB", shop_region="US")
    assert "(GB)" in violation.message and "(US)" in violation.message
    assert violation.rules == ("O4",)


def test_a_message_with_missing_details_never_shows_a_placeholder() -> None:
    message = Violation.of(codes.REGION_MISMATCH).message
    assert "{" not in message and "(unknown)" in message


def test_a_refusal_lists_every_violation_and_leads_with_the_first() -> None:
    refusal = Refused([Violation.of(codes.UNDERAGE, age=16, minimum_age=18), Violation.of(codes.ACCOUNT_RESTRICTED)])
    assert refusal.codes == ["underage", "account_restricted"]
    assert refusal.code == "underage"
    assert refusal.as_dict()["violations"][1]["code"] == "account_restricted"


def test_a_refusal_needs_a_reason() -> None:
    try:
        Refused([])
    except ValueError:
        return
    raise AssertionError("an empty refusal was accepted")
