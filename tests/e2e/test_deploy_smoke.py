"""deploy/smoke.py: the installation deploy/ describes (its unit files' command lines and
environment) boots against PostgreSQL, migrates, serves, runs jobs and stops cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.fault


@pytest.mark.skipif(not POSTGRES_URL, reason="the deployment is PostgreSQL's: set "
                                             "DAIFA_TEST_POSTGRES_URL")
def test_the_deployed_installation_boots_serves_runs_jobs_and_stops_cleanly() -> None:
    assert POSTGRES_URL
    done = subprocess.run([sys.executable, str(ROOT / "deploy" / "smoke.py"), "--admin-url",
                           POSTGRES_URL], capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smoke: passed" in done.stdout
