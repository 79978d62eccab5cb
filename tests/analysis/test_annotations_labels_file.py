"""Label import is checked whole: one bad line leaves the store as it was, and says where."""

from __future__ import annotations

import pytest

from analysis.annotations.labels_file import read_labels, write_labels
from analysis.annotations.schemes import get_scheme
from analysis.annotations.store import LabelStore
from analysis.errors import DataLoadError

HEADER = "row_id,annotator,question,answer,note\n"
GOOD = "r1,ann,valid_task,yes,\nr1,ann,appropriate_input,no,odd input\n"


@pytest.mark.parametrize(
    ("bad_line", "told"),
    [
        ("r2,ann,valid_tsk,yes,", "unknown question 'valid_tsk'"),
        ("r2,ann,valid_task,maybe,", "answer 'maybe' is not one of question 'valid_task'"),
        ("r9,ann,valid_task,yes,", "row id 'r9' is not in the dataset"),
        ("r1,ann,valid_task,no,", "duplicate label for (row_id, annotator, question)"),
        ("r2, ,valid_task,yes,", "the annotator is empty"),
    ],
)
def test_labels_file_a_bad_line_imports_nothing(tmp_path, bad_line, told):
    path = tmp_path / "labels.csv"
    path.write_text(HEADER + GOOD + bad_line + "\n", encoding="utf-8")
    store = LabelStore(tmp_path / "labels.sqlite")
    scheme = get_scheme("self-instruct-quality")
    with pytest.raises(DataLoadError) as caught:
        store.save_many(read_labels(path, scheme, "fp", {"r1", "r2"}))
    assert str(caught.value).startswith(f"{path}, line 4: ") and told in str(caught.value)
    assert store.frame().empty


def test_labels_file_round_trip(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    store = LabelStore(tmp_path / "labels.sqlite")
    scheme = get_scheme("self-instruct-quality")
    assert store.save_many(read_labels(path, scheme, "fp", {"r1"})) == 2
    for suffix in ("csv", "jsonl"):
        out = tmp_path / f"out.{suffix}"
        write_labels(store.frame(), out)
        assert out.read_text().count("appropriate_input") == 1
    assert store.frame().set_index("question").loc["appropriate_input", "note"] == "odd input"
