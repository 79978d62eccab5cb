"""Every page in a real headless Chromium: charts and tables actually render (screenshots kept)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

#: url path -> (title on the page, charts expected, tables expected)
PAGES = {
    "": ("Datasets", 0, 2),
    "verbs": ("Verb–noun structure", 1, 1),
    "map": ("Semantic map", 1, 3),  # a WebGL map; clusters, diversity, paraphrase pairs
    "lengths": ("Lengths", 1, 1),
    "similarity": ("Similarity to a pool", 1, 1),
    "compare": ("Compare models", 2, 2),
    "judge": ("Judge", 1, 1),  # the bundled GPT-4-LLM scores: their distribution and table
    "generate": ("Generate", 0, 0),
    "citing": ("CITING", 0, 0),
    "teacher": ("Teacher answers", 0, 0),
    "playground": ("Prompt playground", 0, 1),
}


CHART = '[data-testid="stPlotlyChart"] .main-svg'
TABLE = '[data-testid="stDataFrame"] canvas'


def wait_for_app(page, charts: int = 0, tables: int = 0) -> None:
    """Wait until the expected charts and tables are drawn and the script run has finished.

    The app's own run state (`data-test-script-state`, set the moment a rerun is asked for)
    is the sure sign; the status widget shows only once a run has lasted a while, so on a
    loaded machine it can be absent in the middle of a run."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    page.wait_for_function(
        """([chart, table, charts, tables]) =>
            document.querySelector('[data-testid="stApp"]')
                .getAttribute('data-test-script-state') === 'notRunning'
            && document.querySelectorAll(chart).length >= charts
            && document.querySelectorAll(table).length >= tables
            && !document.querySelector('[data-testid="stStatusWidget"]')
            && !document.querySelector('[data-testid="stSkeleton"]')""",
        arg=[CHART, TABLE, charts, tables],
        timeout=240_000,
    )


def settle(page) -> None:
    """Idle, a beat, idle again: a rerun that starts just after the first check (a widget's
    change, a key) has then finished too, so the next action meets the page it expects."""
    wait_for_app(page)
    page.wait_for_timeout(400)
    wait_for_app(page)


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders_charts_and_tables(page, app_url, screenshots, path):
    title, charts, tables = PAGES[path]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{app_url}/{path}")
    page.get_by_role("heading", name=title).wait_for(timeout=60_000)
    wait_for_app(page, charts, tables)
    rendered_charts = page.locator(CHART).count()
    tables_with_cells = page.locator(TABLE).count()
    page.screenshot(path=str(screenshots / f"{path or 'datasets'}.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert rendered_charts >= charts
    assert tables_with_cells >= tables
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Dataset", exact=True).count() == 1
    assert not errors


def test_sidebar_choice_survives_page_switch(page, app_url, screenshots):
    page.goto(app_url)
    wait_for_app(page, 0, 2)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="vicuna_questions").click()
    wait_for_app(page)
    page.get_by_text("80 rows", exact=False).first.wait_for(timeout=60_000)
    sidebar.get_by_role("link", name="Lengths").click()
    wait_for_app(page, 1, 1)
    page.screenshot(path=str(screenshots / "lengths-after-switch.png"), full_page=True)
    assert (
        sidebar.locator('[data-testid="stSelectbox"] input').first.input_value()
        == "vicuna_questions"
    )
    assert (
        page.locator('[data-testid="stMultiSelect"]').get_by_text("vicuna_questions").count() == 1
    )


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<svg", "pdf": b"%PDF-"}


def test_twenty_exports_in_a_row_give_twenty_valid_files(page, app_url, screenshots):
    page.goto(f"{app_url}/verbs")
    page.get_by_role("heading", name="Verb–noun structure").wait_for(timeout=60_000)
    wait_for_app(page, 1, 1)
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    formats = [fmt for _ in range(7) for fmt in MAGIC][:20]
    for number, fmt in enumerate(formats):
        with page.expect_download(timeout=60_000) as download:
            buttons.filter(has_text=fmt.upper()).first.click()
        body = Path(download.value.path()).read_bytes()
        assert body.startswith(MAGIC[fmt]) or MAGIC[fmt] in body[:200], (number, fmt)
        assert download.value.suggested_filename.endswith(f".{fmt}")
    assert page.locator('[data-testid="stDownloadButtonError"]').count() == 0
    page.screenshot(path=str(screenshots / "verbs-after-exports.png"), full_page=True)


def test_compare_page_legends_sit_above_the_plot_area(page, app_url, screenshots):
    """Drawn at the page's width (not the export's), every legend stays off the bars, and
    below plotly's modebar (its icons, shown on hover, covered a wide legend's right end)."""
    page.goto(f"{app_url}/compare")
    page.get_by_role("heading", name="Compare models").wait_for(timeout=60_000)
    wait_for_app(page, 2, 2)
    page.wait_for_timeout(1_000)  # plotly's relayout to the column's width
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => ({
            legend_top: plot.querySelector('.legend').getBoundingClientRect().top,
            modebar_bottom: plot.querySelector('.modebar').getBoundingClientRect().bottom,
            legend_bottom: plot.querySelector('.legend').getBoundingClientRect().bottom,
            plot_top: plot.getBoundingClientRect().top + plot._fullLayout.yaxis._offset,
        }))"""
    )
    page.screenshot(path=str(screenshots / "compare-legends.png"), full_page=True)
    assert len(boxes) == 2
    assert all(box["legend_bottom"] <= box["plot_top"] + 0.5 for box in boxes), boxes
    assert all(box["modebar_bottom"] <= box["legend_top"] + 0.5 for box in boxes), boxes
