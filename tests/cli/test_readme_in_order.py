"""README.md, top to bottom, in order, in a fresh copy of the repository: `make run` serves, and every command
and example of the README does what the text says it does (tests/cli/readme_walk.py reads and runs it).

The copy is of the working tree (`git ls-files`, uncommitted changes included), not a `git clone`, so that the
README under test is the one being edited; `make readme-check` does the same from a real `git clone`. To keep
the suite fast, the copy's `.venv` is this test run's own environment (symlinked, with `make run`'s install
stamp in place, so `make run` installs nothing). The server listens on a free port (PORT=, which the Makefile
takes from the environment), and the README's `127.0.0.1:8765` is read as that port in every command, output
and example; the `linksim` commands get it as LINKSIM_URL."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.readme_walk import LEFT_TO_A_PERSON
from tests.cli.readme_walk import PERSON_STEPS
from tests.cli.readme_walk import ROOT
from tests.cli.readme_walk import SKIPPED
from tests.cli.readme_walk import Command
from tests.cli.readme_walk import Walk
from tests.cli.readme_walk import free_port
from tests.cli.readme_walk import readme_steps

README = ROOT / "README.md"


def copy_of_the_working_tree(into: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    venv = into / ".venv"
    venv.mkdir()
    for part in ("bin", "lib", "lib64", "include", "pyvenv.cfg"):
        if (Path(sys.prefix) / part).exists():
            os.symlink(Path(sys.prefix) / part, venv / part)
    (venv / ".installed-run").touch()  # newer than the copied pyproject.toml: `make run` installs nothing
    return into


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="the copy's .venv is this run's virtualenv (make test's)")
def test_every_step_of_the_readme_does_what_it_says_in_order(tmp_path: Path) -> None:
    clone = copy_of_the_working_tree(tmp_path / "linksim")
    walk = Walk(clone, free_port())
    walk.run()
    assert walk.first_link_at is not None, "no command of the README linked an account"


def test_only_make_test_is_left_out_and_the_readme_has_it() -> None:
    commands = [step.bare for step in readme_steps(README.read_text(encoding="utf-8")) if isinstance(step, Command)]
    assert list(SKIPPED) == ["make test"] and "make test" in commands


def prose_paragraphs(text: str) -> list[str]:
    """The README's paragraphs outside code blocks and tables, each on one line."""
    outside = re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)
    prose = "\n".join(line for line in outside.splitlines() if not line.startswith(("|", "#", "<!--")))
    return [" ".join(paragraph.split()) for paragraph in prose.split("\n\n") if paragraph.strip()]


def test_what_the_readme_asks_of_a_person_in_a_browser_is_done_over_http_or_listed_as_left_to_them() -> None:
    asks = [paragraph for paragraph in prose_paragraphs(README.read_text(encoding="utf-8"))
            if re.search(r"\b[Oo]pen (`|Seller Center)", paragraph)]  # "open `URL`", "open Seller Center"
    done = [" ".join(words.split()) for _, words, _ in PERSON_STEPS]
    left = [" ".join(words.split()) for _, words in LEFT_TO_A_PERSON]
    assert asks and all(any(words in ask for words in done + left) for ask in asks), asks
    assert left == []  # nothing is left to a person: the walk does every step in a browser over HTTP
