"""A person's walk through the workbench in a real Chromium: add a dataset by path and by
upload, pick, compare, reload; screenshots of each step are kept for a human look."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_pages_render import settle, wait_for_app

pytestmark = pytest.mark.slow

SIDEBAR = '[data-testid="stSidebar"]'


def rows(path, count, prefix):
    path.write_text(
        "".join(
            json.dumps({"instruction": f"{prefix} task {n}.", "output": "Done " * (n % 7 + 1)})
            + "\n"
            for n in range(count)
        )
    )
    return path


def add(page, path: str | None, name: str, upload=None) -> None:
    sidebar = page.locator(SIDEBAR)
    expander = sidebar.get_by_text("Add a dataset")
    if not sidebar.get_by_label("Name", exact=True).is_visible():
        expander.click()
    if upload is not None:
        dropzone = sidebar.locator('[data-testid="stFileUploaderDropzoneInput"]')
        expect(dropzone).to_have_count(1, timeout=30_000)  # a rerun's stale copy has gone
        dropzone.set_input_files(str(upload))
        sidebar.get_by_text(upload.name).wait_for(timeout=30_000)
        settle(page)
    else:
        sidebar.get_by_label("…or a local path / Hugging Face hub id").fill(path)
        sidebar.get_by_label("…or a local path / Hugging Face hub id").press("Enter")
        wait_for_app(page)
    sidebar.get_by_label("Name", exact=True).fill(name)
    sidebar.get_by_label("Name", exact=True).press("Enter")
    settle(page)
    sidebar.get_by_role("button", name="Add", exact=True).click()
    wait_for_app(page)


def picked(page, label: str) -> str:
    box = page.locator(SIDEBAR).locator('[data-testid="stSelectbox"]').filter(has_text=label)
    return box.locator("input").first.input_value()


def test_walkthrough_add_pick_compare_reload(page, app_url, screenshots, tmp_path):
    page.goto(app_url)
    wait_for_app(page, 0, 2)
    add(page, str(rows(tmp_path / "by_path.jsonl", 30, "Path")), "*by path*")
    page.get_by_text("Added *by path* (30 rows).").wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "walk-1-added-by-path.png"), full_page=True)
    assert picked(page, "Dataset") == "*by path*"  # the sidebar shows what the page shows
    page.get_by_role("heading", name="Rows of *by path*").wait_for()  # a name, not Markdown

    name_box = page.locator(SIDEBAR).get_by_label("Name", exact=True)
    assert name_box.is_visible() and name_box.input_value() == ""  # open, and emptied
    name_box.fill("x")  # a rerun follows and the notice goes: the form must stay open
    name_box.press("Enter")
    settle(page)
    assert name_box.is_visible()
    add(page, None, "uploaded", upload=rows(tmp_path / "upload.jsonl", 12, "Upload"))
    page.get_by_text("Added uploaded (12 rows).").wait_for(timeout=30_000)
    assert picked(page, "Dataset") == "uploaded"
    page.screenshot(path=str(screenshots / "walk-2-added-by-upload.png"), full_page=True)

    compare = page.locator(SIDEBAR).locator('[data-testid="stSelectbox"]').nth(1)
    compare.click()
    assert page.get_by_role("option", name="uploaded").count() == 0  # never itself
    page.get_by_role("option", name="*by path*").click()
    wait_for_app(page)
    page.locator(SIDEBAR).get_by_role("link", name="Lengths").click()
    wait_for_app(page, 1, 1)
    overlay = page.locator('[data-testid="stMultiSelect"]')
    assert (
        overlay.get_by_text("uploaded").count() == 1
        and overlay.get_by_text("*by path*").count() == 1
    )
    page.screenshot(path=str(screenshots / "walk-3-lengths-compared.png"), full_page=True)

    page.reload()
    wait_for_app(page, 1, 1)
    assert picked(page, "Dataset") == "uploaded" and picked(page, "Compare with") == "*by path*"
    page.screenshot(path=str(screenshots / "walk-4-after-reload.png"), full_page=True)
