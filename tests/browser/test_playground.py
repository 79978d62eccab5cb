"""The Prompt playground in a real Chromium on the embedded model: edit the bootstrap
template, try it on three seeds, read the verdicts, save it as a version, diff it against the
original (screenshots kept)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from generation.prompt_versions import original
from generation.templates import BOOTSTRAP
from tests.browser.test_pages_render import settle, wait_for_app

pytestmark = pytest.mark.slow

OLD, NEW = "Come up with a series of tasks:", "Come up with a series of new, concrete tasks:"


def _select(page, label: str, option: str) -> None:
    settle(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    expect(box).to_have_count(1, timeout=30_000)  # a rerun's stale copy has gone
    box.get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_playground_edit_run_save_diff(page, app_url, screenshots):
    page.goto(f"{app_url}/playground")
    page.get_by_role("heading", name="Prompt playground").wait_for(timeout=60_000)
    wait_for_app(page)
    editor = page.get_by_label("Template", exact=True)
    assert editor.input_value() == original(BOOTSTRAP).text
    editor.fill(original(BOOTSTRAP).text.replace(OLD, NEW))
    editor.press("Control+Enter")
    settle(page)
    page.get_by_text("Decoding", exact=True).click()
    max_tokens = page.get_by_label("max_tokens", exact=True)
    max_tokens.fill("48")
    max_tokens.press("Enter")
    settle(page)
    page.get_by_text("The exact prompt for seed 1").click()
    prompt = page.locator('[data-testid="stCode"]').filter(has_text=NEW).first
    assert prompt.inner_text().strip().endswith("9.")

    page.get_by_role("button", name="Run on 3 seed(s)").click()
    page.get_by_role("heading", name="Last trial").wait_for(timeout=300_000)
    settle(page)
    verdicts = page.get_by_text("Verdicts: kept").inner_text()
    assert "items)" in verdicts
    page.screenshot(path=str(screenshots / "playground-1-trial.png"), full_page=True)
    for seed in (1, 2, 3):
        assert page.get_by_text(f"Seed {seed}: ").count() == 1

    page.get_by_label("Save the editor as version").fill("concrete")
    page.get_by_label("Note").fill("new, concrete tasks")
    page.get_by_role("button", name="Save version").click()
    page.get_by_text("Saved version concrete").wait_for(timeout=30_000)
    settle(page)
    _select(page, "Diff to", "concrete")
    diff = page.locator('[data-testid="stCode"]').filter(has_text=f"+{NEW}")
    diff.wait_for(timeout=30_000)
    text = diff.inner_text()
    assert f"-{OLD}" in text and f"{BOOTSTRAP} (original)" in text
    assert f"{BOOTSTRAP} (concrete)" in text
    page.screenshot(path=str(screenshots / "playground-2-diff.png"), full_page=True)
