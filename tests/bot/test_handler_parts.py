"""The accessors handlers use for what their filter promised: an update without it is a wiring
mistake, and the error names the update and the missing part rather than a None attribute."""

from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update, User

from handlers.common import MissingPart, callback_of, chat_id_of, message_of, sender_of, text_of

CHAT = Chat(7, Chat.PRIVATE)
USER = User(7, "张三", is_bot=False)


def _message(text: str | None) -> Message:
    return Message(1, datetime(2026, 5, 6, tzinfo=UTC), CHAT, from_user=USER, text=text)


def test_a_typed_answer_gives_its_text_chat_and_sender() -> None:
    update = Update(41, message=_message("关于老旧小区改造"))
    assert text_of(update) == "关于老旧小区改造"
    assert chat_id_of(update) == 7
    assert sender_of(update).id == 7


def test_a_message_routed_to_a_button_handler_names_what_it_lacks() -> None:
    with pytest.raises(MissingPart, match="update 42 has no callback query"):
        callback_of(Update(42, message=_message("随便")))


def test_a_photo_routed_to_a_text_handler_names_what_it_lacks() -> None:
    update = Update(43, message=_message(None))
    assert message_of(update).message_id == 1
    with pytest.raises(MissingPart, match="update 43 has no text"):
        text_of(update)


def test_an_update_with_nothing_in_it_has_no_chat_or_sender() -> None:
    with pytest.raises(MissingPart, match="no chat"):
        chat_id_of(Update(44))
    with pytest.raises(MissingPart, match="no sender"):
        sender_of(Update(44))
