"""The web ledger in a real browser: Debian's Chromium, driven by Playwright, opens the link
the bot sends for /web, filters the 台账, opens an item, downloads the workbook, and leaves
screenshots at phone and desktop widths in tests/e2e/artifacts/ (not committed).

One browser for the whole story (starting Chromium costs seconds); each person reads in a
context of their own, so their session cookies stay apart as on two machines.
"""

from __future__ import annotations

import os
import struct
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.browser import DESKTOP, PHONE, NoBrowser, chromium, screenshots
from tests.e2e.conftest import Office
from tests.e2e.test_journey import fill_new_item
from tests.e2e.test_progress_review import signed_item
from tests.e2e.test_web import free_port

ARTIFACTS = Path(__file__).parent / "artifacts"
SHARED = "关于加快老旧小区改造的批示"  # 住建局 leads, 交通局 helps (signed_item)
HOUSING_ONLY = "关于整治夜间施工噪声的批示"


@pytest.fixture
async def office(tmp_path, emu, clock):
    """The usual office, also serving the web ledger, as `duban run` with DUBAN_WEB_PORT."""
    running = Office(tmp_path, emu, clock, web_port=free_port())
    await running.start()
    await running.import_units()
    yield running
    await running.stop()


@pytest.fixture
async def browser():
    """Headless Chromium; skipped (with why) only where it cannot be had, never on CI."""
    async with AsyncExitStack() as stack:
        try:
            found = await stack.enter_async_context(chromium())
        except NoBrowser as exc:
            if os.environ.get("CI"):
                pytest.fail(f"CI must run the browser test: {exc}")
            pytest.skip(f"no headless browser here: {exc}")
        yield found


async def housing_only_item(staffed) -> None:
    """A second item, 住建局's alone, approved and sent (not yet signed)."""
    sup, leader = staffed["sup"], staffed["leader"]
    await fill_new_item(sup, title=HOUSING_ONLY, co=(), key="否")
    leader.mark()  # the first card's edit is not the second card
    await sup.press("提交")
    await leader.expect(lambda m: "请审定督办函" in m.text and m.button_texts)
    await leader.press("同意下发")
    await staffed["zj"].expect(HOUSING_ONLY)


async def logged_in(browser, person) -> tuple:
    """A browser context of this person's own, logged in through the link /web answers with."""
    await person.send("/web")
    message = await person.expect("网页台账")
    link = next(word for word in message.text.split() if "/login/" in word)
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    await page.goto(link)
    await page.wait_for_url("**/ledger")  # the login page moves on by itself
    return context, page


def png_width(path: Path) -> int:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", head[16:20])[0]


async def titles(page) -> list[str]:
    return await page.locator("#ledger tr.item td.title a").all_inner_texts()


async def test_the_ledger_in_chromium_for_a_supervisor_and_a_liaison(
    browser, office, staffed, tmp_path
):
    await signed_item(office, staffed)
    await housing_only_item(staffed)
    shared = await office.scalar("SELECT id FROM items WHERE title = ?", (SHARED,))
    housing = await office.scalar("SELECT id FROM items WHERE title = ?", (HOUSING_ONLY,))

    context, page = await logged_in(browser, staffed["sup"])
    assert "王督查（督查员）" in await page.inner_text("#logout")
    assert sorted(await titles(page)) == sorted([SHARED, HOUSING_ONLY])
    shots = await screenshots(page, ARTIFACTS, "ledger")
    assert [png_width(p) for p in shots] == [390, 1440]  # a phone scrolls the table, not the page
    await page.set_viewport_size(PHONE)
    title = await page.locator("td.title").first.bounding_box()
    assert title["width"] > 200  # not squeezed to a character a line
    await page.set_viewport_size(DESKTOP)

    await page.select_option("select[name=unit]", label="市交通运输局")
    await page.click("#filters button[type=submit]")
    await page.wait_for_url("**unit=*")
    assert await titles(page) == [SHARED]
    assert "共 1 项" in await page.inner_text("#total")

    await page.click(f"text={SHARED}")
    await page.wait_for_url(f"**/item/{shared}")
    assert await page.inner_text("#item-title") == f"督办〔2026〕1号 {SHARED}"
    timeline = await page.locator("#timeline li .action").all_inner_texts()
    assert timeline[:2] == ["立项", "审定同意"] and timeline.count("签收") == 2
    await screenshots(page, ARTIFACTS, "item")

    await page.goto(page.url.split("/item/")[0] + "/ledger")
    async with page.expect_download() as download:
        await page.click("#xlsx")
    saved = tmp_path / "台账.xlsx"
    await (await download.value).save_as(saved)
    sheet = load_workbook(saved)["督办台账"]
    assert {SHARED, HOUSING_ONLY} <= {c.value for row in sheet.iter_rows() for c in row}
    await context.close()

    context, page = await logged_in(browser, staffed["jt"])
    assert await titles(page) == [SHARED]  # 交通局 helps with the first item only
    response = await page.goto(page.url.replace("/ledger", f"/item/{housing}"))
    assert response.status == 403 and "无法查看" in await page.inner_text("h1")
    assert HOUSING_ONLY not in await page.content()
    await context.close()
