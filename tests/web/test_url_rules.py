"""The app's URL rules build URLs as Werkzeug's do, though each builder is compiled by its first use."""

from __future__ import annotations

from werkzeug.routing import Map
from werkzeug.routing import Rule

from auth_server.web.url_rules import BuiltWhenFirstUsed


def urls(rule_class: type[Rule]) -> list[str]:
    adapter = Map([rule_class("/links/<link_id>/qr.<any(png, svg):kind>", endpoint="qr"),
                   rule_class("/shops/<shop_id>", endpoint="shop", defaults={"page": 1})]).bind("example.com")
    return [adapter.build("qr", {"link_id": "lnk 1", "kind": "svg"}),
            adapter.build("qr", {"link_id": "lnk_2", "kind": "png", "size": "4"}),  # an unknown value: the query
            adapter.build("shop", {"shop_id": "s1", "page": 1}),
            adapter.build("shop", {"shop_id": "s1"}, force_external=True)]


def test_a_rule_compiled_on_first_use_builds_the_urls_werkzeugs_rule_builds() -> None:
    assert urls(BuiltWhenFirstUsed) == urls(Rule)
