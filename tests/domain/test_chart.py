"""The monthly chart draws Chinese with a real CJK font: no empty boxes."""

from __future__ import annotations

import warnings

from matplotlib import image

from bot.chart import chinese_font, unit_chart
from domain.monthly import UnitFigures


def test_chart_uses_a_cjk_font_and_is_phone_wide(tmp_path):
    rows = [UnitFigures("市住房和城乡建设局", 3, 2, 1, 0), UnitFigures("甲区委", 1, 0, 0, 1)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = unit_chart(rows, "2026年11月各单位办结情况", tmp_path / "c.png")
    assert not [w for w in caught if "Glyph" in str(w.message)]  # matplotlib's tofu warning
    assert "wqy" in chinese_font().get_file().lower() or "cjk" in chinese_font().get_file().lower()
    assert image.imread(path).shape[1] == 1080
