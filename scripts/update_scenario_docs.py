"""Rewrite docs/scenarios.md's tables of the seller's and the app's actions from their declarations."""

from pathlib import Path

from client_core.actions import markdown_table

DOC = Path(__file__).resolve().parent.parent / "docs" / "scenarios.md"


def markers(actor: str) -> tuple[str, str]:
    return (f"<!-- actions:{actor}:start (scripts/update_scenario_docs.py writes this table from "
            "client_core/actions.py) -->", f"<!-- actions:{actor}:end -->")


def current(text: str) -> str:
    """``text`` with each actor's table as the declarations make it."""
    for actor in ("seller", "app"):
        start, end = markers(actor)
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{markdown_table(actor)}\n{end}{tail}"
    return text


if __name__ == "__main__":
    DOC.write_text(current(DOC.read_text(encoding="utf-8")), encoding="utf-8")
