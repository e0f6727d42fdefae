"""The monthly chart draws Chinese with a real CJK font (no empty boxes) and reads at a glance
on a phone: ranked units, every unit with its total, the legend clear of the bars."""

from __future__ import annotations

import warnings

from matplotlib import image
from matplotlib import pyplot as plt

from bot.chart import chinese_font, figure, unit_chart
from domain.monthly import UnitFigures

RANKED = [
    UnitFigures("市住房和城乡建设局", 6, 3, 1, 0, in_progress=2),
    UnitFigures("市教育局", 1),  # only a co-unit this month: shown, with 0
    UnitFigures("甲区委", 7, 0, 0, 6, in_progress=1),
]


def test_chart_uses_a_cjk_font_and_is_phone_wide(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = unit_chart(RANKED, "2026年11月各单位办结情况", tmp_path / "c.png")
    assert not [w for w in caught if "Glyph" in str(w.message)]  # matplotlib's tofu warning
    assert "wqy" in chinese_font().get_file().lower() or "cjk" in chinese_font().get_file().lower()
    assert image.imread(path).shape[1] == 1080


def test_chart_ranks_every_unit_and_keeps_the_legend_off_the_bars():
    fig = figure(RANKED, "2026年11月各单位办结情况", chinese_font())
    try:
        ax = fig.axes[0]
        fig.canvas.draw()
        top_down = sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])
        assert [t.get_text() for t in top_down] == [
            "1. 市住房和城乡建设局",
            "2. 市教育局",
            "3. 甲区委",
        ]
        ends = sorted(
            (t for t in ax.texts if t.get_ha() == "left"), key=lambda t: -t.get_position()[1]
        )
        assert [t.get_text() for t in ends] == ["6", "0", "7"]  # every bar's total, 0 included
        legend = ax.get_legend()
        assert [t.get_text() for t in legend.get_texts()] == [
            "按期办结",
            "逾期办结",
            "办理中",
            "逾期未办结",
        ]
        assert len({p.get_facecolor() for p in legend.get_patches()}) == 4  # 办理中 its own
        assert legend.get_window_extent().y0 >= ax.get_window_extent().y1  # above the bars
        assert ax.get_title().splitlines() == [
            "2026年11月各单位办结情况",
            "按期办结3 · 逾期办结1 · 办理中3 · 逾期未办结6",
        ]
    finally:
        plt.close(fig)
