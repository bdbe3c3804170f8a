"""What a person does in a browser, over plain HTTP: open a URL, sign in on the form that has a password
field, tap a button by its label. Forms are read from the page's HTML as a browser reads them (hidden
fields, checkboxes as they are checked, the tapped button's own name and value)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from urllib.parse import urljoin
from urllib.parse import urlsplit

import requests


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, value), as a browser sends them
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (label, name, value)

    def input_named(self, kind: str) -> str | None:
        return next((name for name, type_, _ in self.fields if type_ == kind), None)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[tuple[str, str]] = []  # (text, href)
        self._button: tuple[str, str] | None = None
        self._href: str | None = None
        self._label: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "a" and attr.get("href"):
            self._href, self._label = attr["href"], []
        elif tag == "form":
            self.forms.append(Form(attr.get("action", ""), attr.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input":
            kind = attr.get("type", "text").lower()
            if kind == "submit":
                self.forms[-1].buttons.append((attr.get("value", ""), attr.get("name", ""), attr.get("value", "")))
            elif kind not in ("checkbox", "radio") or "checked" in attr:
                self.forms[-1].fields.append((attr.get("name", ""), kind, attr.get("value", "on" if kind in (
                    "checkbox", "radio") else "")))
        elif tag == "button" and attr.get("type", "submit") == "submit":
            self._button, self._label = (attr.get("name", ""), attr.get("value", "")), []

    def handle_data(self, data: str) -> None:
        if self._button is not None or self._href is not None:
            self._label.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._label).split()), self._href))
            self._href = None
        elif tag == "button" and self._button is not None and self.forms:
            self.forms[-1].buttons.append((" ".join("".join(self._label).split()), *self._button))
            self._button = None


@dataclass
class Page:
    url: str
    status: int
    text: str
    left_for: str | None = None  # a redirect out of the server (a partner app's callback): where it pointed

    @property
    def forms(self) -> list[Form]:
        return self._parsed().forms

    def link(self, text: str) -> str:
        """The address of the link that reads ``text``."""
        found = [href for label, href in self._parsed().links if label == text]
        assert found, f"no link {text!r} at {self.url}:\n{self.text}"
        return urljoin(self.url, found[0])

    def _parsed(self) -> _Forms:
        parser = _Forms()
        parser.feed(self.text)
        return parser


class Browser:
    """One browser (its cookies) on one server; a redirect elsewhere is not followed, only noted."""

    def __init__(self, server: str) -> None:
        self.server = urlsplit(server).netloc
        self.session = requests.Session()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.session.close()

    def open(self, url: str) -> Page:
        return self._follow(self.session.get(url, allow_redirects=False, timeout=30))

    def sign_in(self, page: Page, login: str, password: str) -> Page:
        form = next((form for form in page.forms if form.input_named("password")), None)
        assert form is not None, f"no sign-in form at {page.url}:\n{page.text}"
        login_field = next(name for name, kind, _ in form.fields if kind in ("text", "email"))
        filled = {login_field: login, form.input_named("password") or "password": password}
        return self._submit(page, form, form.buttons[0] if form.buttons else None, filled)

    def tap(self, page: Page, label: str, *, ticked: tuple[tuple[str, str], ...] = ()) -> Page:
        """Tap the button labelled ``label``, with the checkboxes ``ticked`` ((name, value) each) ticked first."""
        for form in page.forms:
            for button in form.buttons:
                if button[0].lower() == label.lower():
                    return self._submit(page, form, button, {}, ticked)
        raise AssertionError(f"no button {label!r} at {page.url}:\n{page.text}")

    def _submit(self, page: Page, form: Form, button: tuple[str, str, str] | None,
                filled: dict[str, str], ticked: tuple[tuple[str, str], ...] = ()) -> Page:
        data = [(name, filled.get(name, value)) for name, _, value in form.fields if name] + list(ticked)
        if button and button[1]:
            data.append((button[1], button[2]))
        url = urljoin(page.url, form.action or page.url)
        if form.method == "post":
            answer = self.session.post(url, data=data, allow_redirects=False, timeout=30)
        else:
            answer = self.session.get(url, params=data, allow_redirects=False, timeout=30)
        return self._follow(answer)

    def _follow(self, answer: requests.Response) -> Page:
        for _ in range(10):
            if answer.status_code not in (301, 302, 303, 307, 308):
                return Page(answer.url, answer.status_code, answer.text)
            target = urljoin(answer.url, answer.headers["Location"])
            if urlsplit(target).netloc != self.server:
                return Page(answer.url, answer.status_code, answer.text, left_for=target)
            answer = self.session.get(target, allow_redirects=False, timeout=30)
        raise AssertionError(f"too many redirects from {answer.url}")
