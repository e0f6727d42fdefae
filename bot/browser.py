"""A headless Chromium for pictures of the web ledger: the e2e browser test and `duban demo`.

Debian's `chromium` package driven by Playwright, never a browser Playwright downloads (an
office network may have nothing to download it from). Where either is missing, `NoBrowser`
says which in one Chinese line: the demo goes on without its screenshots, a test skips.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

CHROMIUM = ("chromium", "chromium-browser")  # Debian's name, then Ubuntu's
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
WIDTHS = (("phone", PHONE), ("desktop", DESKTOP))


class NoBrowser(Exception):
    """No Playwright, no Chromium, or a Chromium that would not start: one line why."""


def executable() -> str | None:
    return next((found for name in CHROMIUM if (found := shutil.which(name))), None)


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """A running headless Chromium (a Playwright `Browser`), closed on leaving."""
    try:
        from playwright.async_api import Error, async_playwright
    except ImportError:
        raise NoBrowser("未安装 Playwright（pip install playwright）") from None
    path = executable()
    if path is None:
        raise NoBrowser("未找到 Chromium（Debian：apt-get install chromium）")
    async with async_playwright() as driver:
        try:
            browser = await driver.chromium.launch(executable_path=path)
        except Error as exc:
            raise NoBrowser(f"Chromium 无法启动：{str(exc).splitlines()[0]}") from None
        try:
            yield browser
        finally:
            await browser.close()


async def screenshots(page: Any, folder: Path, stem: str) -> list[Path]:
    """The page as it is, its whole length, at a phone's width and a desktop's: PNG files
    `{stem}_phone.png` and `{stem}_desktop.png`. The page is left at the desktop's size."""
    folder.mkdir(parents=True, exist_ok=True)
    taken = []
    for name, size in WIDTHS:
        await page.set_viewport_size(size)
        path = folder / f"{stem}_{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        taken.append(path)
    return taken
