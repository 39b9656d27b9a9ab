"""One timeline per shop order: every audit event of the order and of its dispatch orders, and
the tracking scans of its parcels, oldest first, each with the role of whoever acted.

A read model over audit, orders, dispatch, shipping and tracking, so it sits above them. Who
reads it decides what it holds (docs/api.md, "The order timeline"):

- the shop (and a platform admin) reads the whole order: `for_order`;
- a supplier reads one of its dispatch orders: `for_dispatch_order` (also the shop's and an
  admin's view of that dispatch order), never the shop order's own events, which speak of the
  other suppliers and the units that went to them.

The actor is shown as a role (`merchant`, `supplier`, `platform`, `system`), derived from the
account that acted: the shop's owner is the merchant, the owner of a supplier of the order is
that supplier, an admin account is the platform, no account is the system (the worker, the CLI,
auto-accept, tracking). An account that is several of these (a merchant supplying its own shop)
is told apart by who makes that move (`dispatch.states.MOVED_BY`, the hold's `by`).

Where the events come from is one function, `sources`: a new kind of subject joins the story
by adding its (subject_type, subject_id) pairs there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, select

from daifa.aftersales.models import AfterSaleCase
from daifa.audit import service as audit
from daifa.audit.models import AuditEvent
from daifa.context import Ctx, Scope
from daifa.dispatch import service as dispatch
from daifa.dispatch.errors import DispatchOrderNotFound
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import MOVED_BY
from daifa.fulfilment.schemas import (
    ActorRole,
    OrderTimelineEntry,
    StoryEntry,
    TimelineObject,
)
from daifa.identity.models import Account
from daifa.orders.service import owned
from daifa.shipping.models import Shipment
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier
from daifa.tracking.models import TrackingEventRow

SCAN = "shipment.scan"  # the type of a tracking scan's entry
REVEAL = "dispatch_order.recipient_revealed"
# Data keys a supplier does not read on its own dispatch orders' events: where the shop sent
# the units instead (another supplier).
_HIDDEN_FROM_SUPPLIER = frozenset({"to_supplier_id"})
_PARTY = {"shop": "merchant", "supplier": "supplier", "system": "system"}
_SUPPLIER_MOVES = frozenset({REVEAL, "dispatch_order.tracking_corrected"})
# Written in a supplier's request but not the supplier's doing: the shop order following its
# dispatch orders, a backup's dispatch order made after a rejection. The hub did it.
_FOLLOWING_PREFIX = "shop_order."

_DAY = ZoneInfo("Asia/Shanghai")  # the console's day, for folding repeated rows


@dataclass
class Story:
    """What one order's timeline is made of, loaded once.

    `dispatch`: the dispatch orders told about (rows: id, number, supplier pk, Supplier ID and
    the supplier's owner account); `whole_order`: the shop order's own events too (the shop's
    and admins' view of the order, not one dispatch order's); `supplier_pk`: set when a
    supplier reads, so only its own parts are listed."""

    order_pk: int
    shop_owner: int
    dispatch: Sequence[Any]
    supplier_owners: frozenset[int]  # the owners of every supplier told about
    whole_order: bool = False
    supplier_pk: int | None = None
    numbers: dict[int, str] = field(default_factory=dict)  # dispatch order pk → number

    def __post_init__(self) -> None:
        self.numbers = {d.id: d.dispatch_order_no for d in self.dispatch}


def sources(ctx: Ctx, story: Story) -> list[tuple[str, str]]:
    """The extension point: every (subject_type, subject_id) whose audit events belong to the
    order's story. Their events appear with `object = {type: subject_type, id: subject_id}`.

    A new source adds its pairs here, with one query for all of them (never one per dispatch
    order), as the after-sales cases do. Roles, ordering, the supplier's filtering and the
    console's fallback words need nothing more; give the new types words in
    `web/timeline_words.py`. The shop order's own events are
    in the order's story only, never in a dispatch order's (which its supplier reads).
    """
    pairs: list[tuple[str, str]] = []
    if story.whole_order:
        pairs.append(("shop_order", str(story.order_pk)))
    pairs += [("dispatch_order", d.dispatch_order_no) for d in story.dispatch]
    cases = select(AfterSaleCase.case_no).where(AfterSaleCase.order_pk == story.order_pk)
    if not story.whole_order:  # one dispatch order's story: only the cases about it
        cases = cases.where(AfterSaleCase.dispatch_order_pk.in_(list(story.numbers)))
    pairs += [("after_sale", no) for no in ctx.session.scalars(cases) if no]
    return pairs


# --- the readers ------------------------------------------------------------------------------

_DISPATCH_OF_ORDER = (
    select(DispatchOrder.id, DispatchOrder.dispatch_order_no, DispatchOrder.supplier_pk,
           Supplier.supplier_id, Supplier.owner_account_id)
    .join(Supplier, Supplier.id == DispatchOrder.supplier_pk)
    .order_by(DispatchOrder.id))


def for_order(ctx: Ctx, shop: Shop, order_id: str) -> list[OrderTimelineEntry]:
    """The whole story of the shop's order, for its shop or an admin (`shops.readable`);
    another shop's order is the same 404 as a missing one."""
    order = owned(ctx, shop, order_id)
    return [OrderTimelineEntry(
        at=e.at, actor_role=e.actor_role, type=e.type, object=e.object,
        from_status=e.from_status, to_status=e.to_status, reason=e.reason, data=e.data,
        actor_key=e.actor_key) for e in of_order(ctx, shop, order.id)]


def of_order(ctx: Ctx, shop: Shop, order_pk: int) -> list[StoryEntry]:
    """The shop order's story in the audit shape (`actor` names only the shop's own logins,
    every login for an admin); the shop order is known to be the shop's."""
    rows = ctx.session.execute(
        _DISPATCH_OF_ORDER.where(DispatchOrder.order_pk == order_pk)).all()
    story = Story(order_pk, shop.owner_account_id, rows,
                  frozenset(row.owner_account_id for row in rows), whole_order=True)
    own = ("merchant" if ctx.actor.may_act_for(Scope.SHOP, shop.id, shop.owner_account_id)
           else None)
    return _told(ctx, story, own)


def for_dispatch_order(ctx: Ctx, no: str) -> list[StoryEntry]:
    """One dispatch order's story (its events, its parcels' scans) for its shop, its supplier
    and platform admins; 404 for anyone else. Only the reader's own party is named by login."""
    found = dispatch.located(ctx, no)
    viewer = dispatch.viewer(ctx, found[1], found[2]) if found is not None else None
    if found is None or viewer is None:
        raise DispatchOrderNotFound()
    order, shop, supplier, _ = found
    row = SimpleNamespace(id=order.id, dispatch_order_no=order.dispatch_order_no,
                          supplier_pk=supplier.id, supplier_id=supplier.supplier_id,
                          owner_account_id=supplier.owner_account_id)
    story = Story(order.order_pk, shop.owner_account_id, [row],
                  frozenset({supplier.owner_account_id}),
                  supplier_pk=supplier.id if viewer == "supplier" else None)
    return _told(ctx, story, {"shop": "merchant", "supplier": "supplier"}.get(viewer))


def _told(ctx: Ctx, story: Story, own: str | None) -> list[StoryEntry]:
    """The entries as `own`'s party reads them (None: an admin). The shop's views explain
    the routing of every line."""
    events = _events(ctx, story)
    by_id = {event.id: event for event in events}
    explained = _explain_routing(ctx, story, events) if own != "supplier" else {}
    return [StoryEntry(
        at=e.at, actor=_shown_actor(by_id.get(e.event_id), e.actor_role, own),
        actor_role=e.actor_role, type=e.type, subject=e.object.type, object=e.object,
        from_status=e.from_status, to_status=e.to_status, reason=e.reason,
        data=_for_reader(explained.get(e.event_id, e.data), story), actor_key=e.actor_key)
        for e in _merge(ctx, story, events)]


def _shown_actor(event: AuditEvent | None, role: ActorRole, own: str | None) -> str:
    """The login or key label for the reader's own party (everything for an admin), and the
    system's own labels (``system:auto_accept``: no person's); else the role. A supplier never
    reads the merchant's login, nor the shop the supplier's."""
    if event is None:
        return role
    if own is None or event.actor_account_id is None or role == own:
        return event.actor or role
    return role


# --- assembling -------------------------------------------------------------------------------

@dataclass
class _Entry:
    """An entry before it takes the reader's shape."""

    at: datetime
    rank: int  # audit events before scans at the same instant
    seq: int
    actor_role: ActorRole
    type: str
    object: TimelineObject
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict[str, Any]
    actor_key: str
    event_id: int = 0


def _events(ctx: Ctx, story: Story) -> list[AuditEvent]:
    return audit.events_of(ctx, sources(ctx, story))


def _merge(ctx: Ctx, story: Story, events: Sequence[AuditEvent]) -> list[_Entry]:
    role = _roles(ctx, story, events)
    entries = [_Entry(e.at, 0, e.id, role(e), e.type,
                      TimelineObject(type=e.subject_type, id=e.subject_id), e.from_status,
                      e.to_status, e.reason, dict(e.data or {}), _actor_key(e), e.id)
               for e in events]
    entries += _scans(ctx, story)
    entries.sort(key=lambda entry: (entry.at, entry.rank, entry.seq))
    return entries


def _actor_key(event: AuditEvent) -> str:
    if event.actor_account_id is not None:
        return f"account:{event.actor_account_id}"
    return f"label:{event.actor}"


def _for_reader(data: dict[str, Any], story: Story) -> dict[str, Any]:
    if story.supplier_pk is None:
        return data
    return {key: value for key, value in data.items() if key not in _HIDDEN_FROM_SUPPLIER}


def _explain_routing(ctx: Ctx, story: Story,
                     events: Iterable[AuditEvent]) -> dict[int, dict[str, Any]]:
    """A dispatch order's creation names, per line, the shop's SKU and why it went there
    (the resolver's explanation, kept on the dispatch line): for the shop only, since it
    names the backups and the suppliers skipped."""
    lines = dispatch.lines_of(ctx, list(story.numbers))
    by_no = {story.numbers[pk]: {line.line_pk: line for line in rows}
             for pk, rows in lines.items()}
    explained = {}
    for event in events:
        if event.type != "dispatch_order.created" or event.subject_id not in by_no:
            continue
        known = by_no[event.subject_id]
        data = dict(event.data or {})
        data["lines"] = [_explained(line, known.get(line.get("line_id")))
                         for line in data.get("lines", [])]
        explained[event.id] = data
    return explained


def _explained(line: dict[str, Any], row: Row[Any] | None) -> dict[str, Any]:
    if row is None:
        return line
    return {**line, "sku_code": row.sku_code, "routing": row.routing or {}}


# --- who acted --------------------------------------------------------------------------------

def _roles(ctx: Ctx, story: Story,
           events: Sequence[AuditEvent]) -> Callable[[AuditEvent], ActorRole]:
    """The role of each event's actor, with at most one query (which of the other accounts
    are platform admins)."""
    parties = {story.shop_owner, *story.supplier_owners}
    others = {e.actor_account_id for e in events
              if e.actor_account_id is not None and e.actor_account_id not in parties}
    admins = set(ctx.session.scalars(select(Account.id).where(
        Account.id.in_(sorted(others)), Account.is_admin))) if others else set()

    def role(event: AuditEvent) -> ActorRole:
        account = event.actor_account_id
        if account is None:
            return "system"
        held: list[ActorRole] = []
        if account == story.shop_owner:
            held.append("merchant")
        if account in story.supplier_owners:
            held.append("supplier")
        if account in admins:
            held.append("platform")
        if not held:  # e.g. a supplier outside the reader's view: the hub reacting to it
            return "system"
        found = held[0] if len(held) == 1 else _mover(event)
        found = found if found in held else held[0]
        if found == "supplier" and (event.type.startswith(_FOLLOWING_PREFIX)
                                    or event.type == "dispatch_order.created"):
            return "system"
        return found

    return role


def _mover(event: AuditEvent) -> ActorRole:
    """Whose move this kind of event is, when the account alone does not say."""
    kind, _, action = event.type.partition(".")
    if event.type in _SUPPLIER_MOVES:
        return "supplier"
    by = (event.data or {}).get("by")
    if isinstance(by, str) and by in _PARTY:
        return _PARTY[by]  # type: ignore[return-value]
    if kind == "dispatch_order" and action in MOVED_BY:
        return _PARTY[MOVED_BY[action]]  # type: ignore[return-value]
    return "merchant"


# --- tracking scans ---------------------------------------------------------------------------

def _scans(ctx: Ctx, story: Story) -> list[_Entry]:
    """The tracking events of the parcels of the dispatch orders read, in two queries."""
    if not story.numbers:
        return []
    parcels = ctx.session.execute(
        select(Shipment.id, Shipment.dispatch_order_pk, Shipment.carrier_code,
               Shipment.tracking_no)
        .where(Shipment.dispatch_order_pk.in_(sorted(story.numbers)))).all()
    if not parcels:
        return []
    by_number = {(p.carrier_code, p.tracking_no): p for p in parcels}
    rows = ctx.session.execute(
        select(TrackingEventRow)
        .where(TrackingEventRow.tracking_no.in_(sorted({p.tracking_no for p in parcels})))
        .order_by(TrackingEventRow.occurred_at, TrackingEventRow.id)).scalars()
    entries = []
    for row in rows:
        parcel = by_number.get((row.carrier_code, row.tracking_no))
        if parcel is None:  # the same number at another carrier
            continue
        entries.append(_Entry(
            row.occurred_at, 1, row.id, "system", SCAN,
            TimelineObject(type="shipment", id=str(parcel.id),
                           dispatch_order_no=story.numbers[parcel.dispatch_order_pk]),
            None, row.status, None,
            {"carrier": row.carrier_code, "tracking_no": row.tracking_no,
             "description": row.description},
            f"provider:{row.provider}"))
    return entries


# --- folding repeats (the console) ------------------------------------------------------------

def fold_repeats(entries: Sequence[StoryEntry]) -> list[StoryEntry]:
    """Looks at the recipient, one entry per actor, dispatch order and day (Asia/Shanghai):
    the first, with `data.count` looks that day and their `data.purposes`. Every look stays in
    the audit trail and in the API; the console shows the summary."""
    kept: list[StoryEntry] = []
    first: dict[tuple[str, str, str], StoryEntry] = {}
    for entry in entries:
        if entry.type != REVEAL:
            kept.append(entry)
            continue
        key = (entry.object.id, entry.actor_key, entry.at.astimezone(_DAY).date().isoformat())
        seen = first.get(key)
        if seen is None:
            seen = first[key] = entry.model_copy(
                update={"data": {**entry.data, "count": 0, "purposes": []}})
            kept.append(seen)
        seen.data["count"] += 1
        if entry.reason and entry.reason not in seen.data["purposes"]:
            seen.data["purposes"].append(entry.reason)
    return kept
