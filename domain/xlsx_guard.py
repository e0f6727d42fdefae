"""Reading an office's uploaded .xlsx so that no file, however built, can hold the bot up.

An .xlsx is a zip of XML parts, and a few kilobytes can ask for a great deal: parts that unpack to
hundreds of megabytes (a zip bomb), or a `<dimension>` claiming A1:XFD60000, which makes openpyxl
pad every row to 16 384 columns and yield 60 000 blank rows. So the parts are measured before
anything is parsed, the declared dimension is ignored, and reading stops as soon as the real
content passes the caps — blank rows count towards the line cap, so they cannot be used to slip
past it. Callers run this in a worker thread; it never touches the event loop.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_UNPACKED = 50 * 1024 * 1024  # every part together, as the zip's directory declares
MAX_RATIO = 100  # real sheets deflate 5–20×; a bomb is made of runs that deflate 1 000×
RATIO_FLOOR = 1024 * 1024  # a part smaller than this may compress as well as it likes
MAX_PARTS = 2000

Row = tuple[object, ...]


class Refused(Exception):
    """The file was not read; the message is one line for the office, saying why."""


def check_zip(data: bytes, what: str) -> None:
    """Refuse before parsing: not a zip, too many parts, too large unpacked, or a bomb's ratio.

    The sizes are the zip directory's; zipfile stops inflating a part at its declared size (and
    fails its CRC), so a part that lies about its size cannot unpack to more than it declares.
    """
    try:
        parts = zipfile.ZipFile(BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused(f"无法读取该文件，请上传 Excel（.xlsx）格式的{what}") from None
    if len(parts) > MAX_PARTS:
        raise Refused(f"文件包含{len(parts)}个部件，不像是一份正常的{what}，未读取")
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_UNPACKED:
        mb = 1024 * 1024
        raise Refused(
            f"文件解压后约{unpacked // mb}MB，超过{MAX_UNPACKED // mb}MB的上限，未读取；"
            f"请检查这是否是{what}"
        )
    for p in parts:
        if p.file_size > RATIO_FLOOR and p.file_size > MAX_RATIO * max(p.compress_size, 1):
            ratio = p.file_size // max(p.compress_size, 1)
            raise Refused(f"文件压缩比异常（解压后放大{ratio}倍），不像是一份正常的{what}，未读取")


def read_rows(
    data: bytes, what: str, *, max_lines: int, max_columns: int, sheet: str | None = None
) -> list[Row]:
    """Every line of the sheet (`sheet` if the book has it, else the first) as a tuple of at most
    `max_columns` values, trailing blank lines dropped; Refused past either cap."""
    check_zip(data, what)
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise Refused(f"无法读取该文件，请上传 Excel（.xlsx）格式的{what}") from None
    try:
        return _lines(_sheet(book, sheet), what, max_lines, max_columns)
    finally:
        book.close()


def _sheet(book: Workbook, name: str | None) -> ReadOnlyWorksheet:
    page = book[name] if name and name in book.sheetnames else book.worksheets[0]
    if not isinstance(page, ReadOnlyWorksheet):  # a chart sheet: nothing to read
        raise Refused(f"工作表“{page.title}”不是表格，无法读取")
    page.reset_dimensions()  # the declared range is the file's claim, not its content
    return page


def _lines(page: ReadOnlyWorksheet, what: str, max_lines: int, max_columns: int) -> list[Row]:
    """openpyxl pads a row up to its last cell, blank or not, so a width budget bounds the work:
    a file within both caps never spends it, and one cell at XFD costs only once."""
    lines: list[Row] = []
    last = 0  # the last line with content
    budget = max_lines * max_columns
    for number, values in enumerate(page.values, start=1):
        budget -= len(values)
        if number > max_lines:
            raise Refused(
                f"{what}超过{max_lines}行（空行也计算在内），未读取；请删除多余的行或分批导入"
            )
        if budget < 0:
            raise Refused(
                f"{what}的单元格过多（设置了格式的空单元格也计算在内），未读取；"
                "请删除多余的行和列后再导入"
            )
        if any(not _blank(v) for v in values[max_columns:]):
            letter = get_column_letter(max_columns)
            raise Refused(
                f"第{number}行在{letter}列之后还有内容，{what}最多{max_columns}列；请删除多余的列"
            )
        lines.append(tuple(values[:max_columns]))
        if not all(_blank(v) for v in values):
            last = number
    return lines[:last]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
