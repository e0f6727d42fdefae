"""Bot API methods about the bot itself, updates, chats and callback queries.

Importing this module (and its siblings) registers the handlers in ``rules.METHODS``.
"""

from __future__ import annotations

import json
import re

from tgemu import methods_media, methods_send  # noqa: F401  (registers handlers)
from tgemu.params import Params
from tgemu.rules import api_method
from tgemu.state import JSON, ApiError, bad_request, member_json
from tgemu.world import World

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


@api_method("getMe")
async def get_me(world: World, p: Params) -> JSON:
    return {
        **world.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("logOut", "close")
async def log_out(world: World, p: Params) -> bool:
    return True


@api_method("getUpdates")
async def get_updates(world: World, p: Params) -> list[JSON]:
    if world.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    try:
        timeout = float(p.raw("timeout") or 0)
    except (TypeError, ValueError):
        raise bad_request("invalid timeout specified") from None
    limit = min(max(p.get_int("limit", 100) or 100, 1), 100)
    allowed = p.get_json("allowed_updates")
    world.updates.set_allowed(allowed if isinstance(allowed, list) else None)
    return await world.updates.get(p.get_int("offset", 0) or 0, limit, timeout)


@api_method("setWebhook")
async def set_webhook(world: World, p: Params) -> bool:
    world.webhook_url = p.get_str("url") or ""
    if p.get_bool("drop_pending_updates"):
        world.updates.drop_all()
    return True


@api_method("deleteWebhook")
async def delete_webhook(world: World, p: Params) -> bool:
    world.webhook_url = ""
    if p.get_bool("drop_pending_updates"):
        world.updates.drop_all()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(world: World, p: Params) -> JSON:
    return {
        "url": world.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates.pending),
    }


def _scope_key(p: Params) -> tuple[str, str]:
    scope = p.get_json("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.get_str("language_code") or ""


@api_method("setMyCommands")
async def set_my_commands(world: World, p: Params) -> bool:
    commands = p.get_json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an array of at most 100 BotCommand")
    for command in commands:
        name = command.get("command", "") if isinstance(command, dict) else ""
        description = command.get("description", "") if isinstance(command, dict) else ""
        if not _COMMAND_NAME.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    world.commands[_scope_key(p)] = commands
    return True


@api_method("getMyCommands")
async def get_my_commands(world: World, p: Params) -> list[JSON]:
    return world.commands.get(_scope_key(p), [])


@api_method("deleteMyCommands")
async def delete_my_commands(world: World, p: Params) -> bool:
    world.commands.pop(_scope_key(p), None)
    return True


@api_method("setMyDescription", "setMyShortDescription", "setMyName")
async def set_profile(world: World, p: Params) -> bool:
    for key in ("description", "short_description", "name"):
        if p.has(key):
            world.profile[key] = p.get_str(key) or ""
    return True


@api_method("getMyDescription")
async def get_description(world: World, p: Params) -> JSON:
    return {"description": world.profile.get("description", "")}


@api_method("getMyShortDescription")
async def get_short_description(world: World, p: Params) -> JSON:
    return {"short_description": world.profile.get("short_description", "")}


@api_method("getMyName")
async def get_name(world: World, p: Params) -> JSON:
    return {"name": world.profile.get("name", world.bot_user["first_name"])}


@api_method("getChat")
async def get_chat(world: World, p: Params) -> JSON:
    chat = world.find_chat(p.chat_id())
    if chat.type != "private":
        world.writable_chat(chat.id)
    gifts = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        False,
    )
    return {
        **chat.as_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": gifts,
    }


def _user_json(world: World, user_id: int) -> JSON:
    if user_id == world.bot_user["id"]:
        return world.bot_user
    return world.find_user(user_id).user


@api_method("getChatMember")
async def get_chat_member(world: World, p: Params) -> JSON:
    chat = world.find_chat(p.chat_id())
    user_id = p.need_int("user_id")
    user = _user_json(world, user_id)
    return member_json(world.member_status(chat, user_id), user)


@api_method("getChatAdministrators")
async def get_chat_administrators(world: World, p: Params) -> list[JSON]:
    chat = world.find_chat(p.chat_id())
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    world.writable_chat(chat.id)
    admins = [
        member_json(status, world.users[uid].user)
        for uid, status in chat.members.items()
        if status in ("creator", "administrator")
    ]
    if chat.bot_status == "administrator":
        admins.append(member_json("administrator", world.bot_user))
    return admins


@api_method("getChatMemberCount")
async def get_chat_member_count(world: World, p: Params) -> int:
    chat = world.find_chat(p.chat_id())
    if chat.type == "private":
        return 2
    humans = sum(1 for uid in chat.members if world.is_member(chat, uid))
    return humans + (1 if world.is_member(chat, world.bot_user["id"]) else 0)


@api_method("leaveChat")
async def leave_chat(world: World, p: Params) -> bool:
    chat = world.find_chat(p.chat_id())
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    world.writable_chat(chat.id)
    world.set_bot_status(chat, "left", by=world.bot_user)
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(world: World, p: Params) -> bool:
    world.answer_callback(
        p.get_str("callback_query_id") or "",
        p.get_str("text"),
        p.get_bool("show_alert"),
        p.get_str("url"),
    )
    return True


def known_methods() -> list[str]:
    """For diagnostics: every method name the emulator implements (lower-cased)."""
    from tgemu.rules import METHODS

    return sorted(METHODS)
