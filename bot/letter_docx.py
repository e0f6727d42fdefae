"""The 督办函 as a DOCX laid out like an official letter (title, serial, addressees, body,
deadline, issuing office, date). The wording comes from the office-overridable template
`letter_doc.j2`, one paragraph per line; python-docx only lays it out."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from bot.render import Renderer
from domain.models import Item

TITLE_FONT, BODY_FONT = "方正小标宋简体", "仿宋_GB2312"


def _font(run, name: str, size: float, bold: bool = False, red: bool = False) -> None:
    run.font.name = name
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)  # Chinese text uses the east-asian font
    run.font.size = Pt(size)
    run.font.bold = bold
    if red:
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def build(render: Renderer, item: Item, serial: str, office_name: str, day: str) -> bytes:
    lines = render.plain(  # a .docx shows text as it is: no HTML entities
        "letter_doc", item=item, serial=serial, office_name=office_name, date=day
    ).splitlines()
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading = "任 务 书" if item.is_task_notice else "督 办 函"
    _font(title.add_run(heading), TITLE_FONT, 26, bold=True, red=True)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(number.add_run(serial), BODY_FONT, 16)
    for line in lines:
        paragraph = doc.add_paragraph()
        text = line.strip()
        if text.startswith(">"):  # the closing lines: issuing office and date, to the right
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            text = text[1:].strip()
        elif text and not text.endswith("：") and not text.startswith(("一、", "二、", "三、")):
            paragraph.paragraph_format.first_line_indent = Pt(32)
        heading = text.startswith(("一、", "二、", "三、", "办理时限"))
        _font(paragraph.add_run(text), BODY_FONT, 16, bold=heading)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
