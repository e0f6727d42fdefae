"""The 督办函 on paper: GB/T 9704-2012 read back from the .docx, and an office's own template."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

from bot import letter_docx
from bot.settings import SettingsError, load
from domain import queries
from tests.e2e.steps import fill_new_item

HOSTILE = "老旧小区改造 & <b>加装电梯</b>"


def east_asian(style) -> str:
    """The font Chinese text is set in: w:eastAsia, from the style or the one it is based on."""
    while style is not None:
        fonts = style.element.rPr.rFonts if style.element.rPr is not None else None
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
        style = style.base_style
    return ""


def size(style) -> float:
    while style.font.size is None:
        style = style.base_style
    return style.font.size.pt


async def letter(office, staffed) -> Document:
    """An approved item whose title is hostile markup, fetched with /letter by its lead unit."""
    await fill_new_item(staffed["sup"], title=HOSTILE)
    await staffed["sup"].press("提交")
    await staffed["leader"].expect("请审定督办函")
    await staffed["leader"].press("同意下发")
    await staffed["zj"].expect("督 办 函")
    await staffed["zj"].send("/letter 1")
    message = await staffed["zj"].expect(lambda m: m.document is not None)
    return Document(BytesIO(message.document_bytes))


async def test_the_letter_is_laid_out_to_gb_t_9704(office, staffed):
    doc = await letter(office, staffed)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    width = Length(section.page_width - section.left_margin - section.right_margin)
    height = Length(section.page_height - section.top_margin - section.bottom_margin)
    assert (round(width.mm), round(height.mm)) == (156, 225)  # 版心

    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    head, serial, title, to, *body, office_name, day = paragraphs
    assert (head.text, head.style.name) == ("督查室", "发文机关标志")
    assert head.style.font.color.rgb == RGBColor(0xFF, 0, 0)
    assert east_asian(head.style) == "方正小标宋简体"
    assert serial.text == "督办〔2026〕1号"  # 发文字号 under the 标志, the red line under it
    line = serial._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert line.get(qn("w:color")) == "FF0000" and line.get(qn("w:val")) == "single"
    assert (title.text, east_asian(title.style), size(title.style)) == (
        "督 办 函",
        "方正小标宋简体",
        22,
    )
    assert to.text == "市住房和城乡建设局、市交通运输局：" and to.style.name == "公文主送"
    assert f"“{HOSTILE}”" in body[0].text  # plain text: no &amp; or &lt; on paper
    for p in body:
        assert size(p.style) == 16
        expected = "黑体" if p.text[:2] in ("一、", "二、", "三、") else "仿宋_GB2312"
        assert east_asian(p.style) == expected, p.text
    assert body[-1].text.startswith("办理时限：")
    assert (office_name.text, day.text) == ("督查室", "2026年11月24日")  # 落款, 成文日期
    assert office_name.style.name == day.style.name == "公文落款"

    # 22 lines of 28 characters: exact line pitch, characters condensed to fit 156 mm
    text = doc.styles["公文正文"]
    assert text.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert round(text.paragraph_format.line_spacing.pt, 2) == 28.95
    assert int(height.pt // 28.95) == 22
    tracking = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:spacing"))
    pitch = size(text) + int(tracking.get(qn("w:val"))) / 20
    assert int(width.pt // pitch) == 28
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"


async def test_pages_are_numbered_in_the_footer(office, staffed):
    doc = await letter(office, staffed)
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, 2), (section.even_page_footer, 0)):  # right, left
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")  # — 1 —
        assert 'fldCharType="begin"' in xml and 'fldCharType="end"' in xml
        assert paragraph.alignment == side
        assert size(paragraph.style) == 14  # 4号
        fonts = paragraph.style.element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:ascii")) == "宋体"  # 半角宋体


async def test_an_office_template_gives_its_own_head_page_and_styles(office, staffed, tmp_path):
    own = Document()
    own.sections[0].top_margin = Mm(30)
    own.add_paragraph("某某县委督查室")
    own.add_paragraph("{{ serial }}")
    body = own.styles.add_style("公文正文", 1)
    body.font.name, body.font.size = "楷体_GB2312", Pt(15)
    path = tmp_path / "本室督办函.docx"
    own.save(path)
    await letter(office, staffed)
    svc = office.app.bot_data["services"]
    item = await queries.get_item(svc.office, 1)
    data = letter_docx.build(svc.render, item, "督办〔2026〕1号", "督查室", "2026-11-24", path)
    doc = Document(BytesIO(data))
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    assert texts[:3] == ["某某县委督查室", "督办〔2026〕1号", "督 办 函"]  # its head, our text
    assert "发文机关标志" not in [p.style.name for p in doc.paragraphs]
    assert round(doc.sections[0].top_margin.mm) == 30
    bodies = [p for p in doc.paragraphs if p.style.name == "公文正文"]
    assert bodies and bodies[0].style.font.size == Pt(15)
    assert bodies[0].style.font.name == "楷体_GB2312"


def test_a_missing_letter_template_stops_the_start(tmp_path):
    with pytest.raises(SettingsError, match="督办函模板"):
        load(environ={"DUBAN_LETTER_TEMPLATE": str(tmp_path / "无.docx")}, default=tmp_path / "x")
    (tmp_path / "函.docx").write_bytes(b"")
    found = load(
        environ={"DUBAN_LETTER_TEMPLATE": str(tmp_path / "函.docx")}, default=tmp_path / "x"
    )
    assert found.letter_template == tmp_path / "函.docx"
