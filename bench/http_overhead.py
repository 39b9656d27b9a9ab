"""HTTP overhead: what daifa's server costs before any domain work, next to a bare FastAPI app.

(Not named http.py: a bench/http.py would shadow the standard library's `http` package for
every script in bench/, whose own folder comes first on sys.path.)

Starts `daifa serve` (the real CLI, one process) on a temporary SQLite database migrated with
`daifa db upgrade` and seeded with `daifa demo seed`, and a bare FastAPI app (one async route,
written to a temporary file) under `uvicorn.run` with the same server options: those of
`daifa.app.SERVER_OPTIONS` when that name exists (a dict of uvicorn.run keywords such as loop
and http), else uvicorn's defaults (it says which); both log at info with access lines, as
`daifa serve` does. Then `wrk -t2 -c16 -d10s --latency`, alternating targets round by round:
the bare route, a trivial 404 under /api/v1 (GET /api/v1/nope), GET /openapi.json, and
GET /healthz when it answers 200, each round against freshly started servers (so a server
stopped by something else on the machine costs one round, and the log says so). Prints
requests/s (best and median of the rounds) and p99 of each, the load average, and the 404's
rate as a share of the bare app's. Target: ≥ 0.60.

    .venv/bin/python bench/http_overhead.py [--rounds 3] [--seconds 10]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from support import wrk
from support.servers import free_port, stop, wait_until_up

BIN = Path(sys.executable).parent
BARE = textwrap.dedent('''
    """A bare FastAPI app: one async route, served like daifa (options as JSON in argv)."""
    import json
    import sys

    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()


    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}


    if __name__ == "__main__":
        options = json.loads(sys.argv[2])
        uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info", **options)
''')


def server_options() -> tuple[dict[str, Any], str]:
    try:
        from daifa.app import SERVER_OPTIONS  # type: ignore[attr-defined]
    except ImportError:
        return {}, "daifa.app.SERVER_OPTIONS does not exist: uvicorn's defaults for both"
    options = dict(SERVER_OPTIONS)
    return options, f"daifa.app.SERVER_OPTIONS for both: {options}"


@dataclass
class Running:
    base: str
    process: subprocess.Popen[bytes]
    log: Path


@contextlib.contextmanager
def started(command: list[str], env: dict[str, str], log: Path) -> Iterator[Running]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen([*command[:1], *[a.replace("{port}", str(port))
                                                    for a in command[1:]]],
                                   env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    running = Running(f"http://127.0.0.1:{port}", process, log)
    try:
        if not wait_until_up(running.base, process):
            print(f"{command[0]} did not start:\n{log.read_text(errors='replace')[-3000:]}")
            raise SystemExit(2)
        yield running
    finally:
        stop(process)


def prepare(tmp: Path) -> dict[str, str]:
    """A migrated SQLite database with the demo data, via the real CLI."""
    env = {**os.environ, "DAIFA_DATABASE_URL": f"sqlite:///{tmp}/http.db",
           "DAIFA_SECRET_KEY": "http-secret", "DAIFA_VAR_DIR": str(tmp)}
    for step in (["db", "upgrade"], ["demo", "seed"]):
        done = subprocess.run([str(BIN / "daifa"), *step], env=env, capture_output=True,
                              text=True, check=False)
        if done.returncode:
            raise SystemExit(f"daifa {' '.join(step)} failed:\n{done.stdout}\n{done.stderr}")
    return env


def targets(bare: str, daifa: str) -> dict[str, str]:
    found = {"bare app GET /ping": bare + "/ping",
             "daifa 404 GET /api/v1/nope": daifa + "/api/v1/nope",
             "daifa GET /openapi.json": daifa + "/openapi.json"}
    with contextlib.suppress(httpx.HTTPError):
        if httpx.get(daifa + "/healthz", timeout=5).status_code == 200:
            found["daifa GET /healthz"] = daifa + "/healthz"
    return found


def one_round(urls: dict[str, str], seconds: int, servers: list[Running],
              runs: dict[str, list[dict[str, Any]]]) -> None:
    """wrk on each target in turn; if a server went away (something else on the machine may
    stop it), say which and leave the rest of the round out."""
    for name, url in urls.items():
        try:
            runs.setdefault(name, []).append(
                wrk.run(url, threads=2, connections=16, seconds=seconds))
        except SystemExit as failed:
            print(f"  {name}: {str(failed).strip()}")
            for server in servers:
                if server.process.poll() is not None:
                    print(f"  the server at {server.base} exited ({server.process.returncode})"
                          f"; its log ends:\n{server.log.read_text(errors='replace')[-600:]}")
            return


def measure(tmp: Path, env: dict[str, str], options: dict[str, Any],
            args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """Rounds of wrk runs, each round against freshly started servers."""
    (tmp / "floor_app.py").write_text(BARE)
    bare_command = [sys.executable, str(tmp / "floor_app.py"), "{port}", json.dumps(options)]
    daifa_command = [str(BIN / "daifa"), "serve", "--host", "127.0.0.1", "--port", "{port}"]
    runs: dict[str, list[dict[str, Any]]] = {}
    for number in range(args.rounds):
        with started(bare_command, env, tmp / "bare.log") as bare, \
                started(daifa_command, env, tmp / "daifa.log") as daifa:
            one_round(targets(bare.base, daifa.base), args.seconds, [bare, daifa], runs)
        print(f"  round {number + 1} of {args.rounds} done (load average "
              f"{os.getloadavg()[0]:.1f})", flush=True)
    return runs


def report(runs: dict[str, list[dict[str, Any]]]) -> None:
    print(f"  {'target':<28} {'best req/s':>11} {'median':>9} {'p99 ms (median)':>16}  other")
    rates: dict[str, tuple[float, float]] = {}
    for name, results in runs.items():
        if not results:
            continue
        best = max(r["rps"] for r in results)
        median = statistics.median(r["rps"] for r in results)
        p99 = statistics.median(r["p99_ms"] for r in results)
        odd = sum(r["bad_status"] for r in results)
        note = f"{odd:,} non-2xx answers" if odd and "404" not in name else ""
        print(f"  {name:<28} {best:>11,.0f} {median:>9,.0f} {p99:>16.1f}  {note}")
        rates[name] = (best, median)
    if "bare app GET /ping" not in rates or "daifa 404 GET /api/v1/nope" not in rates:
        return
    bare, nope = rates["bare app GET /ping"], rates["daifa 404 GET /api/v1/nope"]
    for label, index in (("best", 0), ("median", 1)):
        share = nope[index] / bare[index]
        verdict = "meets" if share >= 0.60 else "BELOW"
        print(f"  the 404 as a share of the bare app ({label} vs {label}): {share:.2f} — "
              f"{verdict} the 0.60 target")
    if "daifa GET /healthz" not in runs:
        print("  GET /healthz does not answer 200: not measured")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not wrk.available():
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    options, how = server_options()
    print(f"http overhead ({time.strftime('%Y-%m-%d %H:%M:%S')}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; wrk -t2 -c16 "
          f"-d{args.seconds}s, {args.rounds} rounds):")
    print(f"  server options: {how}")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        runs = measure(tmp, prepare(tmp), options, args)
    report(runs)
    print(f"  load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
