"""Files are built in a worker thread: a ledger or a letter being written does not stall
every other chat's replies (the event loop's thread only reads the database for them)."""

from __future__ import annotations

import threading

from bot import ledger_xlsx, letter_docx
from tests.e2e.test_refusals import approved_item


def threads_of(monkeypatch, module, name: str) -> list[threading.Thread]:
    """Wrap the real builder to note the thread it ran in."""
    seen: list[threading.Thread] = []
    real = getattr(module, name)

    def noted(*args, **kwargs):
        seen.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, noted)
    return seen


async def test_ledger_and_letter_are_built_off_the_event_loop(office, staffed, monkeypatch):
    workbooks = threads_of(monkeypatch, ledger_xlsx, "workbook")
    letters = threads_of(monkeypatch, letter_docx, "build")
    await approved_item(office, staffed)
    await staffed["sup"].send("/export")
    await staffed["sup"].expect(lambda m: m.document is not None)
    await staffed["zj"].send("/letter 1")
    await staffed["zj"].expect(lambda m: m.document is not None)
    loop_thread = threading.current_thread()
    assert len(workbooks) == 1 and workbooks[0] is not loop_thread
    assert len(letters) == 1 and letters[0] is not loop_thread


async def test_a_large_ledger_is_built_in_a_child_process_and_reads_the_same(office, staffed):
    """Over IN_PROCESS_ROWS the workbook is built in bot.worker's child process: the rows it
    is handed must cross the process boundary whole (frozen values pickle)."""
    import io

    from openpyxl import load_workbook

    from bot import worker
    from domain import queries

    await approved_item(office, staffed)
    sup = await office.office.person(101)
    rows = await queries.ledger(office.office, sup)
    lights = await queries.lights(office.office, {r.item_id for r in rows})
    args = (rows, lights, [], [], office.office.serial_format)
    in_thread = await worker.run(ledger_xlsx.workbook, *args, heavy=False)
    in_child = await worker.run(ledger_xlsx.workbook, *args, heavy=True)

    def cells(body: bytes) -> list[tuple]:
        return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))

    assert len(cells(in_child)) == len(rows) + 1 and cells(in_child) == cells(in_thread)
