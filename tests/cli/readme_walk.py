"""README.md done as a newcomer does it, top to bottom, in a copy of the repository: `make run` as the server,
then every command of the README's console blocks in order, in one shell (so `T=$(...)` carries over), each
checked against what the text says: the exit code (1 where it shows a refusal, else 0) and every output line
it shows (`…` stands for anything; a JSON answer is checked key by key). The steps the text leaves to a person
in a browser ("open scan_url, sign in as gabe, tap Authorize") are done over HTTP on the same screens
(tests/cli/browser.py), and their results fill the placeholders of the commands after them (`<code>`,
`<link_id>`). The Python examples run too: the Login Kit one with its browser step done the same way, the
pytest one under pytest.

Used by tests/cli/test_readme_in_order.py (a copy of the working tree, on the test run's own environment) and
by `make readme-check` (`python -m tests.cli.readme_walk`: a `git clone`, the README's own `make run` installing
everything, and the time from the clone to the first linked account)."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from tests.cli.browser import Browser

ROOT = Path(__file__).resolve().parents[2]
README_HOST = "127.0.0.1:8765"
SERVER_COMMAND = "make run"
# What the walk does not run, and why; a test keeps this list to commands the README has.
SKIPPED = {
    "make test": "the suite this walk is part of (and minutes long): CI runs it on its own",
}
FIRST_LINK = re.compile(r"^(link lnk_\w+: active|linked: .*)$", re.MULTILINE)


# --- reading the README ------------------------------------------------------------------------------------------

@dataclass
class Command:
    line: int
    section: str
    text: str
    block: int = 0  # the line where its console block starts
    shown: list[str] = field(default_factory=list)

    @property
    def comment(self) -> str:
        last = self.text.splitlines()[-1]
        return last.split("  # ", 1)[1].strip() if "  # " in last else ""

    @property
    def bare(self) -> str:
        """The command without its comment."""
        return self.text.split("  # ", 1)[0].rstrip() if "  # " in self.text.splitlines()[-1] else self.text

    @property
    def refused(self) -> bool:
        return self.comment.startswith("refused") or "refused:" in self.shown

    @property
    def waits(self) -> bool:
        """The text says the command waits (for the other terminal): it runs in the background until its block ends."""
        return "then waits" in self.comment


@dataclass
class Example:
    line: int
    section: str
    source: str


@dataclass
class PersonStep:
    """What the text asks a person to do, or says happens, found by its words in the README."""
    line: int
    section: str
    words: str
    act: Callable[[Walk, PersonStep], None]


def read_blocks(text: str) -> Iterator[Command | Example | tuple[int, str, str, list[str]]]:
    """The console commands and Python examples in order; any other fenced block as (line, section, lang, lines)."""
    section, fence, start = "", None, 0
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if fence is None:
            if line.startswith("## "):
                section = line[3:].strip()
            elif line.startswith("```"):
                fence, lines, start = line[3:].strip(), [], number
            continue
        if not line.startswith("```"):
            lines.append(line)
            continue
        if fence == "console":
            yield from commands_of(start, section, lines)
        elif fence == "python":
            yield Example(start, section, "\n".join(lines) + "\n")
        else:
            yield (start, section, fence, lines)
        fence = None


def commands_of(start: int, section: str, lines: list[str]) -> Iterator[Command]:
    command: Command | None = None
    continued = False
    for offset, line in enumerate(lines, 1):
        if continued and command is not None:
            command.text += "\n" + line
        elif line.startswith("$ "):
            if command:
                yield command
            command = Command(start + offset, section, line[2:], start)
        elif command is not None:
            command.shown.append(line)
        continued = line.endswith("\\")
    if command:
        yield command


# --- what a person does -------------------------------------------------------------------------------------------

def authorize_the_shop_app(walk: Walk, step: PersonStep) -> None:
    url = re.search(r"open `([^`]+)`", step.words).group(1)  # type: ignore[union-attr]
    login, password = re.search(r"sellers sign in as `([^`]+)` / `([^`]+)`",  # type: ignore[union-attr]
                                walk.section_text(step.section)).groups()
    with Browser(walk.base_url) as browser:
        answer = browser.tap(browser.sign_in(browser.open(walk.local(url)), login, password), "Authorize")
    assert answer.left_for and "code=" in answer.left_for, f"no redirect with a code: {answer.url}\n{answer.text}"
    walk.values["code"] = re.search(r"[?&]code=([^&]+)", answer.left_for).group(1)  # type: ignore[union-attr]


def authorize_the_scanned_link(walk: Walk, step: PersonStep) -> None:
    username, password = re.search(r"sign in as `([^`]+)`\s+\(password `([^`]+)`\)",  # type: ignore[union-attr]
                                   step.words).groups()
    scan_url = walk.last_json["qr"]["scan_url"]
    with Browser(walk.base_url) as browser:
        done = browser.tap(browser.sign_in(browser.open(scan_url), username, password), "Authorize")
    assert done.status == 200, done.text


def seller_status_line(walk: Walk, step: PersonStep) -> None:
    said = walk.background_output.get("seller link-official", "")
    for status in ("new", "confirmed", "active"):  # "scanned" may fall between two polls, as the text says
        assert f"status: {status}" in said, said
    linked = re.search(r"it ends with `([^`]+)`", step.words).group(1)  # type: ignore[union-attr]
    assert linked in said, said


def link_by_hand_in_two_browsers(walk: Walk, step: PersonStep) -> None:
    username = re.search(r"\(sign in as `([^`]+)`\)", step.words).group(1)  # type: ignore[union-attr]
    shop = re.search(r"on the shop (.+?), \"", step.words).group(1)  # type: ignore[union-attr]
    with Browser(walk.base_url) as seller, Browser(walk.base_url) as app:
        shops = seller.open(f"{walk.base_url}/seller/")
        paths = seller.open(seller.open(shops.link(shop)).link("Link official account"))
        waiting = seller.tap(paths, "Show a QR code")
        assert 'alt="QR code"' in waiting.text, waiting.text  # the QR code and a scan link
        home = app.open(f"{walk.base_url}/app/")
        app.sign_in(app.open(home.link("Sign in")), username, "linksim-demo")
        consent = app.open(waiting.link("the scan link"))
        app.tap(consent, "Authorize")
        terms = seller.open(waiting.url)
        linked = seller.tap(terms, "Link This Account", ticked=(("agree", "yes"),))
    assert "is linked." in linked.text, linked.text


PERSON_STEPS: list[tuple[str, str, Callable[[Walk, PersonStep], None]]] = [
    ("Link an account from two terminals",
     "The seller's status line goes `new`, `scanned` (unless the phone scans and authorizes between two polls), "
     "`confirmed`, `active`, and it ends with `linked: oid_maya is the official account of shop_acme_us`",
     seller_status_line),
    ("Point a TikTok Shop client at linksim",
     "open `http://127.0.0.1:8765/open/authorize?service_id=7310000000000000001&state=xyz`, sign in, tap Authorize",
     authorize_the_shop_app),
    ("Link a shop's TikTok account over HTTP",
     "Open `scan_url` in a browser (that is what the TikTok app does when it scans the code), sign in as `gabe` "
     "(password `linksim-demo`) and tap Authorize",
     authorize_the_scanned_link),
    ("Link a shop's TikTok account over HTTP",
     "Then open Seller Center at `http://127.0.0.1:8765/seller/` in one browser and the TikTok app at "
     "`http://127.0.0.1:8765/app/` in another, or a private window (sign in as `maya`): on the shop Acme Outdoor, "
     "\"Link official account\" offers both paths, \"Show a QR code\" shows the QR code and a scan link, the app "
     "shows the consent, Seller Center then shows the terms and \"Link This Account\"",
     link_by_hand_in_two_browsers),
]
# What the text leaves to a person, with nothing it says happens that a command after it relies on.
LEFT_TO_A_PERSON: list[tuple[str, str]] = []


def find_words(text: str, section: str, words: str) -> int:
    """The line where ``words`` start in ``section`` of ``text``, whatever the line breaks between them."""
    pattern = r"\s+".join(re.escape(word) for word in words.split())
    match = re.search(pattern, text)
    headings = re.findall(r"^## (.*)$", text[:match.start()], re.MULTILINE) if match else []
    if match is None or not headings or headings[-1].strip() != section:
        raise AssertionError(f"the README's section {section!r} no longer says: {words!r} "
                             "(update tests/cli/readme_walk.py with what it says now)")
    return text.count("\n", 0, match.start()) + 1


def readme_steps(text: str) -> list[Command | Example | PersonStep]:
    steps: list[Command | Example | PersonStep] = [
        block for block in read_blocks(text) if isinstance(block, (Command, Example))]
    for section, words, act in PERSON_STEPS:
        steps.append(PersonStep(find_words(text, section, words), section, words, act))
    for section, words in LEFT_TO_A_PERSON:
        find_words(text, section, words)
    return sorted(steps, key=lambda step: step.line)


# --- checking what a command printed ------------------------------------------------------------------------------

def line_pattern(shown: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in shown.rstrip().split("…")) + r"\s*")


def json_values(answer: Any, key: str) -> Iterator[Any]:
    if isinstance(answer, dict):
        for name, value in answer.items():
            if name == key:
                yield value
            yield from json_values(value, key)
    elif isinstance(answer, list):
        for item in answer:
            yield from json_values(item, key)


SHOWN_PAIR = re.compile(r'"(\w+)": ("(?:[^"\\]|\\.)*"|…|[\[{]|true|false|null|-?[\d.]+)')


def check_shown(command: Command, output: str, stdout: str) -> Any:
    """Every line the text shows is printed; a JSON answer has every key the text shows, with its value."""
    if not command.shown:
        return None
    if command.shown[0].startswith("{"):
        answer = json.loads(stdout)
        for key, value in SHOWN_PAIR.findall(" ".join(command.shown)):
            found = list(json_values(answer, key))
            assert found, f"{key} is not in the answer: {stdout}"
            if value.startswith('"'):
                assert any(isinstance(got, str) and line_pattern(json.loads(value)).fullmatch(got)
                           for got in found), f"{key}: {value} is not in the answer: {stdout}"
            elif value not in ("…", "[", "{"):
                assert json.loads(value) in found, f"{key}: {value} is not in the answer: {stdout}"
        return answer
    printed = [line.rstrip() for line in output.splitlines()]
    for shown in command.shown:
        pattern = line_pattern(shown)
        assert any(pattern.fullmatch(line) for line in printed), f"not printed: {shown!r}\n--- printed:\n{output}"
    return None


# --- doing it -----------------------------------------------------------------------------------------------------

@dataclass
class Done:
    code: int
    stdout: str
    stderr: str


class Shell:
    """One bash, as the reader's terminal: variables set by one command are there for the next."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="readme-shell-"))
        self.process = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=cwd, env=env, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.count = 0

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.lines.put(line)

    def _say(self, script: str, timeout: float) -> str:
        self.count += 1
        marker = f"__readme_walk_{self.count}__"
        self.process.stdin.write(f"{script}\necho {marker} $?\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith(marker):
                return line.split()[1]

    def _files(self, n: int) -> tuple[Path, Path]:
        return self.scratch / f"{n}.out", self.scratch / f"{n}.err"

    def run(self, command: str, timeout: float = 120) -> Done:
        out, err = self._files(self.count + 1)
        code = self._say(f"{{ {command}\n}} >{out} 2>{err} </dev/null", timeout)
        return Done(int(code), out.read_text(), err.read_text())

    def start(self, command: str) -> tuple[str, int]:
        """A command in the background: its job's pid, and where its output goes."""
        n = self.count + 1
        out, err = self._files(n)
        self._say(f"{{ {command}\n}} >{out} 2>{err} </dev/null &\nJOB_{n}=$!", 10)
        return f"JOB_{n}", n

    def wait(self, job: tuple[str, int], timeout: float = 120) -> Done:
        name, n = job
        out, err = self._files(n)
        code = self._say(f"wait ${name}", timeout)
        return Done(int(code), out.read_text(), err.read_text())

    def close(self) -> None:
        self.process.stdin.close()  # type: ignore[union-attr]
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()  # a command that never ended (the walk failed on it already)
            self.process.wait(timeout=30)
        self.process.stdout.close()  # type: ignore[union-attr]
        shutil.rmtree(self.scratch, ignore_errors=True)


class Server:
    """`make run` in the clone, in a process group of its own (make, then linksim serve under it)."""

    def __init__(self, clone: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(["bash", "-c", SERVER_COMMAND], cwd=clone, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.banner: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.banner.append(line)
            if line.startswith("Press Ctrl+C"):
                self.ready.set()
        self.ready.set()

    def wait_ready(self, timeout: float) -> str:
        self.ready.wait(timeout)
        said = "".join(self.banner)
        assert self.process.poll() is None and "Press Ctrl+C" in said, f"`{SERVER_COMMAND}` did not serve:\n{said}"
        return said

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self.process.stdout.close()  # type: ignore[union-attr]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Walk:
    """The README's steps, one after the other, in ``clone``, with the server on ``port``."""

    def __init__(self, clone: Path, port: int, *, server_timeout: float = 60, say: Callable[[str], None] = print,
                 install_pytest: bool = False, started: float | None = None) -> None:
        self.clone, self.port, self.server_timeout, self.say = clone, port, server_timeout, say
        self.install_pytest = install_pytest
        self.text = (clone / "README.md").read_text(encoding="utf-8")
        self.base_url = f"http://127.0.0.1:{port}"
        self.values: dict[str, str] = {}
        self.last_json: Any = None
        self.background_output: dict[str, str] = {}
        self.first_link_at: float | None = None
        self.ran: list[str] = []
        self.started = time.monotonic() if started is None else started
        self.env = {key: value for key, value in os.environ.items() if key not in (
            "LINKSIM_DB", "LINKSIM_URL", "DB", "HOST", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VIRTUAL_ENV")}
        self.env.update(PORT=str(port), LINKSIM_APP_STATE=str(clone / ".readme-walk-app-session.json"))
        if port != 8765:
            self.env["LINKSIM_URL"] = self.base_url  # the CLI's default server is the README's port

    def clock(self) -> str:
        return f"[{time.monotonic() - self.started:6.1f} s]"

    def local(self, text: str) -> str:
        """The README's URLs on the port this walk serves on."""
        return text.replace(README_HOST, f"127.0.0.1:{self.port}")

    def section_text(self, section: str) -> str:
        start = self.text.index(f"## {section}\n")
        end = self.text.find("\n## ", start + 1)
        return self.text[start:end if end > 0 else None]

    def run(self) -> None:
        steps = readme_steps(self.text)
        server: Server | None = None
        shell = Shell(self.clone, self.env)
        try:
            jobs: list[tuple[Command, tuple[str, int]]] = []
            for step in steps:
                if jobs and not (isinstance(step, Command) and step.block == jobs[0][0].block):
                    self._join(shell, jobs)  # what waits in the background is over when its block is
                if isinstance(step, PersonStep):
                    self.say(f"{self.clock()} [{step.section}] a person: {' '.join(step.words.split())[:90]}…")
                    step.act(self, step)
                    self.ran.append(f"a person: {step.words[:40]}…")
                elif isinstance(step, Example):
                    self._example(step)
                elif step.bare == SERVER_COMMAND:
                    self.say(f"{self.clock()} $ {SERVER_COMMAND}   (PORT={self.port})")
                    server = Server(self.clone, self.env)
                    banner = server.wait_ready(self.server_timeout)
                    assert "linksim_demo_key" in banner and "linksim-demo" in banner, banner
                    self.ran.append(step.bare)
                elif step.bare in SKIPPED:
                    self.say(f"{self.clock()} $ {step.bare}   (not run: {SKIPPED[step.bare]})")
                elif step.waits:
                    self.say(f"{self.clock()} $ {step.text}   (in the background)")
                    jobs.append((step, shell.start(self._fill(step.text))))
                else:
                    self._command(shell, step)
            if jobs:
                self._join(shell, jobs)
        finally:
            try:
                shell.close()
            finally:
                if server is not None:
                    server.stop()

    def _fill(self, command: str) -> str:
        def value(match: re.Match[str]) -> str:
            assert match[1] in self.values, f"nothing so far says what {match[0]} is: {command}"
            return self.values[match[1]]
        return re.sub(r"<(\w+)>", value, self.local(command))

    def _command(self, shell: Shell, command: Command) -> None:
        self.say(f"{self.clock()} $ {command.text}")
        done = shell.run(self._fill(command.text))
        self._check(command, done)

    def _check(self, command: Command, done: Done) -> None:
        output = done.stdout + done.stderr
        where = f"[{command.section}, README.md line {command.line}] $ {command.text}\n--- printed:\n{output}"
        assert done.code == (1 if command.refused else 0), f"exit {done.code}: {where}"
        answer = check_shown(Command(command.line, command.section, command.text, command.block,
                                     [self.local(line) for line in command.shown]), output, done.stdout)
        if answer is None and done.stdout.lstrip().startswith("{"):
            answer = json.loads(done.stdout)
        if isinstance(answer, dict):
            self.last_json = answer
            if isinstance(answer.get("link_id"), str):
                self.values["link_id"] = answer["link_id"]
        if self.first_link_at is None and (FIRST_LINK.search(output) or (
                isinstance(answer, dict) and answer.get("state") == "active")):
            self.first_link_at = time.monotonic()
        self.ran.append(command.text)

    def _join(self, shell: Shell, jobs: list[tuple[Command, tuple[str, int]]]) -> None:
        for command, job in jobs:
            done = shell.wait(job)
            self.background_output[" ".join(command.text.split()[1:3])] = done.stdout + done.stderr
            self._check(command, done)
        jobs.clear()

    def _example(self, example: Example) -> None:
        if "OAuth2Session" in example.source:
            self.say(f"{self.clock()} [{example.section}] the Python example, its browser step done over HTTP")
            self._login_kit_example(example)
        elif example.source.lstrip().startswith("def test_"):
            self.say(f"{self.clock()} [{example.section}] the pytest example")
            self._pytest_example(example)
        else:
            raise AssertionError(f"README.md line {example.line}: a Python example the walk does not know how to run")

    def _login_kit_example(self, example: Example) -> None:
        script = self.clone / ".readme-walk-login-kit.py"
        script.write_text(self.local(example.source), encoding="utf-8")
        process = subprocess.Popen([str(self.clone / ".venv/bin/python"), str(script)], cwd=self.clone, text=True,
                                   env={**self.env, "PYTHONUNBUFFERED": "1"}, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            asked = process.stdout.readline()  # type: ignore[union-attr]
            found = re.search(r"sign in as (\S+) / (\S+), tap (\w+): (\S+)", asked)
            assert found, f"the example did not ask for a browser: {asked!r}"
            username, password, button, url = found.groups()
            with Browser(self.base_url) as browser:
                answer = browser.tap(browser.sign_in(browser.open(url), username, password.rstrip(",")), button)
            assert answer.left_for, f"no redirect to the app: {answer.url}\n{answer.text}"
            out, err = process.communicate(answer.left_for + "\n", timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == 0, f"the Login Kit example failed:\n{asked}{out}{err}"
        printed = out.strip().splitlines()[-1]
        assert "'error': {'code': 'ok'" in printed and f"'username': '{username}'" in printed, printed
        self.ran.append("the Login Kit example")

    def _pytest_example(self, example: Example) -> None:
        python = str(self.clone / ".venv/bin/python")
        if self.install_pytest:
            subprocess.run([python, "-m", "pip", "install", "--quiet", "pytest"], check=True, env=self.env)
        suite = Path(tempfile.mkdtemp(prefix="readme-partner-"))
        try:
            (suite / "test_readme_example.py").write_text(example.source, encoding="utf-8")
            done = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)], cwd=suite,
                                  env=self.env, capture_output=True, text=True, timeout=120)
        finally:
            shutil.rmtree(suite, ignore_errors=True)
        assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr
        self.ran.append("the pytest example")


# --- a fresh clone, timed: `make readme-check` --------------------------------------------------------------------

def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="readme-check-"))
    clone = work / "linksim"
    port = 8765 if port_is_free(8765) else free_port()
    started = time.monotonic()
    try:
        print(f"$ git clone {ROOT} {clone}   (its HEAD: commit what you want checked)")
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        walk = Walk(clone, port, server_timeout=900, install_pytest=True, started=started)
        walk.run()
        assert walk.first_link_at is not None, "no command of the README linked an account"
        print(f"every step of README.md did what it says ({len(walk.ran)} steps; not run: {', '.join(SKIPPED)}); "
              f"from `git clone` to the first linked account: {walk.first_link_at - started:.0f} s")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
