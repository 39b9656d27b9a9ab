"""Driving `wrk` (a C load generator: on two cores a Python client would take half the machine)
and reading its figures back as numbers.

`run` adds a Lua `done` hook to the script (or a script of its own) that prints one line,
`WRK {...json...}`: requests, seconds, requests/s, p50 and p99 in ms, socket errors and
non-2xx/3xx answers. `orders_script` makes a script that POSTs orders of three random lines, each
with an external id and Idempotency-Key no other request of the run has.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, '
    .. '"socket_errors": %d, "bad_status": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, e.connect + e.read + e.write + e.timeout, e.status))
end
"""

ORDERS = """
local skus = {%(skus)s}
local path = "%(path)s"
local auth = "%(auth)s"
local tag = "%(tag)s"
local threads = 0
local counter = 0

setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end

init = function(args)
  math.randomseed(id * 7919 + os.time())
end

local function lines()
  -- three different SKUs: a start and a step under half the list
  local n = #skus
  local a, step = math.random(n), math.random(math.floor((n - 1) / 2))
  local out = {}
  for k = 0, 2 do
    out[#out + 1] = string.format('{"sku_code": "%%s", "quantity": %%d, "unit_price_fen": 9900}',
                                  skus[(a - 1 + k * step) %% n + 1], math.random(3))
  end
  return table.concat(out, ", ")
end

request = function()
  counter = counter + 1
  local key = string.format("%%s-%%d-%%d", tag, id, counter)
  local body = string.format('{"external_id": "%%s", "buyer": {"name": "张三", '
    .. '"phone": "139%%08d", "address": {"province": "浙江省", "city": "杭州市", '
    .. '"district": "西湖区", "detail": "文三路 90 号"}}, "lines": [%%s]}',
    key, math.random(0, 99999999), lines())
  return wrk.format("POST", path, {["Authorization"] = auth,
    ["Content-Type"] = "application/json", ["Idempotency-Key"] = key}, body)
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def orders_script(path: str, authorization: str, skus: list[str], tag: str) -> str:
    """Lua for wrk: POST an order of three different SKUs to `path` (e.g.
    /api/v1/shops/SH…/orders) per request."""
    quoted = ", ".join(f'"{sku}"' for sku in skus)
    return ORDERS % {"skus": quoted, "path": path, "auth": authorization, "tag": tag}


def run(url: str, *, threads: int = 2, connections: int = 16, seconds: int = 10,
        script: str = "") -> dict[str, Any]:
    """One wrk run; its figures as a dict (with `rps`)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + DONE)
    try:
        done = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
             "-s", lua.name, url], capture_output=True, text=True, check=False,
            timeout=seconds + 60)
    finally:
        Path(lua.name).unlink()
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
    figures: dict[str, Any] = json.loads(line[4:])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures
