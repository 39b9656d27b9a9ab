"""Single orders while a big batch or file lands: does one shop's bulk stall everyone else?

Against a real `uvicorn` (one worker, SQLite, the shop of bench/ingest.py): single
`POST /orders` from a few clients, first alone (the baseline), then while another client posts
`orders:batch` of 1,000 orders back to back, then while it posts `orders:import` files of
`--file-rows` order lines back to back. Prints p50/p99 of the single orders for each, and the
bulk rate under the mix.

    .venv/bin/python bench/interleave.py [--single 400] [--clients 4] [--lines 3]
                                         [--file-rows 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from ingest import Shop, order, server, set_up


def singles(base: str, shop: Shop, total: int, clients: int, tag: str) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def run(worker: int) -> None:
        rng = random.Random(worker)
        headers = {**shop.headers, "content-type": "application/json"}
        mine = []
        with httpx.Client(base_url=base, timeout=120) as client:
            for i in range(total // clients):
                body = json.dumps(order(f"{tag}-{worker}-{i}", shop.skus, rng)).encode()
                started = time.perf_counter()
                response = client.post(shop.base + "/orders", content=body, headers=headers)
                mine.append(time.perf_counter() - started)
                assert response.status_code == 201, response.text[:300]
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def batches(base: str, shop: Shop, lines: int, stop: threading.Event,
            done: list[float]) -> None:
    rng = random.Random(5)
    headers = {**shop.headers, "content-type": "application/json"}
    with httpx.Client(base_url=base, timeout=300) as client:
        number = 0
        while not stop.is_set():
            body = {"orders": [order(f"batch-{number}-{i}", shop.skus, rng)
                               for i in range(1000)]}
            for item in body["orders"]:
                item["lines"] = [{"sku_code": sku, "quantity": 1, "unit_price_fen": 9900}
                                 for sku in rng.sample(shop.skus, lines)]
            started = time.perf_counter()
            response = client.post(shop.base + "/orders:batch", content=json.dumps(body),
                                   headers=headers)
            assert response.status_code == 200, response.text[:300]
            done.append(time.perf_counter() - started)
            number += 1


def files(base: str, shop: Shop, rows: int, stop: threading.Event, done: list[float]) -> None:
    header = ("external_id,buyer_name,buyer_phone,province,city,district,address_detail,"
              "sku_code,quantity,unit_price")
    rng = random.Random(9)
    with httpx.Client(base_url=base, timeout=600) as client:
        number = 0
        while not stop.is_set():
            lines = [f"F{number}-{n},张三,13912345678,浙江省,杭州市,西湖区,文三路 90 号,"
                     f"{rng.choice(shop.skus)},1,99.00" for n in range(rows)]
            data = ("\n".join([header, *lines]) + "\n").encode()
            started = time.perf_counter()
            response = client.post(shop.base + "/orders:import", headers=shop.headers,
                                   files={"file": ("orders.csv", data, "text/csv")})
            assert response.status_code == 200, response.text[:300]
            done.append(time.perf_counter() - started)
            number += 1


def mixed(base: str, shop: Shop, args: argparse.Namespace, tag: str, bulk: Any,
          bulk_args: tuple[Any, ...]) -> tuple[list[float], list[float]]:
    stop, done = threading.Event(), []
    thread = threading.Thread(target=bulk, args=(base, shop, *bulk_args, stop, done))
    thread.start()
    time.sleep(0.5)
    latencies = singles(base, shop, args.single, args.clients, tag)
    stop.set()
    thread.join()
    return latencies, done


def cuts(latencies: list[float]) -> str:
    points = statistics.quantiles(latencies, n=100)
    return f"p50 {points[49] * 1000:.0f} ms, p99 {points[98] * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--lines", type=int, default=3, help="lines per order of the batch")
    parser.add_argument("--file-rows", type=int, default=20_000)
    args = parser.parse_args()
    print(f"interleave (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    with tempfile.TemporaryDirectory() as tmp:
        settings, shop = set_up(f"sqlite:///{tmp}/bench.db", Path(tmp))
        with server(settings) as (base, _):
            singles(base, shop, 40, 2, "warm")
            alone = singles(base, shop, args.single, args.clients, "alone")
            batched, batches_done = mixed(base, shop, args, "batched", batches, (args.lines,))
            filed, files_done = mixed(base, shop, args, "filed", files, (args.file_rows,))
    print(f"  single POST /orders, {args.clients} clients, alone:          {cuts(alone)}")
    print(f"  the same while 1,000-order batches ({args.lines} lines) land: {cuts(batched)}")
    print(f"  the same while {args.file_rows:,}-line order files land:     {cuts(filed)}")
    for name, done in (("batches", batches_done), (f"{args.file_rows:,}-line files", files_done)):
        if done:
            print(f"  {name} under the mix: {len(done)}, median "
                  f"{statistics.median(done):.2f} s each")
        else:
            print(f"  no {name} finished")


if __name__ == "__main__":
    main()
