"""The one place that reads the time, so tests and the demo can move days forward instantly."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    tz: ZoneInfo

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def today(self) -> date:
        return self.now().date()


class FakeClock:
    """A clock that only moves when told to; `now()` is always aware, in the office zone."""

    def __init__(self, start: datetime, tz: ZoneInfo | None = None) -> None:
        zone = tz or start.tzinfo or ZoneInfo("Asia/Shanghai")
        if not isinstance(zone, ZoneInfo):  # a fixed offset knows no daylight saving rules
            raise TypeError(f"FakeClock needs a ZoneInfo, not {zone!r}")
        self.tz = zone
        self._now = start if start.tzinfo else start.replace(tzinfo=self.tz)

    def now(self) -> datetime:
        return self._now.astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self.now()

    def set(self, moment: datetime) -> datetime:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=self.tz)
        return self.now()
