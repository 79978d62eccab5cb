"""`python -m analysis datasets`: the sidebar's registry from the shell, one identity for both."""

from __future__ import annotations

import json
import subprocess
import sys

from analysis import registry
from analysis.__main__ import main
from analysis.datasets import load_dataset


def cli(*args: str, home) -> subprocess.CompletedProcess:
    """A separate process, as a user runs it, on the given workspace."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "WORKBENCH_HOME": str(home)},
        check=False,
    )


def test_datasets_cli_loads_what_the_sidebar_registered(tmp_path, isolated_workspace):
    source = tmp_path / "qa.jsonl"
    source.write_text(json.dumps({"instruction": "Name a prime.", "output": "7"}) + "\n")
    registry.add_user_dataset("mine", path=source)  # what the sidebar's Add does
    fingerprint = load_dataset("mine").fingerprint
    stats = cli("stats", "mine", home=isolated_workspace)
    assert stats.returncode == 0, stats.stderr
    assert f"fingerprint {fingerprint}" in stats.stdout
    listed = json.loads(cli("datasets", "list", "--json", home=isolated_workspace).stdout)
    [mine] = [row for row in listed if row["name"] == "mine"]
    assert (mine["rows"], mine["fingerprint"], mine["error"]) == (1, fingerprint, None)


def test_datasets_cli_add_is_listed_by_the_app_and_remove_forgets(tmp_path, capsys):
    source = tmp_path / "qa.csv"
    source.write_text("question,answer\nWhat?,That.\n", encoding="utf-8")
    assert main(["datasets", "add", str(source), "--name", "qa"]) == 0
    assert "added qa: 1 rows" in capsys.readouterr().out
    assert registry.lookup("qa").kind == registry.USER
    assert load_dataset("qa").frame["output"].tolist() == ["That."]
    assert main(["datasets", "add", str(source), "--name", "qa"]) == 2
    assert "registered already" in capsys.readouterr().err
    assert main(["datasets", "remove", "qa"]) == 0
    assert registry.lookup("qa") is None


def test_datasets_cli_list_reports_a_broken_dataset_and_the_rest(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "dataset.jsonl").write_text(json.dumps({"instruction": "a"}) + "\n")
    registry.add_user_dataset("gone", path=run)
    (run / "dataset.jsonl").unlink()
    run.rmdir()
    assert main(["datasets", "list", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert "no file or folder" in rows["gone"]["error"] and rows["gone"]["rows"] is None
    assert rows["seed_tasks"]["rows"] == 175 and rows["seed_tasks"]["error"] is None
    assert main(["datasets", "remove", "gone"]) == 0


def test_datasets_cli_precompute_leaves_the_page_columns_cached(capsys):
    from analysis.verbs import column

    assert main(["datasets", "precompute", "vicuna_questions"]) == 0
    out = capsys.readouterr().out
    assert "ready: vicuna_questions: verb-noun of instructions" in out
    assert "outputs" not in out  # questions without answers have no output column to parse
    dataset = load_dataset("vicuna_questions")
    assert column.is_cached(dataset, "instruction", "paper")
