"""The web ledger's settings: off by default, checked at start-up, one address for links."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load


def test_the_web_ledger_is_off_unless_a_port_is_set():
    settings = load(environ={})
    assert settings.web_port is None and settings.web_base == ""
    on = load(environ={"DUBAN_WEB_PORT": "8080", "DUBAN_WEB_HOST": "0.0.0.0"})
    assert on.web_base == "http://0.0.0.0:8080"
    public = load(environ={"DUBAN_WEB_PORT": "8080", "DUBAN_WEB_URL": "https://db.gov.cn/"})
    assert public.web_base == "https://db.gov.cn"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DUBAN_WEB_PORT", "70000", "web_port"),
        ("DUBAN_WEB_PORT", "http", "web_port"),
        ("DUBAN_WEB_URL", "duban.gov.cn", "web_url"),
        ("DUBAN_WEB_URL", "javascript:alert(1)", "web_url"),
    ],
)
def test_a_bad_web_setting_is_one_clear_line(name, value, says):
    with pytest.raises(SettingsError, match=says):
        load(environ={name: value})
