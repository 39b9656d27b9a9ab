"""The locust users of bench/load.py, which runs this file with `locust --headless`.

Each user speaks for one seeded shop (its API key) and for that shop's suppliers (theirs).
Tasks by weight: 60 reads (lists and details of orders, dispatch orders, products, bindings),
20 order ingestions with an Idempotency-Key (one in twenty a replay of an earlier key), 10
shipments (a supplier accepts a dispatch order and ships it with a tracking number), 10
timelines and the supplier's work queue. A request's name starts with its kind. Answers of 409,
422 and 429 are conflicts the API means to give (two users racing for one dispatch order):
marked successes here, counted apart. At the test's end the samples go to DAIFA_LOAD_OUT as
JSON for bench/load.py to summarise.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections import Counter, deque
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant, events, task

SEED: dict[str, Any] = json.loads(Path(os.environ["DAIFA_LOAD_SEED"]).read_text())
WAIT = float(os.environ.get("DAIFA_LOAD_WAIT", "0"))
INTENDED = {409, 422, 429}
KINDS = ("read", "ingest", "ship", "timeline")
SAMPLES: dict[str, list[float]] = {kind: [] for kind in KINDS}
COUNTS: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
TO_SHIP: deque[tuple[str, str]] = deque((no, sid) for no, sid in SEED["to_ship"])
DISPATCH: list[tuple[str, str]] = [(no, sid) for no, sid in SEED["dispatch"]]
SUPPLIER_KEYS = {s["supplier_id"]: s["key"] for s in SEED["suppliers"]}
KEPT = 2000  # the newest ids kept to read back
CLOCK: dict[str, float] = {}


@events.request.add_listener
def _record(name: str, response_time: float, response: Any, exception: Any,
            **_kwargs: Any) -> None:
    kind = name.split(":", 1)[0]
    status = getattr(response, "status_code", 0) or 0
    SAMPLES[kind].append(response_time)
    counts = COUNTS[kind]
    counts["requests"] += 1
    counts["failures"] += exception is not None
    counts["intended"] += status in INTENDED
    counts["5xx"] += status >= 500
    counts["no answer"] += status == 0


@events.test_start.add_listener
def _started(**_kwargs: Any) -> None:
    CLOCK["start"] = time.monotonic()


@events.test_stop.add_listener
def _stopped(**_kwargs: Any) -> None:
    out = {"seconds": time.monotonic() - CLOCK.get("start", time.monotonic()),
           "samples": SAMPLES, "counts": {k: dict(v) for k, v in COUNTS.items()}}
    Path(os.environ["DAIFA_LOAD_OUT"]).write_text(json.dumps(out))


def _keep(items: list[Any], item: Any) -> None:
    items.append(item)
    if len(items) > KEPT * 2:
        del items[:KEPT]


class Party(FastHttpUser):
    wait_time = between(0, WAIT) if WAIT else constant(0)
    number = 0

    def on_start(self) -> None:
        Party.number += 1
        self.rng = random.Random(Party.number)
        self.shop = SEED["shops"][Party.number % len(SEED["shops"])]
        self.shop_base = f"/api/v1/shops/{self.shop['shop_id']}"
        self.shop_auth = {"Authorization": f"Bearer {self.shop['key']}"}
        self.replays: list[tuple[str, bytes]] = []

    def call(self, kind: str, method: str, path: str, name: str, key: str,
             body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
        """One request; 2xx and the intended conflicts are successes. The parsed body or None."""
        head = {"Authorization": f"Bearer {key}", **(headers or {})}
        if body is not None:
            head["Content-Type"] = "application/json"
        with self.client.request(method, path, data=body, headers=head, name=f"{kind}: {name}",
                                 catch_response=True) as response:
            status = response.status_code
            if 200 <= status < 300:
                response.success()
                return response.json() if method == "POST" else None
            if status in INTENDED:
                response.success()
            else:
                response.failure(f"{status} {(response.text or '')[:200]}")
        return None

    def supplier(self) -> tuple[str, str]:
        sid = self.rng.choice(list(SUPPLIER_KEYS))
        return sid, SUPPLIER_KEYS[sid]

    def dispatch_order(self) -> tuple[str, str]:
        return self.rng.choice(DISPATCH)

    def order_id(self) -> str:
        return str(self.rng.choice(self.shop["order_ids"]))

    # -- reads: 60 ---------------------------------------------------------------------------
    @task(12)
    def shop_orders(self) -> None:
        self.call("read", "GET", f"{self.shop_base}/orders?limit=20", "GET shop orders",
                  self.shop["key"])

    @task(12)
    def shop_order(self) -> None:
        self.call("read", "GET", f"{self.shop_base}/orders/{self.order_id()}",
                  "GET shop order", self.shop["key"])

    @task(10)
    def supplier_dispatch_orders(self) -> None:
        sid, key = self.supplier()
        self.call("read", "GET", f"/api/v1/suppliers/{sid}/dispatch-orders?limit=20",
                  "GET supplier dispatch orders", key)

    @task(10)
    def dispatch_detail(self) -> None:
        no, sid = self.dispatch_order()
        self.call("read", "GET", f"/api/v1/dispatch-orders/{no}", "GET dispatch order",
                  SUPPLIER_KEYS[sid])

    @task(6)
    def shop_products(self) -> None:
        self.call("read", "GET", f"{self.shop_base}/products?limit=20", "GET shop products",
                  self.shop["key"])

    @task(4)
    def supplier_products(self) -> None:
        sid, key = self.supplier()
        self.call("read", "GET", f"/api/v1/suppliers/{sid}/products?limit=20",
                  "GET supplier products", key)

    @task(3)
    def shop_bindings(self) -> None:
        self.call("read", "GET", f"{self.shop_base}/bindings", "GET shop bindings",
                  self.shop["key"])

    @task(3)
    def supplier_bindings(self) -> None:
        sid, key = self.supplier()
        self.call("read", "GET", f"/api/v1/suppliers/{sid}/bindings", "GET supplier bindings",
                  key)

    # -- ingestion: 20 -----------------------------------------------------------------------
    @task(20)
    def ingest(self) -> None:
        if self.replays and self.rng.random() < 0.05:
            key, body = self.rng.choice(self.replays)
        else:
            key, body = uuid.uuid4().hex, json.dumps(self.new_order()).encode()
            _keep(self.replays, (key, body))
        created = self.call("ingest", "POST", f"{self.shop_base}/orders", "POST order",
                            self.shop["key"], body, {"Idempotency-Key": key})
        if created:
            _keep(self.shop["order_ids"], created["order_id"])
            for dispatch in created["dispatch_orders"]:
                pair = (dispatch["dispatch_order_no"], dispatch["supplier_id"])
                TO_SHIP.append(pair)
                _keep(DISPATCH, pair)

    def new_order(self) -> dict[str, Any]:
        return {"external_id": f"L{uuid.uuid4().hex[:20]}",
                "buyer": {"name": "李四", "phone": f"139{self.rng.randrange(10**8):08d}",
                          "address": {"province": "广东省", "city": "深圳市",
                                      "district": "南山区", "detail": "科技园 1 号"}},
                "lines": [{"sku_code": sku, "quantity": self.rng.randint(1, 3),
                           "unit_price_fen": 5900}
                          for sku in self.rng.sample(self.shop["skus"], 2)]}

    # -- shipping: 10 ------------------------------------------------------------------------
    @task(10)
    def ship(self) -> None:
        if not TO_SHIP:
            return self.refill()
        no, sid = TO_SHIP.popleft()
        key = SUPPLIER_KEYS[sid]
        if self.call("ship", "POST", f"/api/v1/dispatch-orders/{no}/accept", "POST accept", key,
                     b"{}") is None:
            return None
        body = {"carrier": "SF", "tracking_no": f"SF{self.rng.randrange(10**13):013d}"}
        self.call("ship", "POST", f"/api/v1/dispatch-orders/{no}/ship", "POST ship", key,
                  json.dumps(body).encode(), {"Idempotency-Key": uuid.uuid4().hex})
        return None

    def refill(self) -> None:
        sid, key = self.supplier()
        path = f"/api/v1/suppliers/{sid}/dispatch-orders?status=assigned&limit=50"
        with self.client.get(path, headers={"Authorization": f"Bearer {key}"},
                             name="ship: GET assigned dispatch orders",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            TO_SHIP.extend((item["dispatch_order_no"], sid)
                           for item in response.json()["items"])

    # -- timelines and summaries: 10 ---------------------------------------------------------
    @task(4)
    def order_timeline(self) -> None:
        self.call("timeline", "GET", f"{self.shop_base}/orders/{self.order_id()}/timeline",
                  "GET order timeline", self.shop["key"])

    @task(3)
    def dispatch_timeline(self) -> None:
        no, sid = self.dispatch_order()
        self.call("timeline", "GET", f"/api/v1/dispatch-orders/{no}/timeline",
                  "GET dispatch order timeline", SUPPLIER_KEYS[sid])

    @task(3)
    def work_queue(self) -> None:
        sid, key = self.supplier()
        self.call("timeline", "GET", f"/api/v1/suppliers/{sid}/work-queue",
                  "GET supplier work queue", key)
