"""The monthly circular's chart: per-unit stacked bars, readable on a phone, in Chinese.

Chinese labels need a CJK font: `font_path` if set, else the first found of the usual system
fonts (CI installs fonts-wqy-microhei). Without one the chart is refused with a clear error,
never drawn with empty boxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, TypeVar

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from domain.items import Status
from domain.monthly import UnitFigures

Target = TypeVar("Target", Path, BinaryIO)  # a file for the channel, a buffer for the web

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


# Stacked in this order, worst last, so a red end of a bar is what the eye finds.
SERIES = (
    ("按期办结", "closed_on_time", "#2e7d32", "white"),
    ("逾期办结", "closed_late", "#f9a825", "black"),
    (Status.IN_PROGRESS.label, "in_progress", "#1565c0", "white"),
    ("逾期未办结", "overdue", "#c62828", "white"),
)


def totals_line(rows: Sequence[UnitFigures]) -> str:
    """The month at a glance, under the title: every series summed over all units."""
    sums = [(label, sum(getattr(r, field) for r in rows)) for label, field, *_ in SERIES]
    return " · ".join(f"{label}{n}" for label, n in sums)


def unit_chart(
    rows: Sequence[UnitFigures], title: str, path: Target, font_path: Path | None = None
) -> Target:
    """One stacked bar per unit, in the 通报's ranking order (best at the top, numbered as in
    the text), every unit shown with its total at the bar's end (0 included), the legend in
    its own row above the bars. rows: domain.monthly.UnitFigures, already ranked.

    Drawn without pyplot (whose figure registry is global), so it may run in a worker thread:
    callers on the event loop use `asyncio.to_thread`."""
    figure(rows, title, chinese_font(font_path)).savefig(path)
    return path


def figure(rows: Sequence[UnitFigures], title: str, font: font_manager.FontProperties) -> Figure:
    """The drawn chart, kept apart from saving so a test can read what is on it."""
    names = [f"{i}. {r.unit}" for i, r in enumerate(rows, start=1)][::-1]
    fig = Figure(figsize=(10.8, max(5.0, 0.75 * len(rows) + 3)), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    totals = [0] * len(rows)
    widest = max([1] + [sum(getattr(r, f) for _, f, *_ in SERIES) for r in rows])
    for label, field, color, ink in SERIES:
        values = [getattr(r, field) for r in rows][::-1]
        bars = ax.barh(names, values, left=totals, color=color, label=label, height=0.7)
        for bar, value in zip(bars, values, strict=True):
            if value and value / widest >= 0.05:  # a sliver has no room: the total says it
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    str(value),
                    ha="center",
                    va="center",
                    color=ink,
                    fontsize=15,
                    fontproperties=font,
                )
        totals = [a + b for a, b in zip(totals, values, strict=True)]
    for y, total in enumerate(totals):
        ax.text(total + widest * 0.01, y, str(total), va="center", fontsize=16, fontproperties=font)
    _dress(fig, ax, font, f"{title}\n{totals_line(rows)}", widest)
    return fig


def _dress(
    fig: Figure, ax: Axes, font: font_manager.FontProperties, title: str, widest: int
) -> None:
    """Title, labels and legend sized for a phone held upright."""
    ax.set_title(title, fontproperties=font, fontsize=20, pad=52)
    for tick in ax.get_yticklabels():
        tick.set_fontproperties(font)
        tick.set_fontsize(16)
    ax.tick_params(axis="x", labelsize=14)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, widest * 1.1)
    ax.legend(
        prop=_sized(font, 15),
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=len(SERIES),
        frameon=False,
    )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()


def _sized(font: font_manager.FontProperties, size: float) -> font_manager.FontProperties:
    """The same face at another size: the legend's text, smaller than the bars' labels."""
    sized = font.copy()
    sized.set_size(size)
    return sized
