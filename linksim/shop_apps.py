"""TikTok Shop apps seen from a test: an authorization made in one call (:meth:`World.authorize_shop`)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

__all__ = ["ShopAuthorization"]


@dataclass(frozen=True)
class ShopAuthorization:
    """What the authorization page would have sent the app when the party tapped Authorize.

    ``code`` is the one-time code for ``/api/v2/token/get`` (30 minutes on the world's clock); ``redirect_url``
    the app's redirect URL with the code, ``state`` and (sellers, partners) ``app_key`` and ``locale``, and
    (sellers) ``shop_region``; ``user_type`` is ``"seller"``, ``"creator"`` or ``"partner"``; ``open_id`` the
    party as this app sees it; ``shops`` the shops a seller's authorization reaches, as
    ``/authorization/202309/shops`` lists them.
    """

    code: str
    redirect_url: str
    app_key: str
    user_type: str
    open_id: str
    state: str | None = None
    shop_region: str | None = None
    shops: list[dict[str, str]] = field(default_factory=list)
    code_expires_at: str | None = None

    @classmethod
    def from_answer(cls, answer: dict[str, Any]) -> ShopAuthorization:
        """From the answer of ``POST /_sim/shop-authorizations``."""
        names = cls.__dataclass_fields__
        return cls(**{name: value for name, value in answer.items() if name in names})
