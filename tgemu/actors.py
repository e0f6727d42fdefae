"""Test-facing handles: users who write and press buttons, and group chats.

A test acts through these exactly as a person would in the Telegram app (send text, upload a
file, press a button) and observes the chat the way that person sees it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tgemu.state import JSON, BotMessage, ChatState, UserState
from tgemu.views import ChatView, PressResult
from tgemu.world import command_entities

if TYPE_CHECKING:
    from tgemu.emulator import Emulator


class EmuUser(ChatView):
    """A Telegram user and their private chat with the bot."""

    def __init__(self, emu: Emulator, state: UserState, chat: ChatState) -> None:
        super().__init__(emu, chat, f"user {state.user['id']}")
        self._state = state

    @property
    def id(self) -> int:
        return int(self._state.user["id"])

    @property
    def user(self) -> JSON:
        return self._state.user

    @property
    def started(self) -> bool:
        return self._state.started

    @property
    def blocked(self) -> bool:
        return self._state.blocked

    def block(self) -> None:
        """Block the bot: sends fail with 403 and the bot gets a my_chat_member "kicked"."""
        self._state.blocked = True
        if self._state.started:
            self._emu.world.set_bot_status(self._chat, "kicked", by=self.user)

    def unblock(self) -> None:
        self._state.blocked = False
        if self._state.started:
            self._emu.world.set_bot_status(self._chat, "member", by=self.user)

    def _message(self, chat: ChatState, reply_to: BotMessage | int | None) -> JSON:
        world = self._emu.world
        raw = world.base_message(chat, None if chat.type == "channel" else self.user)
        if reply_to is not None:
            target_id = reply_to if isinstance(reply_to, int) else reply_to.message_id
            target = chat.messages.get(target_id)
            if target is not None:
                raw["reply_to_message"] = {
                    k: v for k, v in target.items() if k != "reply_to_message"
                }
        return raw

    def _deliver(self, chat: ChatState, raw: JSON) -> JSON:
        if chat.type == "private":
            self.mark()
            if self._state.blocked:  # "Restart" in the app unblocks the bot first
                self.unblock()
            self._state.started = True
        self._emu.world.push_user_message(chat, raw)
        return raw

    async def send(self, text: str, *, reply_to: BotMessage | int | None = None) -> JSON:
        """Write a text message to the bot; commands get bot_command entities."""
        return self._send_text(self._chat, text, reply_to)

    def _send_text(self, chat: ChatState, text: str, reply_to: BotMessage | int | None) -> JSON:
        raw = self._message(chat, reply_to)
        raw["text"] = text
        entities = command_entities(text)
        if entities:
            raw["entities"] = entities
        return self._deliver(chat, raw)

    async def send_document(
        self,
        data: bytes,
        filename: str = "file.bin",
        mime_type: str | None = "application/octet-stream",
        caption: str | None = None,
    ) -> JSON:
        stored = self._emu.world.store_file(data, "document", filename, mime_type)
        raw = self._message(self._chat, None)
        raw["document"] = stored.as_document()
        if caption:
            raw["caption"] = caption
        return self._deliver(self._chat, raw)

    async def send_photo(self, data: bytes, caption: str | None = None) -> JSON:
        stored = self._emu.world.store_file(data, "photo", None, "image/jpeg")
        raw = self._message(self._chat, None)
        raw["photo"] = stored.as_photo()
        if caption:
            raw["caption"] = caption
        return self._deliver(self._chat, raw)

    async def press(self, text: str, message: BotMessage | None = None) -> PressResult:
        """Press the button labelled ``text`` on ``message`` or the newest message having it."""
        if message is None:
            message = self._newest_with(text)
        button = message.find_button(text)
        if button is None or message.deleted:
            raise LookupError(f"{message!r} has no button {text!r} (now: {message.button_texts})")
        if button.kind == "reply":
            chat = self._emu.world.chats[message.chat_id]
            self._emu.view(chat.id).mark()
            self._send_text(chat, text, None)
            return PressResult(self._emu, message, None)
        if button.callback_data is None:
            return PressResult(self._emu, message, None, url=button.url)
        return self._callback(message, button.callback_data)

    async def press_data(self, data: str, message: BotMessage | None = None) -> PressResult:
        """Send arbitrary callback_data, as a modified client could (for hostile tests)."""
        message = message or self.last
        if message is None:
            raise LookupError(f"{self._label}: no bot message to attach callback data to")
        return self._callback(message, data)

    def _callback(self, message: BotMessage, data: str) -> PressResult:
        world = self._emu.world
        self._emu.view(message.chat_id).mark()
        record = world.new_callback(self.id)
        payload: dict[str, Any] = {
            "id": record.query_id,
            "from": self.user,
            "message": dict(message.raw),
            "chat_instance": str(abs(message.chat_id * 7919 + 104729)),
            "data": data,
        }
        world.updates.push("callback_query", payload)
        world.signal.fire()
        return PressResult(self._emu, message, data, record)


class EmuChat(ChatView):
    """A group, supergroup or channel the bot is in."""

    def __init__(self, emu: Emulator, chat: ChatState) -> None:
        super().__init__(emu, chat, f"{chat.type} {chat.id}")

    @property
    def id(self) -> int:
        return self._chat.id

    @property
    def title(self) -> str:
        return self._chat.title or ""

    @property
    def type(self) -> str:
        return self._chat.type

    @property
    def bot_status(self) -> str:
        return self._chat.bot_status

    def add_member(self, user: EmuUser, status: str = "member") -> None:
        """status: member | administrator | creator | left | kicked."""
        self._chat.members[user.id] = status

    def set_bot_status(self, status: str, by: EmuUser | None = None) -> None:
        """Add/promote/remove the bot (member | administrator | left | kicked)."""
        self._emu.world.set_bot_status(self._chat, status, by=by.user if by else None)

    async def post(
        self,
        text: str,
        from_user: EmuUser | None = None,
        *,
        reply_to: BotMessage | int | None = None,
    ) -> JSON:
        """A message in the group (a channel post for channels; from_user then is ignored)."""
        self.mark()
        if self._chat.type == "channel" or from_user is None:
            if self._chat.type != "channel":
                raise ValueError("group posts need from_user")
            author = self._emu.owner_of(self._chat)
        else:
            author = from_user
            if not self._emu.world.is_member(self._chat, author.id):
                self.add_member(author)
        return author._send_text(self._chat, text, reply_to)

    async def press(self, text: str, by: EmuUser, message: BotMessage | None = None) -> PressResult:
        return await by.press(text, message or self._newest_with(text))
