"""API keys of a shop or a supplier: created (shown once), listed, revoked."""

from __future__ import annotations

from fastapi.responses import HTMLResponse, RedirectResponse

from daifa.context import Ctx, Scope
from daifa.identity import service as identity
from daifa.identity.schemas import ApiKeyIn
from daifa.web.page import Page


def create(current: Page, ctx: Ctx, scope: Scope, org_pk: int, name: str, *,
           back: str) -> HTMLResponse | RedirectResponse:
    """The new key on a page of its own: the only time anyone sees it."""
    with current.attempt(ctx, form="api-key", values={"name": name}) as outcome:
        data = ApiKeyIn(name=name or "API key")
        key, secret = identity.create_api_key(ctx, scope, org_pk, data.name)
    if not outcome.ok:
        return current.redirect(f"{back}#api-keys")
    return current.render("api_key_created.html", key=key, secret=secret, back=back)


def revoke(current: Page, ctx: Ctx, scope: Scope, org_pk: int, key_id: int) -> None:
    with current.attempt(ctx, form="api-key") as outcome:
        key = identity.revoke_api_key(ctx, scope, org_pk, key_id)
    if outcome.ok:
        current.flash("success", current.gettext("API key %(hint)s… revoked.", hint=key.hint))
