"""The tracking sandbox marks every parcel delivered on a schedule, so it is off unless asked
for, and while it is on every console page says deliveries are simulated."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.web.conftest import Visitor, text_of

from daifa.config import Settings

NOTICE = 'data-testid="sandbox-notice"'


@pytest.fixture(params=[False, True], ids=["sandbox-off", "sandbox-on"])
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    return settings.model_copy(update={"tracking_sandbox": request.param})


def test_the_sandbox_is_off_unless_switched_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAIFA_TRACKING_SANDBOX", raising=False)
    assert Settings(_env_file=None).tracking_sandbox is False  # type: ignore[call-arg]
    monkeypatch.setenv("DAIFA_TRACKING_SANDBOX", "true")
    assert Settings(_env_file=None).tracking_sandbox is True  # type: ignore[call-arg]


def test_the_notice_shows_only_while_the_sandbox_is_on(settings: Settings,
                                                        person: Callable[[], Visitor]) -> None:
    someone = person()
    home = someone.get("/")
    assert (NOTICE in home.text) is settings.tracking_sandbox
    assert ("配送为模拟" in text_of(home)) is settings.tracking_sandbox
    someone.get("/locale/en")
    english = someone.get("/")
    assert ("Deliveries are simulated" in text_of(english)) is settings.tracking_sandbox
