"""AppTest fixture: run the real app.py with chosen session state."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture
def run_app():
    def run(page: str | None = None, **state) -> AppTest:
        app = AppTest.from_file(str(APP), default_timeout=180)
        for key, value in state.items():
            app.session_state[key] = value
        app.run()
        if page is not None:
            app.switch_page(page).run()
        return app

    return run
