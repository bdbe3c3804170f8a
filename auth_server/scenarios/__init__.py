"""Scenario files: a linking story told as data, run against a linksim server and checked step by step.

A scenario names its parties (the demo data, or data of its own), then steps by actor (the seller's tool,
a holder's app, the clock, the simulator's controls), each with the outcome it expects. ``linksim
scenario run`` plays it in a sandbox of its own and reports every step; the shipped library holds one
scenario per rule of RULES.md, per boundary and per troubleshooting case. The format: docs/scenarios.md.

- :mod:`.schema`: the file format as a JSON Schema;
- :mod:`.model`: reading and checking a file;
- :mod:`.steps`: what each actor can do, over HTTP;
- :mod:`.expectations`: ``${name.field}`` substitution, and comparing answers with expectations;
- :mod:`.runner`: a scenario in its sandbox, on a given server or one of the runner's own;
- :mod:`.report`: the step-by-step report and JUnit XML.
"""

from auth_server.scenarios.model import Scenario
from auth_server.scenarios.model import ScenarioError
from auth_server.scenarios.model import load
from auth_server.scenarios.runner import Runner
from auth_server.scenarios.runner import ScenarioResult
from auth_server.scenarios.runner import local_server

__all__ = ["Runner", "Scenario", "ScenarioError", "ScenarioResult", "load", "local_server"]
