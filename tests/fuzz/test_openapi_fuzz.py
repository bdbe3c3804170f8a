"""Every operation of /openapi.json, called by schemathesis with inputs drawn from its schemas, against linksim
in-process with the demo data: never a 500 (issue 13).

The suite runs a short, bounded pass (``LINKSIM_FUZZ_EXAMPLES``, 4 inputs an operation, the ``not_a_server_error``
check); ``make fuzz`` runs a long one with every check of schemathesis (``LINKSIM_FUZZ_CHECKS=all``).
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings
from schemathesis.checks import not_a_server_error

from auth_server import fixtures
from auth_server.app import create_app
from auth_server.simulator import Simulator

EXAMPLES = int(os.environ.get("LINKSIM_FUZZ_EXAMPLES", "4"))
ALL_CHECKS = os.environ.get("LINKSIM_FUZZ_CHECKS") == "all"


def demo_app():  # noqa: ANN201 - a Flask app
    simulator = Simulator.in_memory()
    fixtures.load(simulator.service, fixtures.read(fixtures.DEMO), now=simulator.clock.now())
    return create_app(simulator)


schema = schemathesis.openapi.from_wsgi("/openapi.json", demo_app())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_input_makes_a_server_error(case: schemathesis.Case) -> None:
    if ALL_CHECKS:
        case.call_and_validate()
    else:
        case.call_and_validate(checks=[not_a_server_error])
