"""Rewrite docs/rules.md from the code that enforces the rules (what `linksim rules --markdown` prints)."""

from pathlib import Path

from auth_server.cli.rule_reference import markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
DOC.write_text(markdown() + "\n", encoding="utf-8")
