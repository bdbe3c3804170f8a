"""Every operation of /openapi.json, called by schemathesis with inputs drawn from its schemas, against linksim
in-process with the demo data and real state made first (tests/fuzz/world.py): the answers must keep to the
document, and no input may make a 500 (issue 13).

Cases reach real things: a parameter or body property named like one of :data:`world.REAL_VALUES` carries a real
value three times in four (an id of the demo data or of the set-up, or the name of one of the world's tokens), and
schemathesis's own value otherwise. An operation that takes a credential gets a valid one, except in one case in
eight; schemathesis's ``ignored_auth`` check tries each such operation without one and with a wrong one too.

The suite runs a short, bounded, derandomized pass (3 generated inputs an operation besides the examples and the
coverage phase's cases); ``make fuzz`` runs a long one (``LINKSIM_FUZZ_EXAMPLES``, 100). Both run every check of
schemathesis; where one cannot apply to an operation, the reason is written next to it below. The figures (requests,
statuses, 5xx, failures) are printed at the end (tests/fuzz/conftest.py).
"""

from __future__ import annotations

import base64
import os
import zlib
from typing import Any

import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings
from schemathesis.core.failures import Failure
from schemathesis.core.transport import Response
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import missing_required_header
from schemathesis.specs.openapi.checks import negative_data_rejection
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.fuzz.world import CLIENT_KEY
from tests.fuzz.world import CLIENT_SECRET
from tests.fuzz.world import CONTROL_TOKEN
from tests.fuzz.world import REAL_VALUES
from tests.fuzz.world import FuzzServer
from tests.fuzz.world import placeholder

EXAMPLES = int(os.environ.get("LINKSIM_FUZZ_EXAMPLES", "3"))

SERVER = FuzzServer()
schema = schemathesis.openapi.from_wsgi("/openapi.json", SERVER)

# The bearer token each security scheme of the document takes, by the world's name for it.
BEARER_OF_SCHEME = {"partnerToken": "partner_token", "userToken": "user_token", "appSession": "app_session"}
BASIC_CREDENTIALS = "Basic " + base64.b64encode(f"{CLIENT_KEY}:{CLIENT_SECRET}".encode()).decode()


def _draw(case: schemathesis.Case, *salt: object) -> int:
    """A number that depends on the case alone, so that a failing case runs again the same way."""
    return zlib.crc32(repr((case.operation.label, case.path_parameters, case.query, case.body, *salt)).encode())


def _schemes(case: schemathesis.Case) -> list[str]:
    raw = case.operation.definition.raw
    requirements = raw.get("security", case.operation.schema.raw_schema.get("security", []))
    return [name for requirement in requirements for name in requirement]


@schema.auth(refresh_interval=None)
class Credentials:
    """A valid credential for the operation's security scheme, except in one case in eight."""

    def get(self, case: schemathesis.Case, context: Any) -> str | None:
        schemes = _schemes(case)
        if not schemes or _draw(case, "credentials") % 8 == 0:
            return None
        return schemes[0]

    def set(self, case: schemathesis.Case, scheme: str, context: Any) -> None:
        if scheme == "clientSecret":
            value = BASIC_CREDENTIALS
        elif scheme == "controlToken":
            value = f"Bearer {CONTROL_TOKEN}"
        else:
            value = f"Bearer {placeholder(BEARER_OF_SCHEME[scheme])}"
        case.headers = {**(case.headers or {}), "Authorization": value}


def _positive(case: schemathesis.Case, location: str) -> bool:
    components = case.meta.components if case.meta is not None else {}
    for where, info in components.items():
        if str(getattr(where, "value", where)) == location:
            return bool(info.mode == GenerationMode.POSITIVE)
    return True


@schema.hook("map_case")
def real_values(context: Any, case: schemathesis.Case) -> schemathesis.Case:
    """Put real values in place of generated ones (three times in four), where the component is meant valid."""
    for location, values in (("path", case.path_parameters), ("query", case.query), ("header", case.headers),
                             ("body", case.body)):
        if not isinstance(values, dict) or not values or not _positive(case, location):
            continue
        for name in list(values):
            real = REAL_VALUES.get(name.lower())
            draw = _draw(case, location, name)
            if real and draw % 4:
                values[name] = real[(draw // 4) % len(real)]
    return case


# TikTok answers a refused Login Kit call (an OAuth error) and a refused TikTok Shop call (a non-zero `code`) with
# HTTP 200, and linksim's wire does the same (shared/TIKTOK_WIRE.md; the document says so). On these operations a
# schema-violating request, or one without a required header, must be refused in the body, if not by its status.
REFUSED_AT_200 = frozenset({
    "POST /v2/oauth/token/", "POST /v2/oauth/revoke/", "POST /v2/oauth/get_qrcode/", "POST /v2/oauth/check_qrcode/",
    "GET /api/v2/token/get", "POST /api/v2/token/get", "GET /api/v2/token/refresh", "POST /api/v2/token/refresh",
    "GET /authorization/202309/shops",
})

# `positive_data_acceptance` expects a schema-valid request to be accepted. These refuse a valid-looking one with a
# 400 by design, which no schema can tell apart:
VALID_LOOKING_REFUSED = {
    # RFC 6749 4.1.2.1: an unknown client or an unregistered redirect URI gets an error page, never a redirect.
    "GET /v2/auth/authorize/": "an unknown client_key or an unregistered redirect_uri is an error page (400)",
    # A form post needs the CSRF token of the browser session the page was shown to, which a fuzz cannot have.
    "POST /v2/auth/authorize/": "the fuzz has no browser session, so its CSRF token is never the session's",
    "POST /oauth/authorize": "the fuzz has no browser session, so its CSRF token is never the session's",
    "POST /open/authorize": "the fuzz has no browser session, so its CSRF token is never the session's",
    "POST /alliance/creator/auth": "the fuzz has no browser session, so its CSRF token is never the session's",
    # RFC 6749 5.2: a code, refresh token or grant the server does not know is invalid_grant, a 400.
    "POST /oauth/token": "an unknown code or refresh token is invalid_grant (400, RFC 6749 5.2)",
    # The app reads only this world's QR codes, whose URLs are signed; anything else cannot be read (O9).
    "POST /api/app/scans": "a URL that is not one of this world's QR codes is qr_unreadable (400, O9)",
    # A commission rate given as text is bounded (above 0, at most 80) once read as a decimal, which the
    # document's pattern cannot say; a number is bounded in the document.
    "POST /api/shops/{shop_id}/affiliate-invitations": "a rate written as text may be 0 or above 80 (400)",
    # A flow is a link or an invitation, and each takes its own actions; which one the id names, no schema knows.
    "POST /_sim/flows/{flow_id}": "an invitation's action on a link, or a link's on an invitation, is invalid (400)",
    # A data file is checked against docs/fixtures.md's format and its rules (known markets, ids used once, a history
    # the linking rules allow); the document names it and no more.
    "POST /_sim/parties": "a data file the fuzz makes up is rarely one (400)",
    "POST /_sim/sandboxes": "a data file the fuzz makes up is rarely one (400)",
    "POST /_sim/reset": "a data file the fuzz makes up is rarely one (400)",
    # The party a Shop authorization names is a field of its body, and an unknown one is invalid input naming that
    # field, as tests/control/test_shop_apps.py pins.
    "POST /_sim/shop-authorizations": "an unknown seller, creator or partner is invalid input (400)",
    "POST /_sim/shop-authorizations/remove": "an unknown seller, creator or partner is invalid input (400)",
    # A fault rule's fields go with one another (retry_after with a status, error_description with an oauth_error,
    # details with a code, seed with a probability, a preset's own fields): the document says so in words, since
    # written as if/then for each pair the schema is more than schemathesis can generate from (UnsupportedSchema).
    "POST /_sim/faults": "a field without the one it goes with is invalid input (400)",
    # A partner app is registered as a data file entry; the fuzz names the demo app's client_key three times in four,
    # and a key already loaded is an invalid data file (400).
    "POST /_sim/partner-apps": "a client_key already loaded is an invalid data file (400)",
}


def _refused_in_the_body(response: Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    return "error" in body if "code" not in body else body["code"] != 0


def refused_in_the_body_or_by_status(ctx: Any, response: Response, case: schemathesis.Case) -> bool | None:
    """``negative_data_rejection`` and ``missing_required_header``, where a refusal may come with HTTP 200."""
    for check in (negative_data_rejection, missing_required_header):
        try:
            check(ctx, response, case)
        except Failure:
            if response.status_code != 200 or not _refused_in_the_body(response):
                raise
    return None


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
          derandomize="LINKSIM_FUZZ_EXAMPLES" not in os.environ)
def test_every_answer_keeps_to_the_document(case: schemathesis.Case) -> None:
    label = case.operation.label
    excluded = []
    additional = []
    if label in REFUSED_AT_200:
        excluded += [negative_data_rejection, missing_required_header]
        additional.append(refused_in_the_body_or_by_status)
    if label in VALID_LOOKING_REFUSED:
        excluded.append(positive_data_acceptance)
    case.call_and_validate(excluded_checks=excluded, additional_checks=additional)
