"""The monthly circular's chart: per-unit stacked bars, readable on a phone, in Chinese.

Chinese labels need a CJK font: `font_path` if set, else the first found of the usual system
fonts (CI installs fonts-wqy-microhei). Without one the chart is refused with a clear error,
never drawn with empty boxes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.ticker import MaxNLocator

FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


class NoChineseFont(RuntimeError):
    pass


def chinese_font(font_path: Path | None = None) -> font_manager.FontProperties:
    for candidate in ([str(font_path)] if font_path else []) + list(FONTS):
        if Path(candidate).is_file():
            font_manager.fontManager.addfont(candidate)
            return font_manager.FontProperties(fname=candidate)
    raise NoChineseFont("找不到中文字体：请安装 fonts-wqy-microhei，或设置 DUBAN_FONT_PATH。")


def unit_chart(rows, title: str, path: Path, font_path: Path | None = None) -> Path:
    """Bars of 按期办结 / 逾期办结 / 逾期未办结 per unit (rows: domain.monthly.UnitFigures)."""
    font = chinese_font(font_path)
    names = [r.unit for r in rows][::-1]
    series = (
        ("按期办结", [r.closed_on_time for r in rows][::-1], "#2e7d32"),
        ("逾期办结", [r.closed_late for r in rows][::-1], "#f9a825"),
        ("逾期未办结", [r.overdue for r in rows][::-1], "#c62828"),
    )
    fig, ax = plt.subplots(figsize=(10.8, max(4.0, 0.7 * len(rows) + 2)), dpi=100)
    left = [0] * len(rows)
    for label, values, color in series:
        bars = ax.barh(names, values, left=left, color=color, label=label)
        for bar, value in zip(bars, values, strict=True):
            if value:
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    str(value),
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=16,
                    fontproperties=font,
                )
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_title(title, fontproperties=font, fontsize=22)
    for tick in ax.get_yticklabels():
        tick.set_fontproperties(font)
        tick.set_fontsize(16)
    ax.tick_params(axis="x", labelsize=14)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(prop=font_manager.FontProperties(fname=font.get_file(), size=15), loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
