"""Rewrite the README's code table from the catalogue (what `linksim codes --markdown` prints)."""

from pathlib import Path

from auth_server.domain import codes

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- codes:start -->", "<!-- codes:end -->"

text = README.read_text(encoding="utf-8")
head, rest = text.split(START, 1)
_, tail = rest.split(END, 1)
README.write_text(f"{head}{START}\n{codes.markdown_table()}\n{END}{tail}", encoding="utf-8")
