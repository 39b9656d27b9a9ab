"""kill -9 during keyed order ingestion: a real `daifa serve` (two worker processes on
PostgreSQL) is SIGKILLed again and again while client threads post orders, each with its own
Idempotency-Key and retried with the same key and body until it gets a definite answer. Then
the database is read directly: every order is there exactly once, with its lines, routed once,
its stock reserved once and its key done with the answer the client got."""

from __future__ import annotations

import heapq
import random
import shutil
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from daifa.app import create_app
from daifa.audit.models import AuditEvent
from daifa.catalog.models import SupplySku
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.idempotency.models import IdempotencyKey
from daifa.orders.models import OrderLine, ShopOrder
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier
from tests.api.support import ok
from tests.e2e.served import Server
from tests.orders.helpers import order_body, world

ORDERS = 480
KILLS = 5  # each while orders are still unanswered; each a cold start of 3-12 s after it
CLIENTS = 4
STOCK = 1_000_000  # tracked, so a reservation made twice (or lost) shows in what is left
DEADLINE = 240.0  # seconds for the whole ingestion
# Seconds before posting again after: no connection (the server is down or restarting), a
# connection closed before the answer (killed meanwhile), a 5xx, and 409
# IDEMPOTENCY_KEY_IN_USE (none expected: a killed request's claim dies with its transaction).
# A 429 (the shop's rate limit: the server runs with its defaults; Retry-After says 1 s).
BACKOFF = {"refused": 0.1, "cut": 0.1, "5xx": 0.2, "in_use": 1.0, "limited": 1.0}

pytestmark = pytest.mark.fault


@dataclass(frozen=True)
class Shop9:
    """The seeded shop: TEE routes to one supplier, MUG to the other; its API key."""

    shop_id: str
    api_key: str
    supplier_of: dict[str, str]  # shop SKU code → Supplier ID it must go to


@dataclass(frozen=True)
class Order:
    external_id: str
    key: str
    body: dict[str, Any]

    @property
    def lines(self) -> list[tuple[str, int]]:
        return sorted((line["sku_code"], line["quantity"]) for line in self.body["lines"])


@dataclass(frozen=True)
class Answer:
    status: int
    order_id: str
    replayed: bool


class Unexpected(Exception):
    """An answer that is neither definite nor worth retrying."""


@dataclass
class Ingestion:
    """The orders, how many clients may start on yet, the retries due, and the answers.

    Each server life lets out its share of the new orders evenly until the kill the killer
    has drawn for it: the clients are busy when it comes, and orders are still unanswered at
    every planned kill however fast or slow the machine is. After the last kill, the rest."""

    orders: list[Order]
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    started: int = 0
    lives: int = 0  # lives ended by a kill so far
    life_began: float = field(default_factory=time.monotonic)
    life_seconds: float = 1.0
    due: list[tuple[float, int]] = field(default_factory=list)  # (when, order index) heap
    answers: dict[int, Answer] = field(default_factory=dict)
    first_sent: dict[int, float] = field(default_factory=dict)
    seconds_to_answer: dict[int, float] = field(default_factory=dict)
    retries: Counter[str] = field(default_factory=Counter)
    stalled: set[int] = field(default_factory=set)  # orders that met IDEMPOTENCY_KEY_IN_USE
    failures: list[str] = field(default_factory=list)
    answered_at_kills: list[int] = field(default_factory=list)
    restart_seconds: list[float] = field(default_factory=list)

    def new_life(self, killed: int, seconds: float) -> None:
        with self.lock:
            self.lives, self.life_began, self.life_seconds = killed, time.monotonic(), seconds

    def allowed(self) -> int:
        if self.lives >= KILLS:
            return len(self.orders)
        share = min(1.0, (time.monotonic() - self.life_began) / self.life_seconds)
        return int(len(self.orders) * (self.lives + share) / (KILLS + 1))

    def next_job(self) -> int | None:
        while not self.stop.is_set():
            with self.lock:
                if len(self.answers) + len(self.failures) >= len(self.orders):
                    return None
                if self.due and self.due[0][0] <= time.monotonic():
                    return heapq.heappop(self.due)[1]
                if self.started < self.allowed():
                    self.started += 1
                    self.first_sent[self.started - 1] = time.monotonic()
                    return self.started - 1
            time.sleep(0.01)
        return None

    def settle(self, index: int, outcome: Answer | str) -> None:
        with self.lock:
            if isinstance(outcome, Answer):
                self.answers[index] = outcome
                self.seconds_to_answer[index] = time.monotonic() - self.first_sent[index]
                return
            self.retries[outcome] += 1
            if outcome == "in_use":
                self.stalled.add(index)
            wait = BACKOFF[outcome] * random.uniform(0.5, 1.5)
            heapq.heappush(self.due, (time.monotonic() + wait, index))

    def fail(self, why: str) -> None:
        with self.lock:
            self.failures.append(why)
        self.stop.set()

    def note_kill(self) -> None:
        with self.lock:
            self.answered_at_kills.append(len(self.answers))


@pytest.fixture
def shop9(settings: Settings, db: Database) -> Shop9:
    """A shop bound to two suppliers with tracked stock, routing by product, and an API key
    (made in-process on the real clock; the server reads it from the same database)."""
    with TestClient(create_app(settings, database=db)) as client:
        w = world(client, suppliers=2, stock=STOCK)
        tee, mug = w.suppliers
        w.settings("by_product")
        w.rule("products", "TEE", tee)
        w.rule("products", "MUG", mug)
        key = ok(client.post(w.url("/api-keys"), json={"name": "kill9"}, headers=w.headers),
                 201)["key"]
    return Shop9(w.shop_id, key, {"TEE-RED": tee.supplier_id, "TEE-BLUE": tee.supplier_id,
                                  "MUG-1": mug.supplier_id})


@pytest.fixture
def server(database_url: str, db: Database) -> Iterator[Server]:
    """Stopped (the whole group) and its directory removed whatever the test did."""
    workdir = Path(tempfile.mkdtemp(prefix="daifa-kill9-"))
    workers = 2 if database_url.startswith("postgresql") else 1
    served = Server(database_url, workdir, workers=workers)
    try:
        yield served
    finally:
        served.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def make_orders(count: int, rng: random.Random) -> list[Order]:
    """Two lines to two suppliers each: a T-shirt (TEE) and a mug (MUG)."""
    return [Order(f"K9-{n:05d}", f"kill9-{n:05d}-{rng.getrandbits(32):08x}",
                  order_body(f"K9-{n:05d}", (rng.choice(["TEE-RED", "TEE-BLUE"]),
                                             rng.randint(1, 3)), ("MUG-1", rng.randint(1, 2))))
            for n in range(count)]


def attempt(http: httpx.Client, url: str, order: Order) -> Answer | str:
    """A definite answer, or why to post again (a BACKOFF key)."""
    try:
        response = http.post(url, json=order.body, headers={"Idempotency-Key": order.key})
    except httpx.ConnectError:
        return "refused"
    except httpx.TransportError:  # sent, and the connection closed before an answer
        return "cut"
    if response.status_code in (200, 201):
        return Answer(response.status_code, str(response.json()["order_id"]),
                      response.headers.get("Idempotent-Replayed") == "true")
    if response.status_code >= 500:
        return "5xx"
    if response.status_code == 409 and b"IDEMPOTENCY_KEY_IN_USE" in response.content:
        return "in_use"
    if response.status_code == 429 and b"RATE_LIMITED" in response.content:
        return "limited"
    raise Unexpected(f"{order.external_id}: {response.status_code} {response.text[:300]}")


def post_orders(run: Ingestion, server: Server, shop: Shop9) -> None:
    """One client: post what is due until every order has its answer."""
    url = f"/api/v1/shops/{shop.shop_id}/orders"
    headers = {"Authorization": f"Bearer {shop.api_key}"}
    try:
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as http:
            while (index := run.next_job()) is not None:
                outcome = attempt(http, url, run.orders[index])
                run.settle(index, outcome)
                if outcome == "refused":  # the server is down: let it start, not spin
                    time.sleep(BACKOFF["refused"])
    except Exception as exc:  # the test reports it; the other threads stop
        run.fail(f"client: {exc!r}")


def kill_repeatedly(run: Ingestion, server: Server, rng: random.Random) -> None:
    """SIGKILL the server 1-3 s after it answers, start it again, wait until it answers."""
    try:
        for killed in range(KILLS):
            seconds = rng.uniform(1.0, 3.0)
            run.new_life(killed, seconds)
            if run.stop.wait(seconds):
                return
            run.note_kill()
            server.kill()
            run.restart_seconds.append(server.start())
        run.new_life(KILLS, 1.0)
    except Exception as exc:
        run.fail(f"killer: {exc!r}")


def ingest_under_fire(run: Ingestion, server: Server, shop: Shop9) -> float:
    """Clients and killer at once; the seconds until every order had its answer."""
    began = time.monotonic()
    threads = [threading.Thread(target=post_orders, args=(run, server, shop), daemon=True)
               for _ in range(CLIENTS)]
    threads.append(threading.Thread(target=kill_repeatedly, daemon=True,
                                    args=(run, server, random.Random(9))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, began + DEADLINE - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        run.fail(f"not every order answered within {DEADLINE:.0f} s")
        for thread in threads:
            thread.join(timeout=60)
    return time.monotonic() - began


@dataclass
class Stored:
    """What the database holds for the shop, read directly."""

    orders: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    lines: dict[int, list[tuple[int, str, int, int]]] = field(
        default_factory=lambda: defaultdict(list))  # order pk → (line pk, sku, qty, assigned)
    dispatches: dict[int, list[str]] = field(
        default_factory=lambda: defaultdict(list))  # order pk → Supplier ID of each
    dispatched: dict[int, list[tuple[str, int, int]]] = field(
        default_factory=lambda: defaultdict(list))  # line pk → (Supplier ID, qty, supply sku)
    received: Counter[str] = field(default_factory=Counter)  # order pk → `received` events
    keys: Counter[tuple[str, int | None]] = field(default_factory=Counter)  # (state, status)
    stock_left: dict[int, int | None] = field(default_factory=dict)  # supply sku pk → stock


def read_back(session: Session, shop_id: str) -> Stored:
    stored = Stored()
    shop_pk = session.scalars(select(Shop.id).where(Shop.shop_id == shop_id)).one()
    for pk, external_id in session.execute(select(ShopOrder.id, ShopOrder.external_id)
                                           .where(ShopOrder.shop_pk == shop_pk)):
        stored.orders[external_id].append(pk)
    for row in session.execute(select(OrderLine.order_pk, OrderLine.id, OrderLine.sku_code,
                                      OrderLine.quantity, OrderLine.assigned_quantity)):
        stored.lines[row[0]].append((row[1], row[2], row[3], row[4]))
    for order_pk, supplier_id in session.execute(
            select(DispatchOrder.order_pk, Supplier.supplier_id)
            .join(Supplier, Supplier.id == DispatchOrder.supplier_pk)):
        stored.dispatches[order_pk].append(supplier_id)
    for line_pk, supplier_id, quantity, sku_pk in session.execute(
            select(DispatchLine.line_pk, Supplier.supplier_id, DispatchLine.quantity,
                   DispatchLine.supply_sku_pk)
            .join(DispatchOrder, DispatchOrder.id == DispatchLine.dispatch_order_pk)
            .join(Supplier, Supplier.id == DispatchOrder.supplier_pk)):
        stored.dispatched[line_pk].append((supplier_id, quantity, sku_pk))
    stored.received.update(session.scalars(select(AuditEvent.subject_id).where(
        AuditEvent.type == "shop_order.received")))
    stored.keys.update((state, status) for state, status in session.execute(
        select(IdempotencyKey.state, IdempotencyKey.response_status)
        .where(IdempotencyKey.path == f"/api/v1/shops/{shop_id}/orders")))
    stored.stock_left.update((pk, stock) for pk, stock in session.execute(
        select(SupplySku.id, SupplySku.stock)))
    return stored


def routing_problems(order: Order, pk: int, stored: Stored, shop: Shop9) -> list[str]:
    """What is wrong with one stored order: its lines, their dispatch, its events."""
    lines = stored.lines.get(pk, [])
    problems = []
    if sorted((sku, quantity) for _, sku, quantity, _ in lines) != order.lines:
        problems.append(f"{order.external_id}: lines {lines} for {order.lines}")
    for line_pk, sku, quantity, assigned in lines:
        want = [(shop.supplier_of[sku], quantity)]
        got = [(supplier, qty) for supplier, qty, _ in stored.dispatched.get(line_pk, [])]
        if got != want or assigned != quantity:
            problems.append(f"{order.external_id}: {sku} dispatched {got}, assigned "
                            f"{assigned}, for {want}")
    if sorted(stored.dispatches.get(pk, [])) != sorted(set(shop.supplier_of.values())):
        problems.append(f"{order.external_id}: dispatch orders {stored.dispatches.get(pk)}")
    if stored.received[str(pk)] != 1:
        problems.append(f"{order.external_id}: {stored.received[str(pk)]} received events")
    return problems


def stock_problems(stored: Stored) -> list[str]:
    """Every supply SKU's stock went down by exactly the units dispatched from it."""
    taken: Counter[int] = Counter()
    for rows in stored.dispatched.values():
        for _, quantity, sku_pk in rows:
            taken[sku_pk] += quantity
    return [f"supply sku {pk}: {left} left of {STOCK} with {taken[pk]} dispatched"
            for pk, left in stored.stock_left.items()
            if left is None or STOCK - left != taken[pk]]


def answer_problems(run: Ingestion, stored: Stored) -> list[str]:
    """Each client got the first request's 201 (fresh or replayed), naming the stored order."""
    problems = []
    for index, answer in run.answers.items():
        order = run.orders[index]
        pks = stored.orders.get(order.external_id, [])
        if answer.status != 201 or [str(pk) for pk in pks] != [answer.order_id]:
            problems.append(f"{order.external_id}: answered {answer}, stored {pks}")
    return problems


def figures(run: Ingestion, server: Server, stored: Stored, seconds: float,
            lost: list[str], duplicated: list[str]) -> dict[str, object]:
    """What the CI log shows for a run."""
    restarts = run.restart_seconds or [0.0]
    return {
        "orders": len(run.orders), "stored": sum(len(pks) for pks in stored.orders.values()),
        "lost": len(lost), "duplicated": len(duplicated), "kills": len(run.answered_at_kills),
        "seconds": round(seconds, 1), "restart_s": round(sum(restarts) / len(restarts), 1),
        "failed_starts": server.failed_starts, "retries": dict(run.retries),
        "replayed": sum(answer.replayed for answer in run.answers.values()),
        "stalled_keys": len(run.stalled),
        "slowest_answer_s": round(max(run.seconds_to_answer.values(), default=0.0), 1),
        "keys_running": sum(n for (state, _), n in stored.keys.items() if state == "running"),
    }


def test_kill9_during_keyed_ingestion_loses_and_duplicates_nothing(
        shop9: Shop9, server: Server, db: Database, database_url: str,
        capsys: pytest.CaptureFixture[str],
        record_property: Callable[[str, object], None]) -> None:
    run = Ingestion(make_orders(ORDERS, random.Random(20261125)))
    server.start()
    seconds = ingest_under_fire(run, server, shop9)
    server.kill()
    assert not run.failures, f"{run.failures}\n{server.log_tail()}"

    with db.unit_of_work(write=False) as session:
        stored = read_back(session, shop9.shop_id)
    expected = {order.external_id for order in run.orders}
    lost = sorted(expected - set(stored.orders))
    duplicated = sorted(e for e, pks in stored.orders.items() if len(pks) > 1 or e not in expected)
    shown = figures(run, server, stored, seconds, lost, duplicated)
    for name, value in shown.items():
        record_property(name, value)
    with capsys.disabled():
        print(f"\nkill -9 on {make_url(database_url).get_backend_name()}: {shown}")

    assert len(run.answered_at_kills) == KILLS >= 5, shown
    assert max(run.answered_at_kills) < ORDERS, run.answered_at_kills  # killed mid-ingestion
    assert not lost, f"lost {len(lost)}: {lost[:20]}"
    assert not duplicated, f"duplicated {len(duplicated)}: {duplicated[:20]}"
    misrouted = [problem for order in run.orders
                 for problem in routing_problems(order, stored.orders[order.external_id][0],
                                                 stored, shop9)]
    assert not misrouted, misrouted[:20]
    stock = stock_problems(stored)
    assert not stock, stock
    answered = answer_problems(run, stored)
    assert not answered, answered[:20]
    assert stored.keys == Counter({("done", 201): ORDERS}), stored.keys
    # A key is claimed in the transaction that does the work: a killed request left no claim
    # for its retry to wait out.
    assert not run.stalled, shown
