"""Who listens is asked once per unit of work, and asked again once an endpoint changes in it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import event

from daifa.context import Ctx
from daifa.shops.models import Shop
from daifa.webhooks import service as webhooks
from daifa.webhooks.schemas import EndpointIn
from tests import factories
from tests.webhooks.helpers import hub_ctx_run, shop_pk


def _emit(ctx: Ctx, pk: int) -> int:
    return len(webhooks.emit(ctx, shop_pk=pk, supplier_pk=None, event_type="dispatch_order.late",
                             payload={"dispatch_order_no": "DO1"}))


def test_an_endpoint_added_in_the_same_unit_of_work_hears_the_next_event(
        client: TestClient) -> None:
    shop_id = factories.shop(client, factories.person(client))
    pk = shop_pk(client, shop_id)

    def run(ctx: Ctx) -> tuple[int, int, int]:
        before = _emit(ctx, pk)
        owner = webhooks.Owner.of(ctx.session.get_one(Shop, pk))
        webhooks.register(ctx, owner, EndpointIn(url="http://127.0.0.1:9/hook"))
        return before, _emit(ctx, pk), _emit(ctx, pk)

    assert hub_ctx_run(client, run) == (0, 1, 1)


def test_emitting_twice_for_the_same_owners_asks_once(client: TestClient) -> None:
    shop_id = factories.shop(client, factories.person(client))
    pk = shop_pk(client, shop_id)
    asked: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM webhook_endpoints" in statement:
            asked.append(statement)

    def run(ctx: Ctx) -> None:
        engine = ctx.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            _emit(ctx, pk)
            _emit(ctx, pk)
        finally:
            event.remove(engine, "before_cursor_execute", count)

    hub_ctx_run(client, run)
    assert len(asked) == 1
