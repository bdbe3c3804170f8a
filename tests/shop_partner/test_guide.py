"""docs/tiktok-shop-partner.md's examples run as written: the signature check, the webhook verifier and the
unmodified SDK inside offline mode. (The first example waits for a person to paste a code, and the pytest one is
a sketch; tests/shop_partner/test_pypi_client.py and tests/plugin/test_shop_kit.py run what they show.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auth_server.shop_partner.signing import webhook_signature

GUIDE = Path(__file__).parents[2] / "docs" / "tiktok-shop-partner.md"
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
RUNNABLE = [block for block in BLOCKS if "input(" not in block and "def test_" not in block]


def test_the_guide_has_the_examples_this_test_runs() -> None:
    assert len(BLOCKS) == 5 and len(RUNNABLE) == 3


@pytest.mark.parametrize("block", RUNNABLE, ids=["offline-sdk", "signature", "webhook-verifier"])
def test_an_example_runs_as_written(block: str) -> None:
    namespace: dict[str, object] = {}
    exec(compile(block, str(GUIDE), "exec"), namespace)  # noqa: S102 - the guide's own example
    if "verified" in namespace:  # the verifier agrees with the server's signer
        body = b'{"type":6,"shop_id":"shop_acme_us"}'
        signature = webhook_signature("6demo0linksim", "linksim_demo_shop_secret", body)
        verified = namespace["verified"]
        assert verified("6demo0linksim", "linksim_demo_shop_secret", body, signature)  # type: ignore[operator]
        assert not verified("6demo0linksim", "linksim_demo_shop_secret", body + b" ", signature)  # type: ignore[operator]
    if "shops" in namespace:
        assert {shop.id for shop in namespace["shops"]} == {"shop_acme_us", "shop_acme_gb"}  # type: ignore[attr-defined]
