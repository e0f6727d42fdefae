"""Builds the PTB Application: services, persistence, handlers in order, rate limiter."""

from __future__ import annotations

import gc
import logging
import warnings
from functools import cache
from itertools import chain
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    Updater,
)
from telegram.warnings import PTBUserWarning

import web.app as web_app
from bot import polling, scheduler, services
from bot.clock import Clock, SystemClock
from bot.outbox_sender import Sender
from bot.pacer import Limits, Pacer
from bot.render import Renderer
from bot.services import Context, Services
from bot.settings import Settings, SettingsError
from bot.update_order import PerChatUpdateProcessor
from domain.office import Office
from domain.workdays import WorkdayCalendar
from handlers import (
    approval,
    basics,
    completion,
    export,
    extension,
    gate,
    invite,
    leader,
    letter,
    liaisons,
    lifecycle,
    mute,
    new_item,
    pickers,
    plan,
    progress,
    queries,
    reasons,
    registration,
    reminders,
    review,
    revisit,
    signing,
    web,
)
from handlers.feature import Feature
from storage.db import Database
from storage.persistence import SqlitePersistence

log = logging.getLogger(__name__)
# Our forms put buttons in per-chat conversations on purpose (per_message=False): a form's
# buttons belong to the person filling it, and stale ones are answered by the catch-all.
warnings.filterwarnings("ignore", message=".*per_message=False.*", category=PTBUserWarning)


def make_office(settings: Settings, db: Database, clock: Clock, render: Renderer) -> Services:
    calendar = WorkdayCalendar.from_file(settings.holiday_file)
    office = Office(
        db=db,
        clock=clock,
        calendar=calendar,
        invite_ttl_days=settings.invite_ttl_days,
        supervisor_may_approve=settings.supervisor_may_approve,
        serial_format=settings.serial_format,
        revisit_days=settings.revisit_days,
    )
    svc = Services(
        office=office,
        render=render,
        settings=settings,
        rules=settings.rules,
        hours=settings.work_hours,
    )
    return svc


def build_application(
    settings: Settings,
    db: Database,
    clock: Clock | None = None,
    *,
    rate_limit: bool = True,
    concurrent: bool = True,
) -> Application:
    """The bot, ready to `initialize()`; the database must already be open."""
    render = Renderer(settings.template_dir)
    problems = render.check()
    if problems:
        raise SettingsError("本室模板有误，请修正后再启动：" + "；".join(problems))
    svc = make_office(settings, db, clock or SystemClock(settings.zone), render)
    builder = (
        ApplicationBuilder()
        .token(settings.require_token())
        .defaults(Defaults(parse_mode=ParseMode.HTML))  # every text is rendered HTML
        .base_url(settings.api_url)
        .base_file_url(settings.base_file_url)
        .get_updates_request(polling.PollRequest())  # logs the poll's lost/back, once each
        .persistence(SqlitePersistence(db))
        .concurrent_updates(PerChatUpdateProcessor(64) if concurrent else False)
        .context_types(ContextTypes(context=Context))  # handlers and jobs: context.services
    )
    # rate-limited or not, the bot is an ExtBot: the builder's two types join in `Application`
    app: Application = (
        builder.rate_limiter(Pacer(limits(settings))) if rate_limit else builder
    ).build()
    app.bot_data[services.KEY] = svc
    add_handlers(app)
    app.add_error_handler(basics.on_error)
    return app


def limits(settings: Settings) -> Limits:
    return Limits(
        per_second=settings.pace_per_second,
        chat_per_second=settings.pace_chat_per_second,
        chat_burst=settings.pace_chat_burst,
        group_per_minute=settings.pace_group_per_minute,
    )


def features() -> list[Feature]:
    """Every module's handlers, in the order they are tried (the reason prompts go first)."""
    return [
        revisit.build(),
        approval.build(),
        registration.build(),
        signing.build(),
        progress.build(),
        completion.build(),
        extension.build(),
        review.build(),
        new_item.build(),
        invite.build(),
        liaisons.build(),
        queries.build(),
        lifecycle.build(),
        reminders.build(),
        mute.build(),
        pickers.build(),
        leader.build(),
        export.build(),
        letter.build(),
        plan.build(),
        web.build(),
        basics.build(),
    ]


def add_handlers(app: Application) -> None:
    """The gate first, then one conversation for every module's reason prompts before the
    long forms (so a typed reason wins over a form answer), and the gate's exit last."""
    app.add_handlers(gate.build().handlers, group=-1)
    found = features()
    prompts = [prompt for feature in found for prompt in feature.prompts]
    app.add_handlers(commands_first([reasons.build(prompts), *found]))
    pickers.install(app, found)
    # Last: commit what the update changed, and its id, before the next update of the chat.
    app.add_handlers(gate.build_exit().handlers, group=1)


def commands_first(found: list[Feature]) -> list[BaseHandler[Any, Any, Any]]:
    """The features' handlers in order, except that a plain command no conversation answers
    goes first: PTB tries a group's handlers one by one, and /help or /mytasks need not be
    checked against every form before their own handler. A command a form also answers
    (/cancel, /start) keeps its place behind the forms, so the form still wins."""
    handlers = [h for feature in found for h in feature.handlers]
    taken: set[str] = set()
    for form in (h for h in handlers if isinstance(h, ConversationHandler)):
        inner = [*form.entry_points, *form.fallbacks, *chain(*form.states.values())]
        taken.update(*(h.commands for h in inner if isinstance(h, CommandHandler)))
    first = [h for h in handlers if isinstance(h, CommandHandler) and not h.commands & taken]
    return first + [h for h in handlers if h not in first]


async def start(app: Application, *, poll_timeout: int = 10, poll_interval: float = 0.0) -> None:
    """Start everything the running bot needs, in order; `stop()` undoes it.

    PTB calls post_init only from run_polling(), and the bot is started by hand (its database
    lives in the same event loop), so the start-up work is here, explicitly.
    """
    await _serve_web(app)  # first: a port in use stops the start before anything runs
    await app.initialize()
    await app.start()
    await _started(app)
    keep_what_start_made()
    await _updater(app).start_polling(
        poll_interval=poll_interval,
        timeout=poll_timeout,
        allowed_updates=ALLOWED_UPDATES,
        error_callback=polling.quiet,  # not a traceback per retry: PollRequest says it once
    )


@cache
def keep_what_start_made() -> None:
    """What starting made (modules, PTB, the templates: about 170,000 objects) lives as long
    as the process; moved out of the collector's sight, a full collection walks only what the
    running bot made since, where it walked everything, a 60 ms pause each on this machine.
    Once per process (a second start, as in the tests, leaves the rest to the collector), and
    after a collection, so no garbage is kept for ever."""
    gc.collect()
    gc.freeze()


async def stop(app: Application) -> None:
    if _updater(app).running:
        await _updater(app).stop()
    runner = app.bot_data.pop("web_runner", None)
    if runner is not None:
        await runner.cleanup()
    await _stopping(app)
    if app.running:
        await app.stop()
    await app.shutdown()


def _updater(app: Application) -> Updater:
    """The getUpdates poller: every application `build_application` makes has one."""
    if app.updater is None:
        raise RuntimeError("the application was built without an updater")
    return app.updater


async def _started(app: Application) -> None:
    """The default menu (a stranger sees only /start and /help), the sender and the tick."""
    await app.bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")])
    svc = services.of(app)
    svc.sender = Sender(
        app.bot,
        svc.office,
        svc.render,
        hours=svc.hours,
        rules=svc.rules,
        holder=app.bot_data.get("lease_holder"),
        pacer=pacer if isinstance(pacer := app.bot.rate_limiter, Pacer) else None,
    )
    await svc.sender.start()
    settings = svc.settings
    if settings.leader_chat is not None:
        await _check_leader_chat(app, settings.leader_chat)
    if settings.tick_seconds:
        scheduler.schedule(app, settings.tick_seconds)


async def _serve_web(app: Application) -> None:
    """The web ledger in the bot's own event loop, when DUBAN_WEB_PORT is set."""
    svc = services.of(app)
    settings = svc.settings
    if settings.web_port:
        ledger = web_app.create_app(svc.office, settings, svc.render)
        runner = await web_app.serve(ledger, settings.web_host, settings.web_port)
        app.bot_data["web_runner"] = runner


async def _stopping(app: Application) -> None:
    """Finish the push in flight; what is still queued waits in the database for next time."""
    sender = services.of(app).sender
    if sender is not None:
        await sender.stop()


async def _check_leader_chat(app: Application, chat_id: int) -> None:
    """Say at start-up, not at 09:00 on Monday, if the bot cannot post to the leader chat."""
    try:
        member = await app.bot.get_chat_member(chat_id, app.bot.id)
    except TelegramError as exc:
        log.warning("leader chat %s is not reachable: %s", chat_id, exc)
        return
    if member.status not in ("administrator", "creator", "member"):
        log.warning("the bot is not a member of the leader chat %s (%s)", chat_id, member.status)
    log.info("bot @%s ready", app.bot.username)


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
