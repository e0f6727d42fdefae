"""/letter: the 督办函 as a Word document, read back with python-docx."""

from __future__ import annotations

from io import BytesIO

from docx import Document

from tests.e2e.steps import approved_item


async def test_letter_is_a_document_laid_out_like_an_official_letter(office, staffed):
    sup, zj, jt = staffed["sup"], staffed["zj"], staffed["jt"]
    await approved_item(office, staffed)
    await zj.send("/letter 1")
    message = await zj.expect(lambda m: m.document is not None)
    assert message.document["file_name"] == "督办函_督办〔2026〕1号.docx"
    doc = Document(BytesIO(message.document_bytes))
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    assert texts[:3] == ["督查室", "督办〔2026〕1号", "督 办 函"]  # 版头, 发文字号, title
    assert texts[3] == "市住房和城乡建设局、市交通运输局："
    assert any(t.startswith("办理时限：") for t in texts)
    assert texts[-2:] == ["督查室", "2026年11月24日"]
    assert doc.paragraphs[-1].style.name == "公文落款"  # office and date, set to the right
    await jt.send("/letter 1")
    await jt.expect(lambda m: m.document is not None)  # a co-unit may have it too
    await sup.send("/letter 9")
    await sup.expect("找不到该督办事项")
