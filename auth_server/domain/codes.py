"""The catalogue of refusal codes.

Every refusal linksim gives carries one or more of these codes. A code is
stable (clients match on it), names the rules it enforces (see RULES.md), and
comes with a message that tells the user what to do next. The table in the
README is generated from this module (``linksim codes --markdown``) and a test
keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What sort of refusal a code is; the web layer maps each kind to an HTTP status."""

    RULE = "rule"  # a linking rule forbids it now (409 over HTTP)
    NOT_FOUND = "not_found"  # the thing named does not exist (404)
    INVALID = "invalid"  # the request itself is malformed (400)
    DENIED = "denied"  # a person said no, or credentials are wrong (403 / 401)
    EXPIRED = "expired"  # a code, invitation or request ran out of time (410)
    UNAUTHENTICATED = "unauthenticated"  # no valid credentials came with the request (401)


@dataclass(frozen=True)
class Code:
    name: str
    kind: Kind
    rules: tuple[str, ...]
    message: str

    def render(self, **context: object) -> str:
        """The message with the details filled in; a detail that is missing reads as "(unknown)"."""
        try:
            return self.message.format_map(_Details(context))
        except (IndexError, ValueError):
            return self.message


class _Details(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "(unknown)"


CATALOGUE: dict[str, Code] = {}


def _code(name: str, kind: Kind, rules: str, message: str) -> str:
    CATALOGUE[name] = Code(name, kind, tuple(r for r in rules.split() if r), message)
    return name


# Official account (O1-O11)
SHOP_NOT_ACTIVE = _code(
    "shop_not_active", Kind.RULE, "O1",
    "The shop is {status}, and only an approved, active shop can link accounts. "
    "Wait for the shop's approval (or reactivate it), then link again.",
)
SHOP_REGION_NOT_ELIGIBLE = _code(
    "shop_region_not_eligible", Kind.RULE, "O1",
    "TikTok Shop is not available in the shop's region ({region}) for the {market} market. "
    "Accounts can be linked only to shops in an eligible region.",
)
OFFICIAL_SLOT_TAKEN = _code(
    "official_slot_taken", Kind.RULE, "O2",
    "This shop already has an official account ({holder}). A shop has one official account at a time: "
    "unlink the current one first, then link the new one.",
)
ACCOUNT_LINKED_ELSEWHERE = _code(
    "account_linked_elsewhere", Kind.RULE, "O3 O8",
    "This account is already linked to another shop ({other_shop}). Unlink it there first, then link it here.",
)
REGION_MISMATCH = _code(
    "region_mismatch", Kind.RULE, "O4",
    "The account's region ({account_region}) is not the shop's region ({shop_region}). "
    "The official account must be registered in the shop's region: link an account from {shop_region}.",
)
IDENTITY_NOT_VERIFIED = _code(
    "identity_not_verified", Kind.RULE, "O5 M6",
    "The account has not passed identity verification (it is {verification}). "
    "In the TikTok app, complete identity verification, then link again.",
)
SAME_ACCOUNT_BOTH_ROLES = _code(
    "same_account_both_roles", Kind.RULE, "O6 M4",
    "This account is already the {held_role} account of this shop. One account cannot be both the "
    "official and a marketing account of the same shop: use another account, or unlink it first.",
)
ALREADY_LINKED = _code(
    "already_linked", Kind.RULE, "O2 M1",
    "This account is already the {role} account of this shop; there is nothing to link.",
)
ACCOUNT_RESTRICTED = _code(
    "account_restricted", Kind.RULE, "O7",
    "The account is restricted for violations of the Community Guidelines. "
    "Only an account in good standing can become an official account.",
)
UNDERAGE = _code(
    "underage", Kind.RULE, "O7",
    "The account holder is {age}; the holder of an official account must be {minimum_age} or older.",
)
ENTITY_MISMATCH = _code(
    "entity_mismatch", Kind.RULE, "O8",
    "This organization account belongs to the entity {account_entity}, but the seller's entity "
    "qualification is {seller_entity}. An organization account links only to a seller of its own entity.",
)
ORG_CONVERSION_NOT_SUPPORTED = _code(
    "org_conversion_not_supported", Kind.RULE, "O8",
    "@{username} is an existing TikTok account, and existing accounts cannot be turned into organization "
    "accounts yet. Choose a new username for the organization account, or link @{username} by QR code.",
)
NOT_AN_ORG_MEMBER = _code(
    "not_an_org_member", Kind.DENIED, "O8",
    "{contact} is not a member of the organization account @{username}. Ask an administrator of the "
    "organization to add you, then request a passcode again.",
)
QR_EXPIRED = _code(
    "qr_expired", Kind.EXPIRED, "O9",
    "This QR code expired at {expired_at}. In Seller Center, refresh the QR code and scan the new one.",
)
QR_ALREADY_USED = _code(
    "qr_already_used", Kind.RULE, "O9",
    "This QR code has already been used. In Seller Center, refresh the QR code and scan the new one.",
)
QR_UNREADABLE = _code(
    "qr_unreadable", Kind.INVALID, "O9",
    "The QR code could not be read. Restart the TikTok app, make sure it is up to date, and scan again; "
    "in Seller Center, refresh the page or try another browser.",
)
AUTHORIZATION_FAILED = _code(
    "authorization_failed", Kind.DENIED, "O9",
    "Authorization failed. Restart the TikTok app and try again; in Seller Center, clear the browser's cache "
    "and cookies or try another browser, then show a new QR code.",
)
CONSENT_DENIED = _code(
    "consent_denied", Kind.DENIED, "O9 O10",
    "The account holder declined the authorization. Start the link again and tap Authorize in the TikTok app.",
)
TERMS_NOT_ACCEPTED = _code(
    "terms_not_accepted", Kind.DENIED, "O9 O10",
    "The terms and conditions have not been accepted. Review and agree to them, then click "
    "\"Link This Account\".",
)
CONSENT_INCOMPLETE = _code(
    "consent_incomplete", Kind.RULE, "O10",
    "Not every permission was granted (missing: {missing}). An official account needs every toggle on: "
    "turn on all toggles in the TikTok app, then tap Continue.",
)
CONSENT_EXPIRED = _code(
    "consent_expired", Kind.EXPIRED, "O10",
    "The link request expired at {expired_at} before the account holder answered. Send a new request.",
)
ACCOUNT_MISMATCH = _code(
    "account_mismatch", Kind.DENIED, "O10",
    "The request was sent to @{expected}, but @{actual} answered it. Log in to the TikTok app as "
    "@{expected} and answer the request from there.",
)
# Unlinking (U1-U3)
UNLINK_TOO_EARLY = _code(
    "unlink_too_early", Kind.RULE, "U1 U2 M9",
    "This {role} account was linked at {linked_at} and can be unlinked {wait} after that, from "
    "{allowed_at} ({remaining} from now).",
)
UNBIND_LIMIT_REACHED = _code(
    "unbind_limit_reached", Kind.RULE, "U2",
    "This shop has already unlinked its official account {count} times, the most the {market} market allows. "
    "The current official account stays linked.",
)
RELINK_WAIT_PENDING = _code(
    "relink_wait_pending", Kind.RULE, "U3",
    "This account was unlinked at {unlinked_at}; it can be linked again from {allowed_at} "
    "({remaining} from now).",
)
# Marketing accounts (M1-M10)
MARKETING_SLOTS_FULL = _code(
    "marketing_slots_full", Kind.RULE, "M1",
    "This shop already has {limit} marketing accounts, the most allowed. Unlink one before linking another.",
)
SHOP_IN_PROBATION = _code(
    "shop_in_probation", Kind.RULE, "M2",
    "The shop is in its probation period until {until}, and shops in probation cannot link marketing "
    "accounts. Try again when the probation period has ended.",
)
MARKETING_LINK_QUOTA_EXCEEDED = _code(
    "marketing_link_quota_exceeded", Kind.RULE, "M3",
    "This account has been linked as a marketing account {count} times in the last {window_days} days, "
    "the most allowed across all shops. It can be linked again from {allowed_at}.",
)
INVITATION_DECLINED = _code(
    "invitation_declined", Kind.DENIED, "M5",
    "The account declined the invitation. Search for the account and send a new invitation if it agrees.",
)
INVITATION_EXPIRED = _code(
    "invitation_expired", Kind.EXPIRED, "M5",
    "The invitation expired at {expired_at} without an answer. Send a new invitation.",
)
AFFILIATE_SIGNUP_REQUIRED = _code(
    "affiliate_signup_required", Kind.RULE, "M8",
    "Product Marketplace products can be shown only by accounts signed up at the Affiliate Center. "
    "Sign up at the Affiliate Center, then add the product again.",
)
LIVE_MIRRORING_NOT_ALLOWED = _code(
    "live_mirroring_not_allowed", Kind.RULE, "M10",
    "@{other} is already LIVE for this shop; in the {market} market the official and marketing accounts may "
    "not run mirrored LIVE sessions at the same time. Run the LIVE sessions separately.",
)
# Effects and readings
OFFICIAL_NAME_LOCKED = _code(
    "official_name_locked", Kind.RULE, "E2",
    "@{username} is the official account of {shop_name}; its name follows the shop name. "
    "Rename the shop in Seller Center instead.",
)
OFFICIAL_ACCOUNT_NO_AFFILIATE_PRODUCTS = _code(
    "official_account_no_affiliate_products", Kind.RULE, "E5",
    "An official account cannot display Product Marketplace (affiliate) products. Use a marketing account "
    "or a creator account to promote other shops' products.",
)
VIDEO_CHANNEL_LOCKED = _code(
    "video_channel_locked", Kind.RULE, "E3",
    "@{username} cannot tag {product_id} in a video: it is not linked to {shop_name} ({shop_id}), and a shop's "
    "video sales channel opens only to the accounts linked to it. Link the account to the shop as its official "
    "or a marketing account first.",
)
REVIEW_REJECTED = _code(
    "review_rejected", Kind.DENIED, "O9 O10",
    "The link was rejected in review. Check that the account meets every requirement, then start a new link.",
)
# Look-ups and input
ACCOUNT_NOT_FOUND = _code(
    "account_not_found", Kind.NOT_FOUND, "",
    "No TikTok account matches {query}. Check the username (without typos or a missing @) and search again.",
)
NOT_AN_ORGANIZATION = _code(
    "not_an_organization", Kind.NOT_FOUND, "",
    "@{username} is not an organization account, so it has no members. Name the organization account "
    "(POST /api/shops/SHOP/organization-accounts answers its open_id).",
)
CONSENT_NOT_FOUND = _code(
    "consent_not_found", Kind.NOT_FOUND, "",
    "This account scanned no QR code with this consent id. Scan the QR code again and answer the consent id the "
    "scan answers.",
)
ACCOUNT_NOT_LINKED = _code(
    "account_not_linked", Kind.RULE, "",
    "@{username} is not linked to this shop, so there is nothing to unlink.",
)
SHOP_NOT_FOUND = _code(
    "shop_not_found", Kind.NOT_FOUND, "",
    "No shop has the id {shop_id}. Check the shop id in Seller Center.",
)
LINK_NOT_FOUND = _code(
    "link_not_found", Kind.NOT_FOUND, "",
    "No link request has the id {link_id}. Start a new link.",
)
LINK_NOT_AWAITING = _code(
    "link_not_awaiting", Kind.RULE, "",
    "This link is {state}, so it cannot {action}. Start a new link if you need one.",
)
LINK_NOT_ACTIVE = _code(
    "link_not_active", Kind.RULE, "E4",
    "This link is {state}: the seller's token is issued once the link is established (active). "
    "Follow the link (GET /api/links/{link_id}) until it is active, then ask again.",
)
INVITATION_NOT_FOUND = _code(
    "invitation_not_found", Kind.NOT_FOUND, "",
    "No invitation has the id {invitation_id} for this account. Open the inbox to see the current invitations.",
)
INVITATION_ALREADY_ANSWERED = _code(
    "invitation_already_answered", Kind.RULE, "M5",
    "This invitation was already {state}. Ask the seller for a new invitation.",
)
PRODUCT_NOT_FOUND = _code(
    "product_not_found", Kind.NOT_FOUND, "",
    "No product has the id {product_id}.",
)
PRODUCT_NOT_AVAILABLE = _code(
    "product_not_available", Kind.RULE, "M8",
    "@{username} cannot show {product_id}: it is not linked to that shop, has no accepted affiliate invitation "
    "from it, and the product is not in the Product Marketplace.",
)
INVALID_COMMISSION_RATE = _code(
    "invalid_commission_rate", Kind.INVALID, "",
    "The commission rate {rate} is not valid: give a percentage above 0 and at most 80.",
)
USERNAME_TAKEN = _code(
    "username_taken", Kind.RULE, "",
    "The username @{username} is taken. Choose another username.",
)
ID_TAKEN = _code(
    "id_taken", Kind.RULE, "",
    "The id {id} is already used. Choose another id, or leave it out to have one made up.",
)
INVALID_CREDENTIALS = _code(
    "invalid_credentials", Kind.DENIED, "",
    "The username or password (or passcode) is wrong. Check that you are signing in to the exact account "
    "you want to link, and try again.",
)
ACCOUNT_RENAMED = _code(
    "account_renamed", Kind.DENIED, "E2",
    "@{username} is now called @{current}{because}. Sign in as @{current} with the same password.",
)
SIGN_IN_LOCKED = _code(
    "sign_in_locked", Kind.DENIED, "",
    "Too many wrong passwords for @{username}: signing in with a password is locked until {until} ({remaining} "
    "from now, on linksim's clock). Wait, or sign in with the right password after that.",
)
PASSCODE_ATTEMPTS_USED = _code(
    "passcode_attempts_used", Kind.DENIED, "",
    "Too many wrong codes: this one-time passcode no longer works. Click \"get OTP\" to receive a new one.",
)
PASSCODE_EXPIRED = _code(
    "passcode_expired", Kind.EXPIRED, "",
    "The one-time passcode expired. Click \"get OTP\" to receive a new one.",
)
PARTNER_TOKEN_INVALID = _code(
    "partner_token_invalid", Kind.UNAUTHENTICATED, "",
    "Send a partner app's client access token as `Authorization: Bearer clt...`: get one from "
    "POST /v2/oauth/token/ with grant_type=client_credentials and the app's client_key and client_secret.",
)
PARTNER_APP_NOT_AUTHORIZED = _code(
    "partner_app_not_authorized", Kind.DENIED, "",
    "The partner app {client_key} may not act for {subject}: the seller {seller_id} has not authorized it on "
    "TikTok Shop, or has removed it. A partner app acts only for the shops of the sellers who authorized its TikTok "
    "Shop app (the Shop app whose client_key is the partner app; partner_apps[].shop in a data file). Have the "
    "seller authorize that app on its authorization page (/open/authorize with the Shop app's service_id), or, in "
    "a test, POST /_sim/shop-authorizations with the Shop app's app_key and \"seller\": \"{seller_id}\".",
)
APP_SESSION_INVALID = _code(
    "app_session_invalid", Kind.UNAUTHENTICATED, "",
    "Sign in to the TikTok app first: POST /api/app/sessions with a username and password (or an organization "
    "member's one-time passcode), then send the token as `Authorization: Bearer ...`.",
)
APP_NOT_AUTHORIZED = _code(
    "app_not_authorized", Kind.NOT_FOUND, "",
    "{app} holds no authorization of this account: it was removed already, or never given. "
    "GET /api/app/authorized-apps lists the apps that hold one.",
)
# The test-control plane (/_sim/...)
SANDBOX_NOT_FOUND = _code(
    "sandbox_not_found", Kind.NOT_FOUND, "",
    "There is no sandbox {sandbox}: it was deleted, or it was kept in the memory of a server that restarted. "
    "Create one with POST /_sim/sandboxes and use the id it answers.",
)
SANDBOX_EXISTS = _code(
    "sandbox_exists", Kind.RULE, "",
    "A sandbox named {sandbox} already exists. Choose another id, or delete it first "
    "(DELETE /_sim/sandboxes/{sandbox}).",
)
SANDBOX_LIMIT_REACHED = _code(
    "sandbox_limit_reached", Kind.RULE, "",
    "This server already holds {limit} sandboxes. Delete the ones you are done with "
    "(DELETE /_sim/sandboxes/ID), or start the server with a higher --max-sandboxes.",
)
FLOW_NOT_FOUND = _code(
    "flow_not_found", Kind.NOT_FOUND, "",
    "There is no link or invitation {flow} in this world. Check the id the seller's call answered, "
    "and that you are in the same sandbox.",
)
CONTROL_TOKEN_INVALID = _code(
    "control_token_invalid", Kind.UNAUTHENTICATED, "",
    "The simulator's controls need the server's control token: send `Authorization: Bearer <token>` "
    "with the token given to `linksim serve --control-token` (or call from the server's own machine).",
)
FAULT_NOT_FOUND = _code(
    "fault_not_found", Kind.NOT_FOUND, "",
    "There is no fault rule {fault} in this world: it was deleted, or it belongs to another sandbox. "
    "GET /_sim/faults lists the rules of this world.",
)
APP_NOT_RESPONDING = _code(
    "app_not_responding", Kind.EXPIRED, "",
    "The TikTok app is not responding: fault {fault} simulates an app gone silent, so nothing it should do "
    "happens (a QR code shown to the seller is never scanned and expires). Lift it with "
    "DELETE /_sim/faults/{fault}.",
)
SHOP_APP_NOT_FOUND = _code(
    "shop_app_not_found", Kind.NOT_FOUND, "",
    "There is no TikTok Shop app {app_key} in this world: check the app_key (a data file's "
    "partner_apps[].shop.app_key), and that you are in the same sandbox.",
)
SHOP_AUTHORIZATION_REFUSED = _code(
    "shop_authorization_refused", Kind.RULE, "",
    "TikTok Shop's authorization page would refuse this: {problem}",
)
SHOP_AUTHORIZATION_NOT_FOUND = _code(
    "shop_authorization_not_found", Kind.NOT_FOUND, "",
    "The {party} has not authorized the app {app_key} (or removed it already): nothing to remove. "
    "Authorize it first, with POST /_sim/shop-authorizations.",
)
REQUEST_JOURNAL_OFF = _code(
    "request_journal_off", Kind.RULE, "",
    "This server records no requests: it was started with `linksim serve --no-request-journal`. Its domain "
    "events are still at GET /_sim/journal?kind=event; start it without that option to read its requests.",
)
INVALID_INPUT = _code(
    "invalid_input", Kind.INVALID, "",
    "{field}: {problem}",
)


def get(name: str) -> Code:
    return CATALOGUE[name]


def markdown_table() -> str:
    """The code catalogue as a Markdown table, for the README."""
    lines = ["| code | kind | rules | what the user is told |", "|---|---|---|---|"]
    for code in sorted(CATALOGUE.values(), key=lambda c: c.name):
        rules = ", ".join(code.rules) or "—"
        message = code.message.replace("|", "\\|")
        lines.append(f"| `{code.name}` | {code.kind} | {rules} | {message} |")
    return "\n".join(lines)
