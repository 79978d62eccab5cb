"""Shared fixtures: every test gets its own workspace, so no test sees another's caches."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.conftest import ARTIFACTS


def pytest_sessionstart(session):
    """Last run's screenshots go before this run writes its own: once, in the process that
    leads (with pytest-xdist, `make test`, its workers share the folder; this hook runs only
    in the top-level conftest)."""
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(ARTIFACTS, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated_workspace(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("workspace")
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return home


@pytest.fixture
def serve_hub(monkeypatch):
    """The Hugging Face hub is out of reach here: ``serve_hub(hub_id, rows)`` makes the datasets
    library answer that one id from memory and any other as the hub does for a missing one."""
    import datasets

    from analysis import readers

    def serve(hub_id: str, rows: list[dict]) -> None:
        monkeypatch.setattr(readers, "hub_reachable", lambda: None)

        def load(path, split=None, **kwargs):
            if path != hub_id:
                raise FileNotFoundError(f"Dataset '{path}' doesn't exist on the Hub")
            return datasets.Dataset.from_list(rows)

        monkeypatch.setattr(datasets, "load_dataset", load)

    return serve
