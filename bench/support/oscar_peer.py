"""django-oscar as the peer of bench/ingest.py, in a throwaway virtualenv of its own.

The virtualenv lives in ~/.cache/daifa-bench/oscar-venv (or $XDG_CACHE_HOME/daifa-bench/…),
made on first use with `pip install django-oscar==<OSCAR_VERSION>` and reused while it has that
version; it never touches daifa's. bench/support/oscar_orders.py runs there and reports.
Without a network (pip fails) the peer is skipped with a message, never the benchmark.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

OSCAR_VERSION = "4.2.1"  # the latest 4.x on PyPI when pinned
SCRIPT = Path(__file__).with_name("oscar_orders.py")


def venv_dir() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "daifa-bench" / "oscar-venv"


def _has_oscar(python: Path) -> bool:
    if not python.exists():
        return False
    done = subprocess.run([str(python), "-c", "import oscar; print(oscar.get_version())"],
                          capture_output=True, text=True, check=False)
    return done.returncode == 0 and done.stdout.strip() == OSCAR_VERSION


def ensure_venv() -> tuple[Path | None, str]:
    """The virtualenv's python, or None and why not."""
    venv = venv_dir()
    python = venv / "bin" / "python"
    if _has_oscar(python):
        return python, f"reused {venv}"
    base = getattr(sys, "_base_executable", sys.executable)
    steps = [[base, "-m", "venv", "--clear", str(venv)],
             [str(python), "-m", "pip", "install", "--quiet", f"django-oscar=={OSCAR_VERSION}"]]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, check=False,
                                  timeout=900)
        except subprocess.TimeoutExpired:
            return None, f"`{' '.join(step[:4])}` took over 15 minutes"
        if done.returncode:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return None, f"`{' '.join(step[:4])}` failed: {' / '.join(tail)}"
    return python, f"built {venv}"


def place_orders(count: int) -> tuple[dict[str, Any] | None, str]:
    """Oscar's figures for `count` two-partner orders, or None and why not."""
    python, how = ensure_venv()
    if python is None:
        return None, how
    done = subprocess.run([str(python), str(SCRIPT), str(count)], capture_output=True,
                          text=True, check=False, timeout=1800)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        return None, f"the Oscar script failed: {done.stderr.strip()[-600:]}"
    return json.loads(lines[-1]), how
