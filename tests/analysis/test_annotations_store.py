"""The label store under concurrent writers and kill -9: nothing acknowledged is lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from analysis.annotations.store import Label, LabelStore
from analysis.paths import REPO_ROOT

WRITER = textwrap.dedent(
    """
    import sys
    from analysis.annotations.store import Label, LabelStore
    store = LabelStore(sys.argv[1])
    for n in range(int(sys.argv[3])):
        store.save(Label("fp", f"row{n}", sys.argv[2], "s", "q", "yes"))
        print(n, flush=True)  # acknowledged: save returned
    """
)


def writer(path, annotator: str, count: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), annotator, str(count)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


def test_annotations_store_two_processes_500_labels_each(tmp_path):
    path = tmp_path / "labels.sqlite"
    LabelStore(path)
    processes = [writer(path, name, 500) for name in ("ann", "bob")]
    for process in processes:
        process.communicate(timeout=300)
        assert process.returncode == 0
    labels = LabelStore(path).frame()
    assert len(labels) == 1000
    assert labels.groupby("annotator").size().to_dict() == {"ann": 500, "bob": 500}
    assert not labels.duplicated(["fingerprint", "row_id", "annotator", "question"]).any()


def test_annotations_store_keeps_every_acknowledged_label_after_kill_9(tmp_path):
    path = tmp_path / "labels.sqlite"
    LabelStore(path)
    process = writer(path, "ann", 100_000)
    acknowledged = [int(process.stdout.readline()) for _ in range(300)]
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stored = set(LabelStore(path).frame(annotator="ann")["row_id"])  # a restart: a new store
    assert {f"row{n}" for n in acknowledged} <= stored
    LabelStore(path).save(Label("fp", "after", "ann", "s", "q", "no"))  # still writable


def test_annotations_store_edit_replaces_and_keeps_history(tmp_path):
    store = LabelStore(tmp_path / "labels.sqlite")
    store.save(Label("fp", "1", "ann", "s", "q", "yes", time=1.0))
    store.save(Label("fp", "1", "ann", "s", "q", "yes", time=2.0))  # same answer: no change
    store.save(Label("fp", "1", "ann", "s", "q", "no", note="on second thought", time=3.0))
    [current] = store.frame().to_dict("records")
    assert (current["answer"], current["note"], current["time"]) == ("no", "on second thought", 3.0)
    [old] = store.history().to_dict("records")
    assert (old["answer"], old["time"]) == ("yes", 1.0)
    assert store.answered("s", "ann") == {("fp", "1"): {"q": "no"}}
