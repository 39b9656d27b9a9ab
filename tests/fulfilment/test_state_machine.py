"""The dispatch-order lifecycle against a plain model (hypothesis RuleBasedStateMachine).

Every step is an API call (or, for deliver/complete, the service the tracking package calls);
the model says what must happen. An illegal move must answer 409 (or 403 for a hold that is not
the caller's) with the exact code and change nothing; a legal one must land exactly where the
model says. After every step the dispatch order as the API shows it matches the model, shipped
never exceeds ordered on any line, and nothing ships after a cancel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

import httpx
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from daifa.context import Actor, Ctx
from daifa.dispatch import lifecycle
from daifa.dispatch.models import DispatchOrder
from daifa.errors import InvalidTransition
from daifa.fulfilment.reactions import REACTIONS
from tests.api.support import assert_problem, ok
from tests.fulfilment.helpers import Routed, act, routed, ship

SHIPPABLE = {"accepted", "partially_shipped"}
HOLDABLE = {"assigned", "accepted", "partially_shipped"}
ENDS = {"cancelled", "rejected"}
_tracking = count(1)
_orders = count(1)


@dataclass
class Model:
    status: str = "assigned"
    hold: str | None = None
    held_by: str | None = None
    ordered: dict[int, int] = field(default_factory=dict)
    shipped: dict[int, int] = field(default_factory=dict)
    cancelled_at_shipped: dict[int, int] | None = None

    def left(self, line: int) -> int:
        return self.ordered[line] - self.shipped[line]


class Lifecycle(RuleBasedStateMachine):
    # Set by the test before running: the app's client and a shop routed to one supplier.
    client: TestClient
    r: Routed

    def __init__(self) -> None:
        super().__init__()
        dispatch = self.r.dispatch(f"SM-{next(_orders)}", ("TEE-RED", 3), ("MUG-1", 2))
        self.no = dispatch["dispatch_order_no"]
        self.order_id = dispatch["order_id"]
        self.model = Model(ordered={line["line_id"]: line["quantity"]
                                    for line in dispatch["lines"]})
        self.model.shipped = dict.fromkeys(self.model.ordered, 0)

    @initialize(start=st.sampled_from(["assigned", "accepted", "partially_shipped",
                                       "shipped", "delivered"]))
    def start_from(self, start: str) -> None:
        """Start some walks deeper in the lifecycle, so later moves get tried as often."""
        if start == "assigned":
            return
        self.accept()
        if start == "partially_shipped":
            line = min(self.model.ordered)
            self.after_ship(ship(self.client, self.r.first, self.no, "SF",
                                 f"SF{next(_tracking):013d}", [(line, 1)]), [(line, 1)])
        elif start in ("shipped", "delivered"):
            self.ship_all()
        if start == "delivered":
            self.system("deliver")

    # --- helpers ------------------------------------------------------------------------

    def refused(self, response: httpx.Response, code: str, status: int = 409) -> None:
        body = assert_problem(response, status, code)
        if code == "INVALID_TRANSITION":
            assert body["current_status"] == self.model.status

    def moved(self, response: httpx.Response, status: str) -> None:
        assert response.status_code == 200, response.text
        self.model.status = status
        assert response.json()["status"] == status

    def end(self, status: str) -> None:
        self.model.hold = self.model.held_by = None
        if status == "cancelled":
            self.model.cancelled_at_shipped = dict(self.model.shipped)

    # --- the supplier -------------------------------------------------------------------

    @rule()
    def accept(self) -> None:
        response = act(self.client, self.r.first, self.no, "accept")
        if self.model.status == "assigned":
            self.moved(response, "accepted")
        else:
            self.refused(response, "INVALID_TRANSITION")

    @rule(reason=st.sampled_from(["out_of_stock", "cannot_ship_region", "other"]))
    def reject(self, reason: str) -> None:
        response = act(self.client, self.r.first, self.no, "reject", {"reason": reason})
        if self.model.status == "assigned":
            self.moved(response, "rejected")
            self.end("rejected")
        else:
            self.refused(response, "INVALID_TRANSITION")

    @rule(data=st.data())
    def ship_some(self, data: st.DataObject) -> None:
        lines = data.draw(st.lists(st.sampled_from(sorted(self.model.ordered)), min_size=1,
                                   max_size=2, unique=True))
        wanted = [(line, data.draw(st.integers(1, self.model.ordered[line])))
                  for line in lines]
        response = ship(self.client, self.r.first, self.no, "SF", f"SF{next(_tracking):013d}",
                        wanted)
        self.after_ship(response, wanted)

    @rule()
    def ship_all(self) -> None:
        wanted = [(line, self.model.left(line)) for line in self.model.ordered
                  if self.model.left(line) > 0]
        response = ship(self.client, self.r.first, self.no, "ZTO", f"73{next(_tracking):012d}")
        self.after_ship(response, wanted)

    def after_ship(self, response: httpx.Response, wanted: list[tuple[int, int]]) -> None:
        m = self.model
        if m.status not in SHIPPABLE:
            self.refused(response, "INVALID_TRANSITION")
        elif m.hold is not None:
            self.refused(response, "DISPATCH_ORDER_ON_HOLD")
        elif any(quantity > m.left(line) for line, quantity in wanted):
            self.refused(response, "QUANTITY_EXCEEDS_REMAINING")
        else:
            for line, quantity in wanted:
                m.shipped[line] += quantity
            full = all(m.left(line) == 0 for line in m.ordered)
            self.moved(response, "shipped" if full else "partially_shipped")

    @rule()
    def accept_cancel(self) -> None:
        response = act(self.client, self.r.first, self.no, "cancel/accept")
        if self.model.status == "cancel_requested":
            self.moved(response, "cancelled")
            self.end("cancelled")
        else:
            self.refused(response, "INVALID_TRANSITION")

    @rule()
    def refuse_cancel(self) -> None:
        response = act(self.client, self.r.first, self.no, "cancel/reject")
        if self.model.status == "cancel_requested":
            self.moved(response, "accepted")
        else:
            self.refused(response, "INVALID_TRANSITION")

    # --- the shop -----------------------------------------------------------------------

    @rule()
    def cancel(self) -> None:
        response = act(self.client, self.r.w, self.no, "cancel", {"reason": "buyer cancelled"})
        if self.model.status == "assigned":
            self.moved(response, "cancelled")
            self.end("cancelled")
        elif self.model.status == "accepted":
            self.moved(response, "cancel_requested")
        else:
            self.refused(response, "INVALID_TRANSITION")

    # --- either -------------------------------------------------------------------------

    @rule(by=st.sampled_from(["shop", "supplier"]),
          reason=st.sampled_from(["address_problem", "out_of_stock", "awaiting_payment"]))
    def hold(self, by: str, reason: str) -> None:
        who = self.r.w if by == "shop" else self.r.first
        response = act(self.client, who, self.no, "hold", {"reason": reason})
        m = self.model
        if m.status not in HOLDABLE:
            self.refused(response, "INVALID_TRANSITION")
        elif m.hold is not None:
            self.refused(response, "DISPATCH_ORDER_ON_HOLD")
        else:
            assert response.status_code == 200, response.text
            m.hold, m.held_by = reason, by

    @rule(by=st.sampled_from(["shop", "supplier"]))
    def release(self, by: str) -> None:
        who = self.r.w if by == "shop" else self.r.first
        response = act(self.client, who, self.no, "hold/release")
        m = self.model
        if m.held_by == "shop" and by == "supplier":
            self.refused(response, "HOLD_PLACED_BY_SHOP", 403)
        elif m.hold is None:
            self.refused(response, "NOT_ON_HOLD")
        else:
            assert response.status_code == 200, response.text
            m.hold = m.held_by = None

    # --- the system (tracking) ----------------------------------------------------------

    @rule(move=st.sampled_from(["deliver", "complete"]))
    def system(self, move: str) -> None:
        before = {"deliver": "shipped", "complete": "delivered"}[move]
        hub = self.client.app.state.hub  # type: ignore[attr-defined]
        with hub.db.unit_of_work() as session:
            ctx = Ctx(reactions=REACTIONS,
                      session=session, actor=Actor.system("test"), settings=hub.settings,
                      clock=hub.clock)
            order = session.scalar(select(DispatchOrder).where(
                DispatchOrder.dispatch_order_no == self.no))
            try:
                getattr(lifecycle, move)(ctx, order)
                moved = True
            except InvalidTransition as exc:
                assert exc.params["current_status"] == self.model.status
                moved = False
        assert moved == (self.model.status == before)
        if moved:
            self.model.status = {"deliver": "delivered", "complete": "completed"}[move]

    # --- what must always hold ----------------------------------------------------------

    @invariant()
    def matches_the_model(self) -> None:
        seen = self.r.get(self.no)
        m = self.model
        assert (seen["status"], seen["hold_reason"], seen["held_by"]) == (
            m.status, m.hold, m.held_by)
        shipped = {line["line_id"]: line["shipped_quantity"] for line in seen["lines"]}
        assert shipped == m.shipped
        assert all(shipped[line] <= m.ordered[line] for line in shipped)
        parcels = sum(p_line["quantity"] for p in seen["shipments"] for p_line in p["lines"])
        assert parcels == sum(shipped.values())
        if m.cancelled_at_shipped is not None:
            assert shipped == m.cancelled_at_shipped

    def teardown(self) -> None:
        order = ok(self.client.get(self.r.w.url(f"/orders/{self.order_id}"),
                                   headers=self.r.w.headers))
        expected = {"assigned": "assigned", "accepted": "assigned",
                    "cancel_requested": "assigned", "partially_shipped": "partially_shipped",
                    "shipped": "shipped", "delivered": "delivered", "completed": "completed",
                    "cancelled": "unassigned", "rejected": "unassigned"}
        assert order["status"] == expected[self.model.status]



def test_lifecycle_follows_the_model(client: TestClient) -> None:
    Lifecycle.client = client
    Lifecycle.r = routed(client, suppliers=1)
    run_state_machine_as_test(
        Lifecycle,
        settings=settings(max_examples=20, stateful_step_count=12, deadline=None,
                          suppress_health_check=list(HealthCheck)))

