"""Wording: button steps say 请选择, instructions are not labelled 例如, a result is not asked
for as a 理由, and nobody is told to contact themself (a supervisor is the 督查室)."""

from __future__ import annotations

from bot.app import features
from bot.render import Renderer
from domain.models import Role


async def test_the_co_unit_step_asks_to_choose_and_gives_no_false_example(office, staffed):
    sup = staffed["sup"]
    await sup.send("/new")
    for how, answer, question in (
        ("send", "标题", "批示内容"),
        ("send", "内容", "批示领导"),
        ("send", "王书记", "来源"),
        ("press", "领导批示", "类别"),
        ("press", "批办性", "牵头单位"),
    ):
        await (sup.send(answer) if how == "send" else sup.press(answer))
        asked = await sup.expect(question)
    assert "请选择牵头单位" in asked.text and "例如" not in asked.text
    await sup.press("住建局")
    asked = await sup.expect("配合单位")
    assert "请选择配合单位" in asked.text
    assert "请输入" not in asked.text and "例如" not in asked.text


def test_no_reason_prompt_asks_for_the_reason_of_a_result():
    render = Renderer()
    prompts = [p for feature in features() for p in feature.prompts]
    questions = [render("ask_reason", asks=p.asks(p.what)) for p in prompts]
    assert len(questions) >= 8
    assert not [q for q in questions if "结果的理由" in q or "）的理由" in q]
    assert any(q.startswith("请输入实地核查结果（") for q in questions)


async def test_a_supervisor_is_never_told_to_contact_the_supervision_office(office, staffed, emu):
    sup, zj = staffed["sup"], staffed["zj"]
    for person in (sup, zj):
        await person.send(f"/start {await office.cli_invite(Role.LEADER)}")
    refused = await sup.expect("您已注册为督查员")
    assert "督查室" not in refused.text
    assert "请联系督查室" in (await zj.expect("您已注册为联络员")).text

    async with office.db.transaction() as conn:  # a failure inside a handler
        await conn.execute("ALTER TABLE units RENAME TO units_lost")
    sup.mark()
    await sup.send("/units")
    failed = await sup.expect("抱歉，处理时出现问题")
    assert "督查室" not in failed.text and "系统管理员" in failed.text
