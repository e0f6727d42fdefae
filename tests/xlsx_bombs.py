"""Hostile .xlsx files for tests, made from a real workbook by rewriting its first sheet's XML.

Each is a few kilobytes on disk: a `<dimension>` that claims far more than the sheet holds,
rows or cells placed far beyond the caps, or parts that unpack to tens of megabytes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from io import BytesIO

SHEET = "xl/worksheets/sheet1.xml"


def rewrite(data: bytes, change: Callable[[bytes], bytes], extra: dict | None = None) -> bytes:
    """The workbook with its first sheet's XML changed (and any extra parts added)."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for part in source.infolist():
            body = source.read(part.filename)
            book.writestr(part.filename, change(body) if part.filename == SHEET else body)
        for name, body in (extra or {}).items():
            book.writestr(name, body)
    return out.getvalue()


def claim(data: bytes, ref: str = "A1:XFD60000") -> bytes:
    """The same sheet, claiming the range `ref` (openpyxl used to pad every row to it)."""
    return rewrite(data, lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', _dim(ref), xml))


def add_rows(data: bytes, rows: str, ref: str = "A1:XFD60000") -> bytes:
    """The sheet claiming `ref`, with raw `<row>` XML appended to its data."""
    return rewrite(
        claim(data, ref),
        lambda xml: xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>"),
    )


def blank_rows(first: int, last: int, columns: str = "ABCDEFGH") -> str:
    """Rows with styled but empty cells, as a sheet formatted far below its content has."""
    return "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="0"/>' for c in columns) + "</row>"
        for r in range(first, last + 1)
    )


def text_cell(ref: str, text: str) -> str:
    """One row holding one inline-string cell at `ref` (e.g. XFD60000)."""
    row = re.sub(r"^[A-Z]+", "", ref)
    return f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>'


def zip_bomb(data: bytes, megabytes: int) -> bytes:
    """The workbook with whitespace inflating its sheet to `megabytes` once unpacked."""
    padding = b" " * (megabytes * 1024 * 1024)
    return rewrite(data, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding))


def _dim(ref: str) -> bytes:
    return f'<dimension ref="{ref}"/>'.encode()
