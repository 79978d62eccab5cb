"""One identity per dataset in the pages: content-keyed caches, one broken dataset breaks nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from analysis import registry


def write_rows(path, count: int):
    rows = [
        {"instruction": f"Write {n} words.", "output": " ".join(["w"] * n)} for n in range(count)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def add_path(app, path, name, replace=False):
    app.sidebar.text_input(key="add_path").input(str(path))
    app.sidebar.text_input(key="add_name").input(name)
    if replace:
        app.sidebar.checkbox(key="add_replace").check()
    app.sidebar.button(key="add_button").click().run()
    return app


def table1_rows(app, name):
    return int(app.dataframe[0].value.loc[name, "rows"])


def test_replaced_dataset_shows_new_statistics_on_every_page(run_app, tmp_path):
    path = write_rows(tmp_path / "mine.jsonl", 2)
    app = add_path(run_app(), path, "mine")
    assert not app.exception and table1_rows(app, "mine") == 2
    write_rows(path, 3)
    add_path(app, path, "mine", replace=True)
    assert not app.exception and not app.sidebar.error
    assert table1_rows(app, "mine") == 3
    assert len(app.dataframe[1].value) == 3
    app.switch_page("app_pages/lengths.py").run()
    summary = app.dataframe[0].value.set_index("dataset")
    assert summary.loc["mine", "rows"] == 3


def test_a_dataset_file_changed_in_place_is_read_again(run_app, tmp_path):
    path = write_rows(tmp_path / "direct.jsonl", 2)
    app = run_app(dataset=str(path))
    assert len(app.dataframe[1].value) == 2
    write_rows(path, 4)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    app.run()
    assert not app.exception and len(app.dataframe[1].value) == 4


def test_page_and_command_line_agree_on_a_sidebar_dataset(run_app, tmp_path, isolated_workspace):
    path = write_rows(tmp_path / "mine.jsonl", 2)
    app = add_path(run_app(), path, "mine")
    caption = app.caption[0].value
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "stats", "mine"],
        capture_output=True,
        text=True,
        env={**os.environ, "WORKBENCH_HOME": str(isolated_workspace)},
        check=True,
    )
    fingerprint = result.stdout.split("fingerprint ")[1].split(")")[0]
    assert f"fingerprint `{fingerprint}`" in caption


def test_datasets_page_renders_with_broken_datasets_and_offers_removal(
    run_app, tmp_path, serve_hub
):
    run = tmp_path / "run"
    run.mkdir()
    write_rows(run / "dataset.jsonl", 2)
    registry.add_user_dataset("deleted run", path=run)
    (run / "dataset.jsonl").unlink()
    run.rmdir()
    serve_hub("owner/offline", [{"instruction": "a"}])
    registry.add_hub_dataset("owner/offline", "offline hub")
    serve_hub("owner/other", [])  # now the hub no longer answers for it, as offline
    app = run_app()
    assert not app.exception
    stats = app.dataframe[0].value
    assert stats.loc["seed_tasks", "rows"] == "175"
    assert "deleted run" not in stats.index and "offline hub" not in stats.index
    errors = [element.value for element in app.error]
    assert any(e.startswith("deleted run cannot be loaded") and "no file" in e for e in errors)
    assert any(e.startswith("offline hub cannot be loaded") and "hub" in e for e in errors)
    app.button(key="remove_deleted run").click().run()
    assert not app.exception
    assert registry.lookup("deleted run") is None
    assert not any("deleted run" in element.value for element in app.error)


def test_a_broken_dataset_chosen_in_the_sidebar_is_an_error_on_every_page(run_app, tmp_path):
    path = write_rows(tmp_path / "mine.jsonl", 2)
    app = add_path(run_app(), path, "mine")
    os.unlink(registry.lookup("mine").path)
    for page in ("app_pages/datasets.py", "app_pages/verbs.py", "app_pages/similarity.py"):
        app.switch_page(page).run()
        assert not app.exception, page
        assert any("mine cannot be loaded" in e.value for e in app.error), page
    app.switch_page("app_pages/lengths.py").run()
    assert not app.exception
    assert any("mine is left out" in w.value for w in app.warning)
