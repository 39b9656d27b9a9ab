"""Oversized request bodies: how long the server takes to refuse them and what they cost it.

Against a real `uvicorn` (one worker) on 127.0.0.1 and a fresh SQLite database, one server per
case so each peak is its own: an ~84 MB JSON order (1.7 million lines) posted to
`POST /api/v1/shops/{id}/orders`

1. without a token, with Content-Length;
2. without a token, chunked (no Content-Length);
3. with a token that is not one of ours;
4. with a valid token (the body limit alone).

Prints the status, the time to the answer, and the server's resident memory before and its peak
after (VmRSS, VmHWM from /proc).

    .venv/bin/python bench/bodies.py [--megabytes 84]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from daifa.db.migrate import upgrade

SHOP_ID = "SH1234567890"  # never looked up when the body is refused first


def body(megabytes: int) -> bytes:
    line = b'{"sku_code":"TEE-RED-M","quantity":1,"unit_price_fen":1990},'
    count = megabytes * 1024 * 1024 // len(line)
    head = (b'{"external_id":"HUGE-1","buyer":{"name":"x","phone":"13912345678","address":'
            b'{"province":"p","city":"c","district":"d","detail":"a"}},"lines":[')
    return head + line * (count - 1) + line[:-1] + b"]}"


def memory(pid: int) -> dict[str, int]:
    fields = {}
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = row.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) // 1024  # MB
    return fields


@contextlib.contextmanager
def server(work: Path) -> Iterator[tuple[str, int]]:
    url = f"sqlite:///{work / 'daifa.db'}"
    upgrade(url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DAIFA_DATABASE_URL": url, "DAIFA_SECRET_KEY": "bench-secret",
           "DAIFA_VAR_DIR": str(work), "DAIFA_PASSWORD_PROFILE": "cheapest"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "daifa.app:build", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "critical", "--no-access-log"],
        env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/openapi.json", timeout=1).status_code == 200:
                    break
            time.sleep(0.05)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def token(base: str) -> str:
    account = {"login": "bench", "password": "bench password 1", "display_name": "bench"}
    httpx.post(base + "/api/v1/auth/signup", json=account).raise_for_status()
    response = httpx.post(base + "/api/v1/auth/token",
                          json={"login": "bench", "password": "bench password 1"})
    response.raise_for_status()
    secret: str = response.json()["access_token"]
    return secret


def chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def case(name: str, data: bytes, *, chunked: bool = False, auth: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as work, server(Path(work)) as (base, pid):
        headers = {"content-type": "application/json"}
        if auth == "valid":
            headers["authorization"] = f"Bearer {token(base)}"
        elif auth:
            headers["authorization"] = f"Bearer {auth}"
        before = memory(pid)["VmRSS"]
        started = time.perf_counter()
        try:
            content = chunks(data) if chunked else data
            response = httpx.post(f"{base}/api/v1/shops/{SHOP_ID}/orders", content=content,
                                  headers=headers, timeout=120)
            outcome = f"{response.status_code} {response.json().get('code', '')}"
        except httpx.HTTPError as exc:  # the server may answer and close before all was sent
            outcome = f"{type(exc).__name__}"
        elapsed = time.perf_counter() - started
        after = memory(pid)
        print(f"{name:<34} {outcome:<28} {elapsed:7.2f} s   RSS {before} MB -> peak "
              f"{after['VmHWM']} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=84)
    args = parser.parse_args()
    data = body(args.megabytes)
    print(f"body: {len(data) / 1024 / 1024:.1f} MB of JSON")
    case("no token, Content-Length", data)
    case("no token, chunked", data, chunked=True)
    case("unknown token, Content-Length", data, auth="dfs_not_a_token")
    case("valid token, Content-Length", data, auth="valid")


if __name__ == "__main__":
    main()
