"""What the parties see: shops, accounts, links, the journal, linked accounts (E4), profiles (E1-E3)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from typing import Any
from typing import TypeVar

from auth_server.domain import codes
from auth_server.domain.accounts import Account
from auth_server.domain.accounts import OrgMember
from auth_server.domain.affiliates import AffiliateInvitation
from auth_server.domain.affiliates import ShowcaseItem
from auth_server.domain.errors import Refused
from auth_server.domain.events import Event
from auth_server.domain.events import plain
from auth_server.domain.flows.base import FlowBase
from auth_server.domain.flows.base import T
from auth_server.domain.inputs import valid_text
from auth_server.domain.links import Invitation
from auth_server.domain.links import InvitationState
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.operation import Operation
from auth_server.domain.operation import storefront
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop
from auth_server.domain.shops import ShopStatus

AnyInvitation = TypeVar("AnyInvitation", Invitation, AffiliateInvitation)


def _sent_by_a_shop_of(op: Operation, invitation: AnyInvitation | None, invitation_id: str,
                       actor: str | None) -> AnyInvitation:
    """The invitation found, when ``actor`` may act for the shop that sent it."""
    if invitation is None:
        raise Refused.because(codes.INVITATION_NOT_FOUND, invitation_id=invitation_id)
    op.require_shop(invitation.shop_id, actor=actor)
    return invitation


class Views(FlowBase):
    """Read-only views, as each party sees them."""

    def settle(self) -> None:
        """Apply whatever came due on the clock (every other call does this first)."""
        self._settle_due()

    def get_shop(self, shop_id: str) -> Shop:
        return self._view(lambda op: op.require_shop(shop_id))

    def seller_of(self, shop_id: str) -> Seller:
        """The seller who owns the shop, as Seller Center's header names them."""
        return self._view(lambda op: op.require_seller(op.require_shop(shop_id).seller_id))

    def get_account(self, open_id: str) -> Account:
        return self._view(lambda op: op.require_account(open_id))

    def read_together(self, body: Callable[[Operation], T]) -> T:
        """``body``, the caller's reads and the views' (``op.require_account``...), in one transaction that takes no
        write lock, once what came due on the clock is settled: what they read, they read from one snapshot."""
        return self._view(body)

    def get_account_by_username(self, username: str) -> Account:
        return self._view(lambda op: op.require_account_by_username(username))

    def get_link(self, link_id: str, *, actor: str | None = None) -> Link:
        """The link, as ``actor`` sees it: a partner app finds only the links it started."""
        return self._view(lambda op: op.require_link(link_id, actor=actor))

    def shops(self, shop_ids: Iterable[str] | None = None) -> list[Shop]:
        """Every shop, or those of ``shop_ids`` (what a page of a few items names, at any number of shops)."""
        wanted = None if shop_ids is None else set(shop_ids)
        return self._view(lambda op: list(op.repo.shops(wanted)))

    def accounts(self) -> list[Account]:
        return self._view(lambda op: list(op.repo.accounts()))

    def links(self, *, shop_id: str | None = None, open_id: str | None = None) -> list[Link]:
        return self._view(lambda op: list(op.repo.links(shop_id=shop_id, open_id=open_id)))

    def invitations(self, *, open_id: str | None = None, shop_id: str | None = None) -> list[Invitation]:
        return self._view(lambda op: list(op.repo.invitations(open_id=open_id, shop_id=shop_id)))

    def get_affiliate_invitation(self, invitation_id: str, *, actor: str | None = None) -> AffiliateInvitation:
        """The affiliate invitation, for ``actor`` when it may act for the shop that sent it."""
        return self._view(lambda op: _sent_by_a_shop_of(op, op.repo.affiliate_invitation(
            valid_text(invitation_id, "invitation_id")), invitation_id, actor))

    def affiliate_invitations(self, open_id: str) -> list[AffiliateInvitation]:
        return self._view(lambda op: list(op.repo.affiliate_invitations(open_id=open_id)))

    def showcase(self, open_id: str) -> list[ShowcaseItem]:
        return self._view(lambda op: list(op.repo.showcase(open_id)))

    def org_members(self, open_id: str) -> list[OrgMember]:
        return self._view(lambda op: list(op.repo.org_members(open_id)))

    def journal(self, *, subject_type: str | None = None, subject_id: str | None = None,
                after_seq: int = 0) -> list[Event]:
        return self._view(lambda op: list(op.repo.events(subject_type=subject_type, subject_id=subject_id,
                                                        after_seq=after_seq)))

    def inbox(self, open_id: str) -> dict[str, list[Any]]:
        """What waits in the account's app: Seller-app consent requests, invitations, affiliate invitations."""

        def body(op: Operation) -> dict[str, list[Any]]:
            op.require_account(open_id)
            pending = InvitationState.PENDING
            return {
                "requests": list(op.repo.requests_for(open_id)),
                "invitations": [i for i in op.repo.invitations(open_id=open_id) if i.state is pending],
                "affiliate_invitations": [i for i in op.repo.affiliate_invitations(open_id=open_id)
                                          if i.state is pending],
            }

        return self._view(body)

    def get_invitation(self, invitation_id: str, *, actor: str | None = None) -> Invitation:
        """The marketing invitation, for ``actor`` when it may act for the shop that sent it."""
        return self._view(lambda op: _sent_by_a_shop_of(op, op.repo.invitation(
            valid_text(invitation_id, "invitation_id")), invitation_id, actor))

    def linked_accounts(self, shop_id: str, *, actor: str | None = None) -> dict[str, Any]:
        """What the seller sees under "Linked TikTok accounts" (E4): the official and the marketing accounts.

        The account's details show once the link is established; a link still in review is listed by its state
        alone, as the seller cannot yet see whose it is.
        """

        def body(op: Operation) -> dict[str, Any]:
            op.require_shop(shop_id, actor=actor)
            official: dict[str, Any] | None = None
            marketing: list[dict[str, Any]] = []
            for link in op.repo.holding_links(shop_id=shop_id):
                assert link.open_id is not None
                account = op.require_account(link.open_id)
                shared = {"open_id": account.open_id, "state": link.state.value, "link_id": link.link_id}
                if link.state is not LinkState.ACTIVE:
                    if link.role is Role.OFFICIAL:
                        official = shared
                    else:
                        marketing.append(shared)
                elif link.role is Role.OFFICIAL:
                    official = {
                        **shared,
                        "avatar_url": account.avatar_url,
                        "username": account.username,
                        "nickname": account.nickname,
                        "phone": account.masked_phone,
                        "bound_at": plain(link.activated_at),
                    }
                else:
                    marketing.append({**shared, "username": account.username, "email": account.email,
                                      "bound_at": plain(link.activated_at)})
            return {"shop_id": shop_id, "official": official, "marketing": marketing}

        return self._view(body)

    def profile(self, open_id: str) -> dict[str, Any]:
        """What the account's TikTok profile shows: type, storefronts, sales channels, the shopping bag (E1-E3)."""

        def body(op: Operation) -> dict[str, Any]:
            account = op.require_account(open_id)
            storefronts = []
            for link in op.repo.holding_links(open_id=open_id):
                if link.state is not LinkState.ACTIVE:
                    continue
                shop = op.require_shop(link.shop_id)
                assert link.activated_at is not None
                visible_at = link.activated_at + op.bag_delay(shop)
                storefronts.append({
                    "shop_id": shop.shop_id,
                    "role": link.role.value,
                    "storefront": storefront(link.role),
                    "sales_channels": ["video", "live", storefront(link.role)],
                    "shop_design": link.role is Role.OFFICIAL,
                    "products_synced_automatically": link.role is Role.OFFICIAL,
                    # A Shop Page shows the whole catalogue; a showcase only what was added by hand (M8).
                    "catalogue": [{"product_id": p.product_id, "title": p.title}
                                  for p in sorted(op.repo.products(shop.shop_id), key=lambda p: p.product_id)]
                    if link.role is Role.OFFICIAL else [],
                    "shopping_bag_visible": shop.status is not ShopStatus.SUSPENDED and op.now >= visible_at,
                    "shopping_bag_visible_from": visible_at.isoformat(),
                })
            return {
                "open_id": account.open_id,
                "username": account.username,
                "nickname": account.nickname,
                "account_type": account.account_type.value,
                "verification": account.verification.value,
                "standing": account.standing.value,
                "storefronts": storefronts,
                "showcase": [i.product_id for i in op.repo.showcase(open_id)],
            }

        return self._view(body)

    def shop_details(self, shop_id: str) -> dict[str, Any]:
        """A shop as the simulator holds it: its settings, products, and the sales channels its active links open."""

        def body(op: Operation) -> dict[str, Any]:
            shop = op.require_shop(shop_id)
            channels = []
            for link in op.repo.holding_links(shop_id=shop_id):
                if link.state is LinkState.ACTIVE:
                    assert link.open_id is not None
                    account = op.require_account(link.open_id)
                    channels.append({"open_id": account.open_id, "username": account.username,
                                     "role": link.role.value, "link_id": link.link_id,
                                     "channels": ["video", "live", storefront(link.role)]})
            return {
                **plain(shop),
                "in_probation": shop.in_probation(op.now),
                "products": [{"product_id": p.product_id, "title": p.title, "marketplace": p.in_marketplace}
                             for p in sorted(op.repo.products(shop_id), key=lambda p: p.product_id)],
                "sales_channels": channels,
            }

        return self._view(body)

    def account_details(self, open_id: str) -> dict[str, Any]:
        """An account as the simulator holds it (no password), with its organization's members, removed ones too."""

        def body(op: Operation) -> dict[str, Any]:
            account = op.require_account(open_id)
            members = [{"contact": m.contact, "added_at": plain(m.added_at), "removed_at": plain(m.removed_at),
                        "active": m.active} for m in op.repo.org_members(open_id)]
            return {**plain(account), "members": members}

        return self._view(body)
