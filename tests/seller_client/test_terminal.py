"""The QR code drawn in text encodes exactly what the server's code does; tables and the status line."""

from __future__ import annotations

import io

import qrcode

from seller_client.terminal import StatusLine
from seller_client.terminal import can_print
from seller_client.terminal import qr_text
from seller_client.terminal import table

URL = "http://127.0.0.1:8765/app/scan?token=.eJxNjU0Kg0AMRu-StUgpVItXKWUYpwmEiRM7qYhI7266stv3vp8dSHSFAZSIE0cJ7woNCJfsUEoOl"
# light modules are drawn solid (it scans off a dark terminal): each character is two modules, top and bottom
HALF_BLOCKS = {"█": (False, False), "▄": (True, False), "▀": (False, True), "\xa0": (True, True)}


def expected_matrix(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(border=2)
    code.add_data(data)
    code.make(fit=True)
    return [list(map(bool, row)) for row in code.get_matrix()]


def test_the_text_qr_code_has_every_module_of_the_real_one() -> None:
    expected = expected_matrix(URL)
    rows: list[list[bool]] = []
    for line in qr_text(URL).splitlines():
        pairs = [HALF_BLOCKS[c] for c in line]
        rows += [[top for top, _ in pairs], [bottom for _, bottom in pairs]]
    assert rows[:len(expected)] == expected


def test_without_unicode_each_module_is_two_characters() -> None:
    expected = expected_matrix(URL)
    lines = qr_text(URL, unicode=False).splitlines()
    assert [[line[i:i + 2] == "  " for i in range(0, len(line), 2)] for line in lines] == expected


def test_can_print_knows_an_ascii_terminal_cannot_draw_blocks() -> None:
    ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert not can_print(ascii_out, "█") and can_print(ascii_out, "##")


def test_a_table_pads_columns_and_marks_missing_values() -> None:
    assert table(["a", "bb"], [["xxx", None], ["y", "z"]]).splitlines() == [
        "  a    bb", "  ---  --", "  xxx  -", "  y    z"]
    assert table(["a"], []) == "  (none)"


def test_the_status_line_is_one_line_per_change_when_not_a_terminal() -> None:
    out = io.StringIO()
    line = StatusLine(out)
    line.show("status: new")
    line.show("status: scanned")
    line.end()
    assert out.getvalue() == "status: new\nstatus: scanned\n"


def test_the_status_line_rewrites_itself_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    line = StatusLine(out)
    line.show("status: new")
    line.show("status: scanned")
    line.end()
    assert out.getvalue() == "\r\x1b[Kstatus: new\r\x1b[Kstatus: scanned\n"


def test_a_quiet_status_line_prints_nothing() -> None:
    out = io.StringIO()
    StatusLine(out, quiet=True).show("status: new")
    assert out.getvalue() == ""
