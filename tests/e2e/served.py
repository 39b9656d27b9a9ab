"""A real `daifa serve` in a process group of its own, to SIGKILL whole and start again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import httpx

READY_SECONDS = 60.0  # a cold start on a loaded two-core machine takes a few seconds
STARTS = 3  # attempts per (re)start before the server counts as one that cannot come back


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, workdir: Path) -> dict[str, str]:
    """The environment without the caller's DAIFA_ settings, so only these reach the server."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("DAIFA_")}
    env.update(DAIFA_DATABASE_URL=database_url, DAIFA_SECRET_KEY="kill9-secret-key",
               DAIFA_VAR_DIR=str(workdir / "var"), DAIFA_PASSWORD_PROFILE="cheapest")
    return env


class Server:
    """`daifa serve` on a fixed port; `kill` takes down the supervisor and its workers at once."""

    def __init__(self, database_url: str, workdir: Path, *, workers: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.workdir = workdir
        self.env = server_env(database_url, workdir)
        self.log_path = workdir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.failed_starts = 0

    def start(self) -> float:
        """Start and wait until it answers; the seconds that took. A start that dies (the port
        still held by a dying worker, say) is tried again, up to STARTS times."""
        began = time.monotonic()
        for _ in range(STARTS):
            self._spawn()
            if self._answers():
                return time.monotonic() - began
            self.failed_starts += 1
            self.kill()
        raise AssertionError(f"daifa serve did not come back:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the whole process group (uvicorn's workers too) and wait until it is gone."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.02)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _spawn(self) -> None:
        # The console script beside this interpreter: the venv's own `daifa`.
        command = [str(Path(sys.executable).with_name("daifa")), "serve", "--host", "127.0.0.1",
                   "--port", str(self.port), "--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(command, env=self.env, cwd=self.workdir, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)

    def _answers(self) -> bool:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            with suppress(httpx.TransportError):
                if httpx.get(f"{self.base_url}/api/v1/auth/me", timeout=2).status_code == 401:
                    return True
            time.sleep(0.05)
        return False


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (zombies, awaiting their reaper, do not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False
