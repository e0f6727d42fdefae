"""/help, the command menu, and the catch-alls that leave nobody without an answer."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from domain.errors import Refusal
from domain.models import Person, Role
from handlers.common import Context, person_of, refuse, say
from handlers.feature import Feature

log = logging.getLogger(__name__)
S, L, LI = Role.SUPERVISOR, Role.LEADER, Role.LIAISON


@dataclass(frozen=True)
class Command:
    command: str
    description: str
    roles: frozenset[Role]


COMMANDS: tuple[Command, ...] = (
    Command("new", "新建督办事项", frozenset({S})),
    Command("invite", "邀请单位联络员", frozenset({S})),
    Command("units", "各单位联络员注册情况", frozenset({S, L})),
    Command("items", "在办督办事项（可筛选）", frozenset({S, L})),
    Command("export", "导出督办台账（Excel）", frozenset({S, L})),
    Command("plan", "年度大事要事进度（可选任务）", frozenset({S, L})),
    Command("import", "导入大事要事计划表（Excel）", frozenset({S})),
    Command("key", "设为重点（选择事项、任务或目标，再写理由）", frozenset({S})),
    Command("unkey", "取消重点（选择后写理由）", frozenset({S})),
    Command("letter", "督办函文件（Word，选择事项）", frozenset({S, L, LI})),
    Command("reminders", "自动提醒的发送情况", frozenset({S})),
    Command("status", "机器人运行状况（进程、队列、备份）", frozenset({S})),
    Command("summary", "预览并发布本周调度", frozenset({S})),
    Command("digest", "预览并发布预警摘要", frozenset({S})),
    Command("mute", "暂停向某单位推送提醒（选择单位和日期）", frozenset({S})),
    Command("item", "查看事项详情和办理过程（选择事项）", frozenset({S, L, LI})),
    Command("web", "网页台账（一次性登录链接）", frozenset({S, L, LI})),
    Command("mytasks", "本单位的督办事项", frozenset({LI})),
    Command("responsible", "报送承办责任人", frozenset({LI})),
    Command("report", "报送进展（可附照片、文件）", frozenset({LI})),
    Command("complete", "申请办结（牵头单位）", frozenset({LI})),
    Command("help", "查看帮助", frozenset({S, L, LI})),
    Command("cancel", "取消当前操作", frozenset({S, L, LI})),
    Command("extend", "申请延期（牵头单位，时限到期前）", frozenset({LI})),
    Command("suspend", "暂停督办事项（选择事项）", frozenset({S})),
    Command("resume", "恢复已暂停的事项（选择事项）", frozenset({S})),
    Command("revoke", "撤销督办事项（选择事项）", frozenset({S})),
)


def commands_for(role: Role) -> list[Command]:
    return [c for c in COMMANDS if role in c.roles]


async def help_cmd(update: Update, context: Context) -> None:
    person = await person_of(update, context)
    if person is None:
        await refuse(update, context, Refusal("not_registered"))
        return
    await say(
        update, context, "help", role_label=person.role.label, commands=commands_for(person.role)
    )
    await set_menu(context, person)


def menu_of(role: Role) -> list[BotCommand]:
    return [BotCommand(c.command, c.description.split("：")[0]) for c in commands_for(role)]


def fingerprint(menu: list[BotCommand]) -> str:
    """Short and stable: changes when the role's commands or their wording change."""
    text = "\n".join(f"{c.command} {c.description}" for c in menu)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


async def set_menu(context: Context, person: Person) -> None:
    """Each person's command menu shows only what their role can do.

    Sent only when it differs from the one remembered for them (their role or the command
    list changed, or none was set yet), so /help and a restart cost no setMyCommands.
    """
    menu = menu_of(person.role)
    key = fingerprint(menu)
    if person.menu == key:
        return
    try:
        await context.bot.set_my_commands(menu, scope=BotCommandScopeChat(person.chat_id))
    except TelegramError as exc:
        log.info("could not set commands for %s: %s", person.chat_id, exc)
        return
    await context.services.office.remember_menu(person, key)


async def cancel_idle(update: Update, context: Context) -> None:
    await say(update, context, "cancelled")


async def stale_button(update: Update, context: Context) -> None:
    """A button no handler took: from an old message, a finished form, or forged."""
    await refuse(update, context, Refusal("stale_button"))


async def unknown(update: Update, context: Context) -> None:
    await say(update, context, "unknown_input")


async def on_error(update: object, context: Context) -> None:
    """Log the whole error; tell the user only that it failed, never the details."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
            await say(update, context, "error", supervisor=await _is_supervisor(update, context))
        except TelegramError:
            log.info("could not report the error to the user")


async def _is_supervisor(update: Update, context: Context) -> bool:
    """Whether to send them to the system's keeper rather than to the 督查室 (themself)."""
    try:
        person = await person_of(update, context)
    except Exception:  # the failure may be the database itself: fall back to the usual advice
        log.info("could not look up who met the error")
        return False
    return person is not None and person.role is Role.SUPERVISOR


def build() -> Feature:
    return Feature(
        (
            CommandHandler("help", help_cmd),
            CommandHandler("cancel", cancel_idle),
            CallbackQueryHandler(stale_button),
            MessageHandler(filters.ALL, unknown),
        )
    )
