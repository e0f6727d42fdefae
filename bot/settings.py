"""One frozen Settings object: `duban.toml` first, then `DUBAN_*` environment variables on top.

Settings are validated once at start-up so that a typo fails with one clear line instead of
surfacing at 09:00 on a Monday. The token is kept out of `repr()` so it never reaches a log.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.policy import Rules
from domain.workdays import Hours

TELEGRAM_API_URL = "https://api.telegram.org/bot"
TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,}$")


class SettingsError(Exception):
    """A configuration problem, worded for the person starting the bot."""


@dataclass(frozen=True)
class Settings:
    token: str = field(default="", repr=False)
    db: Path = Path("duban.db")
    tz: str = "Asia/Shanghai"
    leader_chat: int | None = None
    api_url: str = TELEGRAM_API_URL
    file_url: str = ""
    bot_username: str = ""
    office_name: str = "督查室"
    template_dir: Path | None = None
    letter_template: Path | None = None  # the office's own .docx for 督办函 and 任务书
    holiday_file: Path | None = None
    invite_ttl_days: int = 7
    supervisor_may_approve: bool = True
    serial_format: str = "督办〔{year}〕{n}号"
    page_size: int = 8
    revisit_days: str = "30,90"
    attachments_dir: Path | None = None
    attachment_types: str = "pdf,doc,docx,xls,xlsx,ppt,pptx,wps,et,txt,jpg,jpeg,png,zip,rar"
    max_attachment_mb: int = 20
    font_path: Path | None = None
    work_hours: str = "09:00-17:30"
    tick_seconds: int = 60
    lease_seconds: int = 60  # `duban run` holds the database; a silent holder is stale after
    backup_time: str = "18:00"  # each working day, after this moment, one backup
    backup_dir: Path | None = None
    backup_keep_daily: int = 14
    backup_keep_monthly: int = 24
    log_file: Path | None = None  # also log here, rotated (5 × 10 MB); stderr always
    remind_ladder: str = "1,3,5"  # working days after falling due of each reminder
    remind_leader_after: int = 5  # working days from the escalation to the leader channel
    remind_responsible_due: int = 5
    remind_report_before: int = 1
    remind_deadline_warn: str = "3,1"
    web_port: int | None = None  # the web ledger is served only when a port is set
    web_host: str = "127.0.0.1"
    web_url: str = ""  # how readers reach it (https: the bot also offers a Mini App button)

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
    def revisit_offsets(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.revisit_days.split(",") if d.strip())

    @property
    def attachments_path(self) -> Path:
        """Attachments are kept next to the database unless configured elsewhere."""
        return self.attachments_dir or self.db.parent / "attachments"

    @property
    def backup_path(self) -> Path:
        """Backups are kept in `backups/` beside the database unless configured elsewhere."""
        return self.backup_dir or self.db.parent / "backups"

    @property
    def backup_moment(self) -> time:
        return time.fromisoformat(self.backup_time)

    @property
    def allowed_extensions(self) -> frozenset[str]:
        return frozenset(e.strip().lower().lstrip(".") for e in self.attachment_types.split(","))

    @property
    def hours(self) -> Hours:
        return Hours.parse(self.work_hours)

    @property
    def rules(self) -> Rules:
        return Rules(
            ladder=_days(self.remind_ladder),
            leader_after=self.remind_leader_after,
            responsible_due=self.remind_responsible_due,
            report_before=self.remind_report_before,
            deadline_warn=_days(self.remind_deadline_warn),
        )

    @property
    def web_base(self) -> str:
        """Where /web's links point: DUBAN_WEB_URL, else the address the ledger listens on."""
        if self.web_url:
            return self.web_url.rstrip("/")
        return f"http://{self.web_host}:{self.web_port}" if self.web_port else ""

    def require_token(self) -> str:
        """The token, or a clear refusal: commands that talk to Telegram call this."""
        if not self.token:
            raise SettingsError(
                "未配置机器人令牌：请设置环境变量 DUBAN_TOKEN（或 duban.toml 中的 token）。"
            )
        if not TOKEN_RE.match(self.token):
            raise SettingsError(
                "机器人令牌格式不正确：应形如 123456789:AA…（向 @BotFather 获取）。"
            )
        return self.token


def _days(text: str) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split(",") if d.strip())


_KINDS = {f.name: f.type for f in fields(Settings)}


def _convert(name: str, raw: object) -> object:
    kind = _KINDS[name]
    if raw is None or raw == "":
        return None if "None" in str(kind) else raw
    try:
        if "Path" in str(kind):
            return Path(str(raw)).expanduser()
        if "bool" in str(kind):
            if isinstance(raw, bool):
                return raw
            value = str(raw).strip().lower()
            if value not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(raw)
            return value in {"1", "true", "yes", "on"}
        if "int" in str(kind):
            return int(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"配置项 {name} 的值无效：{raw!r}") from None
    return str(raw)


def load(
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
    default: Path = Path("duban.toml"),
) -> Settings:
    """Read the config file and the environment, validate, and freeze. The default file may
    be absent; a file named with --config or DUBAN_CONFIG must exist."""
    environ = dict(os.environ if environ is None else environ)
    named = environ.get("DUBAN_CONFIG") or config_file
    path = Path(named or default)
    if named and not path.is_file():  # a typo must not start the bot on defaults
        raise SettingsError(f"配置文件不存在：{path}")
    values: dict[str, object] = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"无法读取配置文件 {path}：{exc}") from None
        for key, raw in data.items():
            if key not in _KINDS:
                raise SettingsError(f"配置文件 {path} 中有未知配置项：{key}")
            values[key] = _convert(key, raw)
    for name in _KINDS:
        env_name = f"DUBAN_{name.upper()}"
        if env_name in environ:
            values[name] = _convert(name, environ[env_name])
    settings = Settings(**values)  # type: ignore[arg-type]
    _validate(settings)
    return settings


def _validate(settings: Settings) -> None:
    try:
        ZoneInfo(settings.tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"未知的时区：{settings.tz}（例如 Asia/Shanghai）") from None
    if settings.invite_ttl_days < 1:
        raise SettingsError("invite_ttl_days 至少为 1 天。")
    if "{n}" not in settings.serial_format:
        raise SettingsError("serial_format 必须包含 {n}（例如 督办〔{year}〕{n}号）。")
    try:
        offsets = settings.revisit_offsets
    except ValueError:
        raise SettingsError("revisit_days 应为逗号分隔的天数，例如 30,90") from None
    if any(d < 1 for d in offsets):
        raise SettingsError("revisit_days 中的天数必须大于 0")
    try:
        _ = (settings.hours, settings.rules)
    except ValueError:
        raise SettingsError(
            "work_hours 应形如 09:00-17:30；remind_ladder 应形如 1,3,5；"
            "remind_deadline_warn 应形如 3,1"
        ) from None
    ladder = settings.rules.ladder
    if not ladder or any(d < 1 for d in ladder) or list(ladder) != sorted(set(ladder)):
        raise SettingsError("remind_ladder 应为递增的工作日数，例如 1,3,5")
    if settings.remind_leader_after < 0 or settings.remind_responsible_due < 0:
        raise SettingsError("remind_leader_after 和 remind_responsible_due 不能为负数")
    if settings.tick_seconds < 0:
        raise SettingsError("tick_seconds 不能为负数（0 表示不自动运行）")
    if settings.lease_seconds < 1:
        raise SettingsError("lease_seconds 至少为 1 秒")
    _validate_backup(settings)
    _validate_web(settings)
    if settings.template_dir is not None and not settings.template_dir.is_dir():
        raise SettingsError(f"模板目录不存在：{settings.template_dir}")
    letter = settings.letter_template
    if letter is not None and (not letter.is_file() or letter.suffix.lower() != ".docx"):
        raise SettingsError(f"督办函模板不存在或不是 .docx 文件：{letter}")
    if settings.holiday_file is not None and not settings.holiday_file.is_file():
        raise SettingsError(f"节假日文件不存在：{settings.holiday_file}")


def _validate_backup(settings: Settings) -> None:
    if not re.fullmatch(r"\d{2}:\d{2}", settings.backup_time):
        raise SettingsError("backup_time 应形如 18:00")
    try:
        _ = settings.backup_moment
    except ValueError:
        raise SettingsError("backup_time 应形如 18:00") from None
    if settings.backup_keep_daily < 1 or settings.backup_keep_monthly < 0:
        raise SettingsError("backup_keep_daily 至少为 1，backup_keep_monthly 不能为负数")


def _validate_web(settings: Settings) -> None:
    if settings.web_port is not None and not 0 < settings.web_port < 65536:
        raise SettingsError("web_port 应为 1 到 65535 之间的端口号，例如 8080")
    if settings.web_url and not re.match(r"^https?://[^\s/]+", settings.web_url):
        raise SettingsError("web_url 应形如 https://duban.example.gov.cn")
