"""The TikTok app on the account holder's phone, over linksim's app API (``/api/app/...``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Iterable
from os import PathLike
from typing import Any
from urllib.parse import quote

import requests

from mobile_stub.errors import MalformedAnswer
from mobile_stub.models import LOGIN_KIT
from mobile_stub.models import Account
from mobile_stub.models import Consent
from mobile_stub.models import ConsentAnswer
from mobile_stub.models import Inbox
from mobile_stub.models import Invitation
from mobile_stub.models import Link
from mobile_stub.models import LiveSession
from mobile_stub.models import Profile
from mobile_stub.models import ShowcaseItem
from mobile_stub.models import VideoProductTag
from mobile_stub.qr import decode_png
from mobile_stub.transport import DEFAULT_BACKOFF
from mobile_stub.transport import DEFAULT_RETRIES
from mobile_stub.transport import DEFAULT_TIMEOUT
from mobile_stub.transport import Transport

DEFAULT_URL = "http://127.0.0.1:8765"


def _segment(value: str) -> str:
    """An id as one path segment: a slash or a dot-dot in it must not reach another route."""
    return quote(value, safe="")


class TikTokApp:
    """The holder's TikTok app: sign in, scan, authorize or deny, answer the inbox, verify the identity; the
    profile, renaming, the Affiliate Center, the showcase and LIVE.

    Every call raises :exc:`~mobile_stub.errors.AppRefused` when the server refuses (with its code),
    :exc:`~mobile_stub.errors.ServerUnavailable` when the server cannot be reached or keeps failing, and
    :exc:`~mobile_stub.errors.MalformedAnswer` when it answers something the API does not document.
    ``token`` resumes a session signed in before (``linksim app`` keeps it in a file between commands).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self._http = Transport(base_url, timeout=timeout, retries=retries, backoff=backoff, sleep=sleep,
                               session=session)
        self.token = token

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def close(self) -> None:
        """Close the HTTP connections (the session token stays usable by another app)."""
        self._http.close()

    def __enter__(self) -> TikTokApp:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._http.call(method, f"/api/app{path}", json=body, token=self.token)

    # --- signing in ------------------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> Account:
        return self._start_session({"username": username, "password": password})

    def request_passcode(self, username: str, contact: str) -> str:
        """An organization member's "get OTP": the code the simulator would have sent to ``contact``."""
        answer = self._call("POST", "/passcodes", {"username": username, "contact": contact})
        passcode = answer.get("passcode")
        if not isinstance(passcode, str):
            raise MalformedAnswer("the passcode answer has no passcode")
        return passcode

    def sign_in_with_passcode(self, username: str, contact: str, passcode: str | None = None) -> Account:
        """Sign in as an organization member: ask for a passcode (unless given one), then sign in with it."""
        code = passcode if passcode is not None else self.request_passcode(username, contact)
        return self._start_session({"username": username, "contact": contact, "passcode": code})

    def _start_session(self, credentials: dict[str, str]) -> Account:
        answer = self._call("POST", "/sessions", credentials)
        token, account = answer.get("token"), answer.get("account")
        if not isinstance(token, str) or not isinstance(account, dict):
            raise MalformedAnswer("the sign-in answer has no token or no account")
        parsed = Account.from_json(account)
        self.token = token
        return parsed

    def sign_out(self) -> None:
        """End the session on the server (its token stops working wherever it is kept), and forget it."""
        if self.token is not None:
            self._call("DELETE", "/sessions/current")
        self.token = None

    def me(self) -> Account:
        return Account.from_json(self._call("GET", "/me"))

    # --- scanning --------------------------------------------------------------------------------------------

    def scan(self, scan_url: str) -> Consent:
        """Open what a QR code encodes (a Seller Center link or a Login Kit ``aweme://`` URL): the consent screen."""
        return Consent.from_json(self._call("POST", "/scans", {"scan_url": scan_url}))

    def scan_png(self, path: str | PathLike[str]) -> Consent:
        """Decode the QR code in a PNG (or any image) with a real decoder, then scan what it encodes."""
        return self.scan(decode_png(path))

    def authorize(self, consent: Consent, permissions: Iterable[str] | None = None) -> ConsentAnswer:
        """Tap Authorize; ``permissions`` (or scopes, for Login Kit) left on, by default every one shown."""
        body: dict[str, Any] = {"decision": "authorize"}
        if permissions is not None:
            body["scopes" if consent.kind == LOGIN_KIT else "permissions"] = list(permissions)
        return self._answer_consent(consent, body)

    def deny(self, consent: Consent) -> ConsentAnswer:
        """Tap Cancel."""
        return self._answer_consent(consent, {"decision": "cancel"})

    def _answer_consent(self, consent: Consent, body: dict[str, Any]) -> ConsentAnswer:
        return ConsentAnswer.from_json(self._call("POST", f"/consents/{_segment(consent.consent_id)}", body))

    # --- the inbox -------------------------------------------------------------------------------------------

    def inbox(self) -> Inbox:
        return Inbox.from_json(self._call("GET", "/inbox"))

    def answer_request(self, link_id: str, permissions: Iterable[str] = (), *, proceed: bool = True) -> Link:
        """A Seller-app request (O10): turn on ``permissions`` (toggles start off), then Continue or Cancel.

        ``proceed=False`` is Cancel (``continue`` is a Python keyword).
        """
        body = {"decision": "continue" if proceed else "cancel", "permissions": list(permissions)}
        answer = self._call("POST", f"/requests/{_segment(link_id)}", body)
        link = answer.get("link")
        if not isinstance(link, dict):
            raise MalformedAnswer("the answer to a request has no link")
        return Link.from_json(link)

    def accept(self, invitation_id: str) -> Invitation:
        """Accept a marketing or affiliate invitation."""
        return self._answer_invitation(invitation_id, "accept")

    def decline(self, invitation_id: str) -> Invitation:
        return self._answer_invitation(invitation_id, "decline")

    def _answer_invitation(self, invitation_id: str, decision: str) -> Invitation:
        answer = self._call("POST", f"/invitations/{_segment(invitation_id)}", {"decision": decision})
        return Invitation.from_json(answer)

    # --- identity verification -------------------------------------------------------------------------------

    def start_verification(self) -> Account:
        """Start identity verification; the account answered says whether it is pending, verified or failed."""
        return Account.from_json(self._call("POST", "/verification"))

    # --- the profile, the Affiliate Center, the showcase and LIVE ----------------------------------------------

    def profile(self) -> Profile:
        """The profile as the app shows it: Shop Page or showcase, sales channels, the shopping bag (E3)."""
        return Profile.from_json(self._call("GET", "/profile"))

    def rename(self, *, username: str | None = None, nickname: str | None = None) -> Account:
        """Rename the account; an official account's name follows its shop's (refused: official_name_locked)."""
        names = {name: value for name, value in (("username", username), ("nickname", nickname)) if value is not None}
        return Account.from_json(self._call("PATCH", "/me", names))

    def sign_up_affiliate(self) -> Account:
        """Sign up at the Affiliate Center, to show Product Marketplace products (M8)."""
        return Account.from_json(self._call("POST", "/affiliate"))

    def authorized_apps(self) -> list[dict[str, str]]:
        """Manage app permissions: the Login Kit apps that hold an authorization, ``[{client_key, name}]``."""
        answer = self._call("GET", "/authorized-apps")
        apps = answer.get("apps")
        if not isinstance(apps, list) or not all(isinstance(app, dict) for app in apps):
            raise MalformedAnswer("the authorized apps answer has no list of apps")
        return apps

    def remove_app(self, client_key: str) -> None:
        """Remove a Login Kit app: its tokens stop working, and its developer webhook hears of it."""
        self._call("POST", f"/authorized-apps/{quote(client_key, safe='')}/remove")

    def showcase(self) -> tuple[ShowcaseItem, ...]:
        answer = self._call("GET", "/showcase")
        items = answer.get("items")
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise MalformedAnswer("the showcase answer has no list of items")
        return tuple(ShowcaseItem.from_json(item) for item in items)

    def add_to_showcase(self, product_id: str) -> ShowcaseItem:
        """Add a product by hand (M8, E5)."""
        return ShowcaseItem.from_json(self._call("POST", "/showcase", {"product_id": product_id}))

    def tag_product_in_video(self, product_id: str) -> VideoProductTag:
        """Post a video with a shop's product tagged in it; refused (``video_channel_locked``) unless linked to the
        shop (E3)."""
        return VideoProductTag.from_json(self._call("POST", "/videos", {"product_id": product_id}))

    def start_live(self, mirror_of: str | None = None) -> LiveSession:
        """Go LIVE, or mirror the LIVE of the account with the open id ``mirror_of`` (refused in some markets, M10)."""
        return LiveSession.from_json(self._call("POST", "/live", {"mirror_of": mirror_of} if mirror_of else {}))

    def end_live(self) -> LiveSession:
        return LiveSession.from_json(self._call("DELETE", "/live"))
