"""Templates that compile, an office folder that overrides them, text escaped for Telegram's
HTML, and a message for every refusal the rules can give."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.render import Renderer
from domain.errors import Refusal
from domain.items import Status

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


# --- templates ------------------------------------------------------------------------------


def test_the_shipped_templates_all_compile():
    assert Renderer().check() == []


def test_an_office_template_overrides_ours_and_the_others_stay(tmp_path):
    (tmp_path / "welcome.j2").write_text(
        "欢迎{{ person.name }}同志，您已注册为{{ role_label }}。", encoding="utf-8"
    )
    render = Renderer(tmp_path)

    class Person:
        name = "张三"

    assert (
        render("welcome", person=Person, role_label="联络员") == "欢迎张三同志，您已注册为联络员。"
    )
    assert render("cancelled") == Renderer()("cancelled")  # not overridden: ours
    assert render.check() == []


def test_a_broken_office_template_is_reported_by_name(tmp_path):
    (tmp_path / "welcome.j2").write_text("{% if person %}没有结束", encoding="utf-8")
    (tmp_path / "cancelled.j2").write_text("好的{{ }}", encoding="utf-8")
    problems = Renderer(tmp_path).check()
    assert sorted(p.split(":")[0] for p in problems) == ["cancelled.j2", "welcome.j2"]


def test_user_text_in_a_message_is_escaped_for_telegram_html():
    text = Renderer().refusal(Refusal("bad_phone", value="<b>1</b>&"))
    assert "&lt;b&gt;1&lt;/b&gt;&amp;" in text and "<b>" not in text


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("赵刚", "赵刚同志"),
        ("赵书记", "赵书记"),
        ("钱副市长", "钱副市长"),
        ("市委秘书长", "市委秘书长"),
        ("李文长", "李文长同志"),
        (" 孙丽 ", "孙丽同志"),
        ("", ""),
    ],
)
def test_a_leader_is_called_comrade_unless_named_by_title(name, shown):
    assert Renderer().env.filters["comrade"](name) == shown


def test_a_form_question_puts_each_part_on_its_own_line():
    """trim_blocks eats the newline after a block tag; these lines once ran together."""
    text = Renderer()(
        "new_ask",
        step=7,
        total=10,
        editing=True,
        kind="co",
        label="配合单位",
        example="",
        hint="可多选，也可以没有。",
        selected=[],
        query="交通",
        matches=2,
        current="无",
    )
    assert text.splitlines() == [
        "第7步/共10步：请选择<b>配合单位</b>",
        "可多选，也可以没有。",
        "已选：无",
        "当前搜索：“交通”（共2个单位）",
        "当前值：无",
    ]


def test_a_reminder_and_a_sign_notice_break_after_the_item():
    render = Renderer()
    entry = {
        "kind": "sign",
        "is_key": False,
        "serial": "督办〔2026〕1号",
        "title": "路灯",
        "sent": "2026-11-02",
        "unit": "市交通运输局",
        "workdays": 2,
        "n": 1,
    }
    push = render("push_todo", day="2026-11-04", unit="市交通运输局", entries=[entry], more=0)
    assert push.splitlines()[2] == "1. <b>督办〔2026〕1号</b>「路灯」"
    notice = render(
        "sign_notice",
        unit={"name": "市交通运输局"},
        serial="督办〔2026〕1号",
        item={"title": "路灯"},
        person={"name": "张强"},
        waiting=[],
    )
    assert notice.splitlines()[1] == "所有单位均已签收。"


def test_an_unknown_refusal_still_gets_a_polite_answer():
    assert Renderer().refusal(Refusal("no_such_key")) == "抱歉，这个操作无法完成。"


def test_an_unknown_refusal_with_context_still_gets_a_polite_answer():
    assert Renderer().refusal(Refusal("no_such_key", value="x")) == "抱歉，这个操作无法完成。"


# --- a message for every refusal ------------------------------------------------------------


def raised_refusals() -> list[tuple[str, int, str, frozenset[str]]]:
    """(file, line, key, context names) of every Refusal(...) in the code, read with ast."""
    found = []
    for folder in ("domain", "handlers", "bot"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and _name(node.func) == "Refusal"):
                    continue
                names = frozenset(k.arg for k in node.keywords if k.arg)
                where = str(path.relative_to(ROOT))
                for key in _keys(node.args[0]) if node.args else []:
                    found.append((where, node.lineno, key, names))
    return found


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _keys(arg: ast.expr) -> list[str]:
    """The key, or both keys of `Refusal("a" if x else "b", ...)`."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.IfExp):
        return _keys(arg.body) + _keys(arg.orelse)
    raise AssertionError(f"a Refusal key that cannot be read: {ast.unparse(arg)}")


REFUSALS = raised_refusals()
MACROS = Renderer().env.get_template("refusals.j2").module


def test_the_source_really_raises_refusals():
    keys = {key for _, _, key, _ in REFUSALS}
    assert len(keys) > 30
    assert {"not_allowed_now", "wrong_role", "invite_used", "bad_phone"} <= keys
    # and the domain folder alone: the rules themselves
    assert len({key for where, _, key, _ in REFUSALS if where.startswith("domain")}) > 20


def test_every_refusal_has_a_message():
    missing = sorted(
        {f"{key} ({where}:{line})" for where, line, key, _ in REFUSALS if not hasattr(MACROS, key)}
    )
    assert missing == [], "refusals without a macro in refusals.j2"


# arguments a refusal macro gives a default (`name=None`): a call may leave them out
OPTIONAL = {
    m.group(1): {a.split("=")[0].strip() for a in m.group(2).split(",") if "=" in a}
    for m in re.finditer(
        r"{%-? macro (\w+)\(([^)]*)\)",
        (Path(__file__).parents[2] / "bot/templates/refusals.j2").read_text(encoding="utf-8"),
    )
}


def test_every_refusal_passes_exactly_what_its_message_uses():
    """A macro called with an unknown name raises; a name it uses but is not given renders as
    an error under StrictUndefined. Either would break the reply the user is waiting for."""
    mismatched = []
    for where, line, key, names in REFUSALS:
        macro = getattr(MACROS, key, None)
        required = set(macro.arguments) - OPTIONAL.get(key, set()) if macro else set()
        if macro is not None and not required <= names <= set(macro.arguments):
            mismatched.append(
                f"{where}:{line} {key}: gives {sorted(names)}, macro takes {list(macro.arguments)}"
            )
    assert mismatched == []


@pytest.mark.parametrize("key", sorted({key for _, _, key, _ in REFUSALS}))
def test_every_refusal_renders(key):
    names = next(n for _, _, k, n in REFUSALS if k == key)
    # an ISO moment suits every filter the messages use (dt, cn_date) and every plain field
    context = dict.fromkeys(names, "2026-12-31T10:00:00+08:00")
    if "status" in names:  # an item's status is a Status, shown by its label
        context["status"] = Status.IN_PROGRESS
    text = Renderer().refusal(Refusal(key, **context))
    assert CHINESE.search(text) and text != MACROS.generic().strip()
