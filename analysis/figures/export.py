"""Figure export: PNG, SVG and PDF through kaleido with the system Chromium, plus HTML and CSV.

Nothing is downloaded: kaleido is pointed at Debian's Chromium (or $BROWSER_PATH); when no
browser is installed the caller gets a `FigureExportError` that says what to install.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import warnings

import kaleido
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analysis.errors import WorkbenchError

IMAGE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
ALL_FORMATS: tuple[str, ...] = IMAGE_FORMATS + ("html", "csv")
MIME_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
}
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class FigureExportError(WorkbenchError):
    """An image could not be rendered (usually: no Chromium installed)."""


def find_browser() -> str | None:
    """The browser kaleido should drive: $BROWSER_PATH, else a Chromium on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured and os.path.exists(configured):
        return configured
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def prepare_kaleido() -> None:
    browser = find_browser()
    if browser is None:
        raise FigureExportError(
            "PNG, SVG and PDF export needs Chromium, and none was found: install Debian's "
            "`chromium` package (apt-get install chromium) or set BROWSER_PATH to a Chrome/Chromium "
            "binary. HTML and CSV export work without it."
        )
    os.environ["BROWSER_PATH"] = browser
    # No MathJax: it leaves a "Loading MathJax" box in PDFs and would need the network.
    pio.defaults.mathjax = None


#: kaleido's sync server keeps one Chromium open (a warm export takes a fraction of a second
#: instead of starting a browser, 5 s), but it serves one caller at a time: its reply queue is
#: shared, so concurrent callers (Streamlit reruns, sessions) would mix up or break renders.
_RENDER_LOCK = threading.Lock()
# plotly passes its per-call browser options, which a running server rightly ignores
warnings.filterwarnings("ignore", "The kopts argument is ignored", UserWarning)


def _render(fig: go.Figure, fmt: str, scale: float) -> bytes:
    if not _server_running():
        # mathjax=False: kaleido's default loads MathJax from a CDN (a request off the machine)
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    return fig.to_image(format=fmt, scale=scale if fmt == "png" else 1)


def _server_running() -> bool:
    return kaleido._global_server.is_running()  # noqa: SLF001 - kaleido exposes no other check


def figure_bytes(fig: go.Figure, fmt: str, scale: float = 2.0) -> bytes:
    """Render `fig` as png, svg, pdf or (self-contained, offline) html.

    Image renders go one at a time through one warm browser; a render that fails is tried once
    more in a fresh browser, and a second failure is raised (never an empty file).
    """
    if fmt == "html":
        return fig.to_html(include_plotlyjs=True, full_html=True, include_mathjax=False).encode(
            "utf-8"
        )
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; expected one of {ALL_FORMATS}")
    prepare_kaleido()
    with _RENDER_LOCK:
        try:
            return _render(fig, fmt, scale)
        except Exception:  # a browser that crashed or hung: start afresh, once
            kaleido.stop_sync_server(silence_warnings=True)
        try:
            return _render(fig, fmt, scale)
        except Exception as error:  # kaleido/choreographer raise their own types
            kaleido.stop_sync_server(silence_warnings=True)
            raise FigureExportError(
                f"could not render the figure as {fmt.upper()}: {error}"
            ) from error


def table_bytes(frame: pd.DataFrame) -> bytes:
    """The figure's data as CSV (UTF-8, no index): what a reader needs to redraw it."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def export_bytes(fig: go.Figure, data: pd.DataFrame, fmt: str) -> bytes:
    return table_bytes(data) if fmt == "csv" else figure_bytes(fig, fmt)
