"""Boot the installation this folder describes, locally and without systemd, and use it.

    .venv/bin/python deploy/smoke.py [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

The command lines and environment come from the unit files and daifa.env.example themselves,
so the smoke test and the units cannot drift apart. Changed for a local run, and only these:
the executable's directory (this interpreter's, for /opt/daifa/.venv/bin), the API's port (a
free one), and the machine's own settings (DAIFA_DATABASE_URL: a fresh database made here and
dropped at the end; DAIFA_SECRET_KEY; DAIFA_VAR_DIR: a temporary directory; DAIFA_BASE_URL).

It runs daifa-migrate's ExecStart, creates an admin with the CLI, starts daifa-api and two
daifa-worker@ instances, waits for /readyz, binds a supplier to a shop over the API, places an
order, lands an order file in the background (a job a worker must run), then sends SIGTERM to
every process (KillMode=mixed: the main process) and checks each exits with 0 within its
unit's TimeoutStopSec. Exit code 0 when all of that held.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # stands in for the units' /opt/daifa/.venv/bin
PASSWORD = "smoke-test-password"
READY_SECONDS = 90.0
Proc = subprocess.Popen[bytes]


def unit(name: str) -> dict[str, str]:
    """The [Service] settings of a unit file (the last value of a key wins, as in systemd)."""
    settings: dict[str, str] = {}
    section = ""
    for line in (HERE / name).read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings[key.strip()] = value.strip()
    return settings


def command(name: str, **options: str) -> list[str]:
    """A unit's ExecStart, run from this machine's venv, `--option value`s replaced."""
    argv = shlex.split(unit(name)["ExecStart"])
    argv[0] = str(BIN / Path(argv[0]).name)
    for option, value in options.items():
        argv[argv.index(f"--{option}") + 1] = value
    return argv


def stop_seconds(name: str) -> float:
    return float(unit(name).get("TimeoutStopSec", "90"))


def environment(database_url: str, var_dir: Path, base_url: str) -> dict[str, str]:
    """daifa.env.example with this machine's own settings; no DAIFA_ variable of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAIFA_")}
    for line in (HERE / "daifa.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip()
    env.update(DAIFA_DATABASE_URL=database_url, DAIFA_SECRET_KEY=secrets.token_urlsafe(48),
               DAIFA_VAR_DIR=str(var_dir), DAIFA_BASE_URL=base_url)
    return env


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    admin = make_url(admin_url)
    name = f"daifa_smoke_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Installation:
    """The processes of one local boot, their logs in `workdir`."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env, self.workdir = env, workdir
        self.running: dict[str, Proc] = {}

    def run(self, label: str, argv: list[str]) -> None:
        """A oneshot: it must exit with 0."""
        done = subprocess.run(argv, env=self.env, cwd=self.workdir, capture_output=True,
                              timeout=300, check=False)
        if done.returncode != 0:
            fail(f"{label} exited with {done.returncode}:\n{done.stdout.decode()}"
                 f"{done.stderr.decode()}")
        say(f"{label}: ok")

    def start(self, label: str, argv: list[str]) -> None:
        log = (self.workdir / f"{label}.log").open("ab")
        self.running[label] = subprocess.Popen(
            argv, env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        say(f"{label}: started ({shlex.join(argv)})")

    def stop(self, label: str, within: float) -> None:
        """SIGTERM to the main process, as KillMode=mixed sends it; exit 0 within `within`."""
        proc = self.running.pop(label)
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=within)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            fail(f"{label} did not exit within {within:g} s of SIGTERM\n{self.log(label)}")
        if code != 0:
            fail(f"{label} exited with {code} after SIGTERM\n{self.log(label)}")
        say(f"{label}: stopped cleanly in {time.monotonic() - began:.1f} s")

    def kill_all(self) -> None:
        for proc in self.running.values():
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def log(self, label: str, lines: int = 30) -> str:
        path = self.workdir / f"{label}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def fail(message: str) -> None:
    raise SystemExit(f"smoke: FAILED: {message}")


def wait_ready(base_url: str, boot: Installation) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if boot.running["daifa-api"].poll() is not None:
            fail(f"daifa-api exited\n{boot.log('daifa-api')}")
        with suppress(httpx.TransportError):
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                say("/readyz: 200")
                return
        time.sleep(0.2)
    fail(f"/readyz did not answer 200 within {READY_SECONDS:g} s\n{boot.log('daifa-api')}")


def ok(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        fail(f"{response.request.method} {response.request.url.path}: "
             f"{response.status_code} {response.text[:500]}")
    return response.json()


def bearer(http: httpx.Client, login: str, *, signup: bool = True) -> dict[str, str]:
    if signup:
        ok(http.post("/auth/signup", json={"login": login, "password": PASSWORD,
                                            "display_name": login}), 201)
    token = ok(http.post("/auth/token", json={"login": login, "password": PASSWORD}))
    return {"Authorization": f"Bearer {token['access_token']}"}


def bound_shop(http: httpx.Client) -> tuple[str, dict[str, str]]:
    """A shop whose every order goes to one active, bound supplier that ships TEE-RED."""
    admin, merchant, owner = (bearer(http, "smoke-admin", signup=False),
                              bearer(http, "smoke-merchant"), bearer(http, "smoke-supplier"))
    shop_id = ok(http.post("/shops", json={"name": "冒烟测试店"}, headers=merchant), 201)["shop_id"]
    supplier_id = ok(http.post("/suppliers", headers=owner, json={
        "name": "冒烟测试供应商", "contact_phone": "13812345678"}), 201)["supplier_id"]
    ok(http.post(f"/admin/suppliers/{supplier_id}/approve", headers=admin))
    token = ok(http.post(f"/shops/{shop_id}/invitations", headers=merchant), 201)["token"]
    ok(http.post(f"/invitations/{token}/accept", json={"supplier_id": supplier_id},
                 headers=owner))
    ok(http.post(f"/suppliers/{supplier_id}/products", headers=owner, json={
        "spu_code": "X-TEE", "title": "T 恤", "skus": [
            {"sku_code": "X-TEE-RED", "supply_price_fen": 1000}]}), 201)
    ok(http.post(f"/shops/{shop_id}/products", headers=merchant, json={
        "spu_code": "TEE", "title": "T 恤", "skus": [{"sku_code": "TEE-RED", "price_fen": 5900,
            "sources": [{"supplier_id": supplier_id, "sku_code": "X-TEE-RED"}]}]}), 201)
    ok(http.put(f"/shops/{shop_id}/dispatch-settings", headers=merchant,
                json={"mode": "whole_store", "default_supplier_id": supplier_id}))
    return shop_id, merchant


ORDER_FILE = ("external_id,buyer_name,buyer_phone,province,city,district,address_detail,"
              "sku_code,quantity,unit_price_fen\n"
              "SMOKE-FILE-1,李四,13912345678,浙江省,杭州市,西湖区,文三路 90 号,TEE-RED,2,5900\n")


def use(base_url: str) -> None:
    """Place an order, then have a worker land an order file; both routed to the supplier."""
    with httpx.Client(base_url=f"{base_url}/api/v1", timeout=30) as http:
        shop_id, merchant = bound_shop(http)
        order = ok(http.post(f"/shops/{shop_id}/orders", headers=merchant, json={
            "external_id": "SMOKE-1", "lines": [
                {"sku_code": "TEE-RED", "quantity": 1, "unit_price_fen": 5900}],
            "buyer": {"name": "张三", "phone": "13912345678", "address": {
                "province": "浙江省", "city": "杭州市", "district": "西湖区",
                "detail": "文三路 90 号"}}}), 201)
        if order["unassigned_lines"]:
            fail(f"the order was not routed: {order['unassigned_lines']}")
        say(f"order {order['order_id']} placed and routed")
        queued = http.post(f"/shops/{shop_id}/orders:import", params={"background": "true"},
                           headers=merchant, files={"file": ("orders.csv", ORDER_FILE.encode())})
        location = ok(queued, 202) and queued.headers["Location"].removeprefix("/api/v1")
        wait_landed(http, location, merchant)


def wait_landed(http: httpx.Client, location: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = ok(http.get(location, headers=headers))
        if state["status"] == "done":
            created = state["result"]["summary"]["orders_created"]
            if created != 1:
                fail(f"the background import created {created} orders: {state['result']}")
            say("background import landed by a worker: 1 order created")
            return
        if state["status"] == "failed":
            fail(f"the background import failed: {state['error']}")
        time.sleep(0.2)
    fail("no worker landed the background import within 60 s")


def boot(env: dict[str, str], workdir: Path, port: int) -> None:
    installation = Installation(env, workdir)
    try:
        installation.run("daifa-migrate", command("daifa-migrate.service"))
        installation.run("admin", [str(BIN / "daifa"), "admin", "create", "--login",
                                   "smoke-admin", "--password", PASSWORD])
        installation.start("daifa-api", command("daifa-api.service", port=str(port)))
        for instance in ("1", "2"):
            installation.start(f"daifa-worker@{instance}", command("daifa-worker@.service"))
        wait_ready(f"http://127.0.0.1:{port}", installation)
        use(f"http://127.0.0.1:{port}")
        for label in list(installation.running):
            service = "daifa-worker@.service" if "@" in label else f"{label}.service"
            installation.stop(label, stop_seconds(service))
    finally:
        installation.kill_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default=os.environ.get(
        "DAIFA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
                        help="a PostgreSQL database to create the fresh one from")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="daifa-smoke-") as tmp, \
            fresh_database(args.admin_url) as database_url:
        workdir = Path(tmp)
        boot(environment(database_url, workdir / "var", f"http://127.0.0.1:{port}"), workdir,
             port)
    say("passed")


if __name__ == "__main__":
    main()
