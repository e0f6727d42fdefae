"""A local emulator of the Telegram Bot API, for tests, benchmarks and the demo.

The real PTB ``Application`` talks to it over HTTP::

    async with Emulator(bot_username="duban_test_bot") as emu:
        app = (
            ApplicationBuilder().token("123456:" + "A" * 35)
            .base_url(emu.base_url).base_file_url(emu.base_file_url).build()
        )
        ...  # start the app and its polling
        alice = emu.user(1001, "张三", username="zhangsan")
        await alice.send("/start")
        menu = await alice.expect("欢迎")
        result = await alice.press("签收")
        await result.answered()

It enforces Telegram's rules (HTML entity parsing, length limits, 64-byte callback_data,
chat-not-found/blocked, optional flood limits) with Telegram's own error texts, so tests fail
where production would.
"""

from tgemu.actors import EmuChat, EmuUser
from tgemu.emulator import Emulator
from tgemu.state import ApiCall, BotMessage, Button
from tgemu.views import PressResult

__all__ = ["ApiCall", "BotMessage", "Button", "EmuChat", "EmuUser", "Emulator", "PressResult"]
