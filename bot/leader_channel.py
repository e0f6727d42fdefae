"""Queues the leader channel's posts: closure lines, the weekly 调度 and 报忧 digests.

Called on every tick (and by /summary and /digest). Everything is written to the outbox with
the leader chat as recipient; the paced sender posts it (≤ 20 messages a minute to a group).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram.ext import Application

from bot import chart, services
from bot.render import split_messages
from domain import channel, monthly, summaries
from domain.errors import Refusal
from domain.office import labeller
from domain.plan import views as plan_views
from storage import alerts, outbox
from storage.outbox import Push

log = logging.getLogger(__name__)


def _posts(
    svc, rule: str, key: str, parts: list[str], stamp: str, manual: bool = False
) -> list[Push]:
    """A post a supervisor asked for goes at once; the scheduled ones wait for working hours."""
    chat = svc.settings.leader_chat
    return [
        Push(
            f"{key}:{i}",
            rule,
            "post_html",
            stamp,
            chat_id=chat,
            context={"html": part},
            automatic=not manual,
        )
        for i, part in enumerate(parts, start=1)
    ]


async def render_weekly(svc, now: datetime) -> list[str]:
    async with svc.office.db.read() as conn:
        since = await outbox.last_created(conn, "weekly")
    since = since or (now - timedelta(days=7)).isoformat(timespec="seconds")
    summary = await summaries.weekly(svc.office, since)
    return split_messages(
        svc.render("weekly_summary", summary=summary, office_name=svc.settings.office_name)
    )


async def render_digest(svc, now: datetime) -> tuple[list[str], list[int]]:
    async with svc.office.db.read() as conn:
        rows = [r for r in await alerts.pending(conn) if r.kind != "closed"]
    views = channel.by_importance(
        [channel.alert_view(r, labeller(svc.settings.serial_format)) for r in rows]
    )
    if not views:
        return [], []
    text = svc.render("digest", alerts=views, now=now.isoformat(timespec="seconds"))
    return split_messages(text), [v["id"] for v in views]


async def queue_weekly(svc, now: datetime, manual: bool = False) -> int:
    key = f"weekly:{channel.week_key(now.date())}"
    async with svc.office.db.read() as conn:
        if await outbox.exists(conn, f"{key}:1"):
            if manual:
                raise Refusal("already_posted", what="本周调度")
            return 0
    parts = await render_weekly(svc, now)
    stamp = svc.office.now()
    async with svc.office.db.transaction() as conn:
        return await outbox.add_many(conn, _posts(svc, "weekly", key, parts, stamp, manual), stamp)


async def queue_digest(svc, now: datetime, manual: bool = False) -> int:
    parts, ids = await render_digest(svc, now)
    if not ids:
        if manual:
            raise Refusal("nothing_pending")
        return 0
    stamp = svc.office.now()
    key = f"digest:{stamp}"
    async with svc.office.db.transaction() as conn:
        posts = _posts(svc, "digest", key, parts, stamp, manual)
        queued = await outbox.add_many(conn, posts, stamp)
        await alerts.mark_posted(conn, ids, stamp)
    return queued


async def render_monthly(svc, now: datetime) -> list[str]:
    found = await monthly.figures(svc.office)
    return split_messages(
        svc.render(
            "monthly_report",
            units=found,
            office_name=svc.settings.office_name,
            month=_month_label(now),
            laggards=[u.unit for u in found if u.overdue],
        )
    )


async def queue_monthly(svc, now: datetime) -> int:
    """The 通报 for the month just ended, on the first working day of the new one."""
    key = f"monthly:{now:%Y-%m}"
    parts = await render_monthly(svc, now)
    stamp = svc.office.now()
    pushes = _posts(svc, "monthly", key, parts, stamp)
    chart = await monthly_chart(svc, now)
    if chart is not None:
        pushes.append(
            Push(
                f"{key}:chart",
                "monthly",
                "chart_caption",
                stamp,
                chat_id=svc.settings.leader_chat,
                photo=str(chart),
                context={"month": _month_label(now)},
            )
        )
    async with svc.office.db.transaction() as conn:
        return await outbox.add_many(conn, pushes, stamp)


def _month_label(now: datetime) -> str:
    last = now.replace(day=1) - timedelta(days=1)
    return f"{last.year}年{last.month}月"


async def monthly_chart(svc, now: datetime):
    """The chart PNG next to the database; None (and a log line) if it cannot be drawn."""
    found = await monthly.figures(svc.office)
    if not found:
        return None
    folder = svc.settings.attachments_path / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return await asyncio.to_thread(
            chart.unit_chart,
            found,
            f"{_month_label(now)}各单位办结情况",
            folder / f"通报_{now:%Y-%m}.png",
            font_path=svc.settings.font_path,
        )
    except chart.NoChineseFont as exc:
        log.warning("monthly chart skipped: %s", exc)
        return None


async def queue_quarterly(svc, now: datetime) -> int:
    """年度目标 progress after each quarter; nothing if the year has no plan."""
    year, quarter = channel.quarter_ended(now)
    key = f"quarterly:{year}-Q{quarter}"
    tasks = await plan_views.year_plan(svc.office, year)
    if not tasks:
        return 0
    text = svc.render(
        "plan_quarterly",
        tasks=tasks,
        year=year,
        quarter=quarter,
        today=now.date(),
        lights=plan_views.tally(tasks),
        office_name=svc.settings.office_name,
    )
    stamp = svc.office.now()
    pushes = _posts(svc, "quarterly", key, split_messages(text), stamp)
    async with svc.office.db.transaction() as conn:
        return await outbox.add_many(conn, pushes, stamp)


async def queue_closures(svc) -> int:
    """A short line crediting the unit for each item closed since the last tick."""
    label = labeller(svc.settings.serial_format)
    stamp = svc.office.now()
    async with svc.office.db.transaction() as conn:
        rows = [r for r in await alerts.pending(conn) if r.kind == "closed"]
        pushes = []
        for r in rows:
            view = channel.alert_view(r, label)
            closed_on = (r.closed_at or stamp)[:10]
            on_time = r.deadline is not None and closed_on <= r.deadline
            pushes.append(
                Push(
                    f"closed:{r.id}",
                    "closed",
                    "closed_line",
                    stamp,
                    item_id=r.item_id,
                    chat_id=svc.settings.leader_chat,
                    context={**view, "on_time": on_time},
                )
            )
        queued = await outbox.add_many(conn, pushes, stamp)
        await alerts.mark_posted(conn, [r.id for r in rows], stamp)
    return queued


async def queue_posts(app: Application) -> int:
    """The channel's share of a tick: asks domain/channel.posts_due what is due, then renders
    and queues exactly that; nothing if no leader chat is configured."""
    svc = services.of(app)
    if svc.settings.leader_chat is None:
        return 0
    now = svc.office.clock.now()
    async with svc.office.db.read() as conn:
        last = {rule: await outbox.last_created(conn, rule) for rule in QUEUERS}
        kinds = [r.kind for r in await alerts.pending(conn)]
    closures = kinds.count("closed")
    due = channel.posts_due(
        now,
        svc.office.calendar,
        svc.hours,
        {rule: datetime.fromisoformat(at) if at else None for rule, at in last.items()},
        pending_alerts=len(kinds) - closures,
        pending_closures=closures,
        schedule=svc.schedule,
    )
    queued = 0
    for post in due:
        queued += await QUEUERS[post.rule](svc, now)
    return queued


QUEUERS = {
    "closed": lambda svc, now: queue_closures(svc),
    "weekly": queue_weekly,
    "monthly": queue_monthly,
    "quarterly": queue_quarterly,
    "digest": queue_digest,
}
