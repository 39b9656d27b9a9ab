"""What every browser test needs: Debian's chromium, and the real app served on a free port.

The app runs under uvicorn in a background thread on 127.0.0.1, against a migrated temporary
SQLite database. Without /usr/bin/chromium a test is skipped, unless DAIFA_REQUIRE_BROWSER=1
makes that a failure (CI sets it). Screenshots go to pytest's tmp dir, or DAIFA_SCREENSHOT_DIR.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from fastapi import FastAPI

from daifa.app import create_app
from daifa.config import Settings
from daifa.db.migrate import upgrade

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
W = TypeVar("W")


def require_browser() -> None:
    """Skip without a browser, unless the run insists on one (CI sets DAIFA_REQUIRE_BROWSER)."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed"
    if problem is None:
        return
    if os.environ.get("DAIFA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser test required (DAIFA_REQUIRE_BROWSER=1) but {problem}")
    pytest.skip(f"browser test skipped: {problem}")


@contextmanager
def served(work: Path, seed: Callable[[Settings, FastAPI], W]) -> Iterator[W]:
    """Migrate a database in `work`, seed it through the app, serve the app until the end."""
    require_browser()
    database_url = f"sqlite:///{work / 'daifa.db'}"
    upgrade(database_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    settings = Settings(database_url=database_url, secret_key="browser-test-secret",
                        base_url=f"http://127.0.0.1:{sock.getsockname()[1]}", var_dir=work,
                        password_profile="cheapest")
    app = create_app(settings)
    world = seed(settings, app)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield world
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.hub.db.dispose()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def screenshot_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DAIFA_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
