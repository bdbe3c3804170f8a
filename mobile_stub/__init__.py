"""The TikTok app on the account holder's phone, over linksim's app API: sign in (password or one-time
passcode), scan a QR code from a picture (decoded by zxing-cpp) or open a scan URL, show the consent, set the
toggles, authorize or deny, answer the inbox's requests and invitations, start identity verification; look at
the profile (Shop Page, shopping bag), rename the account, sign up at the Affiliate Center, fill the showcase, go LIVE.

.. code-block:: python

    from mobile_stub import TikTokApp

    phone = TikTokApp("http://127.0.0.1:8765")
    phone.sign_in("maya", "linksim-demo")
    consent = phone.scan_png("qr.png")
    phone.authorize(consent)

``linksim app ...`` (:mod:`mobile_stub.cli`) does the same from a terminal.
"""

from mobile_stub.app import DEFAULT_URL
from mobile_stub.app import TikTokApp
from mobile_stub.errors import AppError
from mobile_stub.errors import AppRefused
from mobile_stub.errors import MalformedAnswer
from mobile_stub.errors import QrCodeNotFound
from mobile_stub.errors import ServerUnavailable
from mobile_stub.errors import Violation
from mobile_stub.models import Account
from mobile_stub.models import Consent
from mobile_stub.models import ConsentAnswer
from mobile_stub.models import Inbox
from mobile_stub.models import Invitation
from mobile_stub.models import Link
from mobile_stub.models import LiveSession
from mobile_stub.models import PermissionRequest
from mobile_stub.models import Profile
from mobile_stub.models import ShowcaseItem
from mobile_stub.models import Storefront
from mobile_stub.models import VideoProductTag
from mobile_stub.qr import decode_png

__all__ = [
    "DEFAULT_URL",
    "Account",
    "AppError",
    "AppRefused",
    "Consent",
    "ConsentAnswer",
    "Inbox",
    "Invitation",
    "Link",
    "LiveSession",
    "MalformedAnswer",
    "PermissionRequest",
    "Profile",
    "QrCodeNotFound",
    "ServerUnavailable",
    "ShowcaseItem",
    "Storefront",
    "TikTokApp",
    "VideoProductTag",
    "Violation",
    "decode_png",
]
