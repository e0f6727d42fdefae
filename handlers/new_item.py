"""/new: the 立项 form, and the same form to revise a letter a leader returned.

```
title → instruction → leader → source → category → lead → co → deadline → period → key
                                                                                  ↓
                      (edit a field) ◄── PICK_EDIT ◄── 修改 ── PREVIEW ── 提交 ──► saved
```
Each state is a field name; answers are in user_data['new_item'] (persisted). After an edit
the form returns to the preview. Button fields ignore text (and re-ask); text fields ignore
buttons from earlier steps.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from domain import inputs, letters, queries
from domain.errors import Refusal
from domain.items import REVISABLE
from domain.models import Role
from domain.office import require
from handlers import approval
from handlers import callbacks as cb
from handlers.common import (
    END,
    Context,
    Form,
    answers_refusals,
    button_id,
    callback_of,
    cancel_form,
    clear_buttons,
    in_rows,
    person_of,
    press_buttons,
    pressed,
    redraw,
    registered,
    say,
    text_of,
    user_data_of,
)
from handlers.feature import Feature
from handlers.item_form import (
    BY_NAME,
    FIELDS,
    PICK_EDIT,
    PREVIEW,
    display,
    from_item,
    is_complete,
    next_field,
    step_of,
    to_draft,
)
from handlers.unit_picker import form_keyboard

KEY = "new_item"
Step = list[BaseHandler[Update, Context, object]]  # what one state of the form answers


def _form(context: Context) -> dict:
    return user_data_of(context).setdefault(KEY, {"mode": "new", "v": {}})


@answers_refusals
async def start(update: Update, context: Context) -> str:
    """/new: a fresh form, first question."""
    require(await person_of(update, context), Role.SUPERVISOR)
    if not await queries.unit_list(context.services.office):
        raise Refusal("no_units")
    user_data_of(context)[KEY] = {"mode": "new", "v": {}}
    return await ask(update, context, FIELDS[0].name)


@answers_refusals
async def revise(update: Update, context: Context) -> str | None:
    """修改后重新提交 on a returned letter: the form, prefilled, opens at the preview."""
    require(await person_of(update, context), Role.SUPERVISOR)
    item = await queries.get_item(context.services.office, button_id(update))
    if item.status not in REVISABLE:
        raise Refusal("stale_button")
    await callback_of(update).answer()
    user_data_of(context)[KEY] = {
        "mode": "revise",
        "item_id": item.id,
        "v": from_item(item),
        "reason": item.return_reason or "",
    }
    return await preview(update, context)


async def ask(update: Update, context: Context, name: str, in_place: bool = False) -> str:
    """Ask one field, with its buttons; the state is the field's name.

    `in_place` redraws the pressed message (toggling a co-unit, turning a page) so the chat
    does not fill up with copies of the same question.
    """
    form = _form(context)
    form["at"] = name
    field = BY_NAME[name]
    values = form["v"]
    buttons, extra = [], {"query": "", "matches": 0, "selected": []}
    if field.kind == "choice":
        options = [(o, cb.make(cb.OPTION, name, i)) for i, o in enumerate(field.options)]
        buttons = in_rows(options, 3)
    elif field.kind in ("lead", "co"):
        buttons, extra = await form_keyboard(context, form, name)
    current = (
        display(values, name, await queries.unit_names(context.services.office))
        if form.get("editing")
        else ""
    )
    show = redraw if in_place else say
    await show(
        update,
        context,
        "new_ask",
        buttons=buttons,
        step=step_of(name),
        total=len(FIELDS),
        label=field.label,
        kind=field.kind,
        example=field.example,
        hint=field.hint,
        editing=form.get("editing", False),
        current=current,
        **extra,
    )
    return name


async def _advance(update: Update, context: Context, name: str) -> str:
    form = _form(context)
    form.pop("q", None)
    form.pop("page", None)
    if form.pop("editing", False) or next_field(name) == PREVIEW:
        return await preview(update, context)
    return await ask(update, context, next_field(name))


@answers_refusals
async def got_text(update: Update, context: Context) -> str:
    """A typed answer for a text field (or a search in a unit field)."""
    form = _form(context)
    name = form.get("at", FIELDS[0].name)
    field = BY_NAME[name]
    text = text_of(update)
    if field.kind in ("lead", "co"):
        form["q"] = inputs.text(text, "search", "搜索内容")
        form["page"] = 0
        return await ask(update, context, name)
    if field.kind == "choice":
        raise Refusal("choose_button")
    if field.kind == "deadline":
        office = context.services.office
        value = inputs.deadline(text, office.clock.today(), office.calendar).isoformat()
    else:
        value = inputs.text(text, field.limit_key, field.label)
    form["v"][name] = value
    return await _advance(update, context, name)


def _button(update: Update, context: Context, prefix: str) -> cb.Callback:
    """The pressed button, if it belongs to the question being asked now."""
    data = pressed(update)
    if data is None or data.prefix != prefix or data.args[:1] != (_form(context).get("at"),):
        raise Refusal("stale_button")
    return data


@answers_refusals
async def got_option(update: Update, context: Context) -> str:
    data = _button(update, context, cb.OPTION)
    field = BY_NAME[data.args[0]]
    index = data.int_arg(1)
    if index is None or index >= len(field.options):
        raise Refusal("stale_button")
    await callback_of(update).answer(field.options[index])
    await clear_buttons(update)
    _form(context)["v"][field.name] = field.options[index]
    return await _advance(update, context, field.name)


@answers_refusals
async def got_unit(update: Update, context: Context) -> str:
    """Lead: pick one and go on. Co: toggle and redraw the keyboard."""
    data = _button(update, context, cb.UNIT)
    unit_id = data.int_arg(1)
    names = await queries.unit_names(context.services.office)
    if unit_id not in names:
        raise Refusal("unknown_unit")
    form = _form(context)
    await callback_of(update).answer(names[unit_id])
    if data.args[0] == "lead":
        await clear_buttons(update)
        form["v"]["lead"] = unit_id
        form["v"]["co"] = [u for u in form["v"].get("co", []) if u != unit_id]
        return await _advance(update, context, "lead")
    chosen = form["v"].setdefault("co", [])
    chosen.remove(unit_id) if unit_id in chosen else chosen.append(unit_id)
    return await ask(update, context, "co", in_place=True)


@answers_refusals
async def got_page(update: Update, context: Context) -> str:
    data = _button(update, context, cb.PAGE)
    number = data.int_arg(1)
    if number is None:
        raise Refusal("stale_button")
    await callback_of(update).answer()
    _form(context)["page"] = number
    return await ask(update, context, data.args[0], in_place=True)


@answers_refusals
async def co_done(update: Update, context: Context) -> str:
    data = _button(update, context, cb.DONE)
    await callback_of(update).answer()
    await clear_buttons(update)
    if data.args[1:] == ("none",):
        _form(context)["v"]["co"] = []
    _form(context)["v"].setdefault("co", [])
    return await _advance(update, context, "co")


async def preview(update: Update, context: Context) -> str:
    form = _form(context)
    form["at"] = PREVIEW
    values = form["v"]
    names = await queries.unit_names(context.services.office)
    buttons = [
        [
            ("提交", cb.make(cb.FORM, "ok")),
            ("修改", cb.make(cb.FORM, "edit")),
            ("取消", cb.make(cb.FORM, "cancel")),
        ]
    ]
    await say(
        update,
        context,
        "new_preview",
        buttons=buttons,
        values=values,
        mode=form["mode"],
        lead_name=names.get(values.get("lead"), ""),
        return_reason=form.get("reason", ""),
        co_names=[names.get(u, "") for u in values.get("co", [])],
    )
    return PREVIEW


@answers_refusals
async def on_preview(update: Update, context: Context) -> str | int:
    """提交 saves; 修改 lists the fields; 取消 drops the form."""
    query = callback_of(update)
    verb = (cb.parse(query.data) or cb.Callback("", ())).args[:1]
    await query.answer()
    await clear_buttons(update)
    if verb == ("edit",):
        rows = in_rows([(f.label, cb.make(cb.EDIT_FIELD, f.name)) for f in FIELDS], 3)
        await say(update, context, "new_pick_field", buttons=rows)
        return PICK_EDIT
    if verb == ("cancel",):
        return await cancel(update, context)
    return await submit(update, context)


@answers_refusals
async def pick_edit(update: Update, context: Context) -> str:
    data = pressed(update)
    name = data.args[0] if data and data.args else ""
    if name not in BY_NAME:
        raise Refusal("stale_button")
    await callback_of(update).answer()
    await clear_buttons(update)
    _form(context)["editing"] = True
    return await ask(update, context, name)


async def submit(update: Update, context: Context) -> str | int:
    form = _form(context)
    if not is_complete(form["v"]):
        return await ask(
            update, context, next(f.name for f in FIELDS if form["v"].get(f.name) in (None, ""))
        )
    svc = context.services
    person = await registered(update, context)
    draft = to_draft(form["v"])
    cards = approval.approval_card(svc, person.name, form["mode"] == "revise")
    if form["mode"] == "revise":
        opened = await letters.resubmit(svc.office, person, form["item_id"], draft, then=cards)
    else:
        opened = await letters.open_item(svc.office, person, draft, then=cards)
    svc.wake_sender()
    user_data_of(context).pop(KEY, None)
    item = opened.item
    await say(
        update,
        context,
        "new_saved",
        item=item,
        serial=svc.office.serial_label(item),
        approvers=opened.approvers,
    )
    return END


cancel = cancel_form(KEY)


def build() -> Feature:
    text = filters.TEXT & ~filters.COMMAND
    by_text: Step = [MessageHandler(text, got_text)]
    choice: Step = [
        CallbackQueryHandler(got_option, pattern=cb.pattern(cb.OPTION)),
        MessageHandler(text, press_buttons),
    ]
    units_state: Step = [
        CallbackQueryHandler(got_unit, pattern=cb.pattern(cb.UNIT)),
        CallbackQueryHandler(got_page, pattern=cb.pattern(cb.PAGE)),
        CallbackQueryHandler(co_done, pattern=cb.pattern(cb.DONE)),
        *by_text,
    ]
    states: dict[object, Step] = {
        f.name: by_text
        if f.kind in ("text", "deadline")
        else choice
        if f.kind == "choice"
        else units_state
        for f in FIELDS
    }
    states[PREVIEW] = [
        CallbackQueryHandler(on_preview, pattern=cb.pattern(cb.FORM)),
        MessageHandler(text, press_buttons),
    ]
    states[PICK_EDIT] = [
        CallbackQueryHandler(pick_edit, pattern=cb.pattern(cb.EDIT_FIELD)),
        MessageHandler(text, press_buttons),
    ]
    form = Form(
        entry_points=[
            CommandHandler("new", start),
            CallbackQueryHandler(revise, pattern=cb.pattern(cb.REVISE)),
        ],
        states=states,
        fallbacks=[CommandHandler("cancel", cancel)],
        name=KEY,
        persistent=True,
        allow_reentry=True,
    )
    return Feature((form,))
