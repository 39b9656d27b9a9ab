"""The worker's after-sales sweeps on a moved clock: silence approves, a return not sent lapses,
a rejection nobody escalates stands; a party acting in time is not overruled."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from daifa.kit.clock import FrozenClock
from daifa.worker import SWEEPS, Worker
from tests.aftersales.helpers import case_action, get_case, return_address, shipped
from tests.api.support import ok


def _sweep(worker: Worker, name: str) -> int:
    return worker.run_sweeps()[f"after_sales.{name}"]


def test_the_sweeps_are_registered() -> None:
    assert {"after_sales.answer_due", "after_sales.lapse_due",
            "after_sales.rejections_due"} <= set(SWEEPS)


def test_a_silent_supplier_is_deemed_to_approve(client: TestClient, clock: FrozenClock,
                                                worker: Worker) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    clock.advance(timedelta(hours=47, minutes=59))
    assert _sweep(worker, "answer_due") == 0
    clock.advance(timedelta(minutes=1))
    assert _sweep(worker, "answer_due") == 1
    case = ok(get_case(client, s.w, no))
    assert (case["status"], case["auto_approved"], case["liability"]) == (
        "closed", True, "supplier")
    assert case["timeline"][-1]["actor_role"] == "system"
    assert _sweep(worker, "answer_due") == 0


def test_silence_on_a_return_uses_the_default_address_or_refers_to_the_platform(
        client: TestClient, clock: FrozenClock, worker: Worker) -> None:
    s = shipped(client)
    without = s.opened("return_and_refund", [("TEE-RED", 1)])["case_no"]
    clock.advance(timedelta(hours=49))
    assert _sweep(worker, "answer_due") == 1
    referred = ok(get_case(client, s.w, without))
    assert referred["status"] == "in_arbitration"
    assert referred["timeline"][-1]["reason"] == "no_return_address"
    return_address(client, s.first)
    with_address = s.opened("return_and_refund", [("TEE-RED", 1)])["case_no"]
    clock.advance(timedelta(hours=49))
    assert _sweep(worker, "answer_due") == 1
    approved = ok(get_case(client, s.w, with_address))
    assert approved["status"] == "awaiting_return" and approved["auto_approved"] is True
    assert approved["return_address"]["name"] == "退货仓"


def test_an_answer_in_time_is_not_overruled(client: TestClient, clock: FrozenClock,
                                            worker: Worker) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    ok(case_action(client, s.first, no, "reject", {"reason": "outside_policy"}))
    clock.advance(timedelta(hours=49))
    assert _sweep(worker, "answer_due") == 0
    assert ok(get_case(client, s.w, no))["status"] == "rejected"


def test_a_return_not_sent_lapses_and_one_sent_does_not(client: TestClient, clock: FrozenClock,
                                                        worker: Worker) -> None:
    s = shipped(client)
    return_address(client, s.first)
    idle = s.opened("return_and_refund", [("TEE-RED", 1)])["case_no"]
    sent = s.opened("return_and_refund", [("TEE-RED", 1)])["case_no"]
    for no in (idle, sent):
        ok(case_action(client, s.first, no, "approve"))
    ok(case_action(client, s.w, sent, "return-shipment",
                   {"carrier": "SF", "tracking_no": "SF5555555555555"}))
    clock.advance(timedelta(days=7))
    assert _sweep(worker, "lapse_due") == 1
    lapsed = ok(get_case(client, s.w, idle))
    assert (lapsed["status"], lapsed["liability"], lapsed["final_refund_fen"]) == (
        "closed", "buyer", 0)
    assert ok(get_case(client, s.w, sent))["status"] == "awaiting_return"


def test_a_rejection_nobody_escalates_stands(client: TestClient, clock: FrozenClock,
                                             worker: Worker) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    ok(case_action(client, s.first, no, "reject", {"reason": "used_or_damaged_by_buyer"}))
    clock.advance(timedelta(days=6, hours=23))
    assert _sweep(worker, "rejections_due") == 0
    clock.advance(timedelta(hours=1))
    assert _sweep(worker, "rejections_due") == 1
    case = ok(get_case(client, s.w, no))
    assert (case["status"], case["liability"], case["final_refund_fen"]) == ("closed", "buyer", 0)
    assert case["timeline"][-1]["actor_role"] == "system"
