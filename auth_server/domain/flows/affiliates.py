"""Affiliate creators, showcases (M8, E5), LIVE sessions (M10) and products tagged in videos (E3)."""

from __future__ import annotations

from decimal import Decimal

from auth_server.domain import codes
from auth_server.domain import rules
from auth_server.domain.accounts import Account
from auth_server.domain.affiliates import AffiliateInvitation
from auth_server.domain.affiliates import LiveSession
from auth_server.domain.affiliates import ShowcaseItem
from auth_server.domain.affiliates import VideoProductTag
from auth_server.domain.errors import Refused
from auth_server.domain.flows.base import FlowBase
from auth_server.domain.inputs import valid_commission_rate
from auth_server.domain.inputs import valid_id
from auth_server.domain.links import InvitationState
from auth_server.domain.links import LinkState
from auth_server.domain.operation import Operation


class AffiliateFlows(FlowBase):
    """Affiliate invitations, showcases, LIVE sessions and video product tags."""

    def sign_up_affiliate(self, open_id: str) -> Account:
        """The holder signs up at the Affiliate Center (needed to show Product Marketplace products, M8)."""

        def body(op: Operation) -> Account:
            account = op.require_account(open_id, lock=True)
            if not account.affiliate_signed_up:
                account.affiliate_signed_up = True
                op.record("app", "account.affiliate_signed_up", "account", open_id,
                          changes={"affiliate_signed_up": [False, True]})
            return account

        return self._run(body)

    def invite_affiliate(
        self,
        shop_id: str,
        open_id: str,
        commission_rate: Decimal | float | str,
        *,
        invitation_id: str | None = None,
        actor: str = "seller",
    ) -> AffiliateInvitation:
        """A seller's affiliate invitation with a commission rate; it takes no slot and counts toward no quota."""

        def body(op: Operation) -> AffiliateInvitation:
            rate = valid_commission_rate(commission_rate)
            shop = op.require_shop(shop_id, actor=actor)
            account = op.require_account(open_id)
            op.refuse_affiliate_products_for_official(open_id)
            invitation = AffiliateInvitation(
                invitation_id=op.unused_id(invitation_id, "aff", op.repo.affiliate_invitation),
                shop_id=shop.shop_id,
                open_id=account.open_id,
                commission_rate=rate,
                state=InvitationState.PENDING,
                created_at=op.now,
                expires_at=op.now + op.policy(shop).invitation_lifetime,
            )
            op.repo.add(invitation)
            op.record(actor, "affiliate.invited", "affiliate_invitation", invitation.invitation_id,
                      data={"shop_id": shop_id, "open_id": open_id, "commission_rate": str(rate)})
            return invitation

        return self._run(body)

    def answer_affiliate_invitation(self, invitation_id: str, open_id: str, *, accept: bool) -> AffiliateInvitation:
        def body(op: Operation) -> AffiliateInvitation:
            invitation = op.repo.affiliate_invitation(invitation_id, lock=True)
            if invitation is None or invitation.open_id != open_id:
                raise Refused.because(codes.INVITATION_NOT_FOUND, invitation_id=invitation_id)
            op.require_pending(invitation)
            if accept:
                op.refuse_affiliate_products_for_official(open_id)
            state = InvitationState.ACCEPTED if accept else InvitationState.DECLINED
            op.close_invitation(invitation, state, f"affiliate.{state.value}", subject_type="affiliate_invitation")
            return invitation

        return self._run(body)

    def add_to_showcase(self, open_id: str, product_id: str) -> ShowcaseItem:
        """Add a product to the account's showcase by hand (M8, E5)."""

        def body(op: Operation) -> ShowcaseItem:
            account = op.require_account(open_id)
            product = op.repo.product(product_id)
            if product is None:
                raise Refused.because(codes.PRODUCT_NOT_FOUND, product_id=product_id)
            source = op.showcase_source(account, product)
            existing = next((i for i in op.repo.showcase(open_id) if i.product_id == product_id), None)
            if existing is not None:
                return existing
            item = ShowcaseItem(open_id=open_id, product_id=product_id, source=source, added_at=op.now)
            op.repo.add(item)
            op.record("app", "showcase.product_added", "account", open_id,
                      data={"product_id": product_id, "source": source.value})
            return item

        return self._run(body)

    def start_live(self, open_id: str, *, mirror_of: str | None = None) -> LiveSession:
        """Go LIVE, optionally mirroring another account's LIVE (refused where the market forbids it, M10)."""

        def body(op: Operation) -> LiveSession:
            account = op.require_account(open_id, lock=True)
            if mirror_of is not None:
                op.refuse_if(op.mirroring_violations(account, op.require_account(mirror_of)))
            session = op.repo.live_session(open_id)
            if session is None:
                session = LiveSession(open_id=open_id, started_at=op.now, mirror_of=mirror_of)
                op.repo.add(session)
                op.record("app", "live.started", "account", open_id, data={"mirror_of": mirror_of})
            return session

        return self._run(body)

    def end_live(self, open_id: str) -> None:
        def body(op: Operation) -> None:
            session = op.repo.live_session(open_id)
            if session is not None:
                session.ended_at = op.now
                op.record("app", "live.ended", "account", open_id)

        self._run(body)

    def tag_product_in_video(self, open_id: str, product_id: str) -> VideoProductTag:
        """The holder posts a video with a shop's product tagged in it; only an account linked to the shop may (E3)."""

        def body(op: Operation) -> VideoProductTag:
            account = op.require_account(open_id)
            product = op.repo.product(valid_id(product_id, "product_id"))
            if product is None:
                raise Refused.because(codes.PRODUCT_NOT_FOUND, product_id=product_id)
            shop = op.require_shop(product.shop_id)
            linked = any(link.shop_id == shop.shop_id and link.state is LinkState.ACTIVE
                         for link in op.repo.holding_links(open_id=open_id))
            violation = rules.video_channel_is_unlocked(account, product, shop, linked)
            op.refuse_if([violation] if violation else [])
            tag = VideoProductTag(video_id=self.ids("vid"), open_id=open_id, product_id=product.product_id,
                                  shop_id=shop.shop_id, tagged_at=op.now)
            op.record("app", "video.product_tagged", "account", open_id,
                      data={"video_id": tag.video_id, "product_id": tag.product_id, "shop_id": tag.shop_id})
            return tag

        return self._run(body)
