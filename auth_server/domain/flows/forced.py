"""What a test forces on a flow, beyond what the parties do: a consent ending now, a review left pending.

The other transitions a test may force (the holder scans and authorizes, the seller accepts the terms, the
reviewer decides) are the parties' own flows, called on their behalf; these are the ones no party can cause.
"""

from __future__ import annotations

from auth_server.domain import codes
from auth_server.domain.errors import Refused
from auth_server.domain.flows.base import FlowBase
from auth_server.domain.links import Invitation
from auth_server.domain.links import InvitationState
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.operation import Operation
from auth_server.domain.shops import ReviewMode


class ForcedFlows(FlowBase):
    """Transitions the simulator forces: expiring now, holding a review."""

    def expire_consent_now(self, link_id: str, *, actor: str = "simulator") -> Link:
        """The QR code (or the Seller-app request) expires now, as if its five minutes were up."""

        def body(op: Operation) -> Link:
            link = op.require_link(link_id, lock=True)
            if link.state is not LinkState.PENDING_CONSENT:
                raise Refused.because(codes.LINK_NOT_AWAITING, state=link.state.value, action="expire")
            link.consent_expires_at = op.now
            op.end_link(link, LinkState.EXPIRED, actor, [])
            return link

        return self._run(body)

    def hold_review(self, link_id: str, *, actor: str = "simulator") -> Link:
        """The review stays pending, whatever its mode said: only a decision by hand ends it now."""

        def body(op: Operation) -> Link:
            link = op.require_link(link_id, lock=True)
            if link.state is not LinkState.PENDING_REVIEW:
                raise Refused.because(codes.LINK_NOT_AWAITING, state=link.state.value, action="hold its review")
            before = link.review_mode
            link.review_mode = ReviewMode.MANUAL
            link.review_due_at = None
            op.record(actor, "link.review_held", "link", link.link_id,
                      changes={"review_mode": [before.value if before else None, ReviewMode.MANUAL.value]})
            return link

        return self._run(body)

    def expire_invitation_now(self, invitation_id: str, *, actor: str = "simulator") -> Invitation:
        """A marketing invitation expires now, as if its seven days were up."""

        def body(op: Operation) -> Invitation:
            invitation = op.repo.invitation(invitation_id, lock=True)
            if invitation is None:
                raise Refused.because(codes.INVITATION_NOT_FOUND, invitation_id=invitation_id)
            op.require_pending(invitation)
            invitation.expires_at = op.now
            op.close_invitation(invitation, InvitationState.EXPIRED, "invitation.expired", actor=actor)
            return invitation

        return self._run(body)
