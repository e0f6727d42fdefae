"""The month the demo plays: letters, 签收, progress, chasing, a return, a closure, summaries."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.plan_template import to_xlsx
from bot.xlsx import Cell

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
    await demo.flush()
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
    await demo.flush()
    await demo.act("zj", "签收", "已签收", press=True)
    await demo.act("zj", "现在填写承办责任人", "姓名", press=True)
    await demo.act("zj", "周建国", "职务")
    await demo.act("zj", "城建科科长", "电话")
    await demo.act("zj", "13911112222", "已报送承办责任人")
    await demo.act("hj", "签收", "已签收", press=True)

    demo.narrator.note(
        "交通局迟迟不签收：机器人在今日待办中提醒（到期后第1、3、5个工作日），仍不签收再告知督查员"
    )
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
    await demo.act("sup", "请补充资金缺口的解决情况和长效管理措施", "已退回补充：")
    await demo.act("zj", "重新报送办结报告", "办结报告", press=True)
    await demo.act("zj", "已落实专项资金2000万元，建立物业长效管理机制。", "佐证材料")
    await demo.act("zj", "完成", "请核对办结报告", press=True)
    await demo.act("zj", "提交", "已提交办结报告", press=True)
    for check in ("按批示精神办理", "问题全部查清", "定性结论准确", "整改意见务实", "措施落实到位"):
        await tick(demo, check)
    await demo.act("sup", "通过办结", "已通过办结", press=True)

    await plan(demo)

    demo.narrator.note("环境局的事项逾期：催办，并向督查员升级")
    await demo.working_days(at(11, 20))

    demo.narrator.note("月末到月初：每个工作日的提醒，月初第一个工作日发布上月通报")
    await demo.working_days(at(12, 1, 9, 30), at=demo_time(9, 30))

    demo.narrator.note("办结30天后回访（回头看）：住建局填写回访情况，督查员确认")
    await demo.working_days(at(12, 10))
    await demo.act("zj", "填写回访情况", "措施是否持续落实", press=True)
    await demo.act("zj", "是", "现状", press=True)
    await demo.act("zj", "改造后的小区运行良好，已移交物业管理", "存在什么问题")
    await demo.act("zj", "无", "请核对回访情况", press=True)
    await demo.act("zj", "提交", "已报送回访情况", press=True)
    await demo.act("sup", "回访完成", "已确认回访完成", press=True)


PLAN: list[list[Cell]] = [  # 任务编号 任务名称 类别 分管领导 牵头单位 任务重点 | 目标 …
    [
        "D01",
        "城市更新",
        "批办性",
        "赵刚",
        "住建局",
        "是",
        "D01-01",
        "完成城市更新投资",
        "住建局",
        10,
        "亿元",
        "年度",
        None,
        None,
        None,
        "每月",
        "是",
    ],
    [
        "D01",
        None,
        None,
        None,
        None,
        None,
        "D01-02",
        "老旧小区加装电梯",
        "甲区",
        200,
        "部",
        "年内",
        None,
        "2026-11-27",
        None,
        "每月",
        None,
    ],
    [
        "D02",
        "稳就业",
        "指导性",
        "钱副市长",
        "交通局",
        "否",
        "D02-01",
        "交通项目带动就业",
        "交通局",
        5000,
        "人",
        "年度",
        None,
        None,
        None,
        "每月",
        None,
    ],
    [
        "D03",
        "冬季大气污染防治",
        "批办性",
        "赵刚",
        "环境局",
        "否",
        "D03-01",
        "冬季扬尘管控",
        "环境局",
        None,
        None,
        "年内",
        "2026-11-23",
        "2026-12-31",
        None,
        "每两周",
        None,
    ],
    [
        "D04",
        "城市快速路建设",
        "批办性",
        "孙副市长",
        "交通局",
        "是",
        "D04-01",
        "快速路一期",
        "交通局",
        30,
        "亿元",
        "跨年度",
        None,
        None,
        "2026-12-31 完成主体工程；2027-12-31 建成通车",
        "每月",
        None,
    ],
]


async def plan(demo) -> None:
    """The year's 大事要事: imported from a sheet, sent, signed, reported with quantities."""
    demo.narrator.note("督查室导入年度大事要事计划：任务 → 目标（数量、期限） → 节点")
    await demo.act("sup", "/import", "导入大事要事计划")
    await demo.send_file("sup", to_xlsx(PLAN), "2026年大事要事计划.xlsx", "计划已导入")
    await demo.deliver()
    await demo.act("zj", "签收", "已签收", press=True)
    await demo.act("jt", "签收", "已签收", press=True)
    await demo.act("jt", "签收", "已签收", press=True)
    demo.narrator.note("住建局报送进展，同时报告累计完成的投资额")
    await demo.act("zj", "/report", "第1步/共6步")
    await demo.act("zj", "城市更新项目已开工12个", "完成进度")
    await demo.act("zj", "35", "累计完成")
    await demo.act("zj", "3.5", "困难和问题")
    await demo.act("zj", "无", "下步打算", press=True)
    await demo.act("zj", "12月底前完成全部开工", "附件")
    await demo.act("zj", "完成", "请核对", press=True)
    await demo.act("zj", "提交", "已报送进展", press=True)
    demo.narrator.note("督查员查看全年进度，并把“稳就业”调整为重点任务")
    await demo.act("sup", "/plan", "大事要事")
    await demo.act("sup", "/key D02 列入市委年度重点工作", "设为重点")
    await demo.act("leader", "/plan D01", "城市更新")


def demo_time(hour: int, minute: int) -> time:
    return time(hour, minute)
