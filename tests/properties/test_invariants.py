"""Random sequences of link, unlink, rename, verify, review and clock moves never reach a state TikTok could not be in.

After every step the whole store is checked against the invariants, and every refusal is checked
to be justified by the state before it and to have changed no slot.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from datetime import timedelta

from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import invariant
from hypothesis.stateful import rule

from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.errors import Refused
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.shops import ReviewMode
from auth_server.simulator import Simulator
from tests.conftest import START
from tests.conftest import WorldBuilder

SHOPS = ["us_a", "us_b", "id_t", "us_m"]
ACCOUNTS = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "i0", "i1", "u0"]
STEPS = ["1s", "59m", "23h59m59s", "24h", "47h", "48h", "7d", "30d", "181d"]


class LinkingMachine(RuleBasedStateMachine):
    @initialize()
    def build_world(self) -> None:
        self.sim = Simulator.in_memory(start=START)
        self.world = WorldBuilder(self.sim)
        self.service = self.sim.service
        w = self.world
        self.shops = {
            "us_a": w.shop("us_a"),
            "us_b": w.shop("us_b"),
            "id_t": w.shop("id_t", region="ID", market="tokopedia"),
            "us_m": w.shop("us_m", review_mode=ReviewMode.MANUAL),
        }
        self.accounts = {}
        for name in ACCOUNTS:
            region = "ID" if name.startswith("i") else "US"
            verification = Verification.UNVERIFIED if name.startswith("u") else Verification.VERIFIED
            self.accounts[name] = w.account(name, region=region, verification=verification,
                                            birth_date=date(1990, 1, 1))

    def teardown(self) -> None:
        if hasattr(self, "sim"):
            self.sim.store.dispose()

    # --- steps ---------------------------------------------------------------------------------------------

    @rule(shop=st.sampled_from(SHOPS), account=st.sampled_from(ACCOUNTS), via_app=st.booleans())
    def link_official(self, shop: str, account: str, via_app: bool) -> None:
        open_id = self.accounts[account].open_id
        before = self.snapshot()
        try:
            if via_app:
                username = self.service.get_account(open_id).username
                link = self.service.request_app_consent(shop, username)
            else:
                link = self.service.start_official_link(shop)
            self.service.give_consent(link.link_id, open_id)
            self.service.accept_terms(link.link_id)
        except Refused as refusal:
            self.assert_justified(refusal, before, shop, open_id, Role.OFFICIAL)

    @rule(shop=st.sampled_from(SHOPS), account=st.sampled_from(ACCOUNTS))
    def link_marketing(self, shop: str, account: str) -> None:
        open_id = self.accounts[account].open_id
        before = self.snapshot()
        try:
            invitation = self.service.invite_marketing_account(shop, open_id)
            self.service.answer_invitation(invitation.invitation_id, open_id, accept=True)
        except Refused as refusal:
            self.assert_justified(refusal, before, shop, open_id, Role.MARKETING)

    @rule(shop=st.sampled_from(SHOPS), account=st.sampled_from(ACCOUNTS))
    def unlink(self, shop: str, account: str) -> None:
        open_id = self.accounts[account].open_id
        before = self.snapshot()
        try:
            self.service.unlink(shop, open_id)
        except Refused as refusal:
            assert self.snapshot() == before, "a refused unlink changed the slots"
            link = before.get((shop, open_id))
            for code in refusal.codes:
                if code == "account_not_linked":
                    assert link is None
                elif code == "unlink_too_early":
                    wait = self.sim.markets[self.shops[shop].market].unlink_wait(link[0])
                    assert self.sim.clock.now() < link[2] + wait
                elif code == "unbind_limit_reached":
                    assert self.shops[shop].market == "tokopedia" and link[0] is Role.OFFICIAL
                elif code != "link_not_awaiting":
                    raise AssertionError(f"unexpected refusal of an unlink: {code}") from refusal

    @rule(shop=st.sampled_from(SHOPS), name=st.sampled_from(["Alpha", "Beta Shop", "Gamma & Co", "us_a"]))
    def rename_shop(self, shop: str, name: str) -> None:
        self.service.rename_shop(shop, name)

    @rule(account=st.sampled_from(ACCOUNTS), outcome=st.sampled_from(list(VerificationOutcome)))
    def verify(self, account: str, outcome: VerificationOutcome) -> None:
        open_id = self.accounts[account].open_id
        self.service.set_verification_outcome(open_id, outcome)
        self.service.start_verification(open_id)

    @rule(approve=st.booleans())
    def decide_a_pending_review(self, approve: bool) -> None:
        pending = [link for link in self.service.links(shop_id="us_m") if link.state is LinkState.PENDING_REVIEW]
        if pending:
            self.service.decide_review(pending[0].link_id, approve=approve)

    @rule(step=st.sampled_from(STEPS))
    def advance_clock(self, step: str) -> None:
        self.sim.clock.advance(step)  # type: ignore[attr-defined]

    # --- what every refusal must be -----------------------------------------------------------------------

    def snapshot(self) -> dict[tuple[str, str], tuple[Role, LinkState, object]]:
        return {
            (link.shop_id, link.open_id): (link.role, link.state, link.activated_at)
            for link in self.service.links() if link.state.holds_slot and link.open_id
        }

    def assert_justified(self, refusal: Refused, before: dict, shop: str, open_id: str, role: Role) -> None:
        assert self.snapshot() == before, f"a refused link changed the slots: {refusal.codes}"
        account = self.service.get_account(open_id)
        now = self.sim.clock.now()
        at_shop = [r for (s, _), r in before.items() if s == shop]
        for code in refusal.codes:
            if code == "official_slot_taken":
                assert any(r[0] is Role.OFFICIAL for r in at_shop)
            elif code == "account_linked_elsewhere":
                assert any(s != shop and o == open_id and r[0] is Role.OFFICIAL for (s, o), r in before.items())
            elif code == "marketing_slots_full":
                assert sum(r[0] is Role.MARKETING for r in at_shop) >= 4
            elif code in ("same_account_both_roles", "already_linked"):
                assert (shop, open_id) in before
            elif code == "region_mismatch":
                assert account.region != self.shops[shop].region and role is Role.OFFICIAL
            elif code == "identity_not_verified":
                assert account.verification is not Verification.VERIFIED
            elif code == "marketing_link_quota_exceeded":
                counted = [link for link in self.service.links(open_id=open_id)
                           if link.role is Role.MARKETING and link.activated_at
                           and link.activated_at >= now - timedelta(days=180)]
                assert len(counted) >= 10
            else:
                raise AssertionError(f"unexpected refusal of a link: {code} ({refusal})")

    # --- invariants ----------------------------------------------------------------------------------------

    @invariant()
    def the_store_is_in_a_state_tiktok_could_be_in(self) -> None:
        if not hasattr(self, "sim"):
            return
        links = self.service.links()
        holding = [link for link in links if link.state.holds_slot]
        officials_per_shop: dict[str, int] = defaultdict(int)
        official_shops_per_account: dict[str, int] = defaultdict(int)
        marketing_slots: dict[str, list[int]] = defaultdict(list)
        pairs: dict[tuple[str, str], int] = defaultdict(int)
        for link in holding:
            assert link.open_id is not None
            pairs[(link.shop_id, link.open_id)] += 1
            if link.role is Role.OFFICIAL:
                officials_per_shop[link.shop_id] += 1
                official_shops_per_account[link.open_id] += 1
            else:
                assert link.marketing_slot is not None
                marketing_slots[link.shop_id].append(link.marketing_slot)
        assert max(officials_per_shop.values(), default=0) <= 1, "two official accounts at one shop"
        assert max(official_shops_per_account.values(), default=0) <= 1, "an account official at two shops"
        assert max(pairs.values(), default=0) <= 1, "one account in two roles at one shop"
        for slots in marketing_slots.values():
            assert len(slots) <= 4 and len(set(slots)) == len(slots) and set(slots) <= {1, 2, 3, 4}

        # The 10-in-180-days quota: no window of 180 days holds more than 10 marketing activations.
        activations: dict[str, list] = defaultdict(list)
        for link in links:
            if link.role is Role.MARKETING and link.activated_at is not None:
                activations[link.open_id].append(link.activated_at)
        for times in activations.values():
            times.sort()
            for i, start in enumerate(times):
                in_window = [t for t in times[: i + 1] if t >= start - timedelta(days=180)]
                assert len(in_window) <= 10, "more than 10 marketing links in 180 days"

        # Effects: linked accounts are Business (E1); the official account carries the shop's name (E2).
        for link in holding:
            if link.state is not LinkState.ACTIVE:
                continue
            account = self.service.get_account(link.open_id)
            assert account.account_type is not AccountType.PERSONAL
            if link.role is Role.OFFICIAL:
                assert account.nickname == self.service.get_shop(link.shop_id).name

        # Nothing happened in the future, and the journal only grows in order.
        events = self.service.journal()
        assert all(e.at <= self.sim.clock.now() for e in events)
        assert [e.seq for e in events] == sorted(e.seq for e in events)


LinkingMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLinkingInvariants = LinkingMachine.TestCase
