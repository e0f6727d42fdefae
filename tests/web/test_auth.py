"""Getting in and out of the web ledger: one-time links, sessions read from the database on
every request, CSRF on logout, Telegram Mini App initData, and the security headers."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlencode

from storage import people as people_store
from tests.web.conftest import TOKEN, log_in
from web import auth


async def test_a_link_logs_in_once_and_sets_a_strict_session_cookie(client, office, people):
    token = await auth.issue_link(office, people.sup)
    response = await client.get(f"/login/{token}")
    assert response.status == 200
    assert "登录成功" in await response.text()
    cookie = response.cookies["duban_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["max-age"] == str(8 * 3600) and cookie["path"] == "/"
    assert (await client.get("/ledger")).status == 200

    again = await client.get(f"/login/{token}")
    assert again.status == 403
    assert "已使用过" in await again.text()
    async with office.db.read() as conn:  # only hashes are kept
        assert (
            await conn.scalar("SELECT count(*) FROM web_links WHERE token_hash = ?", (token,)) == 0
        )


async def test_an_expired_or_forged_link_is_refused_with_a_clear_page(client, office, people):
    token = await auth.issue_link(office, people.leader)
    office.clock.advance(minutes=11)
    expired = await client.get(f"/login/{token}")
    assert expired.status == 403 and "已过期" in await expired.text()
    forged = await client.get("/login/not-a-real-token")
    assert forged.status == 403 and "登录链接无效" in await forged.text()
    nobody = await client.get("/ledger")
    assert nobody.status == 403 and "请先在机器人中发送 /web" in await nobody.text()


async def test_every_request_reads_the_person_again(client, office, people):
    await log_in(client, office, people.housing)
    assert (await client.get("/ledger")).status == 200
    async with office.db.transaction() as conn:
        await people_store.deactivate(conn, people.housing.id, office.now())
    assert (await client.get("/ledger")).status == 403


async def test_the_session_ends_after_eight_hours(client, office, people):
    await log_in(client, office, people.sup)
    office.clock.advance(hours=8, seconds=1)
    assert (await client.get("/ledger")).status == 403


async def test_logout_is_a_post_with_the_sessions_csrf_token(client, office, people):
    await log_in(client, office, people.sup)
    page = await (await client.get("/ledger")).text()
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    assert (await client.get("/logout")).status == 405  # read-only: no GET changes anything
    refused = await client.post("/logout", data={"csrf": "forged"})
    assert refused.status == 403
    assert (await client.get("/ledger")).status == 200  # still logged in
    done = await client.post("/logout", data={"csrf": csrf})
    assert done.status == 200 and "已退出" in await done.text()
    assert (await client.get("/ledger")).status == 403
    async with office.db.read() as conn:
        assert await conn.scalar("SELECT count(*) FROM web_sessions") == 0


def signed(fields: dict[str, str], token: str = TOKEN) -> str:
    """initData as Telegram signs it (the algorithm from core.telegram.org/bots/webapps)."""
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    key = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    digest = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def init_fields(office, user_id: int, age: int = 5) -> dict[str, str]:
    now = int(office.clock.now().timestamp())
    user = json.dumps({"id": user_id, "first_name": "王"}, ensure_ascii=False)
    return {"auth_date": str(now - age), "query_id": "AAH", "user": user}


async def test_the_mini_app_logs_in_with_telegrams_signature(client, office, people):
    page = await client.get("/app")
    assert page.status == 200 and "X-Frame-Options" not in page.headers
    assert "frame-ancestors https://web.telegram.org" in page.headers["Content-Security-Policy"]
    assert '<script src="/static/miniapp.js"' in await page.text()
    data = signed(init_fields(office, people.leader.tg_user_id))
    response = await client.post("/app/login", data={"init_data": data})
    assert response.status == 200 and (await response.json()) == {"next": "/ledger"}
    assert "赵主任" in await (await client.get("/ledger")).text()


async def test_forged_stale_or_strangers_init_data_is_refused(client, office, people):
    fields = init_fields(office, people.sup.tg_user_id)
    good = signed(fields)
    for bad in (
        good.replace("%22id%22%3A+", "%22id%22%3A+9"),  # another user, same signature
        signed(fields, token="987654321:" + "X" * 35),  # signed with another bot's token
        signed(init_fields(office, people.sup.tg_user_id, age=2 * 3600)),  # too old
        signed(init_fields(office, 555)),  # signed, but not a registered person
        good + "&hash=0",  # a field twice
        "",
    ):
        response = await client.post("/app/login", data={"init_data": bad})
        assert response.status == 403, bad
    assert (await client.get("/ledger")).status == 403
    assert auth.init_data_user(good, TOKEN, int(office.clock.now().timestamp())) == 1001


async def test_security_headers(client, office, people, ledger):
    await log_in(client, office, people.sup)
    for path in ("/ledger", f"/item/{ledger.led}", "/nowhere"):
        response = await client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "<script" not in await response.text()  # no script but the Mini App's file
    style = await client.get("/static/ledger.css")
    assert style.status == 200 and "public" in style.headers["Cache-Control"]
