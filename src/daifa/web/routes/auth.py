"""Sign up, sign in, sign out, and the language switch."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form

from daifa.identity import service as identity
from daifa.identity.schemas import TokenIn
from daifa.web.page import Page, form_page, page
from daifa.web.security import safe_next

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
DISPLAY_NAME_MAX = 80


def _back_to(path: str, next_url: str) -> str:
    return f"{path}?next={quote(next_url, safe='/')}" if next_url != "/" else path


@router.get("/signin")
def sign_in_form(next: str = "/", current: Page = Depends(page)) -> object:
    target = safe_next(next)
    with current.ctx(signed_in=False):
        if current.signed_in:
            return current.redirect(target)
        return current.render("auth/signin.html", next_url=target)


@router.post("/signin")
def sign_in(login: Text = "", password: Text = "", next: Text = "/",
            current: Page = Depends(form_page)) -> object:
    target = safe_next(next)
    with current.ctx(write=True, signed_in=False) as ctx, \
            current.attempt(ctx, form="signin", values={"login": login}) as outcome:
        creds = TokenIn(login=login, password=password)
        _token, secret = identity.sign_in(ctx, creds.login, creds.password, console=True)
        current.start_session(secret)
    if not outcome.ok:
        return current.redirect(_back_to("/signin", target))
    return current.redirect(target)


@router.get("/signup")
def sign_up_form(next: str = "/", current: Page = Depends(page)) -> object:
    target = safe_next(next)
    with current.ctx(signed_in=False):
        if current.signed_in:
            return current.redirect(target)
        return current.render("auth/signup.html", next_url=target)


@router.post("/signup")
def sign_up(login: Text = "", display_name: Text = "", password: Text = "", next: Text = "/",
            current: Page = Depends(form_page)) -> object:
    target = safe_next(next)
    typed = {"login": login, "display_name": display_name}
    with current.ctx(write=True, signed_in=False) as ctx, \
            current.attempt(ctx, form="signup", values=typed) as outcome:
        name = (display_name.strip() or login)[:DISPLAY_NAME_MAX]  # the form caps it too
        account = identity.signup(ctx, login, password, name)
        _token, secret = identity.issue_session(ctx, account, console=True)
        current.start_session(secret)
        current.flash("success", current.gettext("Welcome, %(name)s! Your account is ready.",
                                                 name=account.display_name))
    if not outcome.ok:
        return current.redirect(_back_to("/signup", target))
    return current.redirect(target)


@router.post("/signout")
def sign_out(current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True, signed_in=False) as ctx:
        if current.session_token:
            identity.sign_out(ctx.session, current.session_token, ctx.clock, console=True)
    current.forget_session()
    current.flash("info", current.gettext("You are signed out."))
    return current.redirect("/signin")


@router.get("/locale/{locale}")
def choose_locale(locale: str, next: str = "/", current: Page = Depends(page)) -> object:
    """Switch the console language (a cookie); nothing on the server changes."""
    current.choose_locale(locale)
    return current.redirect(safe_next(next))
