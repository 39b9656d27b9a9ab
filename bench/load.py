"""A mixed load test with budgets: locust users against a real `daifa serve`.

Seeds a world through the API in process (bench/support/load_seed.py: 3 shops, 4 suppliers
bound to each, catalogs, by-product rules, 150 orders a shop, a third of the dispatch orders
shipped), starts the real CLI `daifa serve` as a subprocess on SQLite (one process) or on a
fresh PostgreSQL database (`--api-workers N`, created and dropped), and runs
`locust --headless` (bench/support/load_users.py, FastHttpUser) for `--seconds`. The mix by
weight: 60 % reads by shops and suppliers (orders, dispatch orders, products, bindings), 20 %
order ingestion with Idempotency-Key, 10 % shipping (accept, then ship with a tracking number),
10 % timelines and the supplier's work queue. Users wait `--wait` seconds at most between tasks
(0: as fast as they can, the machine's capacity).

Prints requests/s, the failure ratio (409/422/429 are intended answers, not failures),
p50/p95/p99 per kind, the server's CPU seconds per request (the serving process and its worker
children, from /proc via psutil), the load average, a baseline (a trivial 404 with wrk against
the same server, just before), and the budgets as PASS/FAIL:

- PostgreSQL, 2 API processes: failure ratio < 0.1 %, reads p99 < 300 ms, writes p99 < 800 ms.
- SQLite, 20 users: no "database is locked" surfaced as a 5xx (5xx counted, the server's log
  scanned for the phrase).

Exits 2 if the server does not start; otherwise 0 whatever the budgets say (a benchmark).

    .venv/bin/python bench/load.py [--seconds 60] [--users 20] [--wait 0]
    .venv/bin/python bench/load.py --database postgresql --api-workers 2
        (PostgreSQL at DAIFA_BENCH_POSTGRES_URL, DAIFA_TEST_POSTGRES_URL or --postgres-url)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).parent))
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from support.databases import postgres_database  # noqa: E402
from support.load_seed import seed  # noqa: E402
from support.servers import free_port, stop, wait_until_up  # noqa: E402

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
KINDS = ("read", "ingest", "ship", "timeline")
LOCKED = "database is locked"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def cpu_seconds(self) -> float:
        """User + system CPU of the serving process and all its children alive now."""
        total = 0.0
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(self.process.pid)
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    times = proc.cpu_times()
                    total += times.user + times.system
        return total

    def processes(self) -> int:
        return 1 + len(psutil.Process(self.process.pid).children(recursive=True))


@contextlib.contextmanager
def serve(url: str, var_dir: Path, workers: int) -> Iterator[Server]:
    """`daifa serve` (the real CLI) on a free port; exits 2 with its log if it does not start."""
    port = free_port()
    env = {**os.environ, "DAIFA_DATABASE_URL": url, "DAIFA_SECRET_KEY": "load-secret",
           "DAIFA_VAR_DIR": str(var_dir)}
    log = var_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "daifa"), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)], env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        if not wait_until_up(server.base, process):
            tail = log.read_text(errors="replace")[-3000:]
            print(f"the server did not start (exit code {process.poll()}):\n{tail}")
            raise SystemExit(2)
        time.sleep(1.0 if workers > 1 else 0.2)  # let every worker come up
        yield server
    finally:
        stop(process)


def baseline(base: str) -> str:
    """A trivial 404 with wrk for 3 s against the same server: what it answers when idle."""
    if not shutil.which("wrk"):
        return "wrk not installed: no baseline"
    out = subprocess.run(["wrk", "-t1", "-c8", "-d3s", base + "/api/v1/nope"],
                         capture_output=True, text=True, check=False).stdout
    rate = next((line.split()[1] for line in out.splitlines()
                 if line.startswith("Requests/sec")), "?")
    return f"a trivial 404 (GET /api/v1/nope), wrk 8 connections 3 s: {rate} requests/s"


def run_locust(base: str, world: dict[str, Any], args: argparse.Namespace,
               tmp: Path) -> dict[str, Any]:
    seed_file, out_file = tmp / "seed.json", tmp / "locust-out.json"
    seed_file.write_text(json.dumps(world))
    env = {**os.environ, "DAIFA_LOAD_SEED": str(seed_file), "DAIFA_LOAD_OUT": str(out_file),
           "DAIFA_LOAD_WAIT": str(args.wait)}
    command = [str(BIN / "locust"), "-f", str(HERE / "support" / "load_users.py"),
               "--headless", "--host", base, "-u", str(args.users), "-r", str(args.users),
               "-t", f"{args.seconds}s", "--only-summary", "--loglevel", "WARNING",
               "--exit-code-on-error", "0", "--stop-timeout", "5"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False,
                          cwd=tmp)
    if not out_file.exists():
        raise SystemExit(f"locust wrote no results (exit {done.returncode}):\n"
                         f"{done.stderr[-3000:]}")
    return json.loads(out_file.read_text())  # type: ignore[no-any-return]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    if len(samples) < 2:
        value = samples[0] if samples else float("nan")
        return value, value, value
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    counts = result["counts"]
    total = sum(c.get("requests", 0) for c in counts.values())
    failures = sum(c.get("failures", 0) for c in counts.values())
    return {
        "requests": total, "rps": total / max(result["seconds"], 1e-9),
        "failures": failures, "failure_ratio": failures / max(total, 1),
        "intended": sum(c.get("intended", 0) for c in counts.values()),
        "5xx": sum(c.get("5xx", 0) for c in counts.values()),
        "kinds": {kind: (counts[kind].get("requests", 0), *percentiles(result["samples"][kind]))
                  for kind in KINDS},
    }


def print_table(summary: dict[str, Any], cpu: float, processes: int) -> None:
    print(f"  requests: {summary['requests']:,} in the run, {summary['rps']:,.0f}/s overall")
    print(f"  failures: {summary['failures']:,} ({summary['failure_ratio']:.3%}), 5xx: "
          f"{summary['5xx']:,}; intended 409/422/429 (counted as success): "
          f"{summary['intended']:,}")
    print(f"  {'kind':<9} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, (count, p50, p95, p99) in summary["kinds"].items():
        print(f"  {kind:<9} {count:>9,} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")
    per = cpu / max(summary["requests"], 1) * 1000
    print(f"  server CPU: {cpu:.1f} s over {processes} process(es), {per:.2f} ms per request")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def budgets(summary: dict[str, Any], args: argparse.Namespace, log: Path) -> None:
    kinds = summary["kinds"]
    reads_p99 = max(kinds["read"][3], kinds["timeline"][3])
    writes_p99 = max(kinds["ingest"][3], kinds["ship"][3])
    if args.database == "postgresql":
        note = ("" if args.api_workers == 2
                else f" (set for 2 API processes; ran {args.api_workers})")
        print(f"  budgets, PostgreSQL{note}:")
        print(f"    failure ratio {summary['failure_ratio']:.3%} < 0.1 %: "
              f"{verdict(summary['failure_ratio'] < 0.001)}")
        print(f"    reads p99 {reads_p99:.0f} ms < 300 ms: {verdict(reads_p99 < 300)}")
        print(f"    writes p99 {writes_p99:.0f} ms < 800 ms: {verdict(writes_p99 < 800)}")
        return
    locked = log.read_text(errors="replace").count(LOCKED)
    note = "" if args.users == 20 else f" (set for 20 users; ran {args.users})"
    print(f"  budgets, SQLite{note}:")
    print(f"    5xx answers: {summary['5xx']}, '{LOCKED}' in the server log: {locked} — zero "
          f"of both: {verdict(summary['5xx'] == 0 and locked == 0)}")


def database(args: argparse.Namespace, tmp: Path) -> contextlib.AbstractContextManager[str]:
    if args.database == "sqlite":
        return contextlib.nullcontext(f"sqlite:///{tmp}/load.db")
    return postgres_database(args.postgres_url)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--wait", type=float, default=0.0,
                        help="most seconds a user waits between tasks (0: none)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--api-workers", type=int, default=None,
                        help="daifa serve --workers (1 on SQLite; default 2 on PostgreSQL)")
    parser.add_argument("--postgres-url", default=os.environ.get("DAIFA_BENCH_POSTGRES_URL")
                        or os.environ.get("DAIFA_TEST_POSTGRES_URL") or DEFAULT_POSTGRES)
    parser.add_argument("--shops", type=int, default=3)
    parser.add_argument("--suppliers", type=int, default=4)
    parser.add_argument("--orders", type=int, default=150, help="orders seeded per shop")
    args = parser.parse_args()
    if args.api_workers is None or args.database == "sqlite":
        args.api_workers = 2 if args.database == "postgresql" else 1
    return args


def main() -> None:
    args = parse()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"load ({stamp}; {args.database}, {args.api_workers} API process(es), {args.users} "
          f"users, {args.seconds} s, wait ≤ {args.wait} s; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    with tempfile.TemporaryDirectory() as name, database(args, Path(name)) as url:
        tmp = Path(name)
        world = seed(url, tmp, shops=args.shops, suppliers=args.suppliers, orders=args.orders)
        with serve(url, tmp, args.api_workers) as server:
            print(f"  baseline: {baseline(server.base)}")
            processes = server.processes()
            before = server.cpu_seconds()
            result = run_locust(server.base, world.as_json(), args, tmp)
            cpu = server.cpu_seconds() - before
            if server.process.poll() is not None:
                print(f"  THE SERVER EXITED during the run ({server.process.returncode}; -15 is "
                      "a SIGTERM from outside): the figures below are not the server's")
        summary = summarise(result)
        print_table(summary, cpu, processes)
        print(f"  load average after: {os.getloadavg()[0]:.1f} (1 min), "
              f"{os.getloadavg()[1]:.1f} (5 min)")
        budgets(summary, args, server.log)


if __name__ == "__main__":
    main()
