"""Every page for every role: what each reader sees, what they are refused, and that every
value people typed is shown as text, never as markup."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook

from domain.items import Status
from domain.models import Category, Period
from domain.plan import actions as plan
from domain.plan.rules import Milestone, Shape
from domain.plan.sheet import Plan, TargetRow, TaskRow
from storage import items, reports
from tests.letters import letter_fixed
from tests.web.conftest import HOSTILE, add_item, draft, log_in
from web.pages import letter_html


def rows_of(page: str) -> list[str]:
    """The item titles of the ledger table, in order."""
    return re.findall(
        r'<td class="title">(?:<span class="key">重点</span> )?<a [^>]*>([^<]*)</a>', page
    )


async def test_the_ledger_shows_every_item_with_its_light_and_escapes_titles(
    client, office, people, ledger
):
    await log_in(client, office, people.sup)
    page = await (await client.get("/ledger")).text()
    assert rows_of(page) == [
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&lt;b&gt;",
        "交通秩序整治",
        "草拟中的事项",
    ]
    assert "<script>" not in page and HOSTILE not in page
    assert "督办〔2026〕1号" in page and "草稿#" in page
    counts = dict(re.findall(r'data-light="(.)">(\d+)<', page))
    assert counts == {"红": "0", "黄": "1", "绿": "1", "无": "1"}  # the draft is not judged
    lamps = re.findall(r'<td class="lamp"><span class="light light-(\w+)">', page)
    assert lamps == ["yellow", "green", "none"]  # a co-unit silent on its weekly reports
    assert 'id="xlsx"' in page and "共 3 项" in page


async def test_filters_search_and_sort(client, office, people, ledger, unit_ids):
    await log_in(client, office, people.leader)

    async def titles(query: str) -> list[str]:
        response = await client.get("/ledger?" + query)
        assert response.status == 200
        return ["HOSTILE" if "script" in t else t for t in rows_of(await response.text())]

    assert await titles(f"unit={unit_ids.transport}") == ["HOSTILE", "交通秩序整治"]
    assert await titles("category=" + quote(Category.GUIDANCE.value)) == ["交通秩序整治"]
    assert await titles("key=1") == ["HOSTILE"]
    assert await titles("status=" + Status.PENDING_APPROVAL.value) == ["草拟中的事项"]
    assert await titles("leader=" + quote("钱副市长")) == ["交通秩序整治"]
    assert await titles("light=" + quote("无")) == ["草拟中的事项"]
    assert await titles("q=" + quote("秩序")) == ["交通秩序整治"]
    assert await titles("q=" + quote("督办〔2026〕2号")) == ["交通秩序整治"]
    assert await titles("q=1") == ["HOSTILE"]
    assert await titles("q=" + quote("%")) == []  # a LIKE wildcard is a plain character
    assert await titles("sort=title&dir=desc") == ["草拟中的事项", "交通秩序整治", "HOSTILE"]
    assert await titles("sort=serial&dir=desc") == ["草拟中的事项", "交通秩序整治", "HOSTILE"]
    assert await titles("sort=light") == ["HOSTILE", "交通秩序整治", "草拟中的事项"]


async def test_days_overdue_are_shown_and_sorted(client, office, people, ledger, unit_ids):
    late = draft("逾期的事项", unit_ids.housing, deadline=date(2026, 11, 20))
    async with office.db.transaction() as conn:
        await add_item(conn, late, people.sup, 3)
    await log_in(client, office, people.sup)
    page = await (await client.get("/ledger?sort=overdue&dir=desc")).text()
    assert rows_of(page)[0] == "逾期的事项"
    assert re.findall(r'<td class="overdue">(\d*)</td>', page) == ["4", "", "", ""]


async def test_values_not_allowed_are_ignored_with_a_notice(client, office, people, ledger):
    await log_in(client, office, people.sup)
    response = await client.get(
        "/ledger?unit=999&category=" + quote("<i>坏</i>") + "&light=紫&sort=drop&page=0"
    )
    page = await response.text()
    assert response.status == 200 and "共 3 项" in page
    notices = re.search(r'<ul id="notices".*?</ul>', page, re.S).group(0)
    for label in (
        "单位“999”",
        "类别“&lt;i&gt;坏&lt;/i&gt;”",
        "红黄绿“紫”",
        "排序“drop”",
        "页码“0”",
    ):
        assert label in notices, label
    assert "<i>" not in page


async def test_a_hundred_a_page(client, office, people, ledger, unit_ids):
    async with office.db.transaction() as conn:
        for n in range(101):
            await add_item(conn, draft(f"批量{n:03d}", unit_ids.transport), people.sup, 10 + n)
    await log_in(client, office, people.sup)
    first = await (await client.get("/ledger")).text()
    assert len(rows_of(first)) == 100 and "第 1/2 页" in first and 'rel="next"' in first
    second = await (await client.get("/ledger?page=2")).text()
    assert len(rows_of(second)) == 4 and 'rel="prev"' in second
    assert not set(rows_of(first)) & set(rows_of(second))
    beyond = await (await client.get("/ledger?page=9")).text()
    assert rows_of(beyond) == rows_of(second)  # the last page, not an empty one


async def test_a_liaison_sees_only_their_units_sent_items(client, office, people, ledger):
    await log_in(client, office, people.housing)
    page = await (await client.get(f"/ledger?unit={people.transport.unit_id}")).text()
    assert len(rows_of(page)) == 1 and "交通秩序整治" not in page and "草拟中" not in page
    assert "联络员只能查看本单位的事项" in page
    assert 'id="xlsx"' not in page and 'href="/plan"' not in page
    refused = await client.get(f"/item/{ledger.other}")
    assert refused.status == 403 and "不属于您所在单位" in await refused.text()
    assert (await client.get(f"/item/{ledger.led}")).status == 200
    assert (await client.get(f"/item/{ledger.draft}")).status == 403  # its unit's, not sent
    for path in ("/plan", "/units", "/ledger.xlsx", "/chart.png"):
        response = await client.get(path)
        assert response.status == 403, path
        assert "此功能仅限督查员、领导使用" in await response.text()


async def test_the_item_page_tells_the_whole_story(client, office, people, ledger):
    await log_in(client, office, people.sup)
    response = await client.get(f"/item/{ledger.led}")
    page = await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    letter = (
        '<div class="letter"><b>督 办 函</b>\n&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    )
    assert letter + "&amp;&lt;b&gt;</div>" in page
    assert "签收" in page and "住建联络员" in page
    assert "已完成&lt;b&gt;摸底&lt;/b&gt;（40%）" in page
    assert "退回补充" in page and "问题未查清" in page
    assert '<li class="pass">✓ 按批示精神办理</li>' in page
    assert '<li class="fail">✗ 问题全部查清</li>' in page
    assert f'href="/file/{ledger.file_id}"' in page and "现场&lt;照片&gt;.jpg" in page

    await log_in(client, office, people.leader)  # a leader reads and downloads it all too
    assert "问题未查清" in await (await client.get(f"/item/{ledger.led}")).text()
    file = await client.get(f"/file/{ledger.file_id}")
    assert file.status == 200 and await file.read() == b"\xff\xd8photo"
    assert file.headers["Content-Type"] == "application/octet-stream"
    assert quote("现场<照片>.jpg") in file.headers["Content-Disposition"]


async def test_attachments_follow_the_reports_unit(client, office, people, ledger):
    await log_in(client, office, people.transport)  # co-unit of the item, not the reporter
    page = await (await client.get(f"/item/{ledger.led}")).text()
    assert "摸底" not in page and "/file/" not in page
    assert (await client.get(f"/file/{ledger.file_id}")).status == 403
    await log_in(client, office, people.housing)
    assert (await client.get(f"/file/{ledger.file_id}")).status == 200


async def test_unknown_ids_and_pages_are_404(client, office, people, ledger):
    await log_in(client, office, people.sup)
    home = await client.get("/", allow_redirects=False)
    assert home.status == 303 and home.headers["Location"] == "/ledger"
    for path in ("/item/999999", "/file/999999", "/nowhere", "/item/abc"):
        response = await client.get(path)
        assert response.status == 404, path
        assert "找不到" in await response.text()


async def test_the_units_page_shows_phones_only_to_supervisors(client, office, people, ledger):
    await log_in(client, office, people.leader)
    page = await (await client.get("/units")).text()
    assert "住建联络员" in page and "13800138000" not in page
    assert '<img src="/chart.png"' in page
    await log_in(client, office, people.sup)
    page = await (await client.get("/units")).text()
    assert '<span class="phone">13800138000</span>' in page


async def test_the_workbook_and_the_chart(client, office, people, ledger):
    await log_in(client, office, people.leader)
    response = await client.get("/ledger.xlsx")
    assert response.status == 200
    assert "attachment;" in response.headers["Content-Disposition"]
    book = load_workbook(BytesIO(await response.read()))
    titles = [row[1] for row in book["督办台账"].iter_rows(min_row=2, values_only=True)]
    assert HOSTILE in titles and "交通秩序整治" in titles
    chart = await client.get("/chart.png")
    assert chart.status == 200 and chart.headers["Content-Type"] == "image/png"
    assert (await chart.read()).startswith(b"\x89PNG")


async def test_the_plan_page_shows_quantity_against_time(client, office, people, unit_ids):
    await log_in(client, office, people.leader)
    page = await (await client.get("/plan")).text()
    assert "2026年大事要事" in page and "尚未导入" in page
    task = TaskRow(2, "T01", "城市更新<行动>", Category.ORDER, "钱副市长", unit_ids.housing, True)
    target = TargetRow(
        3, "T01", "T01-01", "改造老旧小区", unit_ids.housing, Decimal(100), "个",
        Shape.MULTI_YEAR, None, date(2027, 12, 31),
        (Milestone(date(2026, 6, 30), "一期"), Milestone(date(2027, 12, 31), "二期")),
        Period.MONTHLY, False,
    )  # fmt: skip
    await plan.import_plan(office, people.sup, Plan((task,), (target,)), then=letter_fixed)
    async with office.db.transaction() as conn:
        item_id = await conn.scalar("SELECT id FROM items WHERE plan_code = 'T01-01'")
        await reports.insert(
            conn, item_id=item_id, unit_id=unit_ids.housing, person_id=people.housing.id,
            kind="progress", period_key="2026-11", now=office.now(), quantity="40",
        )  # fmt: skip
    page = await (await client.get("/plan")).text()
    assert "T01 城市更新&lt;行动&gt;" in page and "分管领导：钱副市长" in page
    row = re.search(r'<tr class="target" id="target-T01-01">.*?</tr>', page, re.S).group(0)
    assert '<progress max="100" value="40"></progress> 40%' in row  # as people write it
    assert "目标 100个，已完成 40个" in row
    assert '<li class="late">2026-06-30 一期</li>' in row  # passed, 40 of 100 not reached
    assert '<li class="ahead">2027-12-31 二期</li>' in row
    await log_in(client, office, people.sup)
    assert "城市更新" in await (await client.get("/plan?year=2027")).text()


async def test_the_kept_lights_follow_every_change_and_the_day(client, office, people, ledger):
    await log_in(client, office, people.sup)

    async def counts() -> dict[str, str]:
        page = await (await client.get("/ledger")).text()
        return dict(re.findall(r'data-light="(.)">(\d+)<', page))

    assert await counts() == {"红": "0", "黄": "1", "绿": "1", "无": "1"}
    async with office.db.transaction() as conn:
        stamp = await conn.scalar("SELECT n FROM ledger_stamp")
        await conn.execute("UPDATE item_units SET next_check = 7")  # the tick's bookkeeping
        await items.set_letter(conn, ledger.led, "<b>督办函</b>")  # a letter decides no light
        assert await conn.scalar("SELECT n FROM ledger_stamp") == stamp
        await items.set_status(
            conn, ledger.led, Status.CLOSED, office.now(), closed_at=office.now()
        )
    assert await counts() == {"红": "0", "黄": "0", "绿": "2", "无": "1"}
    office.clock.advance(days=40)  # past the other item's deadline, nothing written
    await log_in(client, office, people.sup)  # the day's session ended long ago
    assert await counts() == {"红": "1", "黄": "0", "绿": "1", "无": "1"}


def test_a_letter_keeps_telegrams_formatting_and_nothing_else():
    stored = (
        '<b>督办函</b><a href="javascript:alert(1)">点</a><img src=x onerror=alert(1)>'
        '<script>bad()</script><i class="x">斜</i>&lt;b&gt; & <code>1 < 2</code> "引"'
    )
    assert str(letter_html(stored)) == (
        "<b>督办函</b>点bad()斜</i>&lt;b&gt; &amp; <code>1 &lt; 2</code> &quot;引&quot;"
    )
