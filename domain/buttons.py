"""Button callback data, `v1:<prefix>:<arg>...`: the prefixes and how data is made.

Here rather than in handlers/ because the tick (bot/) puts buttons on the pushes it queues
and nothing may import handlers/; handlers/callbacks.py re-exports all of it and parses.
"""

from __future__ import annotations

VERSION = "v1"
MAX_BYTES = 64

# prefixes, one per kind of button
APPROVE = "ap"  # ap:<item>          同意下发
RETURN = "rj"  # rj:<item>           退回修改 (asks a reason)
REVISE = "rv"  # rv:<item>           修改后重新提交 (opens the form prefilled)
SIGN = "sg"  # sg:<item>             签收
RESPONSIBLE = "rs"  # rs:<item>      报送承办责任人
OPTION = "op"  # op:<field>:<index>  a choice in a form
UNIT = "un"  # un:<field>:<unit>     a unit picked (lead / co / invite)
PAGE = "pg"  # pg:<field>:<page>     page of a unit list
DONE = "dn"  # dn:<field>            multi-select finished
FORM = "fm"  # fm:<verb>             form-level: ok / edit / cancel / redo
EDIT_FIELD = "ef"  # ef:<field>      which field to change
KIND = "kd"  # kd:<unit>:<kind>      invite kind (primary/deputy)
REPORT = "rp"  # rp:<item>           填报进展
CORRECT = "pc"  # pc:<report>        补充更正 a progress report
READ = "rd"  # rd:<report>           已阅
COMPLETE = "cp"  # cp:<item>         申请办结 / 重新报送办结报告
CHECK = "ck"  # ck:<report>:<mask>:<i>  toggle one of the 五查
PASS = "ps"  # ps:<report>:<mask>    通过办结
RETURN_REPORT = "rt"  # rt:<report>:<mask>  退回补充 (asks a reason)
VERIFY = "vf"  # vf:<report>:<mask>  需实地核查
FINDING = "fd"  # fd:<report>        录入核查结果 (asks the finding)
POST = "po"  # po:<weekly|digest>    post to the leader channel now


def make(prefix: str, *args: object) -> str:
    data = ":".join([VERSION, prefix, *(str(a) for a in args)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


# 申请延期 and 暂停 / 恢复 / 撤销 (handlers/extension.py, handlers/lifecycle.py)
EXTEND = "ex"  # ex:<item>           申请延期: the item picked
GRANT_EXTENSION = "eg"  # eg:<extension>   同意延期
REFUSE_EXTENSION = "en"  # en:<extension>  不同意延期 (asks a reason)
SUSPEND = "su"  # su:<item>          暂停 (asks a reason)
RESUME = "ru"  # ru:<item>           恢复
REVOKE = "cx"  # cx:<item>           撤销 (asks a reason)

# 回访 (handlers/revisit.py)
REVISIT_FORM = "va"  # va:<revisit>      填写回访情况 (the lead unit's liaison)
REVISIT_CHOICE = "vc"  # vc:<revisit>:<step>:<choice>  是 / 否, 无, 提交 / 取消 in the form
REVISIT_DONE = "vd"  # vd:<revisit>      回访完成
REVISIT_REOPEN = "vr"  # vr:<revisit>    重办 (asks a reason)

# 重新发送 (handlers/reminders.py): on /reminders and on /item
RESEND = "rsd"  # rsd:<outbox id>    a failed, uncertain or held push queued again

# pickers: a command sent without its argument (handlers/pickers.py)
PICK_PAGE = "pp"  # pp:<command>:<page>  another page of a command's picker
SHOW_ITEM = "vi"  # vi:<item>        /item: the item picked
LETTER = "lt"  # lt:<item>           /letter: the item picked
PLAN_TASK = "pt"  # pt:<task>        /plan: the task picked
MUTE_DATE = "md"  # md:<unit>:<choice>  /mute: until when (3 / 5 / 10 working days, m, off)
# /key and /unkey (handlers/plan.py): each asks the reason, then raises or lowers
KEY_ITEM = "ki"  # ki:<item>
KEY_TASK = "kt"  # kt:<plan task>
KEY_TARGET = "kg"  # kg:<plan target>
UNKEY_ITEM = "ui"  # ui:<item>
UNKEY_TASK = "ut"  # ut:<plan task>
UNKEY_TARGET = "ug"  # ug:<plan target>
# 停用联络员 (handlers/liaisons.py): from /units
LIAISON_PAGE = "lvp"  # lvp:<page>[:new]  the liaisons to pick from (new: as a new message)
LIAISON_OFF = "lvo"  # lvo:<person>       停用 this liaison (asks a reason)
