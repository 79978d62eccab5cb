"""Page building blocks: a figure with its export buttons, a table of texts."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.figures.export import ALL_FORMATS, MIME_TYPES, export_bytes, find_browser
from analysis.progress import progress_text
from generation.run_files import log_tail

#: Row height of tables of texts: Streamlit wraps text cells only in rows taller than 4rem
#: (64 px); this shows about four lines of each text.
TEXT_ROW_HEIGHT = 96
#: Characters that Markdown (and Streamlit's :color[...] and :emoji: directives) give a meaning.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])")


#: The height of plotly's modebar at a figure's top right, in pixels.
MODEBAR_PX = 30


def md(text: object) -> str:
    """`text` escaped for Streamlit's Markdown elements: dataset names, paths and messages are
    data, shown as written (`*star*` stays `*star*`, `:red[x]` is not red)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


@contextmanager
def progress_bar(what: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar with counts and the time left, fed by the `(done, total)` callback this
    yields; gone when the work is."""
    bar = st.progress(0.0, text=f"{what}…")
    start = time.monotonic()

    def report(done: int, total: int) -> None:
        elapsed = time.monotonic() - start
        bar.progress(min(done / max(total, 1), 1.0), text=progress_text(what, done, total, elapsed))

    try:
        yield report
    finally:
        bar.empty()


def text_table(frame: pd.DataFrame, text_columns: Sequence[str]) -> None:
    """A table whose texts are the point: text cells wrap over about four lines (one line cut
    them off) and the text columns share the page's width, none pushed out of view; a cell
    opens in full when clicked."""
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        row_height=TEXT_ROW_HEIGHT,
        column_config={
            column: st.column_config.TextColumn(width="medium") for column in text_columns
        },
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "figure"


def on_screen(fig: go.Figure) -> go.Figure:
    """The figure as a page draws it: a legend along the top (the paper style's) moved below
    plotly's modebar, whose icons show at the top right on hover and covered the right end of
    a wide legend. Exports keep the paper layout: this is a copy."""
    legend, height = fig.layout.legend, fig.layout.height
    if legend.orientation != "h" or legend.yref != "container" or not height:
        return fig
    return go.Figure(fig).update_layout(legend_y=(legend.y or 1) - MODEBAR_PX / height)


def share_toggle(where, key: str) -> bool:
    """The length histograms' switch from counts to each dataset's share of its rows."""
    return where.toggle(
        "Share of each dataset's rows",
        key=key,
        help="Bars as a share of each dataset's rows instead of counts, so datasets of different "
        "sizes can be compared.",
    )


def figure_with_exports(fig: go.Figure, data: pd.DataFrame, name: str) -> None:
    """Show `fig` and offer PNG, SVG, PDF (rendered on click), CSV of `data`, and HTML."""
    st.plotly_chart(on_screen(fig), width="stretch", key=f"chart_{_slug(name)}")
    has_browser = find_browser() is not None
    columns = st.columns(len(ALL_FORMATS))
    for column, fmt in zip(columns, ALL_FORMATS, strict=True):
        disabled = fmt in ("png", "svg", "pdf") and not has_browser
        column.download_button(
            fmt.upper(),
            data=(lambda fmt=fmt: export_bytes(fig, data, fmt)),
            file_name=f"{_slug(name)}.{fmt}",
            mime=MIME_TYPES[fmt],
            key=f"export_{_slug(name)}_{fmt}",
            disabled=disabled,
            on_click="ignore",
        )
    if not has_browser:
        st.caption(
            "PNG, SVG and PDF export needs Chromium: install Debian's `chromium` package "
            "(or set BROWSER_PATH). CSV and HTML work without it."
        )


def failure_log(out_dir: Path, failed: bool) -> None:
    """A failed worker's last output lines, collapsed: the error itself is shown above it, the
    log adds what led there (a traceback, the last requests)."""
    if failed and (log := log_tail(out_dir)):
        with st.expander("Worker log (last lines)"):
            st.text(log)
