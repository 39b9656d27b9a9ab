"""The console refuses NUL characters in forms and parameters with an error page, never a
500 (PostgreSQL refuses NUL in text)."""

from __future__ import annotations

from collections.abc import Callable

from tests.web.conftest import Visitor


def test_nul_in_the_sign_in_and_sign_up_forms_is_422(visitor: Callable[[], Visitor]) -> None:
    someone = visitor()
    response = someone.submit("/signin", {"login": "some\x00one", "password": "pw"},
                              csrf_from="/signin", follow=False)
    assert response.status_code == 422
    assert "INVALID_TEXT" in response.text
    response = someone.submit("/signup", {"login": "someone", "password": "long enough pw",
                                          "display_name": "x\x00"}, csrf_from="/signup",
                              follow=False)
    assert response.status_code == 422


def test_nul_in_a_query_parameter_is_422(visitor: Callable[[], Visitor]) -> None:
    response = visitor().get("/signin?next=/%00")
    assert response.status_code == 422
    assert "INVALID_TEXT" in response.text
