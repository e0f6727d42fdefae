"""One frozen Settings object: `duban.toml` first, then `DUBAN_*` environment variables on top.

Settings are validated once at start-up (pydantic-settings) so that a typo fails with one clear
Chinese line instead of surfacing at 09:00 on a Monday. The token is a `SecretStr`: it never
reaches a `repr()` or a log. Lists are real lists in the file (`revisit_days = [30, 90]`); in
the environment they are comma strings (`DUBAN_REVISIT_DAYS=30,90`), as are the older files'.

Building `Settings(...)` directly (tests, the demo, benches) reads nothing but its arguments;
only `load()` reads the file and the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from domain.policy import Rules
from domain.workdays import Hours

TELEGRAM_API_URL = "https://api.telegram.org/bot"
TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,}$")
PREFIX = "DUBAN_"


class SettingsError(Exception):
    """A configuration problem, worded for the person starting the bot."""


def _listed(value: object) -> object:
    """Comma strings (the environment, older files) become lists; lists pass."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _hours(value: object) -> object:
    return Hours.parse(value) if isinstance(value, str) else value


def _extensions(values: frozenset[str]) -> frozenset[str]:
    return frozenset(v.lower().lstrip(".") for v in values)


def _web_address(url: str) -> str:
    if url and not re.match(r"^https?://[^\s/]+", url):
        raise ValueError("web_url 应形如 https://duban.example.gov.cn")
    return url


UserPath = Annotated[Path, AfterValidator(Path.expanduser)]
Days = Annotated[tuple[int, ...], NoDecode, BeforeValidator(_listed)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        frozen=True,
        extra="forbid",
        arbitrary_types_allowed=True,
    )

    token: SecretStr = SecretStr("")
    db: UserPath = Path("duban.db")
    tz: str = "Asia/Shanghai"
    leader_chat: int | None = None
    api_url: str = TELEGRAM_API_URL
    file_url: str = ""
    bot_username: str = ""
    office_name: str = "督查室"
    template_dir: UserPath | None = None
    letter_template: UserPath | None = None  # the office's own .docx for 督办函 and 任务书
    holiday_file: UserPath | None = None
    invite_ttl_days: int = Field(default=7, ge=1)
    supervisor_may_approve: bool = True
    serial_format: str = "督办〔{year}〕{n}号"
    page_size: int = 8
    revisit_days: Days = (30, 90)
    attachments_dir: UserPath | None = None
    attachment_types: Annotated[
        frozenset[str], NoDecode, BeforeValidator(_listed), AfterValidator(_extensions)
    ] = frozenset(
        [
            "pdf",
            "doc",
            "docx",
            "xls",
            "xlsx",
            "ppt",
            "pptx",
            "wps",
            "et",
            "txt",
            "jpg",
            "jpeg",
            "png",
            "zip",
            "rar",
        ]
    )
    max_attachment_mb: int = 20
    font_path: UserPath | None = None
    work_hours: Annotated[Hours, BeforeValidator(_hours)] = Hours()
    tick_seconds: int = Field(default=60, ge=0)  # 0: no automatic tick
    lease_seconds: int = Field(default=60, ge=1)  # `duban run` holds the database; silent → stale
    backup_time: time = time(18, 0)  # each working day, after this moment, one backup
    backup_dir: UserPath | None = None
    backup_keep_daily: int = Field(default=14, ge=1)
    backup_keep_monthly: int = Field(default=24, ge=0)
    log_file: UserPath | None = None  # also log here, rotated (5 × 10 MB); stderr always
    remind_ladder: Days = (1, 3, 5)  # working days after falling due of each reminder
    remind_leader_after: int = Field(default=5, ge=0)  # working days from escalation to the channel
    remind_responsible_due: int = Field(default=5, ge=0)
    remind_report_before: int = 1
    remind_deadline_warn: Days = (3, 1)
    # Telegram's flood limits, which every message the bot sends is paced to (bot/pacer.py)
    pace_per_second: int = Field(default=30, ge=1)
    pace_chat_per_second: int = Field(default=1, ge=1)  # per private chat, on average
    pace_chat_burst: int = Field(default=3, ge=1)  # per private chat, at once
    pace_group_per_minute: int = Field(default=20, ge=1)
    # the web ledger is served only when set
    web_port: int | None = Field(default=None, gt=0, lt=65536)
    web_host: str = "127.0.0.1"
    web_url: Annotated[str, AfterValidator(_web_address)] = ""  # https: a Mini App button too

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = _SOURCES.get()
        if sources is None:
            return (init_settings,)
        environ, config = sources
        found: tuple[PydanticBaseSettingsSource, ...] = (_Environment(settings_cls, environ),)
        if config is not None:
            found += (TomlConfigSettingsSource(settings_cls, toml_file=config),)
        return found

    @model_validator(mode="before")
    @classmethod
    def _empty_clears(cls, values: Any) -> Any:
        """An empty value (DUBAN_LEADER_CHAT=) clears an optional setting, else means default."""
        if not isinstance(values, dict):
            return values
        empty = [k for k, v in values.items() if v == "" and k in cls.model_fields]
        for name in empty:
            field = cls.model_fields[name]
            if field.default is None:
                values[name] = None
            elif field.annotation is not str:
                del values[name]
        return values

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, tz: str) -> str:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知的时区：{tz}（例如 Asia/Shanghai）") from None
        return tz

    @field_validator("serial_format")
    @classmethod
    def _numbered(cls, text: str) -> str:
        if "{n}" not in text:
            raise ValueError("serial_format 必须包含 {n}（例如 督办〔{year}〕{n}号）。")
        return text

    @field_validator("revisit_days")
    @classmethod
    def _after_closing(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 1 for d in days):
            raise ValueError("revisit_days 中的天数必须大于 0")
        return days

    @field_validator("remind_ladder")
    @classmethod
    def _rising(cls, ladder: tuple[int, ...]) -> tuple[int, ...]:
        if not ladder or any(d < 1 for d in ladder) or list(ladder) != sorted(set(ladder)):
            raise ValueError("remind_ladder 应为递增的工作日数，例如 1,3,5")
        return ladder

    @model_validator(mode="after")
    def _files_exist(self) -> Settings:
        if self.template_dir is not None and not self.template_dir.is_dir():
            raise ValueError(f"模板目录不存在：{self.template_dir}")
        letter = self.letter_template
        if letter is not None and (not letter.is_file() or letter.suffix.lower() != ".docx"):
            raise ValueError(f"督办函模板不存在或不是 .docx 文件：{letter}")
        if self.holiday_file is not None and not self.holiday_file.is_file():
            raise ValueError(f"节假日文件不存在：{self.holiday_file}")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def base_file_url(self) -> str:
        """PTB's base_file_url: derived from api_url unless set, so one variable moves both."""
        if self.file_url:
            return self.file_url
        if self.api_url.endswith("/bot"):
            return self.api_url[: -len("bot")] + "file/bot"
        return self.api_url.rstrip("/") + "/file/bot"

    @property
    def attachments_path(self) -> Path:
        """Attachments are kept next to the database unless configured elsewhere."""
        return self.attachments_dir or self.db.parent / "attachments"

    @property
    def backup_path(self) -> Path:
        """Backups are kept in `backups/` beside the database unless configured elsewhere."""
        return self.backup_dir or self.db.parent / "backups"

    @property
    def rules(self) -> Rules:
        return Rules(
            ladder=self.remind_ladder,
            leader_after=self.remind_leader_after,
            responsible_due=self.remind_responsible_due,
            report_before=self.remind_report_before,
            deadline_warn=self.remind_deadline_warn,
        )

    @property
    def web_base(self) -> str:
        """Where /web's links point: DUBAN_WEB_URL, else the address the ledger listens on."""
        if self.web_url:
            return self.web_url.rstrip("/")
        return f"http://{self.web_host}:{self.web_port}" if self.web_port else ""

    def require_token(self) -> str:
        """The token, or a clear refusal: commands that talk to Telegram call this."""
        token = self.token.get_secret_value()
        if not token:
            raise SettingsError(
                "未配置机器人令牌：请设置环境变量 DUBAN_TOKEN（或 duban.toml 中的 token）。"
            )
        if not TOKEN_RE.match(token):
            raise SettingsError(
                "机器人令牌格式不正确：应形如 123456789:AA…（向 @BotFather 获取）。"
            )
        return token


class _Environment(EnvSettingsSource):
    """The environment `load()` was given (tests pass their own), not always os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._given = {k.lower(): v for k, v in environ.items()}
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return self._given


_SOURCES: ContextVar[tuple[Mapping[str, str], Path | None] | None] = ContextVar(
    "settings_sources", default=None
)


@contextmanager
def _reading(environ: Mapping[str, str], config: Path | None) -> Iterator[None]:
    token = _SOURCES.set((environ, config))
    try:
        yield
    finally:
        _SOURCES.reset(token)


def load(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    default: Path = Path("duban.toml"),
) -> Settings:
    """Read the config file and the environment, validate, and freeze. The default file may
    be absent; a file named with --config or DUBAN_CONFIG must exist."""
    environ = dict(os.environ if environ is None else environ)
    named = environ.get("DUBAN_CONFIG") or config_file
    path = Path(named or default)
    if named and not path.is_file():  # a typo must not start the bot on defaults
        raise SettingsError(f"配置文件不存在：{path}")
    config = path if path.is_file() else None
    try:
        with _reading(environ, config):
            return Settings()
    except ValidationError as exc:
        raise SettingsError(_explain(exc, path)) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # an unreadable or broken file
        raise SettingsError(f"无法读取配置文件 {path}：{exc}") from None


def _explain(exc: ValidationError, path: Path) -> str:
    """The first problem in one Chinese line: our own message, or which setting is wrong."""
    error = exc.errors()[0]
    name = ".".join(str(part) for part in error["loc"]) or "?"
    if error["type"] == "extra_forbidden":
        return f"配置文件 {path} 中有未知配置项：{name}"
    cause: Any = (error.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError) and re.search(r"[\u4e00-\u9fff]", str(cause)):
        return str(cause)
    if name == "work_hours":
        return "work_hours 应形如 09:00-17:30"
    return f"配置项 {name} 的值无效：{error.get('input')!r}"
