"""Shared fixtures: every test gets its own workspace, so no test sees another's caches."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_workspace(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("workspace")
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return home
