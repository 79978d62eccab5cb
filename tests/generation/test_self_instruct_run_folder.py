"""A run folder's files: the worker's log as the Generate page shows a failed run."""

from __future__ import annotations

from generation import run_files


def test_self_instruct_run_folder_log_tail_is_the_last_lines(tmp_path):
    assert run_files.log_tail(tmp_path) == ""
    lines = [f"line {n}" for n in range(40)]
    (tmp_path / run_files.LOG_FILE).write_bytes("\n".join(lines).encode() + b"\nbad \xff byte\n")
    assert run_files.log_tail(tmp_path, lines=3).splitlines() == [
        "line 38",
        "line 39",
        "bad \ufffd byte",
    ]
