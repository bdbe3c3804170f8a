"""docs/try-the-rules.md, run command by command: every outcome it promises is what linksim does."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from auth_server.cli import main

PAGE = Path(__file__).resolve().parents[2] / "docs" / "try-the-rules.md"
SETUP = re.compile(r"^\$ export LINKSIM_DB=(\S+)$", re.MULTILINE)  # the page's own database, whatever the server's
STEP = re.compile(r"^\$ linksim (?P<args>.*?)\s+# → (?P<outcome>ok|refused)(?::\s*(?P<detail>.*))?$")


def sections() -> list[tuple[str, list[tuple[str, str, str]]]]:
    found: list[tuple[str, list[tuple[str, str, str]]]] = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            found.append((line[3:].strip(), []))
        elif line.startswith("$ linksim"):
            match = STEP.match(line)
            assert match, f"a command on the page has no outcome comment: {line}"
            found[-1][1].append((match["args"], match["outcome"], (match["detail"] or "").strip()))
    return found


@pytest.mark.parametrize("title,steps", sections(), ids=[title.split(":")[0] for title, _ in sections()])
def test_the_walkthrough_does_what_the_page_says(title: str, steps: list, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    setup = SETUP.search(PAGE.read_text(encoding="utf-8"))
    assert setup, "the page does not say which database its commands use"
    monkeypatch.chdir(tmp_path)  # where the reader's relative sqlite:///try.db goes
    for args, outcome, detail in steps:
        result = runner.invoke(main, ["--json", *shlex.split(args)], env={"LINKSIM_DB": setup[1]})
        where = f"[{title}] linksim {args}\n{result.output}"
        if outcome == "refused":
            assert result.exit_code == 1, where
            refused = json.loads(result.stdout)["refused"]
            assert [v["code"] for v in refused["violations"]] == [c.strip() for c in detail.split(",")], where
        else:
            assert result.exit_code == 0, where
            if detail:
                assert detail.strip('"') in result.output or detail in result.output, where


def test_every_rule_of_rules_md_has_a_section() -> None:
    titles = " ".join(title for title, _ in sections())
    for rule in [*(f"O{i}" for i in range(1, 12)), "M1", "M2", "M3", "M4", "M5", "M6", "M8", "M9", "M10",
                 "U1", "U2", "U3", "E1", "E2", "E3", "E4", "E5"]:
        assert re.search(rf"\b{rule}\b", titles), f"docs/try-the-rules.md has no section for {rule}"
