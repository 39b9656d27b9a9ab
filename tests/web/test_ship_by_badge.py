"""The ship-by date turns late exactly where the worker's sweep would flag the dispatch order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from daifa.dispatch.states import LATE_STATUSES, DispatchStatus
from daifa.web import i18n
from daifa.web.render import make_env

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _badge(status: DispatchStatus, *, late: bool = False) -> str:
    env = make_env(i18n.load_all()["en"], ZoneInfo("Asia/Shanghai"))
    forms = env.get_template("fulfilment/_forms.html").make_module()
    order = SimpleNamespace(status=status.value, late=late, ship_by=NOW - timedelta(hours=1))
    return str(forms.ship_by(order, NOW))  # type: ignore[attr-defined]


@pytest.mark.parametrize("status", list(DispatchStatus))
def test_past_ship_by_shows_late_only_where_the_worker_flags(status: DispatchStatus) -> None:
    assert ('data-late="1"' in _badge(status)) == (status in LATE_STATUSES)


def test_a_pending_cancel_request_is_not_shown_late_before_the_flag() -> None:
    assert 'data-late="1"' not in _badge(DispatchStatus.CANCEL_REQUESTED)
    assert 'data-late="1"' in _badge(DispatchStatus.CANCEL_REQUESTED, late=True)
