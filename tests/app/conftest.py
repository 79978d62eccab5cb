"""AppTest fixture: run the real app.py with chosen session state."""

from __future__ import annotations

import re
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


@pytest.fixture(scope="session")
def _shared_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("app-cache")


@pytest.fixture(autouse=True)
def isolated_workspace(tmp_path_factory, _shared_cache, monkeypatch):
    """Each page test has its own workspace (its datasets, runs and index), so no test depends
    on another or on their order; the derived-column cache is shared, which is safe because
    every entry is keyed by content fingerprint, and spares parsing the bundled data again."""
    home = tmp_path_factory.mktemp("workspace")
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.setenv("WORKBENCH_CACHE", str(_shared_cache))
    return home


def shown(element) -> str:
    """What a person reads in a Markdown element: the source with its escapes removed (names
    and messages are escaped so that Markdown shows them as written)."""
    return re.sub(r"\\(.)", r"\1", element.value)


def _decode(value):
    """Plotly JSON stores numeric arrays as {"dtype", "bdata"}; turn them back into lists."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    if isinstance(value, dict):
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


@pytest.fixture
def chart_specs():
    """The plotly figures a page rendered, as plain JSON (arrays decoded)."""
    import json

    def specs(app: AppTest) -> list[dict]:
        return [_decode(json.loads(element.proto.spec)) for element in app.get("plotly_chart")]

    return specs
