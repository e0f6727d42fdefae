"""The month the demo plays: letters, 签收, progress, chasing, a return, a closure, summaries."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


async def new_item(
    demo, title: str, text: str, lead: str, co: list[str], deadline: str, key: str
) -> None:
    await demo.act("sup", "/new", "标题")
    await demo.act("sup", title, "批示内容")
    await demo.act("sup", text, "批示领导")
    await demo.act("sup", "赵书记", "来源")
    await demo.act("sup", "领导批示", "类别", press=True)
    await demo.act("sup", "批办性", "牵头单位", press=True)
    await demo.act("sup", lead, "配合单位", press=True)
    for unit in co:
        await demo.act("sup", unit, "已选：", press=True)
    await demo.act("sup", f"完成（已选{len(co)}个）", "办理时限", press=True)
    await demo.act("sup", deadline, "反馈周期")
    await demo.act("sup", "每周", "重点事项", press=True)
    await demo.act("sup", key, "请核对督办事项", press=True)
    await demo.act("sup", "提交", "已提交审定", press=True)


async def report(demo, who: str, progress: str, percent: str, difficulty: str | None) -> None:
    await demo.act(who, "/report", "第1步/共5步")
    await demo.act(who, progress, "完成进度")
    await demo.act(who, percent, "困难和问题")
    if difficulty:
        await demo.act(who, difficulty, "下步打算")
    else:
        await demo.act(who, "无", "下步打算", press=True)
    await demo.act(who, "按计划推进", "附件")
    await demo.act(who, "完成", "请核对", press=True)
    await demo.act(who, "提交", "已报送进展", press=True)


async def tick(demo, check: str) -> None:
    """Tick one of the 五查 on the review card and wait for the card to show it."""
    await demo.act("sup", f"☐ {check}", lambda m: f"☑ {check}" in m.button_texts, press=True)


async def month(demo) -> None:
    demo.narrator.note("11月2日（周一）：督查员立项，领导审定，督办函下发")
    await new_item(
        demo,
        "关于加快老旧小区改造的批示",
        "请住建局牵头、交通局配合，年底前完成120个小区改造。",
        "住建局",
        ["交通局"],
        "2026-11-27",
        "是",
    )
    await demo.act("leader", "同意下发", "已审定同意", press=True)
    await new_item(
        demo,
        "关于校园周边交通安全整治的批示",
        "请环境局牵头、教育局配合，开展专项整治。",
        "环境局",
        ["教育局"],
        "2026-11-13",
        "否",
    )
    await demo.act("leader", "同意下发", "已审定同意", press=True)
    await demo.act("zj", "签收", "已签收", press=True)
    await demo.act("zj", "现在填写承办责任人", "姓名", press=True)
    await demo.act("zj", "周建国", "职务")
    await demo.act("zj", "城建科科长", "电话")
    await demo.act("zj", "13911112222", "已报送承办责任人")
    await demo.act("hj", "签收", "已签收", press=True)

    demo.narrator.note("交通局迟迟不签收：机器人每个工作日提醒，第2个工作日起告知督查员")
    await demo.working_days(at(11, 4))
    await demo.act("jt", "签收", "已签收", press=True)

    demo.narrator.note("住建局报送进展，重点事项反映困难 → 领导通报预警")
    await demo.day(at(11, 5, 15))
    await report(demo, "zj", "已完成60个小区外墙改造", "50", "资金缺口约2000万元")
    await demo.working_days(at(11, 6))

    demo.narrator.note("周一：领导通报频道自动发布周调度")
    await demo.working_days(at(11, 9, 9, 30), at=demo_time(9, 30))

    demo.narrator.note("住建局申请办结，督查员按“五查”审核，退回补充")
    await demo.day(at(11, 10, 14))
    await demo.act("zj", "/complete", "办结报告")
    await demo.act("zj", "120个小区改造已全部完工，验收合格。", "佐证材料")
    await demo.act("zj", "完成", "请核对办结报告", press=True)
    await demo.act("zj", "提交", "已提交办结报告", press=True)
    for check in ("按批示精神办理", "问题全部查清", "定性结论准确"):
        await tick(demo, check)
    await demo.act("sup", "退回补充", "退回补充的理由", press=True)
    await demo.act("sup", "请补充资金缺口的解决情况和长效管理措施", "已退回补充")
    await demo.act("zj", "重新报送办结报告", "办结报告", press=True)
    await demo.act("zj", "已落实专项资金2000万元，建立物业长效管理机制。", "佐证材料")
    await demo.act("zj", "完成", "请核对办结报告", press=True)
    await demo.act("zj", "提交", "已提交办结报告", press=True)
    for check in ("按批示精神办理", "问题全部查清", "定性结论准确", "整改意见务实", "措施落实到位"):
        await tick(demo, check)
    await demo.act("sup", "通过办结", "已通过办结", press=True)

    demo.narrator.note("环境局的事项逾期：催办，并向督查员升级")
    await demo.working_days(at(11, 20))

    demo.narrator.note("12月1日（本月第一个工作日）")
    await demo.working_days(at(12, 1, 9, 30), at=demo_time(9, 30))

    demo.narrator.note("办结30天后回访（回头看）：住建局填写回访情况，督查员确认")
    await demo.working_days(at(12, 10))
    await demo.act("zj", "填写回访情况", "措施是否持续落实", press=True)
    await demo.act("zj", "是", "现状", press=True)
    await demo.act("zj", "改造后的小区运行良好，已移交物业管理", "存在什么问题")
    await demo.act("zj", "无", "请核对回访情况", press=True)
    await demo.act("zj", "提交", "已报送回访情况", press=True)
    await demo.act("sup", "回访完成", "已确认回访完成", press=True)


def demo_time(hour: int, minute: int) -> time:
    return time(hour, minute)
