"""The raw rate of bench/ingest.py: the rows of a routed order written with plain `sqlite3`
into the migrated schema, one commit per order, and the shape of the orders daifa made."""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from daifa.db.migrate import upgrade
from daifa.kit.ids import check_char

RAW_CHUNK = 1000


def rows_per_order(url: str) -> dict[str, float]:
    engine = create_engine(url)
    with engine.connect() as conn:
        orders = conn.execute(text("SELECT count(*) FROM shop_orders")).scalar_one()
        counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                  / orders for table in ("order_lines", "dispatch_orders", "dispatch_lines")}
    engine.dispose()
    return counts


def raw_sqlite(path: Path, orders: int, dispatch_per_order: int) -> tuple[float, float]:
    """The same rows per order with plain sqlite3 into the migrated schema, a commit each:
    orders/s of the best and the median chunk of RAW_CHUNK orders."""
    upgrade(f"sqlite:///{path}")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("INSERT INTO accounts (login, password_hash, display_name, is_admin, "
                 "created_at) VALUES ('raw', 'x', 'raw', 0, '2026-01-01')")
    conn.execute("INSERT INTO shops (shop_id, owner_account_id, name, created_at) "
                 "VALUES ('SH1', 1, 's', '2026-01-01')")
    conn.execute("INSERT INTO suppliers (supplier_id, owner_account_id, name, contact_name, "
                 "contact_phone, region, status, auto_accept, created_at) VALUES "
                 "(?, 1, 's', '', '', '', 'active', 0, '2026-01-01')",
                 ("SP222222" + check_char("222222"),))
    conn.execute("INSERT INTO supply_products (supplier_pk, spu_code, title, ship_from_region, "
                 "handling_hours, active, created_at, updated_at) VALUES "
                 "(1, 'P', 'p', '', 48, 1, '2026-01-01', '2026-01-01')")
    conn.execute("INSERT INTO supply_skus (product_pk, supplier_pk, sku_code, spec, position, "
                 "supply_price_fen, price_tiers, stock, active, created_at, updated_at) VALUES "
                 "(1, 1, 'K', '', 0, 100, '[]', NULL, 1, '2026-01-01', '2026-01-01')")
    now = "2026-11-25 02:00:00.000000"
    chunk_rates = []
    started = time.perf_counter()
    for n in range(orders):
        if n and n % RAW_CHUNK == 0:
            chunk_rates.append(RAW_CHUNK / (time.perf_counter() - started))
            started = time.perf_counter()
        conn.execute("BEGIN")
        order_pk = conn.execute(
            "INSERT INTO shop_orders (shop_pk, external_id, status, buyer_name, buyer_phone, "
            "province, city, district, address_detail, paid_at, ship_by, quantity, "
            "assigned_quantity, dispatch_count, total_fen, channel, routing_version, "
            "created_at) VALUES (1, ?, 'assigned', '张三', '+8613912345678', '浙江省', "
            "'杭州市', '西湖区', '文三路 90 号', NULL, ?, 6, 6, ?, 59400, 'batch', 3, ?)",
            (f"raw-{n}", now, dispatch_per_order, now)).lastrowid
        lines = [conn.execute(
            "INSERT INTO order_lines (order_pk, line_no, sku_code, quantity, unit_price_fen, "
            "shop_sku_pk, assigned_quantity, unassigned_reason, routing) VALUES "
            "(?, ?, 'P1-1', 2, 9900, NULL, 2, NULL, NULL)", (order_pk, k)).lastrowid
            for k in range(1, 4)]
        conn.execute("INSERT INTO audit_events (at, actor, actor_account_id, subject_type, "
                     "subject_id, type, from_status, to_status, reason, data) VALUES "
                     "(?, 'api_key', 1, 'shop_order', ?, 'shop_order.received', NULL, "
                     "'assigned', NULL, '{}')", (now, str(order_pk)))
        for d in range(dispatch_per_order):
            no = f"DO261125{order_pk:08d}{d + 1:02d}"
            dispatch_pk = conn.execute(
                "INSERT INTO dispatch_orders (dispatch_order_no, order_pk, sequence, shop_pk, "
                "supplier_pk, status, ship_by, accept_by, supply_total_fen, "
                "reassigned_from_pk, created_at) VALUES (?, ?, ?, 1, 1, 'assigned', ?, ?, "
                "200, NULL, ?)", (no, order_pk, d + 1, now, now, now)).lastrowid
            conn.execute("INSERT INTO audit_events (at, actor, actor_account_id, "
                         "subject_type, subject_id, type, from_status, to_status, reason, "
                         "data) VALUES (?, 'api_key', 1, 'dispatch_order', ?, "
                         "'dispatch_order.created', NULL, 'assigned', NULL, '{}')", (now, no))
            for line_pk in lines[d::dispatch_per_order]:
                conn.execute(
                    "INSERT INTO dispatch_lines (dispatch_order_pk, line_pk, supply_sku_pk, "
                    "sku_code, supplier_sku_code, quantity, supply_price_fen, reason, routing, "
                    "backup_pks, stock_reserved, shipped_quantity) VALUES (?, ?, 1, 'P1-1', "
                    "'S1-P1-1', 2, 100, 'product_rule', '{}', '[]', 0, 0)",
                    (dispatch_pk, line_pk))
        conn.execute("COMMIT")
    conn.close()
    return max(chunk_rates), statistics.median(chunk_rates)
