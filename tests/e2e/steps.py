"""Steps of the office's stories, taken through the emulator as people take them on a phone:
the /new form, approval, signing, answering a form, a completion report, a progress report.
Tests of every feature start from these; each waits for what the bot says next."""

from __future__ import annotations


async def fill_new_item(
    sup,
    *,
    title="关于加快老旧小区改造的批示",
    co=("交通局",),
    key="是",
    category="批办性",
    deadline="15个工作日",
) -> None:
    """The supervisor's /new form, answered step by step as on a phone."""
    await sup.send("/new")
    await sup.expect("标题")
    await sup.send(title)
    await sup.expect("批示内容")
    await sup.send("请住建局牵头，交通局配合，年底前完成改造任务。")
    await sup.expect("批示领导")
    await sup.send("王书记")
    await sup.expect("来源")
    await sup.press("领导批示")
    await sup.expect("类别")
    await sup.press(category)
    await sup.expect("牵头单位")
    await sup.press("住建局")
    await sup.expect("配合单位")
    for unit in co:
        await sup.press(unit)
        await sup.expect("已选：市")
    await sup.press(f"完成（已选{len(co)}个）")
    await sup.expect("办理时限")
    await sup.send(deadline)
    await sup.expect("反馈周期")
    await sup.press("每周")
    await sup.expect("重点事项")
    await sup.press(key)
    await sup.expect("请核对督办事项")


async def approved_item(office, staffed, co=("交通局",)) -> None:
    await fill_new_item(staffed["sup"], co=co)
    await staffed["sup"].press("提交")
    await staffed["leader"].expect("请审定督办函")
    await staffed["leader"].press("同意下发")
    await staffed["zj"].expect("督 办 函")
    if "交通局" in co:
        await staffed["jt"].expect("督 办 函")
    await staffed["sup"].expect("已审定同意")  # the drafter hears of it through the outbox


async def signed_item(office, staffed) -> None:
    """An approved key item, signed by the lead unit 住建局 and the co-unit 交通局."""
    await approved_item(office, staffed)
    for key in ("zj", "jt"):
        await staffed[key].press("签收")
        await staffed[key].expect("已签收")


async def answer(user, *steps) -> None:
    """Answer a form: each step is ('send'|'press', value, what the bot says next)."""
    for how, value, then in steps:
        await (user.send(value) if how == "send" else user.press(value))
        await user.expect(then)


async def complete(zj, text: str) -> None:
    await zj.expect("办结报告")
    await answer(zj, ("send", text, "佐证材料"), ("press", "完成", "请核对办结报告"))
    await zj.press("提交")
    await zj.expect("已提交办结报告")


async def report(zj, text: str, percent: str, difficulty: str | None) -> None:
    await zj.send("/report")
    await zj.expect("第1步/共5步")
    await answer(zj, ("send", text, "完成进度"), ("send", percent, "困难和问题"))
    if difficulty:
        await answer(zj, ("send", difficulty, "下步打算"))
    else:
        await answer(zj, ("press", "无", "下步打算"))
    await answer(
        zj,
        ("send", "继续推进", "附件"),
        ("press", "完成", "请核对"),
        ("press", "提交", "已报送进展"),
    )
