"""A shop's dispatch settings: mode, default supplier, fallback, ship-by hours; the rule editor
(product or SKU → suppliers in order); existing rules; and the dry run of an edited rule set."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form

from daifa.catalog import shop_catalog
from daifa.context import Ctx
from daifa.routing import dryrun
from daifa.routing import settings as dispatch
from daifa.routing.schemas import DispatchRuleIn, DispatchRuleOut, DispatchSettingsIn
from daifa.routing.states import DispatchMode, RuleKind
from daifa.shops import service as shops
from daifa.shops.models import Shop
from daifa.web import forms
from daifa.web.page import Page, form_page, page
from daifa.web.routes.shop_catalog import bound
from daifa.web.words import Words

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
RULES_PAGE = 50
SEARCH_LIMIT = 8
DAYS = (7, 30, 90)


def _url(shop_id: str, anchor: str = "") -> str:
    return f"/shops/{shop_id}/dispatch" + (f"#{anchor}" if anchor else "")


def _kind(raw: str) -> RuleKind:
    return RuleKind.PRODUCT if raw == RuleKind.PRODUCT.value else RuleKind.SKU


def _editing(ctx: Ctx, shop: Shop, kind: str, key: str) -> dict[str, Any]:
    """The rule the editor starts from: an existing one to change, or a new one."""
    if key:
        found = dispatch.list_rules(ctx, shop, kind=_kind(kind), q=key, limit=RULES_PAGE).items
        rule = next((r for r in found if r.key == key), None)
        if rule is not None:
            return {"kind": rule.kind.value, "key": rule.key, "supplier_ids": rule.supplier_ids}
    return {"kind": _kind(kind).value, "key": key, "supplier_ids": []}


def _view(current: Page, ctx: Ctx, shop: Shop, *, editing: dict[str, Any], q: str = "",
          cursor: str = "", result: dryrun.DryRunOut | None = None,
          trial: dict[str, Any] | None = None) -> dict[str, Any]:
    settings = dispatch.settings_out(ctx, shop)
    rules = dispatch.list_rules(ctx, shop, q=q[:64] or None, after=forms.cursor_key(cursor),
                                limit=RULES_PAGE)
    suppliers = bound(ctx, shop)
    names = {b.supplier_id: b.supplier_name for b in suppliers}
    names.update({s.supplier_id: s.name for r in rules.items for s in r.suppliers})
    chosen = [{"id": sid, "name": names.get(sid, sid)} for sid in editing["supplier_ids"]]
    trying = trial or {"days": 30, "mode": (DispatchMode.BY_PRODUCT.value
                                            if settings.mode is DispatchMode.MANUAL
                                            else settings.mode.value),
                       "fallback": settings.fallback_to_default}
    return {
        "shop": shop, "settings": settings, "suppliers": suppliers, "rules": rules.items,
        "next_cursor": rules.next_cursor(), "first_shown": bool(cursor), "q": q,
        "modes": list(DispatchMode), "days_options": DAYS, "result": result,
        "trial": trying, "words": Words(current.gettext, names),
        "editor": {"kind": editing["kind"], "key": editing["key"], "chosen": chosen,
                   "suppliers": [{"id": b.supplier_id, "name": b.supplier_name}
                                 for b in suppliers]},
    }


@router.get("/shops/{shop_id}/dispatch")
def settings_page(shop_id: str, edit_kind: str = "", edit_key: str = "", q: str = "",
                  cursor: str = "", current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        view = _view(current, ctx, shop, q=q, cursor=cursor,
                     editing=_editing(ctx, shop, edit_kind, edit_key[:64]))
        return current.render("dispatch/settings.html", **view)


@router.post("/shops/{shop_id}/dispatch/settings")
def save_settings(shop_id: str, mode: Text = "", default_supplier_id: Text = "",
                  fallback_to_default: Text = "", ship_by_hours: Text = "",
                  current: Page = Depends(form_page)) -> object:
    typed = {"mode": mode, "default_supplier_id": default_supplier_id,
             "ship_by_hours": ship_by_hours}
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="settings", values=typed) as outcome:
            data = DispatchSettingsIn.model_validate({
                "mode": mode, "default_supplier_id": default_supplier_id.strip() or None,
                "fallback_to_default": fallback_to_default == "1",
                "ship_by_hours": forms.optional_int(ship_by_hours, "ship_by_hours")})
            saved = dispatch.put_settings(ctx, shop, data)
        if outcome.ok:
            current.flash("success", current.gettext(
                "Dispatch settings saved (version %(version)s); they apply to new orders.",
                version=saved.version), form="settings")
    return current.redirect(_url(shop_id, "settings"))


@router.get("/shops/{shop_id}/dispatch/search")
def search(shop_id: str, q: str = "", current: Page = Depends(page)) -> object:
    """Products and SKUs matching what the merchant types in the rule editor (htmx)."""
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        found = (shop_catalog.list_products(ctx, shop, q=q[:64], limit=SEARCH_LIMIT).items
                 if q.strip() else [])
        return current.fragment("dispatch/settings.html", "search_results", found=found,
                                q=q)


@router.post("/shops/{shop_id}/dispatch/rules")
def save_rule(shop_id: str, kind: Text = "sku", key: Text = "",
              supplier_ids: Texts = [],  # noqa: B006
              current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="rule") as outcome:
            rule = dispatch.put_rule(ctx, shop, _kind(kind), key.strip(),
                                     DispatchRuleIn(supplier_ids=supplier_ids))
        if not outcome.ok:
            view = _view(current, ctx, shop, editing={
                "kind": _kind(kind).value, "key": key.strip(), "supplier_ids": supplier_ids})
            return current.render("dispatch/settings.html", status_code=422, **view)
        current.flash("success", _saved(current, rule), form="rules")
    return current.redirect(_url(shop_id, "rules"))


def _saved(current: Page, rule: DispatchRuleOut) -> str:
    return current.gettext("Rule for %(key)s saved: %(chain)s.", key=rule.key,
                           chain=" → ".join(s.name for s in rule.suppliers))


@router.post("/shops/{shop_id}/dispatch/rules/delete")
def delete_rule(shop_id: str, kind: Text = "sku", key: Text = "",
                current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="rules") as outcome:
            dispatch.delete_rule(ctx, shop, _kind(kind), key)
        if outcome.ok:
            current.flash("success", current.gettext("Rule for %(key)s deleted.", key=key),
                          form="rules")
    return current.redirect(_url(shop_id, "rules"))


@router.post("/shops/{shop_id}/dispatch/dry-run")
def dry_run(shop_id: str, kind: Text = "sku", key: Text = "",
            supplier_ids: Texts = [], days: Text = "30",  # noqa: B006
            try_mode: Text = "", try_fallback: Text = "",
            current: Page = Depends(form_page)) -> object:
    """Replay the last days of orders against the edited rule (laid over the current rules)
    and the mode to try; changes nothing. The editor keeps what was being edited."""
    editing = {"kind": _kind(kind).value, "key": key.strip(), "supplier_ids": supplier_ids}
    trial = {"days": int(days) if days.isdigit() else 30, "mode": try_mode,
             "fallback": try_fallback == "1"}
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        result = None
        with current.attempt(ctx, form="dryrun"):
            rules = {editing["key"]: supplier_ids} if editing["key"] else {}
            data = dryrun.DryRunIn.model_validate({
                "days": trial["days"],
                "settings": {"mode": try_mode or None, "fallback_to_default": trial["fallback"]},
                "product_rules": rules if editing["kind"] == RuleKind.PRODUCT.value else {},
                "sku_rules": rules if editing["kind"] == RuleKind.SKU.value else {}})
            result = dryrun.dry_run(ctx, shop, data)
        view = _view(current, ctx, shop, editing=editing, result=result, trial=trial)
        return current.render("dispatch/settings.html", **view)
