"""Marketing accounts (M1-M9): search, criteria, invitations answered in the app."""

from __future__ import annotations

from auth_server.domain import codes
from auth_server.domain import rules
from auth_server.domain.accounts import Account
from auth_server.domain.errors import Refused
from auth_server.domain.errors import Violation
from auth_server.domain.flows.base import FlowBase
from auth_server.domain.inputs import clean_username
from auth_server.domain.inputs import valid_text
from auth_server.domain.links import Channel
from auth_server.domain.links import Invitation
from auth_server.domain.links import InvitationState
from auth_server.domain.links import Role
from auth_server.domain.operation import Operation


class MarketingFlows(FlowBase):
    """Marketing accounts: search, criteria, invitations."""

    def search_accounts(self, query: str) -> list[Account]:
        """Search by username (exact, with or without @) or nickname (every match: nicknames are not unique)."""

        def body(op: Operation) -> list[Account]:
            text = valid_text(query, "query")
            by_username = op.repo.account_by_username(clean_username(text))
            found = ([by_username] if by_username else []) + list(op.repo.accounts_by_nickname(text))
            unique = list({a.open_id: a for a in found}.values())
            if not unique:
                raise Refused.because(codes.ACCOUNT_NOT_FOUND, query=query)
            return unique

        return self._view(body)

    def check_marketing_criteria(self, shop_id: str, open_id: str, *, actor: str = "seller") -> list[Violation]:
        """The seller's "Next": which criteria the account fails, if any, before an invitation is sent."""

        def body(op: Operation) -> list[Violation]:
            shop = op.require_shop(shop_id, actor=actor)
            account = op.require_account(open_id)
            return rules.check_link(op.link_facts(shop, account, Role.MARKETING))

        return self._run(body)

    def invite_marketing_account(
        self, shop_id: str, open_id: str, *, invitation_id: str | None = None, actor: str = "seller"
    ) -> Invitation:
        """Send an invitation (M5) once the account meets every criterion; a pending one is reused."""

        def body(op: Operation) -> Invitation:
            shop = op.require_shop(shop_id, lock=True, actor=actor)
            account = op.require_account(open_id)
            op.refuse_if(rules.check_link(op.link_facts(shop, account, Role.MARKETING)))
            pending = next(
                (
                    i
                    for i in op.repo.invitations(open_id=open_id, shop_id=shop_id)
                    if i.state is InvitationState.PENDING
                ),
                None,
            )
            if pending is not None:
                return pending
            invitation = Invitation(
                invitation_id=op.unused_id(invitation_id, "inv", op.repo.invitation),
                shop_id=shop_id,
                open_id=open_id,
                state=InvitationState.PENDING,
                created_at=op.now,
                expires_at=op.now + op.policy(shop).invitation_lifetime,
            )
            op.repo.add(invitation)
            op.record(actor, "invitation.sent", "invitation", invitation.invitation_id,
                      data={"shop_id": shop_id, "open_id": open_id, "expires_at": invitation.expires_at.isoformat()})
            return invitation

        return self._run(body)

    def answer_invitation(self, invitation_id: str, open_id: str, *, accept: bool) -> Invitation:
        """The holder accepts or declines an invitation in the app inbox; accepting establishes the link."""

        def body(op: Operation) -> Invitation | Refused:
            invitation = op.repo.invitation(invitation_id, lock=True)
            if invitation is None or invitation.open_id != open_id:
                raise Refused.because(codes.INVITATION_NOT_FOUND, invitation_id=invitation_id)
            op.require_pending(invitation)
            if not accept:
                op.close_invitation(invitation, InvitationState.DECLINED, "invitation.declined")
                return invitation
            shop = op.require_shop(invitation.shop_id, lock=True)
            account = op.require_account(open_id, lock=True)
            violations = rules.check_link(op.link_facts(shop, account, Role.MARKETING))
            if violations:
                op.close_invitation(invitation, InvitationState.REFUSED, "invitation.refused",
                          data={"codes": [v.code for v in violations]})
                return Refused(violations)
            link = op.new_link(shop, Role.MARKETING, Channel.INVITATION, actor="app", open_id=open_id)
            link.consented_at = link.terms_accepted_at = op.now
            link.marketing_slot = op.free_marketing_slot(shop)
            op.activate(link, "app")
            invitation.link_id = link.link_id
            op.close_invitation(invitation, InvitationState.ACCEPTED, "invitation.accepted",
                                data={"link_id": link.link_id})
            return invitation

        return self._run(body)
