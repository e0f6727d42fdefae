"""The office's rules, with no Telegram and no SQL. Two kinds of module live here.

Rules — pure functions and values; they import nothing from storage/, never open the
database, and are tested without one (tests/domain):
    buttons, channel, digests, errors, inputs, items (the status model), ledger, models,
    periods, policy (reminders and escalation), reminders, status, traffic (the one light),
    workdays, xlsx_guard; plan.cells, plan.records, plan.rules, plan.sheet.

Actions and readers — what a person or the tick does: each action opens one transaction (or a
read) on `office.db`, decides with the rules, writes through storage/, and queues what others
are told in the same transaction (tests/actions):
    extensions, letters, liaisons, lifecycle, monthly, office, picks, progress, pushes,
    queries, registration, review, revisits, summaries, unit_import; plan.actions, plan.keys,
    plan.views. `lights`, `plan.items` and `plan.upsert` are readers and writers that take the
    caller's connection and open none.

tests/domain/test_rooms.py keeps this list true.
"""
