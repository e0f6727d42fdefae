"""The start every workbook we write shares: a new book and its first sheet, named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | Decimal | date | None  # what we write in a cell (a datetime is a date)


def workbook(title: str) -> tuple[Workbook, Worksheet]:
    """openpyxl types `Workbook.active` loosely (it may be a chart sheet, or none); a new
    workbook's is always a worksheet, checked here once rather than at every writer."""
    book = Workbook()
    sheet = book.active
    if not isinstance(sheet, Worksheet):
        raise TypeError(f"a new workbook starts with {sheet!r}, not a worksheet")
    sheet.title = title
    return book, sheet
