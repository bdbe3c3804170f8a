"""Judging an answer against an expectation, and ${name.field} substitution (no server involved)."""

from __future__ import annotations

import pytest

from auth_server.scenarios.expectations import MISSING
from auth_server.scenarios.expectations import judge
from auth_server.scenarios.expectations import lookup
from auth_server.scenarios.expectations import substitute
from auth_server.scenarios.expectations import summary
from auth_server.scenarios.model import Expectation
from auth_server.scenarios.steps import Outcome
from auth_server.scenarios.steps import StepFailed

LINK = {"state": "active", "open_id": "oid_ana", "refusals": [], "granted": ["a", "b"],
        "official": {"nickname": "Shop One", "phone": None}, "eligible": True, "count": 1}
OK = Outcome.ok(LINK)
REFUSED = Outcome.refused("region_mismatch", ["account_linked_elsewhere", "region_mismatch"], "The account's ...",
                          409)


def expect(**document: object) -> Expectation:
    return Expectation.from_document(document or "ok")


def test_lookup_follows_dotted_paths_into_objects_and_lists() -> None:
    assert lookup(LINK, "official.nickname") == "Shop One"
    assert lookup(LINK, "granted.1") == "b"
    assert lookup(LINK, "granted.-1") == "b"
    assert lookup(LINK, "granted.2") is MISSING
    assert lookup(LINK, "official.phone") is None
    assert lookup(LINK, "official.email") is MISSING


def test_ok_expects_an_answer_and_any_refusal_is_a_mismatch() -> None:
    assert judge(expect(), OK) == []
    assert judge(expect(), REFUSED) == ["expected ok, got refused: account_linked_elsewhere, region_mismatch"]


def test_refused_expects_the_code_among_the_refusal_s_codes() -> None:
    assert judge(expect(refused="region_mismatch"), REFUSED) == []
    assert judge(expect(refused="underage"), REFUSED) == [
        "expected refused: underage, got refused: account_linked_elsewhere, region_mismatch"]
    assert judge(expect(refused="region_mismatch"), OK) == [
        "expected refused: region_mismatch, got ok (state: active)"]


def test_a_list_of_codes_must_be_exactly_the_refusal_s_codes() -> None:
    assert judge(expect(refused=["region_mismatch", "account_linked_elsewhere"]), REFUSED) == []
    assert judge(expect(refused=["region_mismatch"]), REFUSED) != []


def test_fields_of_a_refusal_are_its_code_message_and_status() -> None:
    assert judge(expect(refused="region_mismatch", status=409, code="region_mismatch"), REFUSED) == []
    assert judge(expect(refused="region_mismatch", status=403), REFUSED) == ["status: expected 403, got 409"]


@pytest.mark.parametrize(("fields", "reason"), [
    ({"state": "active"}, None),
    ({"state": "pending_review"}, "state: expected 'pending_review', got 'active'"),
    ({"official.email": None}, "official.email: expected None, got (absent)"),
    ({"official.phone": None}, None),
    ({"granted": ["a", "b"]}, None),
    ({"granted": {"length": 2}}, None),
    ({"granted": {"length": 3}}, "granted: expected length 3, got ['a', 'b'] (length 2)"),
    ({"granted": {"contains": "a"}}, None),
    ({"official.nickname": {"contains": "One"}}, None),
    ({"granted": {"contains": "c"}}, "granted: expected something containing 'c', got ['a', 'b']"),
    ({"open_id": {"matches": "^oid_"}}, None),
    ({"open_id": {"matches": "^org_"}}, "open_id: expected text matching /^org_/, got 'oid_ana'"),
    ({"official.nickname": {"present": True}, "official.phone": {"present": False}}, None),
    ({"official.phone": {"present": True}}, "official.phone: expected a value, got None"),
    ({"state": {"not": "refused"}}, None),
    ({"state": {"not": "active"}}, "state: expected anything but 'active', got it"),
    ({"eligible": 1}, "eligible: expected 1, got True"),  # true is not 1
    ({"count": True}, "count: expected True, got 1"),
    ({"official": {"nickname": "Shop One", "phone": None}}, None),  # not a test: an object to equal
])
def test_field_expectations(fields: dict[str, object], reason: str | None) -> None:
    assert judge(Expectation(fields=fields), OK) == ([] if reason is None else [reason])


def test_an_error_never_matches() -> None:
    assert judge(expect(), Outcome.error("boom")) == ["the step could not be carried out: boom"]
    assert judge(expect(refused="x"), Outcome.error("boom")) != []


def test_substitute_replaces_references_whole_or_inside_text() -> None:
    saved = {"qr": {"link_id": "lnk_1", "perms": ["a"], "n": 3, "ok": True, "none": None}}
    assert substitute("${qr.link_id}", saved) == "lnk_1"
    assert substitute("${qr.perms}", saved) == ["a"]
    assert substitute("id=${qr.link_id}/${qr.n}/${qr.ok}/${qr.none}", saved) == "id=lnk_1/3/true/"
    assert substitute({"a": ["${qr.n}", "plain"], "b": 2}, saved) == {"a": [3, "plain"], "b": 2}
    assert substitute("${qr}", saved) == saved["qr"]


def test_substitute_refuses_what_was_not_saved() -> None:
    with pytest.raises(StepFailed, match=r"\$\{nope.x\}: nothing was saved as 'nope'"):
        substitute("${nope.x}", {})
    with pytest.raises(StepFailed, match=r"has no 'x' \(it has: link_id\)"):
        substitute("${qr.x}", {"qr": {"link_id": "l"}})


def test_summary_names_the_state_or_the_codes() -> None:
    assert summary(OK) == "ok (state: active)"
    assert summary(REFUSED) == "refused: account_linked_elsewhere, region_mismatch"
    assert summary(Outcome.ok({})) == "ok"
    assert summary(Outcome.error("boom")) == "error: boom"
