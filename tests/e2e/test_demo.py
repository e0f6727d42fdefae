"""`duban demo` runs the whole month and leaves its records behind."""

from __future__ import annotations

import sqlite3

from bot import demo


async def test_demo_plays_the_month(tmp_path, capsys):
    await demo.run(tmp_path)
    transcript = capsys.readouterr().out
    for line in (
        "督查员王明 ▸ /new",
        "赵书记 ▸ [同意下发]",
        "住建局联络员李华 ▸ [签收]",
        "已退回补充",
        "已通过办结",
    ):
        assert line in transcript, line
    db = sqlite3.connect(tmp_path / "duban.db")
    statuses = dict(db.execute("SELECT title, status FROM items"))
    assert statuses["关于加快老旧小区改造的批示"] == "已办结"
    assert db.execute("SELECT count(*) FROM revisits").fetchone()[0] == 2
