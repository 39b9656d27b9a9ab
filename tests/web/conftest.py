"""Console test helpers: a visitor is a TestClient with its own cookies, filling in forms."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.factories import PASSWORD

from daifa.context import Actor, Ctx
from daifa.fulfilment.reactions import REACTIONS
from daifa.identity import service as identity

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_seq = count(1)


@dataclass
class Visitor:
    client: TestClient
    login: str = ""
    _csrf: str | None = field(default=None, repr=False)

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return self.client.get(path, **kwargs)  # type: ignore[arg-type]

    def csrf(self, path: str = "/") -> str:
        """The token of the forms on `path` (bound to the session once signed in)."""
        if self._csrf is None or not self.login:
            response = self.get(path)
            found = CSRF.search(response.text)
            assert found, f"no form on {path}: {response.status_code}"
            token = html.unescape(found.group(1))
            if not self.login:
                return token
            self._csrf = token
        return self._csrf

    def submit(self, path: str, data: dict[str, str] | None = None, *, csrf_from: str = "/",
               follow: bool = True) -> httpx.Response:
        form = {"csrf": self.csrf(csrf_from), **(data or {})}
        return self.client.post(path, data=form, follow_redirects=follow)

    def sign_up(self, login: str | None = None, password: str = PASSWORD) -> httpx.Response:
        login = login or f"person{next(_seq)}"
        response = self.submit("/signup", {"login": login, "password": password,
                                           "display_name": login}, csrf_from="/signup")
        self.login = login
        self._csrf = None
        return response

    def sign_in(self, login: str, password: str = PASSWORD) -> httpx.Response:
        response = self.submit("/signin", {"login": login, "password": password},
                               csrf_from="/signin")
        self.login = login
        self._csrf = None
        return response


def text_of(response: httpx.Response) -> str:
    """The page's text with tags dropped and entities decoded, for plain assertions."""
    body = response.text.split("<body>", 1)[-1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture
def visitor(app: FastAPI) -> Iterator[Callable[[], Visitor]]:
    clients: list[TestClient] = []

    def make() -> Visitor:
        client = TestClient(app)
        clients.append(client)
        return Visitor(client)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def person(visitor: Callable[[], Visitor]) -> Callable[[], Visitor]:
    """A new signed-up, signed-in person with a browser of their own."""

    def make() -> Visitor:
        someone = visitor()
        assert someone.sign_up().status_code == 200
        return someone

    return make


@pytest.fixture
def admin(app: FastAPI, visitor: Callable[[], Visitor]) -> Visitor:
    """A platform admin (made as `daifa admin create` does), signed in to the console."""
    hub = app.state.hub
    login = f"console-admin{next(_seq)}"
    with hub.db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=hub.settings,
                  clock=hub.clock)
        identity.signup(ctx, login, PASSWORD, "Admin", is_admin=True)
    someone = visitor()
    assert someone.sign_in(login).status_code == 200
    return someone


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    """The JSON API of the same app, to set up what a console test starts from."""
    with TestClient(app) as client:
        yield client


@pytest.fixture
def console_for(visitor: Callable[[], Visitor]) -> Callable[[str], Visitor]:
    """Sign someone (made through the API) in to the console in a browser of their own."""

    def make(login: str) -> Visitor:
        someone = visitor()
        assert someone.sign_in(login).status_code == 200
        return someone

    return make
