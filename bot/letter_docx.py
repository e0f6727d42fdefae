"""The 督办函 and 任务书 as .docx laid out to GB/T 9704-2012 (党政机关公文格式), so the office
prints and files them as they come: A4, 版心 156 × 225 mm (天头 37 mm, 订口 28 mm), 22 lines of
28 characters in 3号仿宋_GB2312, a red 发文机关标志 and separator line with the 发文字号 between,
the title in 2号小标宋, 署名 and 成文日期 at the end, and "— 1 —" page numbers.

The wording comes from the office-overridable templates `letter_doc_title.j2` and
`letter_doc.j2` (one paragraph a line; lines starting with ">" are 署名 and 成文日期). The look
comes from named paragraph styles (公文正文, 公文标题, …), so an office's own .docx
(`DUBAN_LETTER_TEMPLATE`) changes it without code: its page setup, page header and footer,
styles of those names and its own 版头 (with `{{ serial }}`, `{{ office_name }}`, `{{ date }}`
filled in) are used, and the letter is written after its last paragraph.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as Doc
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

from bot.render import Renderer
from domain.models import Item

TITLE_FONT, BODY_FONT, HEADING_FONT, PAGE_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)
LINES, CHARS = 22, 28
TEXT_WIDTH, TEXT_HEIGHT = Mm(156), Mm(225)
PITCH = Pt(28.95)  # 225 mm / 22 lines, as the GB templates set it
BODY_SIZE = Pt(16)  # 3号
TRACKING = Pt(-0.25)  # 28 × (16 − 0.25) pt = 441 pt: 28 characters a line, a 29th does not fit
CHAR = Length(BODY_SIZE + TRACKING)
ALIGN = WD_ALIGN_PARAGRAPH

# name: (font, size in pt, alignment, first-line indent in characters, red, switched off).
# Off: w:snapToGrid where a large character would take two grid cells and gape; w:autoSpace*
# where the extra space Word puts around digits would throw off the 落款's alignment.
NO_SNAP, NO_AUTOSPACE = ("snapToGrid",), ("autoSpaceDE", "autoSpaceDN")
STYLES = {
    "发文机关标志": (TITLE_FONT, 42, ALIGN.CENTER, 0, True, NO_SNAP),
    "发文字号": (BODY_FONT, 16, ALIGN.CENTER, 0, False, ()),
    "公文标题": (TITLE_FONT, 22, ALIGN.CENTER, 0, False, NO_SNAP),
    "公文主送": (BODY_FONT, 16, ALIGN.JUSTIFY, 0, False, ()),
    "公文正文": (BODY_FONT, 16, ALIGN.JUSTIFY, 2, False, ()),
    "公文一级标题": (HEADING_FONT, 16, ALIGN.JUSTIFY, 2, False, ()),
    "公文落款": (BODY_FONT, 16, ALIGN.LEFT, 0, False, NO_AUTOSPACE),
    "公文页码": (PAGE_FONT, 14, ALIGN.RIGHT, 0, False, NO_SNAP),
}
LEVEL_ONE = re.compile(r"^[一二三四五六七八九十]+、")


def build(
    render: Renderer,
    item: Item,
    serial: str,
    office_name: str,
    day: str,
    template: Path | None = None,
) -> bytes:
    """The letter's bytes; `template` is the office's own .docx, if it has one."""
    values = {"item": item, "serial": serial, "office_name": office_name, "date": day}
    # The renderer escapes for Telegram's HTML; a Word file holds plain text.
    title = render.plain("letter_doc_title", **values)  # a .docx shows text as it is
    lines = render.plain("letter_doc", **values).splitlines()
    doc = Document(str(template)) if template else _blank()
    if not (template and _fill_own_head(doc, values)):
        _letterhead(doc, office_name, serial)
    paragraph = doc.add_paragraph(title, style=_style(doc, "公文标题"))
    paragraph.paragraph_format.space_before = Length(PITCH * 2)  # 分隔线下空二行
    _body(doc, [line.strip() for line in lines if line.strip()])
    if not template or doc.sections[0].footer.is_linked_to_previous:
        _page_numbers(doc)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _body(doc: Doc, lines: list[str]) -> None:
    """主送 flush left one line under the title, paragraphs indented two characters, level-one
    headings in 黑体, and the closing lines set one line under the text."""
    body = [line for line in lines if not line.startswith(">")]
    closing = [line[1:].strip() for line in lines if line.startswith(">")]
    for n, line in enumerate(body):
        name = "公文一级标题" if LEVEL_ONE.match(line) else "公文正文"
        if n == 0 and line.endswith("："):
            name = "公文主送"
        paragraph = doc.add_paragraph(line, style=_style(doc, name))
        if n == 0:
            paragraph.paragraph_format.space_before = PITCH  # 标题下空一行
    for n, (line, left) in enumerate(zip(closing, _closing_indents(closing), strict=True)):
        paragraph = doc.add_paragraph(line, style=_style(doc, "公文落款"))
        _indent_chars(paragraph._p.get_or_add_pPr(), "left", left)
        _indent_chars(paragraph._p.get_or_add_pPr(), "right", -2)  # wider digits never wrap
        if n == 0:
            paragraph.paragraph_format.space_before = PITCH  # 正文下空一行


def _closing_indents(lines: list[str]) -> list[float]:
    """Left indents in characters, after GB/T 9704 7.3.5.2 (no seal): the 署名 two characters
    from the right, the 成文日期 (the last line) on the next line starting two characters
    further right; both moved left when the date would come closer than two characters to
    the edge. Counted from the left so the date's digits cannot misplace the 署名."""
    if not lines:
        return []
    *names, date = lines
    if not names:
        return [CHARS - 2 - _width(date)]
    start = max(0, min(CHARS - 2 - max(_width(n) for n in names), CHARS - 4 - _width(date)))
    return [start] * len(names) + [start + 2]


def _width(text: str) -> float:
    """In characters: digits and Latin letters are half-width."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def _letterhead(doc: Doc, office_name: str, serial: str) -> None:
    """发文机关标志 35 mm under the top of the 版心, in red; the 发文字号 two lines under it;
    the red separator line, as wide as the 版心, 4 mm under the 发文字号."""
    head = doc.add_paragraph(style=_style(doc, "发文机关标志"))
    run = head.add_run(office_name)
    size = min(42, int(TEXT_WIDTH.pt * 0.95 / max(_width(office_name), 1)))
    run.font.size = Pt(size)  # as large as 42 pt, never wrapping
    head.paragraph_format.line_spacing = Pt(size * 1.2)
    head.paragraph_format.space_before = Length(Mm(35) - Pt(size * 0.2))
    number = doc.add_paragraph(serial, style=_style(doc, "发文字号"))
    border = OxmlElement("w:pBdr")
    line = OxmlElement("w:bottom")
    for key, value in {"val": "single", "sz": "12", "space": "4", "color": "FF0000"}.items():
        line.set(qn(f"w:{key}"), value)
    border.append(line)
    number._p.get_or_add_pPr().append(border)  # after w:pStyle, before w:spacing
    number.paragraph_format.space_before = Length(PITCH * 2)


def _fill_own_head(doc: Doc, values: dict) -> bool:
    """Fill the placeholders of an office's own 版头; False when its body is empty, so the
    built-in 版头 is drawn under its page setup and styles."""
    texts = {k: str(v) for k, v in values.items() if k != "item"}
    found = False
    for paragraph in doc.paragraphs:
        text = paragraph.text
        found = found or bool(text.strip())
        filled = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: texts.get(m[1], m[0]), text)
        if filled != text and paragraph.runs:
            first, *rest = paragraph.runs
            first.text = filled  # a placeholder split across runs keeps the first's look
            for run in rest:
                run._r.getparent().remove(run._r)
    return found


def _blank() -> Doc:
    """An empty A4 document: 版心 156 × 225 mm, a 22 × 28 grid, 仿宋 as the default."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.left_margin = Mm(37), Mm(28)
    section.right_margin = Length(Mm(210 - 28) - TEXT_WIDTH)
    section.bottom_margin = Length(Mm(297 - 37) - TEXT_HEIGHT)
    section.header_distance, section.footer_distance = Mm(15), Mm(25)
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")  # 22 lines; 28 characters come from the tracking below
    grid.set(qn("w:linePitch"), str(PITCH.twips))
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = defaults.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for key in list(fonts.attrib):
        del fonts.attrib[key]  # theme fonts would win over the named ones
    _set_fonts(fonts, BODY_FONT)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    tracking = OxmlElement("w:spacing")  # Word's and LibreOffice's 字符间距, in twips
    tracking.set(qn("w:val"), str(TRACKING.twips))
    rpr.find(qn("w:sz")).addprevious(tracking)
    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = PITCH
    return doc


def _style(doc: Doc, name: str):
    """The document's own style of that name (an office template's), else ours."""
    if name in [s.name for s in doc.styles]:
        return doc.styles[name]
    font, size, alignment, indent, red, switched_off = STYLES[name]
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    for tag in switched_off:  # first and in this order: Word wants w:pPr in schema order
        switch = OxmlElement(f"w:{tag}")
        switch.set(qn("w:val"), "0")
        style.element.get_or_add_pPr().append(switch)
    style.font.size = Pt(size)
    _set_fonts(style.element.get_or_add_rPr().get_or_add_rFonts(), font)
    if red:
        style.font.color.rgb = RED
    layout = style.paragraph_format
    layout.alignment = alignment
    layout.space_before = layout.space_after = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = PITCH
    if name == "公文一级标题":
        layout.keep_with_next = True  # never the last line of a page
    if indent:
        _indent_chars(style.element.get_or_add_pPr(), "firstLine", indent)
    return style


def _indent_chars(ppr, side: str, chars: float) -> None:
    """An indent in characters (Word's *Chars attribute) with the same length in twips for
    readers that ignore it."""
    ind = ppr.get_or_add_ind()
    ind.set(qn(f"w:{side}"), str(round(CHAR.twips * chars)))
    ind.set(qn(f"w:{side}Chars"), str(round(chars * 100)))


def _set_fonts(fonts, name: str) -> None:
    """Latin and East Asian faces alike: w:eastAsia is what Chinese text is set in."""
    for key in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{key}"), name)


def _page_numbers(doc: Doc) -> None:
    """ "— 1 —" in 4号 半角宋体: odd pages right, even pages left, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, alignment, side in (
        (section.footer, ALIGN.RIGHT, "right"),
        (section.even_page_footer, ALIGN.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = _style(doc, "公文页码")
        paragraph.alignment = alignment
        paragraph.paragraph_format.first_line_indent = None
        ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
        ind.set(qn(f"w:{side}"), str(Pt(14).twips))
        paragraph.add_run("— ")
        _page_field(paragraph)
        paragraph.add_run(" —")


def _page_field(paragraph) -> None:
    """A PAGE field, so every printed page carries its own number."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = paragraph.add_run()
        if kind:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._r.append(mark)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)
