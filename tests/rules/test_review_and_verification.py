"""The review that follows the terms (Readings: review), and the identity verification process (O5, M6)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.errors import Refused
from auth_server.domain.links import LinkState
from auth_server.domain.shops import ReviewMode
from tests.rules.rule_helpers import SECOND
from tests.rules.rule_helpers import event_kinds
from tests.rules.rule_helpers import events_of

REVIEW_DELAY = timedelta(hours=2)
VERIFICATION_DELAY = timedelta(hours=3)


# --- review modes -------------------------------------------------------------------------------------------


def test_by_default_the_review_approves_at_once(world, service):
    link = world.link_official(world.shop(), world.account())

    assert link.state is LinkState.ACTIVE
    assert link.activated_at == world.sim.clock.now()


def test_auto_review_with_a_delay_leaves_the_link_pending_review(world, service):
    shop = world.shop(review_mode=ReviewMode.AUTO, review_delay=REVIEW_DELAY)

    link = world.link_official(shop, world.account())

    assert link.state is LinkState.PENDING_REVIEW
    assert link.review_due_at == world.sim.clock.now() + REVIEW_DELAY


def test_auto_review_one_second_before_the_delay_is_still_pending(world, service):
    shop = world.shop(review_mode=ReviewMode.AUTO, review_delay=REVIEW_DELAY)
    link = world.link_official(shop, world.account())
    world.advance(REVIEW_DELAY - SECOND)

    assert service.get_link(link.link_id).state is LinkState.PENDING_REVIEW


def test_auto_review_at_the_delay_makes_the_link_active(world, service):
    shop = world.shop(review_mode=ReviewMode.AUTO, review_delay=REVIEW_DELAY)
    link = world.link_official(shop, world.account())
    due = world.sim.clock.now() + REVIEW_DELAY
    world.advance(REVIEW_DELAY)

    active = service.get_link(link.link_id)

    assert active.state is LinkState.ACTIVE
    assert active.activated_at == due


def test_auto_review_activates_at_the_due_time_even_when_noticed_later(world, service):
    shop = world.shop(review_mode=ReviewMode.AUTO, review_delay=REVIEW_DELAY)
    link = world.link_official(shop, world.account())
    due = world.sim.clock.now() + REVIEW_DELAY
    world.advance(timedelta(days=3))

    assert service.get_link(link.link_id).activated_at == due
    [active_event] = events_of(service, "link.active", "link", link.link_id)
    assert active_event.at == due


def test_review_settings_can_be_changed_per_shop(world, service):
    shop = world.shop()
    service.set_review(shop.shop_id, ReviewMode.AUTO, REVIEW_DELAY)

    link = world.link_official(shop, world.account())

    assert link.state is LinkState.PENDING_REVIEW


def test_manual_review_waits_for_a_decision_however_long(world, service):
    shop = world.shop(review_mode=ReviewMode.MANUAL)
    link = world.link_official(shop, world.account())
    world.advance(timedelta(days=30))

    pending = service.get_link(link.link_id)

    assert pending.state is LinkState.PENDING_REVIEW
    assert pending.review_due_at is None


def test_manual_review_approved_makes_the_link_active(world, service):
    shop = world.shop(review_mode=ReviewMode.MANUAL)
    link = world.link_official(shop, world.account())

    approved = service.decide_review(link.link_id, approve=True)

    assert approved.state is LinkState.ACTIVE
    assert approved.activated_at == world.sim.clock.now()


def test_manual_review_rejected_refuses_the_link_with_review_rejected(world, service):
    shop = world.shop(review_mode=ReviewMode.MANUAL)
    account = world.account()
    link = world.link_official(shop, account)

    service.decide_review(link.link_id, approve=False)

    rejected = service.get_link(link.link_id)
    assert rejected.state is LinkState.REFUSED
    assert rejected.refusal_codes == ["review_rejected"]
    assert service.linked_accounts(shop.shop_id)["official"] is None


def test_a_decided_review_cannot_be_decided_again(world, service):
    shop = world.shop(review_mode=ReviewMode.MANUAL)
    link = world.link_official(shop, world.account())
    service.decide_review(link.link_id, approve=True)

    with pytest.raises(Refused) as excinfo:
        service.decide_review(link.link_id, approve=False)

    assert excinfo.value.codes == ["link_not_awaiting"]
    assert service.get_link(link.link_id).state is LinkState.ACTIVE


def test_reject_mode_one_second_before_the_delay_is_still_pending(world, service):
    shop = world.shop(review_mode=ReviewMode.REJECT, review_delay=REVIEW_DELAY)
    link = world.link_official(shop, world.account())
    world.advance(REVIEW_DELAY - SECOND)

    assert service.get_link(link.link_id).state is LinkState.PENDING_REVIEW


def test_reject_mode_refuses_the_link_with_review_rejected_at_the_delay(world, service):
    shop = world.shop(review_mode=ReviewMode.REJECT, review_delay=REVIEW_DELAY)
    account = world.account()
    link = world.link_official(shop, account)
    world.advance(REVIEW_DELAY)

    rejected = service.get_link(link.link_id)

    assert rejected.state is LinkState.REFUSED
    assert rejected.refusal_codes == ["review_rejected"]
    assert rejected.activated_at is None
    assert service.get_account(account.open_id).account_type is AccountType.PERSONAL


def test_a_rejected_review_frees_the_slot(world, service):
    shop = world.shop(review_mode=ReviewMode.REJECT, review_delay=REVIEW_DELAY)
    world.link_official(shop, world.account("first"))
    world.advance(REVIEW_DELAY)
    service.set_review(shop.shop_id, None)

    link = world.link_official(shop, world.account("second"))

    assert link.state is LinkState.ACTIVE


# --- a link pending review holds its slot -------------------------------------------------------------------


def test_a_link_pending_review_holds_the_official_slot(world, service):
    shop = world.shop(review_mode=ReviewMode.MANUAL)
    world.link_official(shop, world.account("first"))

    with pytest.raises(Refused) as excinfo:
        service.start_official_link(shop.shop_id)

    assert excinfo.value.codes == ["official_slot_taken"]


def test_an_account_pending_review_at_one_shop_cannot_be_official_at_another(world, service):
    reviewing = world.shop(review_mode=ReviewMode.MANUAL)
    account = world.account()
    world.link_official(reviewing, account)

    with pytest.raises(Refused) as excinfo:
        world.link_official(world.shop(), account)

    assert excinfo.value.codes == ["account_linked_elsewhere"]


def test_a_link_pending_review_shows_to_the_seller_as_pending(world, service):
    shop = world.shop(review_mode=ReviewMode.MANUAL)
    account = world.account()
    link = world.link_official(shop, account)

    official = service.linked_accounts(shop.shop_id)["official"]

    assert official["open_id"] == account.open_id
    assert official["state"] == "pending_review"
    assert official["link_id"] == link.link_id
    assert set(official) == {"open_id", "state", "link_id"}  # E4: no details before the link is established


def test_a_link_pending_review_cannot_be_unlinked_yet(world, service):
    shop = world.shop(review_mode=ReviewMode.MANUAL)
    account = world.account()
    world.link_official(shop, account)
    world.advance(timedelta(days=2))

    with pytest.raises(Refused) as excinfo:
        service.unlink(shop.shop_id, account.open_id)

    assert excinfo.value.codes == ["link_not_awaiting"]


# --- identity verification ----------------------------------------------------------------------------------


def test_starting_verification_puts_an_unverified_account_in_pending(world, service):
    account = world.account(verification=Verification.UNVERIFIED)
    service.set_verification_outcome(account.open_id, VerificationOutcome.PASS, delay=VERIFICATION_DELAY)

    started = service.start_verification(account.open_id)

    assert started.verification is Verification.PENDING


def test_a_passing_verification_is_still_pending_one_second_before_its_delay(world, service):
    account = world.account(verification=Verification.UNVERIFIED)
    service.set_verification_outcome(account.open_id, VerificationOutcome.PASS, delay=VERIFICATION_DELAY)
    service.start_verification(account.open_id)
    world.advance(VERIFICATION_DELAY - SECOND)

    assert service.get_account(account.open_id).verification is Verification.PENDING


def test_a_passing_verification_is_verified_at_its_delay(world, service):
    account = world.account(verification=Verification.UNVERIFIED)
    service.set_verification_outcome(account.open_id, VerificationOutcome.PASS, delay=VERIFICATION_DELAY)
    service.start_verification(account.open_id)
    world.advance(VERIFICATION_DELAY)

    assert service.get_account(account.open_id).verification is Verification.VERIFIED


def test_a_failing_verification_ends_failed_at_its_delay(world, service):
    account = world.account(verification=Verification.UNVERIFIED)
    service.set_verification_outcome(account.open_id, VerificationOutcome.FAIL, delay=VERIFICATION_DELAY)
    service.start_verification(account.open_id)
    world.advance(VERIFICATION_DELAY)

    assert service.get_account(account.open_id).verification is Verification.FAILED


def test_a_verification_set_to_stay_pending_never_ends(world, service):
    account = world.account(verification=Verification.UNVERIFIED)
    service.set_verification_outcome(account.open_id, VerificationOutcome.STAY_PENDING,
                                     delay=VERIFICATION_DELAY)
    service.start_verification(account.open_id)
    world.advance(timedelta(days=365))

    assert service.get_account(account.open_id).verification is Verification.PENDING


def test_a_verification_with_no_delay_passes_at_once(world, service):
    account = world.account(verification=Verification.UNVERIFIED)

    started = service.start_verification(account.open_id)

    assert started.verification is Verification.VERIFIED


def test_a_stuck_verification_ends_when_its_outcome_is_changed_after_the_delay(world, service):
    account = world.account(verification=Verification.UNVERIFIED)
    service.set_verification_outcome(account.open_id, VerificationOutcome.STAY_PENDING,
                                     delay=VERIFICATION_DELAY)
    service.start_verification(account.open_id)
    world.advance(VERIFICATION_DELAY)

    changed = service.set_verification_outcome(account.open_id, VerificationOutcome.PASS)

    assert changed.verification is Verification.VERIFIED


def test_a_failed_verification_can_be_started_again(world, service):
    account = world.account(verification=Verification.FAILED)
    service.set_verification_outcome(account.open_id, VerificationOutcome.PASS, delay=VERIFICATION_DELAY)

    restarted = service.start_verification(account.open_id)

    assert restarted.verification is Verification.PENDING


def test_the_verification_steps_are_recorded_in_the_journal_at_their_times(world, service):
    account = world.account(verification=Verification.UNVERIFIED)
    service.set_verification_outcome(account.open_id, VerificationOutcome.PASS, delay=VERIFICATION_DELAY)
    started_at = world.sim.clock.now()
    service.start_verification(account.open_id)
    world.advance(timedelta(days=1))
    service.settle()

    kinds = event_kinds(service, "account", account.open_id)
    assert kinds == ["account.verification_settings_changed", "verification.pending", "verification.verified"]
    [pending] = events_of(service, "verification.pending", "account", account.open_id)
    [verified] = events_of(service, "verification.verified", "account", account.open_id)
    assert pending.at == started_at
    assert pending.changes == {"verification": ["unverified", "pending"]}
    assert verified.at == started_at + VERIFICATION_DELAY
    assert verified.actor == "simulator"
    assert verified.changes == {"verification": ["pending", "verified"]}


def test_a_failed_verification_is_recorded_in_the_journal(world, service):
    account = world.account(verification=Verification.UNVERIFIED)
    service.set_verification_outcome(account.open_id, VerificationOutcome.FAIL, delay=VERIFICATION_DELAY)
    service.start_verification(account.open_id)
    world.advance(VERIFICATION_DELAY)
    service.settle()

    [failed] = events_of(service, "verification.failed", "account", account.open_id)
    assert failed.changes == {"verification": ["pending", "failed"]}


def test_an_account_pending_verification_cannot_link_until_it_is_verified(world, service):
    shop = world.shop()
    account = world.account(verification=Verification.UNVERIFIED)
    service.set_verification_outcome(account.open_id, VerificationOutcome.PASS, delay=VERIFICATION_DELAY)
    service.start_verification(account.open_id)
    world.advance(VERIFICATION_DELAY - SECOND)
    with pytest.raises(Refused) as excinfo:
        world.link_official(shop, account)
    assert excinfo.value.codes == ["identity_not_verified"]

    world.advance(SECOND)

    assert world.link_official(shop, account).state is LinkState.ACTIVE


def test_a_review_ends_as_the_mode_it_started_under_said(world, service):
    shop = world.shop()
    service.set_review(shop.shop_id, ReviewMode.AUTO, REVIEW_DELAY)
    link = world.link_official(shop, world.account())
    service.set_review(shop.shop_id, ReviewMode.MANUAL)
    world.sim.clock.advance(REVIEW_DELAY)

    assert service.get_link(link.link_id).state is LinkState.ACTIVE
    assert service.get_link(link.link_id).review_mode is ReviewMode.AUTO


def test_a_manual_review_stays_manual_when_the_shop_goes_back_to_automatic(world, service):
    shop = world.shop()
    service.set_review(shop.shop_id, ReviewMode.MANUAL)
    link = world.link_official(shop, world.account())
    service.set_review(shop.shop_id, None)
    world.advance("30d")

    assert service.get_link(link.link_id).state is LinkState.PENDING_REVIEW


def test_a_verification_decided_after_its_due_time_is_recorded_when_decided(world, service):
    account = world.account(verification=Verification.UNVERIFIED,
                            verification_outcome=VerificationOutcome.STAY_PENDING)
    service.start_verification(account.open_id)
    world.advance("6d")
    decided_at = world.sim.clock.now()
    service.set_verification_outcome(account.open_id, VerificationOutcome.PASS)

    verified = events_of(service, "verification.verified", "account", account.open_id)
    assert [e.at for e in verified] == [decided_at]


def test_a_new_delay_applies_to_the_verification_already_pending(world, service):
    account = world.account(verification=Verification.UNVERIFIED,
                            verification_outcome=VerificationOutcome.STAY_PENDING)
    service.start_verification(account.open_id)
    service.set_verification_outcome(account.open_id, VerificationOutcome.PASS, delay=VERIFICATION_DELAY)
    assert service.get_account(account.open_id).verification is Verification.PENDING
    world.sim.clock.advance(VERIFICATION_DELAY)
    assert service.get_account(account.open_id).verification is Verification.VERIFIED


def test_due_transitions_are_journaled_in_the_order_they_came_due(world, service):
    early_shop, late_shop = world.shop(), world.shop()
    service.set_review(late_shop.shop_id, ReviewMode.AUTO, timedelta(hours=4))
    late = world.link_official(late_shop, world.account())  # created first, due at +4h
    service.set_review(early_shop.shop_id, ReviewMode.AUTO, timedelta(hours=1))
    early = world.link_official(early_shop, world.account())  # created second, due at +1h
    world.advance("5h")

    activations = [e for e in service.journal() if e.kind == "link.active"]
    assert [e.subject_id for e in activations] == [early.link_id, late.link_id]
    assert [e.at for e in activations] == sorted(e.at for e in activations)
