"""The working-day calendar: the official Chinese calendar with 调休, plus the office's file.

`chinesecalendar` carries each year's State Council notice, but only for years already
announced. For later years the office can list holidays and make-up days in a TOML file;
a year that neither knows falls back to Monday–Friday, and the caller is warned once.

Holiday file (TOML)::

    holidays = ["2027-01-01", "2027-02-05", ...]   # days off, even on weekdays
    workdays = ["2027-02-20"]                        # 调休: weekend days that are worked
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar

log = logging.getLogger(__name__)


EPOCH = 2020  # ranks count working days from here; any year works, this keeps them small


class HolidayFileError(ValueError):
    pass


def _library_years() -> range:
    years = sorted({d.year for d in chinese_calendar.holidays})
    return range(years[0], years[-1] + 1)


class WorkdayCalendar:
    def __init__(
        self,
        holidays: set[date] | None = None,
        workdays: set[date] | None = None,
        warn: Callable[[int], None] | None = None,
    ) -> None:
        self.holidays = set(holidays or ())
        self.workdays = set(workdays or ())
        self.library_years = _library_years()
        self.file_years = {d.year for d in self.holidays | self.workdays}
        self._warn = warn
        self._warned: set[int] = set()
        self._days: dict[date, bool] = {}
        self._year_ranks: dict[int, tuple[int, list[int]]] = {}

    @classmethod
    def from_file(
        cls, path: Path | None, warn: Callable[[int], None] | None = None
    ) -> WorkdayCalendar:
        if path is None:
            return cls(warn=warn)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            holidays = {_day(s) for s in data.get("holidays", [])}
            workdays = {_day(s) for s in data.get("workdays", [])}
        except (OSError, ValueError, TypeError) as exc:
            raise HolidayFileError(f"节假日文件 {path} 无法读取：{exc}") from None
        if holidays & workdays:
            clash = min(holidays & workdays)
            raise HolidayFileError(f"节假日文件 {path}：{clash} 同时出现在 holidays 和 workdays 中")
        return cls(holidays, workdays, warn)

    def knows(self, year: int) -> bool:
        """Whether the year's official arrangement is known (library or office file)."""
        return year in self.library_years or year in self.file_years

    def is_workday(self, day: date) -> bool:
        """Cached: the rules ask about the same few hundred days for every item."""
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._lookup(day)
        return known

    def _lookup(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        if day.year in self.library_years:
            return bool(chinese_calendar.is_workday(day))
        if day.year not in self.file_years and day.year not in self._warned:
            self._warned.add(day.year)
            log.warning("no holiday data for %s: counting Monday-Friday only", day.year)
            if self._warn:
                self._warn(day.year)
        return day.weekday() < 5

    def next_workday(self, day: date, include_today: bool = False) -> date:
        current = day if include_today else day + timedelta(days=1)
        while not self.is_workday(current):
            current += timedelta(days=1)
        return current

    def add_workdays(self, day: date, n: int) -> date:
        """The n-th working day after `day` (day itself not counted)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        current = day
        for _ in range(n):
            current = self.next_workday(current)
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        return self._rank(end) - self._rank(start)

    def _rank(self, day: date) -> int:
        """Working days from the start of the day's year up to and including it, plus the
        working days of all years since EPOCH: a difference of two ranks is a count."""
        offset, counts = self._year(day.year)
        return offset + counts[day.timetuple().tm_yday - 1]

    def _year(self, year: int) -> tuple[int, list[int]]:
        found = self._year_ranks.get(year)
        if found is None:
            offset = 0
            if year > EPOCH:
                previous_offset, previous = self._year(year - 1)
                offset = previous_offset + previous[-1]
            elif year < EPOCH:
                following_offset, _ = self._year(year + 1)
                offset = following_offset - sum(self._counts(year)[-1:])
            found = self._year_ranks[year] = (offset, self._counts(year))
        return found

    def _counts(self, year: int) -> list[int]:
        day, total, counts = date(year, 1, 1), 0, []
        while day.year == year:
            total += self.is_workday(day)
            counts.append(total)
            day += timedelta(days=1)
        return counts


@dataclass(frozen=True)
class Hours:
    """Office hours: pushes go out only inside them, on working days."""

    start: time = time(9, 0)
    end: time = time(17, 30)

    @classmethod
    def parse(cls, text: str) -> Hours:
        """'09:00-17:30' → Hours; ValueError if malformed or empty."""
        first, _, last = text.partition("-")
        start, end = time.fromisoformat(first.strip()), time.fromisoformat(last.strip())
        if start >= end:
            raise ValueError(text)
        return cls(start, end)


def working_moment(now: datetime, calendar: WorkdayCalendar, hours: Hours) -> bool:
    return calendar.is_workday(now.date()) and hours.start <= now.time() < hours.end


def _day(value: object) -> date:
    """A day from the holiday file: a TOML date (2027-01-01) or a quoted one ("2027-01-01")."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(f"{value!r} 不是日期")
