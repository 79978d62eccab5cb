"""`python -m analysis annotations import|export|summary` on a bundled dataset."""

from __future__ import annotations

import json

from analysis.__main__ import main
from analysis.annotations.store import LabelStore

ROWS = ["seed_task_0/0", "seed_task_1/0", "seed_task_2/0"]


def labels_csv(path, annotators=("ann", "bob")):
    lines = ["row_id,annotator,question,answer"]
    for n, row in enumerate(ROWS):
        for annotator in annotators:
            for question in ("valid_task", "appropriate_input", "acceptable_output"):
                answer = (
                    "no" if (annotator == "bob" and n == 0 and question == "valid_task") else "yes"
                )
                lines.append(f"{row},{annotator},{question},{answer}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_annotations_cli_import_summary_export(tmp_path, capsys):
    args = ["--dataset", "seed_tasks", "--scheme", "self-instruct-quality"]
    assert main(["annotations", "import", str(labels_csv(tmp_path / "l.csv")), *args]) == 0
    assert "imported 18 labels" in capsys.readouterr().out
    assert main(["annotations", "summary", *args, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"items", "annotators", "questions", "all_fields", "agreement"}
    assert (result["items"], result["annotators"]) == (3, 2)
    valid = result["questions"]["valid_task"]
    assert set(valid) == {"n", "yes", "share", "wilson_low", "wilson_high"}
    assert (valid["n"], valid["yes"]) == (6, 5)
    assert result["all_fields"]["n"] == 6 and result["all_fields"]["yes"] == 5
    assert set(result["agreement"]["valid_task"]) == {
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac1",
    }
    assert result["agreement"]["valid_task"]["percent_agreement"] == 2 / 3
    assert result["agreement"]["appropriate_input"]["cohen_kappa"] is None  # one category: 0/0
    out = tmp_path / "labels.jsonl"
    assert main(["annotations", "export", *args, "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 18


def test_annotations_cli_bad_file_changes_nothing(tmp_path, capsys):
    path = labels_csv(tmp_path / "l.csv")
    path.write_text(path.read_text() + "seed_task_9999/0,ann,valid_task,yes\n")
    args = ["--dataset", "seed_tasks", "--scheme", "self-instruct-quality"]
    assert main(["annotations", "import", str(path), *args]) == 2
    assert "line 20: row id 'seed_task_9999/0' is not in the dataset" in capsys.readouterr().err
    assert LabelStore().frame().empty
