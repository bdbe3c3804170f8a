"""``linksim scenario ...``: run scenario files, list the shipped ones, print the file format's JSON Schema.

Exit codes of ``run``: 0 every scenario behaved as it expects; 1 a step answered something else (or could
not be carried out); 2 a file is not a valid scenario, or the server cannot run scenarios.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import AbstractContextManager
from contextlib import nullcontext
from pathlib import Path

import click

from auth_server.scenarios import model
from auth_server.scenarios import report
from auth_server.scenarios.runner import Runner
from auth_server.scenarios.runner import ScenarioResult
from auth_server.scenarios.runner import ServerProblem
from auth_server.scenarios.runner import local_server
from auth_server.scenarios.schema import SCHEMA

EXIT_MISMATCH = 1
EXIT_INVALID = 2


@click.group()
def scenario() -> None:
    """Scenario files: parties, steps by actor, expected outcomes (docs/scenarios.md)."""


@scenario.command()
@click.argument("files", nargs=-1)
@click.option("--builtin", is_flag=True, help="Run every scenario shipped with linksim too.")
@click.option("--url", help="A running linksim server (each scenario gets a sandbox of its own there); by "
                            "default a server of the runner's own, in this process.")
@click.option("--control-token", envvar="LINKSIM_CONTROL_TOKEN",
              help="The server's control token, if it has one (for a server on another machine).")
@click.option("--junit-xml", "junit_xml", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the results as JUnit XML to this file.")
@click.option("-q", "--quiet", is_flag=True, help="One line per scenario; steps only where one does not match.")
def run(files: tuple[str, ...], builtin: bool, url: str | None, control_token: str | None,
        junit_xml: Path | None, quiet: bool) -> None:
    """Run scenario FILES (or every scenario file in a folder, or shipped scenarios by name: O02, B01_...) and
    report each step."""
    for folder in (paths := _named(files)):
        if folder.is_dir() and not model.scenario_files(folder):
            # A folder named for nothing is a mistake (a typo, the wrong folder): say so rather than run less.
            raise click.UsageError(f"{folder} holds no scenario files ({model.PATTERNS})")
    paths = model.expand(paths) + (model.library() if builtin else [])
    if not paths:
        raise click.UsageError("name scenario files or folders, or use --builtin")
    scenarios, invalid = [], []
    for path in paths:
        try:
            scenarios.append(model.load(path))
        except model.ScenarioError as error:
            invalid.append(str(error))
    if invalid:
        click.echo("\n".join(invalid), err=True)
        sys.exit(EXIT_INVALID)

    server: AbstractContextManager[str] = nullcontext(url) if url else local_server()
    started = time.perf_counter()
    with server as base_url:
        runner = Runner(base_url, control_token=control_token)
        try:
            runner.check()
        except ServerProblem as problem:
            click.echo(f"error: {problem}", err=True)
            sys.exit(EXIT_INVALID)

        def show(result: ScenarioResult) -> None:
            click.echo(report.scenario_report(result, quiet=quiet))

        results = runner.run_all(scenarios, on_result=show)
    click.echo(report.totals(results, time.perf_counter() - started))
    if junit_xml is not None:
        report.write_junit(results, junit_xml)
        if not quiet:
            click.echo(f"JUnit XML written to {junit_xml}")
    if not all(result.passed for result in results):
        sys.exit(EXIT_MISMATCH)


def _named(names: tuple[str, ...]) -> list[Path]:
    """Each name as a file or folder that exists, else as shipped scenarios (``linksim scenario list``)."""
    found: list[Path] = []
    for name in names:
        if Path(name).exists():
            found.append(Path(name))
            continue
        shipped = model.shipped(name)
        if not shipped:
            raise click.UsageError(f"{name} is neither a file nor a folder, nor the name of a shipped scenario "
                                   "(`linksim scenario list` names them, such as O02 or O02_official_slot_taken)")
        found.extend(shipped)
    return found


@scenario.command(name="list")
def list_scenarios() -> None:
    """The scenarios shipped with linksim: one per rule, per boundary and per troubleshooting case."""
    for path in model.library():
        shipped = model.load(path)
        rules = " ".join(shipped.rules) or "-"
        click.echo(f"{shipped.key:<44} {rules:<12} {shipped.name}")


@scenario.command(name="schema")
def print_schema() -> None:
    """Print the JSON Schema of a scenario file."""
    click.echo(json.dumps(SCHEMA, indent=2))
