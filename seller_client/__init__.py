"""What a seller's tool does over linksim's linking API: start a link, show the QR code, wait for the
holder, accept the terms, follow the review, invite marketing accounts, list, unlink, rename.

    from seller_client import SellerClient

    client = SellerClient("http://127.0.0.1:8765", "linksim_demo_key", "linksim_demo_secret")
    link = client.start_official_link("shop_acme_us")
    open("qr.png", "wb").write(client.qr_png(link.link_id))
    link = client.wait_for_consent(link.link_id, on_status=lambda l: print(l.consent_status))
    if link.consent_status == "confirmed":
        link = client.accept_terms(link.link_id)
        link = client.wait_for_review(link.link_id)
    token = client.link_token(link.link_id)  # once active: the seller's token of the linked account (E4)

Every refusal is a :class:`SellerRefused` with linksim's stable codes. The command line is
``seller_client.cli.seller`` (``linksim seller ...``).
"""

from seller_client.client import DEFAULT_URL
from seller_client.client import DEMO_CLIENT_KEY
from seller_client.client import DEMO_CLIENT_SECRET
from seller_client.client import SellerClient
from seller_client.errors import SellerError
from seller_client.errors import SellerRefused
from seller_client.errors import ServerError
from seller_client.errors import ServerUnreachable
from seller_client.errors import Violation
from seller_client.errors import WaitTimeout
from seller_client.models import AccountMatch
from seller_client.models import AffiliateInvitation
from seller_client.models import Criteria
from seller_client.models import Invitation
from seller_client.models import Link
from seller_client.models import LinkedAccount
from seller_client.models import LinkedAccounts
from seller_client.models import OrgMemberRemoval
from seller_client.models import QrCode
from seller_client.models import Shop
from seller_client.models import Token

__all__ = [
    "DEFAULT_URL",
    "DEMO_CLIENT_KEY",
    "DEMO_CLIENT_SECRET",
    "AccountMatch",
    "AffiliateInvitation",
    "Criteria",
    "Invitation",
    "Link",
    "LinkedAccount",
    "LinkedAccounts",
    "OrgMemberRemoval",
    "QrCode",
    "SellerClient",
    "SellerError",
    "SellerRefused",
    "ServerError",
    "ServerUnreachable",
    "Shop",
    "Token",
    "Violation",
    "WaitTimeout",
]
