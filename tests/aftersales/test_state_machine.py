"""After-sales cases against a plain model (hypothesis RuleBasedStateMachine).

Every step is an API call by the party whose move it is. The model says which moves each side
may make in each status and where each one leads; the API's `allowed_actions` must agree with
it, an allowed move must land where the model says, any other must be 409 changing nothing.
After every step: never more units in cases than shipped, never a refund above what the buyer
paid for a case's units, a replacement never ships more than its case's units, and every closed
case has a liability (the database invariants of conftest.check_invariants).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

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

from daifa.db.uow import Database
from tests.aftersales.conftest import check_invariants
from tests.aftersales.helpers import Shipped, case_action, get_case, return_address, shipped
from tests.api.support import assert_problem, ok

PAID = 5900
SHIPPED = {"TEE-RED": 2, "MUG-1": 1}
TYPES = ["refund_only", "return_and_refund", "reship", "exchange"]
CONDITIONS = ["as_expected", "damaged", "missing_items", "wrong_item"]
# Who may make which move in which status (the shop, the supplier, the platform).
MOVES: dict[str, dict[str, str]] = {
    "requested": {"approve": "supplier", "reject": "supplier", "cancel": "shop"},
    "rejected": {"escalate": "either", "cancel": "shop"},
    "awaiting_return": {"return-shipment": "shop", "receive": "supplier", "cancel": "shop"},
    "return_received": {"escalate": "either", "cancel": "shop"},
    "in_arbitration": {"decide": "admin", "cancel": "shop"},
    "approved": {}, "closed": {}, "cancelled": {},
}
ALL_MOVES = sorted({move for moves in MOVES.values() for move in moves})
_orders = count(1)
_parcels = count(1)


@dataclass
class Case:
    no: str
    type: str
    sku: str
    quantity: int
    refund: int
    status: str = "requested"

    def after(self, move: str, condition: str) -> str:
        if move == "approve":
            return {"refund_only": "closed", "reship": "approved"}.get(self.type,
                                                                        "awaiting_return")
        if move == "receive":
            if condition != "as_expected":
                return "return_received"
            return "approved" if self.type == "exchange" else "closed"
        return {"reject": "rejected", "return-shipment": "awaiting_return",
                "escalate": "in_arbitration", "decide": "closed",
                "cancel": "cancelled"}[move]


class Cases(RuleBasedStateMachine):
    client: TestClient
    db: Database

    @initialize()
    def start(self) -> None:
        self.s: Shipped = shipped(self.client, external_id=f"SM-{next(_orders)}")
        return_address(self.client, self.s.first)
        self.cases: list[Case] = []

    def eligible(self, sku: str) -> int:
        return SHIPPED[sku] - sum(c.quantity for c in self.cases
                                  if c.sku == sku and c.status != "cancelled")

    def headers(self, side: str) -> Any:
        return {"shop": self.s.w, "supplier": self.s.first, "admin": self.s.w.platform,
                "either": self.s.w}[side]

    @rule(kind=st.sampled_from(TYPES), sku=st.sampled_from(sorted(SHIPPED)),
          quantity=st.integers(1, 3), over=st.booleans())
    def open(self, kind: str, sku: str, quantity: int, over: bool) -> None:
        paid = quantity * PAID
        refund = paid + 1 if over else paid // 2
        response = self.s.open(kind, [(sku, quantity)], refund_fen=refund)
        if quantity > self.eligible(sku):
            assert_problem(response, 409, "QUANTITY_EXCEEDS_ELIGIBLE")
        elif over:
            assert_problem(response, 422, "REFUND_EXCEEDS_PAID")
        else:
            [case] = ok(response, 201)["items"]
            assert case["refund_fen"] == refund
            self.cases.append(Case(case["case_no"], kind, sku, quantity, refund))

    @rule(data=st.data(), move=st.sampled_from(ALL_MOVES),
          condition=st.sampled_from(CONDITIONS), liability=st.sampled_from(
              ["supplier", "merchant", "carrier", "buyer", "platform"]))
    def act(self, data: st.DataObject, move: str, condition: str, liability: str) -> None:
        if not self.cases:
            return
        case = data.draw(st.sampled_from(self.cases))
        allowed = MOVES[case.status]
        side = allowed.get(move) or {"approve": "supplier", "reject": "supplier",
                                     "receive": "supplier", "decide": "admin"}.get(move, "shop")
        side = "shop" if side == "either" else side  # a move either party makes: the shop
        who = self.headers(side)
        shown = ok(get_case(self.client, who, case.no))
        parties = (side, "either") if side in ("shop", "supplier") else (side,)
        expected = sorted(m for m, by in allowed.items() if by in parties)
        assert shown["allowed_actions"] == expected, (case, side)
        body = {"reject": {"reason": "other"}, "escalate": {"reason": "看凭证"},
                "receive": {"condition": condition},
                "return-shipment": {"carrier": "SF",
                                    "tracking_no": f"SF9{next(_parcels):012d}"},
                "decide": {"liability": liability, "refund_fen": case.refund, "note": "裁决"},
                }.get(move)
        response = case_action(self.client, who, case.no, move, body)
        if move not in allowed:
            assert_problem(response, 409, "INVALID_TRANSITION")
            return
        moved = ok(response)
        case.status = case.after(move, condition)
        assert moved["status"] == case.status
        if case.status == "closed" and move != "decide":
            assert moved["liability"] == "supplier"

    @rule(data=st.data())
    def ship_replacement(self, data: st.DataObject) -> None:
        waiting = [c for c in self.cases if c.status == "approved"]
        if not waiting:
            return
        case = data.draw(st.sampled_from(waiting))
        no = ok(get_case(self.client, self.s.w, case.no))["reship_dispatch_order_no"]
        replacement = ok(self.client.get(f"/api/v1/dispatch-orders/{no}",
                                         headers=self.s.w.headers))
        assert sum(line["quantity"] for line in replacement["lines"]) == case.quantity
        too_many = [{"line_id": replacement["lines"][0]["line_id"],
                     "quantity": case.quantity + 1}]
        assert self.client.post(f"/api/v1/dispatch-orders/{no}/ship", json={
            "carrier": "SF", "tracking_no": f"SF8{next(_parcels):012d}", "lines": too_many},
            headers=self.s.first.owner.headers).status_code == 409
        ok(self.client.post(f"/api/v1/dispatch-orders/{no}/ship",
                            json={"carrier": "SF", "tracking_no": f"SF8{next(_parcels):012d}"},
                            headers=self.s.first.owner.headers))
        case.status = "closed"
        assert ok(get_case(self.client, self.s.w, case.no))["status"] == "closed"

    @invariant()
    def database_holds(self) -> None:
        check_invariants(self.db)


def test_cases_follow_the_model(client: TestClient, db: Database) -> None:
    Cases.client = client
    Cases.db = db
    run_state_machine_as_test(
        Cases, settings=settings(max_examples=15, stateful_step_count=14, deadline=None,
                                 suppress_health_check=list(HealthCheck)))
