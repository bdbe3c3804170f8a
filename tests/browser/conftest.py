"""A real browser for the UI tests: Debian's headless Chromium, driven through chromedriver by Selenium.

`scripts/test.sh` (`make test`) installs Debian's `chromium` and `chromium-driver` when they are missing and
exports LINKSIM_CHROMIUM and LINKSIM_CHROMEDRIVER; without them these tests skip and say why. Selenium is
given both programs, so Selenium Manager never runs and nothing is downloaded.

Every browser is a fresh Chromium process with an empty profile of its own (its own cookies: the seller's
browser and the phone are two people), quit when the test ends. Waits are explicit and end after
``TIMEOUT`` seconds with what the browser showed at the time.

Screenshots: ``browser.shot("step")`` keeps a PNG of what the browser shows, and every browser is shot once more
when its test ends (passed or failed), all in ``test-artifacts/screenshots/<test>/`` (``LINKSIM_SCREENSHOTS``
names another folder), numbered in the order they were taken; the run's summary names the folder.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import socket
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.common.exceptions import TimeoutException
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.selenium_manager import SeleniumManager
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

from auth_server.domain.clock import ManualClock
from auth_server.simulator import Simulator
from linksim.server import LiveServer
from tests.conftest import START
from tests.conftest import file_store
from tests.login_kit.conftest import PASSWORD
from tests.login_kit.conftest import app  # noqa: F401
from tests.login_kit.conftest import client  # noqa: F401
from tests.login_kit.conftest import holder  # noqa: F401
from tests.login_kit.conftest import live_server  # noqa: F401
from tests.login_kit.conftest import partner_app  # noqa: F401
from tests.shop_partner.conftest import shop_app
from tests.shop_partner.conftest import shop_simulator

TIMEOUT = 10  # seconds, for every wait
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # the closed network refuses Chromium's own connections
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1024,900",
]


def browser_programs() -> tuple[str, str]:
    """Chromium and chromedriver, as scripts/test.sh found them; skips the test when there are none."""
    chromium = os.environ.get("LINKSIM_CHROMIUM", "")
    chromedriver = os.environ.get("LINKSIM_CHROMEDRIVER", "")
    if not chromium or not chromedriver:
        pytest.skip("no browser: LINKSIM_CHROMIUM and LINKSIM_CHROMEDRIVER are unset (run the suite with "
                    "`make test`, whose scripts/test.sh installs Debian's chromium and chromium-driver)")
    for variable, path in (("LINKSIM_CHROMIUM", chromium), ("LINKSIM_CHROMEDRIVER", chromedriver)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            pytest.skip(f"no browser: {variable}={path} is not an executable file")
    return chromium, chromedriver


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Simulator]:
    """The simulator on a SQLite file: two browsers send requests at the same time (the seller's page
    reloads itself every 2 s), which one shared in-memory connection would have to serialize by luck."""
    store = file_store(tmp_path)
    simulator = Simulator(store, clock=ManualClock(START))
    yield simulator
    store.dispose()


def screenshots_folder(config: pytest.Config) -> Path:
    return Path(os.environ.get("LINKSIM_SCREENSHOTS") or config.rootpath / "test-artifacts" / "screenshots")


class Shots:
    """Where one test's screenshots go, numbered across its browsers in the order they were taken."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)

    def take(self, driver: WebDriver, browser: str, step: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{next(self._numbers):02d}-{browser}-{step}")
        path = self.folder / f"{name}.png"
        driver.save_screenshot(str(path))
        return path


class Chrome:
    """One person's browser, found and clicked by data-testid."""

    def __init__(self, driver: WebDriver, name: str, shots: Shots | None = None) -> None:
        self.driver = driver
        self.name = name
        self.shots = shots

    def shot(self, step: str) -> None:
        """Keep a screenshot of what the browser shows now, named for the step."""
        if self.shots is not None:
            self.shots.take(self.driver, self.name, step)

    @property
    def url(self) -> str:
        return self.driver.current_url

    def open(self, url: str) -> None:
        self.driver.get(url)

    def wait(self, condition: Callable[[WebDriver], Any], what: str) -> Any:
        """Wait until ``condition`` gives something true; fail saying what was awaited and what was shown."""
        try:
            return WebDriverWait(self.driver, TIMEOUT, poll_frequency=0.1,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(condition)
        except TimeoutException:
            raise AssertionError(f"{self.name}'s browser: no {what} after {TIMEOUT} s; "
                                 f"it shows {self.url}: {self.page_text()[:600]!r}") from None

    def page_text(self) -> str:
        try:
            return self.driver.find_element(By.TAG_NAME, "body").text
        except WebDriverException:
            return ""

    def find_all(self, testid: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def find(self, testid: str, **attributes: str) -> WebElement:
        """The element with this data-testid (and these attribute values), once the page shows it."""
        def shown(driver: WebDriver) -> WebElement | bool:
            for element in self.find_all(testid):
                if all(element.get_attribute(name.replace("_", "-")) == value for name, value in attributes.items()):
                    return element
            return False

        described = " ".join([f'data-testid="{testid}"'] +
                             [f'{name.replace("_", "-")}="{value}"' for name, value in attributes.items()])
        return self.wait(shown, f"[{described}]")

    def click(self, testid: str) -> None:
        element = self.find(testid)
        self.wait(lambda _: element.is_displayed() and element.is_enabled(), f"clickable {testid}")
        element.click()

    def fill(self, testid: str, text: str) -> None:
        element = self.find(testid)
        element.clear()
        element.send_keys(text)

    def wait_for_url(self, prefix: str) -> str:
        return self.wait(lambda driver: driver.current_url.startswith(prefix) and driver.current_url, f"URL {prefix}…")

    def sign_in_on_the_form(self, username: str = "holder", password: str = PASSWORD) -> None:
        """On the sign-in page the browser shows: type the username and password, tap Log in."""
        self.fill("username", username)
        self.fill("password", password)
        self.click("sign-in")
        self.find("signed-in-as")

    def sign_in(self, base_url: str, username: str = "holder", password: str = PASSWORD) -> None:
        self.open(f"{base_url}/app/sign-in")
        self.sign_in_on_the_form(username, password)
        assert self.find("signed-in-as").text == f"@{username}"


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    """This test's screenshots, in a folder of its own emptied first (a rerun replaces, never mixes)."""
    folder = screenshots_folder(request.config) / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    return Shots(folder)


@pytest.fixture
def chrome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shots: Shots) -> Iterator[Callable[..., Chrome]]:
    """A factory: ``chrome("seller")`` starts a fresh headless Chromium; all are quit when the test ends."""
    chromium, chromedriver = browser_programs()
    monkeypatch.setenv("SE_OFFLINE", "true")

    def no_selenium_manager(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("Selenium Manager was asked for a browser or driver: nothing may be downloaded")

    monkeypatch.setattr(SeleniumManager, "binary_paths", no_selenium_manager)
    started: list[Chrome] = []

    def start(name: str = "browser") -> Chrome:
        profile = tmp_path / f"chromium-{name}-{len(started)}"
        profile.mkdir()
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
            options.add_argument(flag)
        service = Service(executable_path=chromedriver, log_output=str(tmp_path / f"chromedriver-{name}.log"))
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_page_load_timeout(TIMEOUT)
        browser = Chrome(driver, name, shots)
        started.append(browser)
        return browser

    try:
        yield start
    finally:
        for browser in started:
            try:
                browser.shot("at-the-end")
            except Exception:  # a browser that is gone has nothing to show
                pass
        for browser in reversed(started):
            try:
                browser.driver.quit()
            except Exception:  # quit every browser, even when one is already gone
                pass


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    folder = screenshots_folder(config)
    if folder.is_dir() and any(folder.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {folder}")


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that is bound but never listens: a callback there is refused, so nothing serves it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def demo() -> Simulator:
    """The demo data's world, with its sellers' sign-ins (tests/shop_partner)."""
    return shop_simulator()


@pytest.fixture
def server(demo: Simulator) -> Iterator[LiveServer]:
    """A real HTTP server on the demo data's world."""
    with LiveServer(shop_app(demo)) as live:
        yield live
