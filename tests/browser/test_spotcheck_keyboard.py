"""Spot-check in a real Chromium, from the keyboard alone: three items labelled, the summary
changes, and answer keys do nothing while the note box has the focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_pages_render import settle, wait_for_app

pytestmark = pytest.mark.slow


def labelled(page) -> str:
    return page.locator('[data-testid="stProgress"]').first.inner_text()


def test_spotcheck_three_items_by_keyboard(page, app_url, screenshots):
    page.goto(f"{app_url}/spotcheck")
    page.get_by_role("heading", name="Spot-check").wait_for(timeout=60_000)
    page.get_by_label("Your name").fill("kim")
    page.get_by_label("Your name").press("Enter")
    wait_for_app(page)
    page.get_by_text("0 of 175 labelled").wait_for(timeout=30_000)
    page.evaluate("document.activeElement.blur()")  # the page has the keys, not an input

    note = page.get_by_label("Note (saved with your answers)")
    note.fill("yyy typed, not answers")
    wait_for_app(page)
    assert "0 of 175" in labelled(page)  # the y's went into the note

    page.evaluate("document.activeElement.blur()")  # commits the note: a rerun
    settle(page)
    for item in range(1, 4):
        for question, key in enumerate("yu"):  # each answer shows before the next key
            page.keyboard.press(key)
            yes = page.get_by_role("button", name="Yes").nth(question)
            expect(yes).to_have_attribute("kind", "primary", timeout=30_000)
            settle(page)
        page.keyboard.press("i")  # the third answer completes the item: the next one shows
        page.get_by_text(f"{item} of 175 labelled").wait_for(timeout=30_000)
        settle(page)
    page.keyboard.press("n")  # the fourth item's first answer: no
    expect(page.get_by_role("button", name="No").first).to_have_attribute(
        "kind", "primary", timeout=30_000
    )
    wait_for_app(page)
    assert "3 of 175 labelled" in labelled(page)
    page.keyboard.press("Enter")  # update the summary, still from the keyboard
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(1, timeout=30_000)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=30_000)
    page.get_by_role("heading", name="Summary").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "spotcheck-after-keyboard.png"), full_page=True)
