"""Text for a terminal: a QR code drawn in characters, tables, a status line that updates in place."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from typing import TextIO

import qrcode


def qr_text(data: str, *, unicode: bool = True) -> str:
    """``data`` as a QR code in text, light modules drawn solid so it scans off a dark terminal.

    With ``unicode`` two rows of modules share a line (half blocks); without it, for a terminal that
    cannot print them, each module is two ``#`` or two spaces.
    """
    code = qrcode.QRCode(border=2)
    code.add_data(data)
    code.make(fit=True)
    if unicode:
        out = io.StringIO()
        code.print_ascii(out=out, invert=True)  # tty=False: no colour codes, so it needs no terminal
        return out.getvalue()
    rows = code.get_matrix()
    return "".join("".join("  " if dark else "##" for dark in row) + "\n" for row in rows)


def can_print(stream: TextIO, text: str) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest cell, under a rule; "-" for a missing value."""
    if not rows:
        return "  (none)"
    cells = [list(headers)] + [["-" if c is None or c == "" else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join("  " + line for line in lines)


class StatusLine:
    """One line that says where a flow is: rewritten in place on a terminal, one line per change elsewhere."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.in_place = _isatty(stream)
        self._open = False
        self._last: str | None = None

    def show(self, text: str) -> None:
        """Show ``text``, unless it is what the line already says."""
        if self.quiet or text == self._last:
            return
        self._last = text
        if self.in_place:
            self.stream.write("\r\x1b[K" + text)
            self._open = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def end(self) -> None:
        """Close the line in place, so what is printed next starts on a line of its own."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
