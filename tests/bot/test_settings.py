"""Start-up checks: settings from duban.toml with DUBAN_* variables on top, refused in plain
Chinese when wrong and never showing the token; the example file names every setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import settings as settings_mod
from bot.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def load(tmp_path: Path, toml: str | None = None, **env: str) -> Settings:
    config = tmp_path / "duban.toml"
    if toml is not None:
        config.write_text(toml, encoding="utf-8")
    return settings_mod.load(environ=env, default=config)


def settings_error(tmp_path: Path, toml: str | None = None, **env: str) -> str:
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, toml, **env)
    message = str(caught.value)
    assert CHINESE.search(message), message
    return message


# --- settings -------------------------------------------------------------------------------


def test_the_defaults_without_any_file_or_variable(tmp_path):
    settings = load(tmp_path)
    assert settings.tz == "Asia/Shanghai" and settings.token.get_secret_value() == ""
    assert settings.invite_ttl_days == 7 and settings.supervisor_may_approve is True
    assert settings.revisit_days == (30, 90)


def test_the_file_is_read_and_the_environment_wins(tmp_path):
    toml = """
token = "111:fromfile"
db = "office.db"
office_name = "市委督查室"
invite_ttl_days = 3
supervisor_may_approve = false
leader_chat = -1001234
"""
    settings = load(
        tmp_path,
        toml,
        DUBAN_TOKEN=TOKEN,
        DUBAN_INVITE_TTL_DAYS="10",
        DUBAN_SUPERVISOR_MAY_APPROVE="yes",
    )
    assert settings.token.get_secret_value() == TOKEN  # from the environment
    assert settings.invite_ttl_days == 10
    assert settings.supervisor_may_approve is True
    assert settings.office_name == "市委督查室"  # from the file
    assert settings.db == Path("office.db")
    assert settings.leader_chat == -1001234
    assert settings.require_token() == TOKEN


def test_an_empty_variable_clears_an_optional_setting(tmp_path):
    settings = load(tmp_path, "leader_chat = -100\n", DUBAN_LEADER_CHAT="")
    assert settings.leader_chat is None


def test_duban_config_names_the_file(tmp_path):
    other = tmp_path / "elsewhere.toml"
    other.write_text('office_name = "县委督查室"\n', encoding="utf-8")
    settings = load(tmp_path, 'office_name = "不读这个"\n', DUBAN_CONFIG=str(other))
    assert settings.office_name == "县委督查室"


def test_the_token_never_appears_in_repr(tmp_path):
    settings = load(tmp_path, f'token = "{TOKEN}"\n')
    assert settings.token.get_secret_value() == TOKEN
    for shown in (repr(settings), str(settings), f"{settings}", f"{settings!r}"):
        assert TOKEN not in shown
        assert TOKEN.split(":")[1] not in shown


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "Asia/Beijing", "../etc/passwd"])
def test_an_unknown_time_zone_is_refused(tmp_path, tz):
    assert "时区" in settings_error(tmp_path, f'tz = "{tz}"\n')
    assert "时区" in settings_error(tmp_path, DUBAN_TZ=tz)


def test_an_unknown_key_in_the_file_is_refused(tmp_path):
    message = settings_error(tmp_path, 'tokn = "123"\n')
    assert "未知配置项" in message and "tokn" in message


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    assert "无法读取配置文件" in settings_error(tmp_path, "token = \n")


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"DUBAN_INVITE_TTL_DAYS": "七天"}, "invite_ttl_days"),
        ({"DUBAN_INVITE_TTL_DAYS": "0"}, "invite_ttl_days"),
        ({"DUBAN_SUPERVISOR_MAY_APPROVE": "maybe"}, "supervisor_may_approve"),
        ({"DUBAN_SERIAL_FORMAT": "督办〔{year}〕号"}, "serial_format"),
        ({"DUBAN_REVISIT_DAYS": "30,ninety"}, "revisit_days"),
        ({"DUBAN_REVISIT_DAYS": "0,30"}, "revisit_days"),
        ({"DUBAN_WORK_HOURS": "17:30-09:00"}, "work_hours"),
        ({"DUBAN_TICK_SECONDS": "-1"}, "tick_seconds"),
        ({"DUBAN_BACKUP_TIME": "6pm"}, "backup_time"),
        ({"DUBAN_BACKUP_TIME": "25:00"}, "backup_time"),
        ({"DUBAN_BACKUP_KEEP_DAILY": "0"}, "backup_keep_daily"),
        ({"DUBAN_PACE_CHAT_BURST": "0"}, "pace_chat_burst"),
        ({"DUBAN_TEMPLATE_DIR": "/no/such/folder"}, "模板目录"),
        ({"DUBAN_HOLIDAY_FILE": "/no/such/file.toml"}, "节假日文件"),
    ],
)
def test_bad_values_are_refused_in_chinese(tmp_path, env, fragment):
    assert fragment in settings_error(tmp_path, **env)


@pytest.mark.parametrize(
    "token",
    ["", "987654321", "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "987654321:short", f"{TOKEN} "],
)
def test_a_missing_or_malformed_token_is_refused_when_telegram_is_needed(tmp_path, token):
    settings = load(tmp_path, DUBAN_TOKEN=token)  # loading alone does not need it
    with pytest.raises(SettingsError) as caught:
        settings.require_token()
    message = str(caught.value)
    assert CHINESE.search(message) and "令牌" in message
    if token:
        assert token.strip() not in message  # a wrong token is not echoed either


def test_a_named_config_file_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(SettingsError):
        settings_mod.load(tmp_path / "duban.tmol", environ={})


def test_the_example_file_loads_and_names_every_setting():
    example = ROOT / "duban.example.toml"
    settings = settings_mod.load(example, environ={})
    assert settings.revisit_days == (30, 90) and settings.remind_ladder == (1, 3, 5)
    assert "wps" in settings.attachment_types and settings.work_hours.end.hour == 17
    named = set(re.findall(r"^#? ?([a-z_]+) =", example.read_text(encoding="utf-8"), re.M))
    assert named == set(Settings.model_fields)


def test_lists_read_from_a_file_or_from_a_comma_string(tmp_path):
    settings = load(tmp_path, "revisit_days = [10, 20]\n", DUBAN_REMIND_LADDER="2, 4")
    assert settings.revisit_days == (10, 20) and settings.remind_ladder == (2, 4)
    assert "work_hours" in settings_error(tmp_path, 'work_hours = "18:00-09:00"\n')
