"""The Map page's selection in a real Chromium: a box dragged over the WebGL map lists the rows
inside it (counted against the map's own coordinates), their texts as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from analysis import registry, semantic_space
from analysis.datasets import load_dataset
from tests.browser.test_pages_render import wait_for_app

pytestmark = pytest.mark.slow

DATASET = "tagged_questions"
#: The dragged box, as fractions of the plot area (left, top, right, bottom): part of the big
#: cluster, not all of it.
BOX = (0.55, 0.2, 0.8, 0.6)
#: A point this close to the box's edge (in pixels) may fall either side of it.
EDGE_PX = 1.0


@pytest.fixture
def mapped(app_home, app_cache, monkeypatch, tmp_path) -> pd.DataFrame:
    """vicuna_questions (80 rows: embedded and projected in seconds) with every instruction's
    first word in <b> tags, registered in the app server's workspace as DATASET, its map
    computed in the server's cache with the public function the page calls (the page only reads
    it: embedding and projection are tested elsewhere, here the selection is). Rows carry their
    texts."""
    monkeypatch.setenv("WORKBENCH_HOME", str(app_home))
    monkeypatch.setenv("WORKBENCH_CACHE", str(app_cache))
    rows = [
        {"id": row.id, "instruction": re.sub(r"^(\S+)", r"<b>\1</b>", row.instruction)}
        for row in load_dataset("vicuna_questions").frame.itertuples()
    ]
    path = tmp_path / "tagged.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    registry.add_user_dataset(DATASET, path=path)
    dataset = load_dataset(DATASET)
    frame = semantic_space.semantic_map({DATASET: dataset}, "instruction")
    yield frame.assign(text=dataset.frame["instruction"].to_numpy())
    registry.remove_user_dataset(DATASET)  # the server is shared by the other browser tests


def inside(frame: pd.DataFrame, axes: dict, box: tuple[float, float, float, float], margin=0.0):
    """The map rows within `box` (plot-area fractions) shrunk by `margin` pixels (grown when
    negative), from the axes' ranges and lengths on the page."""
    (x0, x1), (y0, y1) = axes["x"], axes["y"]
    left, top, right, bottom = box
    per_x = (x1 - x0) / axes["width"]
    per_y = (y1 - y0) / axes["height"]
    low_x = x0 + left * (x1 - x0) + margin * per_x
    high_x = x0 + right * (x1 - x0) - margin * per_x
    low_y = y1 - bottom * (y1 - y0) + margin * per_y  # pixels grow downwards
    high_y = y1 - top * (y1 - y0) - margin * per_y
    return frame[frame["x"].between(low_x, high_x) & frame["y"].between(low_y, high_y)]


def test_map_box_selection_lists_the_rows_inside_it(page, app_url, screenshots, mapped):
    """Dragging a box with plotly's Box Select lists exactly the rows whose points lie in it."""
    page.goto(f"{app_url}/map?dataset={DATASET}")
    page.get_by_role("heading", name="Semantic map").wait_for(timeout=60_000)
    wait_for_app(page, 1, 3)
    chart = page.locator('[data-testid="stPlotlyChart"]')
    expect(chart).to_have_count(1)
    chart.hover()  # the modebar shows on hover
    page.locator('.modebar-btn[data-title="Box Select"]').click()
    axes = page.evaluate(
        """() => {
            const plot = document.querySelector('.js-plotly-plot');
            const box = plot.getBoundingClientRect();
            const {xaxis, yaxis} = plot._fullLayout;
            return {left: box.left + xaxis._offset, width: xaxis._length, x: xaxis.range,
                    top: box.top + yaxis._offset, height: yaxis._length, y: yaxis.range};
        }"""
    )
    surely = inside(mapped, axes, BOX, EDGE_PX)
    perhaps = inside(mapped, axes, BOX, -EDGE_PX)
    assert 0 < len(surely) < len(mapped)  # the box holds some rows, not all
    left, top, right, bottom = BOX
    page.mouse.move(axes["left"] + left * axes["width"], axes["top"] + top * axes["height"])
    page.mouse.down()
    page.mouse.move(
        axes["left"] + right * axes["width"], axes["top"] + bottom * axes["height"], steps=10
    )
    page.mouse.up()

    heading = page.get_by_role("heading", name=re.compile(r"^\d+ selected rows?$"))
    heading.wait_for(timeout=60_000)
    wait_for_app(page)
    page.screenshot(path=str(screenshots / "map-selection.png"), full_page=True)
    count = int(heading.inner_text().split()[0])
    button = page.get_by_role("button", name="Selected rows (CSV)")
    expect(button).to_have_count(1)
    with page.expect_download(timeout=60_000) as download:
        button.click()
    exported = pd.read_csv(Path(download.value.path()), dtype=str, keep_default_na=False)
    selected = set(exported["id"])
    assert len(exported) == count
    assert set(surely["id"]) <= selected <= set(perhaps["id"])

    # The table under the heading shows those rows, each text as the dataset has it (tags too).
    table = page.locator('[data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()  # the app scrolls inside its own container
    page.screenshot(path=str(screenshots / "map-selection-rows.png"))
    grid = table.locator('table[role="grid"]')
    expect(grid).to_have_attribute("aria-rowcount", str(count + 1))  # and the header row
    columns = grid.locator("th").all_inner_texts()
    shown = [
        dict(zip(columns, row.locator("td").all_inner_texts(), strict=True))
        for row in grid.locator("tbody tr").all()
    ]
    texts = dict(zip(mapped["id"], mapped["text"], strict=True))
    assert shown, "no row of the selection is drawn"
    assert all(row["id"] in selected and row["text"] == texts[row["id"]] for row in shown), shown
