#!/usr/bin/env bash
# `make wheel-check`: build linksim's wheel, install it (and pytest) into a brand-new virtualenv outside the
# repository, and run a partner's test suite there: the linksim_* fixtures must come from `pip install` alone.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"${VENV:-.venv}/bin/python" -m pip wheel --quiet --no-deps -w "$work/dist" .
"$PYTHON" -m venv "$work/partner"
"$work/partner/bin/python" -m pip install --quiet "$work"/dist/tiktok_linksim-*.whl pytest pytest-xdist
mkdir "$work/suite"
cat > "$work/suite/test_partner.py" <<'PY'
import requests

import linksim


def test_a_qr_link_through_the_fixtures(linksim_seller, linksim_phone):
    link = linksim_seller.start_official_link("shop_acme_us")
    linksim_phone.sign_in("maya", "linksim-demo")
    linksim_phone.authorize(linksim_phone.scan(link.qr.scan_url))
    assert linksim_seller.accept_terms(link.link_id).state == "active"


def test_an_unlink_after_the_cooldown(linksim_sandbox, linksim_seller, linksim_clock):
    phone = linksim_sandbox.phone("maya")
    link = linksim_seller.start_official_link("shop_acme_us")
    phone.authorize(phone.scan(link.qr.scan_url))
    linksim_seller.accept_terms(link.link_id)
    linksim_clock.advance("24h")
    assert linksim_seller.unlink("shop_acme_us", "oid_maya").state == "unlinked"


def test_partner_code_runs_offline_against_tiktoks_hosts():
    with linksim.offline():
        answer = requests.post("https://open.tiktokapis.com/v2/oauth/token/", data={
            "client_key": "linksim_demo_key", "client_secret": "linksim_demo_secret",
            "grant_type": "client_credentials"}).json()
    assert answer["access_token"].startswith("clt.")
PY
cd "$work/suite"
"$work/partner/bin/python" -m pytest -q -p no:cacheprovider
"$work/partner/bin/python" -m pytest -q -p no:cacheprovider -n 2
