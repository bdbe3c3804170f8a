"""What else the seller does: unlink (U1-U3, M9), rename the shop (E2), review and shop settings, new products."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from auth_server.domain import codes
from auth_server.domain import rules
from auth_server.domain.errors import Refused
from auth_server.domain.events import plain
from auth_server.domain.flows.base import FlowBase
from auth_server.domain.inputs import valid_id
from auth_server.domain.inputs import valid_text
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.operation import Operation
from auth_server.domain.operation import storefront
from auth_server.domain.shops import Product
from auth_server.domain.shops import ReviewMode
from auth_server.domain.shops import Shop
from auth_server.domain.shops import ShopStatus

UNCHANGED = object()  # the probation end is left as it is


class SellerFlows(FlowBase):
    """Unlinking, renaming the shop, and the shop settings a scenario controls."""

    def unlink(self, shop_id: str, open_id: str, *, actor: str = "seller") -> Link:
        """Unlink an account from a shop (U1-U3, M9), whoever linked it: a partner app (``actor``) acts for the
        shop's seller, who may unlink what Seller Center or another tool linked."""

        def body(op: Operation) -> Link:
            shop = op.require_shop(shop_id, lock=True, actor=actor)
            account = op.require_account(open_id, lock=True)
            link = next(iter(op.repo.holding_links(shop_id=shop_id, open_id=open_id)), None)
            if link is None:
                raise Refused.because(codes.ACCOUNT_NOT_LINKED, username=account.username)
            if link.state is not LinkState.ACTIVE:
                raise Refused.because(codes.LINK_NOT_AWAITING, state=link.state.value, action="be unlinked")
            op.refuse_if(
                rules.check_unlink(
                    rules.UnlinkFacts(
                        link=link,
                        policy=op.policy(shop),
                        now=op.now,
                        official_unbinds_so_far=op.repo.official_unbinds(shop_id),
                    )
                )
            )
            op.end_link(link, LinkState.UNLINKED, actor, [])
            op.record(actor, "account.storefront_removed", "account", open_id,
                      data={"shop_id": shop_id, "storefront": storefront(link.role)})
            return link

        return self._run(body)

    def rename_shop(self, shop_id: str, name: str, *, actor: str = "seller") -> Shop:
        """Rename the shop; the official account's name follows at once (E2)."""

        def body(op: Operation) -> Shop:
            new_name = valid_text(name, "name")
            shop = op.require_shop(shop_id, lock=True, actor=actor)
            before, shop.name = shop.name, new_name
            op.record(actor, "shop.renamed", "shop", shop_id, changes={"name": [before, shop.name]})
            official = next(iter(op.repo.holding_links(shop_id=shop_id, role=Role.OFFICIAL)), None)
            if official is not None and official.state is LinkState.ACTIVE:
                assert official.open_id is not None
                op.sync_name(op.require_account(official.open_id, lock=True), shop)
            return shop

        return self._run(body)

    def set_review(
        self, shop_id: str, mode: ReviewMode | None, delay: timedelta | None = None, *, actor: str = "simulator"
    ) -> Shop:
        """Choose how this shop's reviews end (None: the market's default)."""

        def body(op: Operation) -> Shop:
            shop = op.require_shop(shop_id, lock=True)
            before = [shop.review_mode, shop.review_delay]
            shop.review_mode, shop.review_delay = mode, delay
            op.record(actor, "shop.review_settings_changed", "shop", shop_id, changes={
                "review": [[plain(v) for v in before], [plain(mode), plain(delay)]],
            })
            return shop

        return self._run(body)

    def set_shop_status(
        self, shop_id: str, status: ShopStatus | None = None, *, probation_until: datetime | None | object = UNCHANGED,
        actor: str = "simulator",
    ) -> Shop:
        def body(op: Operation) -> Shop:
            shop = op.require_shop(shop_id, lock=True)
            changes: dict[str, list[Any]] = {}
            if status is not None and status is not shop.status:
                changes["status"] = [shop.status.value, status.value]
                shop.status = status
            if probation_until is not UNCHANGED:
                if probation_until is not None and (
                    not isinstance(probation_until, datetime) or probation_until.tzinfo is None
                ):
                    raise Refused.because(codes.INVALID_INPUT, field="probation_until",
                                          problem="give a time with its zone, such as 2026-04-01T00:00:00Z")
                changes["probation_until"] = [plain(shop.probation_until), plain(probation_until)]
                shop.probation_until = probation_until
            if changes:
                op.record(actor, "shop.status_changed", "shop", shop_id, changes=changes)
            return shop

        return self._run(body)

    def add_product(self, shop_id: str, product_id: str, title: str, *, in_marketplace: bool = False,
                    actor: str = "simulator") -> Product:
        """A product the shop lists after the data was loaded; an official account's Shop Page shows it at once
        (E3: products synced automatically)."""

        def body(op: Operation) -> Product:
            shop = op.require_shop(shop_id, lock=True)
            wanted = valid_id(product_id, "product_id")
            if op.repo.product(wanted) is not None:
                raise Refused.because(codes.ID_TAKEN, id=wanted)
            if not isinstance(in_marketplace, bool):
                raise Refused.because(codes.INVALID_INPUT, field="marketplace", problem="give true or false")
            product = Product(product_id=wanted, shop_id=shop.shop_id, title=valid_text(title, "title"),
                              in_marketplace=in_marketplace)
            op.repo.add(product)
            op.record(actor, "shop.product_added", "shop", shop_id,
                      data={"product_id": wanted, "title": product.title, "marketplace": in_marketplace})
            return product

        return self._run(body)
