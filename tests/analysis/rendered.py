"""Figures as plotly.js draws them: the template's defaults applied (needs the system Chromium)."""

from __future__ import annotations

import os
import shutil

import plotly.graph_objects as go
import pytest

from analysis.figures.export import prepare_kaleido

requires_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (CI installs it and never skips)",
)


def as_drawn(fig: go.Figure) -> go.Figure:
    """`fig` with every default resolved, so a test sees what a reader would (a width of 0 from
    the template is a line nobody sees)."""
    prepare_kaleido()
    return fig.full_figure_for_development(warn=False)
