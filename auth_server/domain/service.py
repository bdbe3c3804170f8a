"""The linking service: each public method is one thing a seller, an account holder or the simulator does.

Every method runs in one unit of work (one transaction). It first settles whatever came due on the
simulated clock since the last call (reviews, expiries, verification outcomes), then reads the clock
once, applies the rules, and records what changed in the journal. A refusal raises
:class:`~auth_server.domain.errors.Refused` with every violation found; when a refusal also ends a
flow (a rule that fails at the last step), the ending is committed before the refusal is raised, and
nothing half-made is left.

The methods live in :mod:`auth_server.domain.flows`, one module per party and concern.
"""

from __future__ import annotations

from auth_server.domain.flows.affiliates import AffiliateFlows
from auth_server.domain.flows.base import TRANSIENT_RETRIES
from auth_server.domain.flows.base import new_id
from auth_server.domain.flows.forced import ForcedFlows
from auth_server.domain.flows.holder import HolderFlows
from auth_server.domain.flows.marketing import MarketingFlows
from auth_server.domain.flows.official import OfficialFlows
from auth_server.domain.flows.organization import OrganizationFlows
from auth_server.domain.flows.seller import SellerFlows
from auth_server.domain.flows.views import Views

__all__ = ["TRANSIENT_RETRIES", "LinkingService", "new_id"]


class LinkingService(
    OfficialFlows, OrganizationFlows, MarketingFlows, SellerFlows, HolderFlows, AffiliateFlows, ForcedFlows, Views
):
    """Every flow of the simulator, on one unit of work, clock and set of markets."""
