"""A scenario as the runner sees it: read from a file, checked, and turned into plain objects.

A file that does not follow the format raises :class:`ScenarioError`, whose message names the file and
every place that is wrong (``steps[3].seller.shop: 'shop' is a required property``); nothing runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from auth_server import fixtures
from auth_server.scenarios import schema
from auth_server.scenarios.steps import ACTORS
from auth_server.scenarios.steps import CONTROL_METHODS
from seller_client.client import DEMO_CLIENT_KEY
from seller_client.client import DEMO_CLIENT_SECRET

SUFFIXES = (".yaml", ".yml", ".json")
PATTERNS = ", ".join(f"*{suffix}" for suffix in SUFFIXES)  # what a folder's scenario files are named
REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_-]+)*)\}")
# The seller's tool signs in as this partner app; a scenario whose data names no partner app gets it.
DEMO_PARTNER_APP: dict[str, Any] = {"client_key": DEMO_CLIENT_KEY, "client_secret": DEMO_CLIENT_SECRET,
                                    "name": "linksim demo app", "redirect_uris": ["http://127.0.0.1:*/callback/"]}
GROUPS = {"O": "official account", "M": "marketing accounts", "U": "unlinking", "E": "effects of a link",
          "B": "boundaries", "T": "troubleshooting"}


class ScenarioError(ValueError):
    """The scenario file cannot be run; the message names the file and each place that is wrong."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source} is not a valid scenario (docs/scenarios.md):\n"
                         + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Expectation:
    """What a step must answer: success or a refusal (with these codes), and fields of the answer."""

    refused: tuple[str, ...] | None = None  # None: the step must succeed
    exact_codes: bool = False  # a list was given: the refusal's codes must be exactly these
    fields: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_document(cls, value: Any) -> Expectation:
        if value is None or value == "ok":
            return cls()
        fields = {key: matcher for key, matcher in value.items() if key != "refused"}
        refused = value.get("refused")
        if refused is None:
            return cls(fields=fields)
        if isinstance(refused, str):
            return cls(refused=(refused,), fields=fields)
        return cls(refused=tuple(refused), exact_codes=True, fields=fields)

    def describe(self) -> str:
        head = "ok" if self.refused is None else "refused: " + ", ".join(self.refused)
        return head + "".join(f", {key}: {value!r}" for key, value in self.fields.items())


@dataclass(frozen=True)
class Step:
    number: int  # from 1, as the report counts
    actor: str  # seller, app, clock, control
    params: dict[str, Any]  # the actor's mapping as written, before ${...} substitution
    expect: Expectation
    save: str | None = None
    note: str | None = None

    @property
    def place(self) -> str:
        return f"steps[{self.number - 1}]"


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: tuple[Step, ...]
    description: str = ""
    rules: tuple[str, ...] = ()
    fixtures: str | None = None
    data: dict[str, Any] | None = None
    start: str | None = None
    client_key: str = DEMO_PARTNER_APP["client_key"]
    client_secret: str = DEMO_PARTNER_APP["client_secret"]
    source: str = "(scenario)"

    @property
    def key(self) -> str:
        """The file's name without its suffix (``O02_official_slot_taken``), else the scenario's name."""
        return Path(self.source).stem if self.source != "(scenario)" else self.name

    @property
    def group(self) -> str:
        return GROUPS.get(self.key[:1], "other")

    def sandbox_request(self) -> dict[str, Any]:
        """The body of ``POST /_sim/sandboxes``: the scenario's data (with a partner app) or the demo data.

        Data without partner apps gets the demo one, which every seller with shops authorized unless it lists its
        own ``authorized_apps``."""
        body: dict[str, Any] = {}
        if self.fixtures is not None:
            body["fixtures"] = self.fixtures
        else:
            data = dict(self.data or {})
            if "partner_apps" not in data:
                shop_app = demo_shop_app()
                data["partner_apps"] = [{**DEMO_PARTNER_APP, "shop": shop_app}]
                data["sellers"] = [{"authorized_apps": [shop_app["app_key"]], **seller} if seller.get("shops")
                                   else seller for seller in data.get("sellers", [])]
            body["data"] = data
        if self.start is not None:
            body["start"] = self.start
        return body


def demo_shop_app() -> dict[str, Any]:
    """The demo's TikTok Shop app, serving every market (a scenario's shops may be anywhere): the data's sellers
    authorize it, so that the seller's tool acts for their shops."""
    shop_app: dict[str, Any] = fixtures.read(fixtures.DEMO)["partner_apps"][0]["shop"]
    shop_app.pop("markets", None)
    return shop_app


# --- reading -------------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: times stay strings, as the server reads them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(path: str | Path) -> Scenario:
    """Read and check one scenario file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(str(path), [f"cannot be read: {error}"]) from None
    return parse_text(text, str(path))


def parse_text(text: str, source: str = "(scenario)") -> Scenario:
    try:
        document = yaml.load(text, Loader=_Loader)  # JSON is YAML too
    except yaml.YAMLError as error:
        raise ScenarioError(source, [f"not valid YAML: {yaml_problem(error, source)}"]) from None
    return parse(document, source)


def yaml_problem(error: yaml.YAMLError, source: str) -> str:
    """``FILE:LINE:COLUMN: problem`` (counted from 1, as editors do), rather than yaml's ``"<unicode string>"``."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None)
    if mark is None or not problem:
        return str(error).replace('"<unicode string>"', source)  # a character yaml cannot read: its own words
    where = f"{source}:{mark.line + 1}:{mark.column + 1}: {problem}"
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None:
        where += f" ({context} from line {context_mark.line + 1}, column {context_mark.column + 1})"
    return where


def parse(document: Any, source: str = "(scenario)") -> Scenario:
    """A scenario from its document (a YAML or JSON file's contents), once it is checked."""
    problems = schema.problems(document) or _semantic_problems(document)
    if problems:
        raise ScenarioError(source, problems)
    partner = document.get("partner") or DEMO_PARTNER_APP
    return Scenario(
        name=document["name"],
        description=str(document.get("description", "")).strip(),
        rules=tuple(document.get("rules", [])),
        fixtures=document.get("fixtures"),
        data=document.get("data"),
        start=document.get("start"),
        client_key=partner["client_key"],
        client_secret=partner["client_secret"],
        steps=tuple(_step(number, raw) for number, raw in enumerate(document["steps"], 1)),
        source=source,
    )


def _step(number: int, raw: dict[str, Any]) -> Step:
    actor = next(name for name in ACTORS if name in raw)
    return Step(number=number, actor=actor, params=dict(raw[actor]),
                expect=Expectation.from_document(raw.get("expect")), save=raw.get("save"), note=raw.get("note"))


def _semantic_problems(document: dict[str, Any]) -> list[str]:
    """What the schema cannot say well: where the parties come from, one actor per step, references, regexes."""
    problems = []
    if ("data" in document) == ("fixtures" in document):
        problems.append("(top level): give the parties as data: {...} or fixtures: demo (one of them)")
    saved: set[str] = set()
    for index, raw in enumerate(document["steps"]):
        where = f"steps[{index}]"
        actors = [name for name in ACTORS if name in raw]
        if len(actors) != 1:
            found = ", ".join(actors) or "none"
            problems.append(f"{where}: a step has one actor: seller, app, clock or control (found: {found})")
            continue
        control = raw.get("control")
        if control is not None and sum(method in control for method in CONTROL_METHODS) != 1:
            problems.append(f"{where}.control: name one method: post, get or delete")
        app = raw.get("app")
        if app is not None and app["action"] == "scan" and ("link" in app) == ("scan_url" in app):
            problems.append(f"{where}.app: scan names either link (the QR code the seller shows) or scan_url")
        for place, text in _strings(raw, where):
            for match in REFERENCE.finditer(text):
                if match.group(1) not in saved:
                    problems.append(f"{place}: ${{{match.group(1)}...}} names nothing an earlier step saved "
                                    f"(saved so far: {', '.join(sorted(saved)) or 'nothing'})")
        expect = raw.get("expect")
        for key, matcher in expect.items() if isinstance(expect, dict) else ():
            if isinstance(matcher, dict) and set(matcher) == {"matches"}:
                try:
                    re.compile(matcher["matches"])
                except re.error as error:
                    problems.append(f"{where}.expect.{key}.matches: not a regular expression: {error}")
        if raw.get("save"):
            saved.add(raw["save"])
    return problems


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("save", "note"):
                yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


# --- finding files ---------------------------------------------------------------------------------------------


def library_dir() -> Path:
    """The folder of the scenarios shipped with linksim (one per rule, boundary and troubleshooting case)."""
    return Path(str(resources.files("auth_server.scenarios").joinpath("library")))


def library() -> list[Path]:
    """The shipped scenario files, in the order of RULES.md: O, M, U, E, then boundaries and troubleshooting."""
    order = list(GROUPS)
    return sorted((p for p in library_dir().iterdir() if p.suffix in SUFFIXES),
                  key=lambda p: (order.index(p.name[0]) if p.name[0] in order else len(order), p.name))


def shipped(name: str) -> list[Path]:
    """The shipped scenarios a name means: its key (``O02_official_slot_taken``), its file name, or the start of
    its key (``O02``; ``O09`` means both of O9's)."""
    stem = Path(name).stem if Path(name).suffix in SUFFIXES else name
    exact = [path for path in library() if path.stem == stem]
    return exact or [path for path in library() if path.stem.startswith(stem)]


def expand(paths: list[Path]) -> list[Path]:
    """Files as given, and every scenario file under a folder (sorted), without repeats."""
    found: list[Path] = []
    for path in paths:
        found.extend(scenario_files(path) if path.is_dir() else [path])
    return list(dict.fromkeys(found))


def scenario_files(folder: Path) -> list[Path]:
    """The scenario files under ``folder`` and its subfolders, sorted."""
    return sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())
