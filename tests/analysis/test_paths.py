"""Where the workbench keeps its files: the workspace for what it writes, the repository for
what it ships, environment variables over the defaults."""

from __future__ import annotations

from analysis import paths
from analysis.paths import REPO_ROOT


def test_paths_written_files_live_in_the_workspace(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    for folder in (paths.runs_dir(), paths.logs_dir(), paths.reply_cache_path().parent):
        assert folder.is_dir() and folder.is_relative_to(tmp_path / "home")


def test_paths_prices_argument_then_environment_then_bundled(monkeypatch, tmp_path):
    assert paths.prices_path() == paths.BUNDLED_PRICES_PATH and paths.BUNDLED_PRICES_PATH.is_file()
    monkeypatch.setenv(paths.ENV_PRICES, str(tmp_path / "env.json"))
    assert paths.prices_path() == tmp_path / "env.json"
    assert paths.prices_path(tmp_path / "mine.json") == tmp_path / "mine.json"


def test_paths_bundled_prompts_are_the_packages():
    assert (paths.BUNDLED_PROMPTS_DIR / "self_instruct_bootstrap.txt").is_file()


def test_paths_child_env_puts_this_checkout_first(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    assert paths.child_env()["PYTHONPATH"].split(":") == [str(REPO_ROOT), "/elsewhere"]


def test_paths_derived_cache_can_be_shared_but_paid_replies_stay_home(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "shared"))
    assert paths.cache_dir() == tmp_path / "shared"
    assert paths.reply_cache_path().is_relative_to(tmp_path / "home")
