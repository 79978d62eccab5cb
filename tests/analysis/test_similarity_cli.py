"""`python -m analysis similarity` and `python -m analysis dedup` end to end on small datasets."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from rouge_score import rouge_scorer

from analysis.__main__ import main
from analysis.paths import REPO_ROOT
from analysis.rouge.duplicates import banded_pairs

SCORER = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)

POOL = [
    "Write a short poem about the sea.",
    "Give three tips for staying healthy.",
    "Classify the sentiment of the following review.",
    "Give three tips for staying healthy.",  # a second instance of the same instruction
]
TEXTS = [
    "Write a short poem about the blue sea.",
    "Give 3 tips for staying healthy and fit.",
    "Translate the sentence into French.",
    "Write a short poem about the sea.",
    "请写一首关于春天的诗。",
    "Write a short poem about the blue sea.",
    "请写一首关于夏天的诗。",
]


def reference(target: str, prediction: str) -> float:
    return SCORER.score(target, prediction)["rougeL"].fmeasure


def write_jsonl(path: Path, instructions: list[str], prefix: str) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for number, text in enumerate(instructions):
            record = {"id": f"{prefix}{number}", "instruction": text, "input": "", "output": "ok"}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_similarity_cli_writes_exact_scores_in_dataset_order(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "data.jsonl", TEXTS, "d")
    pool = write_jsonl(tmp_path / "pool.jsonl", POOL, "p")
    out = tmp_path / "similarity.csv"
    assert main(["similarity", str(data), "--pool", str(pool), "--out", str(out)]) == 0
    rows = read_csv(out)
    assert list(rows[0]) == ["id", "max_rougeL", "nearest_id", "nearest_text", "mean_rougeL"]
    assert [row["id"] for row in rows] == [f"d{n}" for n in range(len(TEXTS))]
    distinct_pool = POOL[:3]
    for row, text in zip(rows, TEXTS, strict=True):
        scores = [reference(text, item) for item in distinct_pool]
        assert float(row["max_rougeL"]) == max(scores)
        assert float(row["mean_rougeL"]) == pytest.approx(sum(scores) / 3, rel=1e-12)
        if max(scores) > 0:
            nearest = scores.index(max(scores))
            assert (row["nearest_id"], row["nearest_text"]) == (f"p{nearest}", POOL[nearest])
        else:
            assert row["nearest_id"] == row["nearest_text"] == ""


def test_similarity_cli_cjk_tokenizer_scores_chinese(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "data.jsonl", TEXTS[4:5], "d")
    pool = write_jsonl(tmp_path / "pool.jsonl", TEXTS[6:7], "p")
    english, cjk = tmp_path / "english.csv", tmp_path / "cjk.csv"
    main(["similarity", str(data), "--pool", str(pool), "--out", str(english)])
    main(["similarity", str(data), "--pool", str(pool), "--tokenizer", "cjk", "--out", str(cjk)])
    assert float(read_csv(english)[0]["max_rougeL"]) == 0.0
    assert float(read_csv(cjk)[0]["max_rougeL"]) > 0.7


def test_similarity_cli_dedup_keeps_first_occurrences_and_reports_removed(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "data.jsonl", TEXTS, "d")
    out = tmp_path / "dedup"
    assert main(["dedup", str(data), "--tokenizer", "cjk", "--out", str(out)]) == 0
    kept = [json.loads(line) for line in (out / "deduplicated.jsonl").read_text().splitlines()]
    assert [record["id"] for record in kept] == ["d0", "d1", "d2", "d4"]
    assert kept[0]["instruction"] == TEXTS[0] and kept[0]["output"] == "ok"
    report = read_csv(out / "removed.csv")
    assert [(row["id"], row["cluster_id"], row["matched_id"]) for row in report] == [
        ("d3", "d0", "d0"),
        ("d5", "d0", "d0"),
        ("d6", "d4", "d4"),
    ]
    assert float(report[0]["rougeL"]) == reference(TEXTS[3], TEXTS[0])
    assert float(report[1]["rougeL"]) == 1.0


def test_similarity_cli_dedup_writes_every_pair_above_threshold(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "data.jsonl", TEXTS, "d")
    out = tmp_path / "dedup"
    assert main(["dedup", str(data), "--threshold", "0.5", "--out", str(out)]) == 0
    rows = read_csv(out / "pairs.csv")
    assert rows and list(rows[0]) == ["i", "j", "rougeL"]
    expected = [
        (i, j, reference(TEXTS[i], TEXTS[j]))
        for i in range(len(TEXTS))
        for j in range(i + 1, len(TEXTS))
        if reference(TEXTS[i], TEXTS[j]) > 0.5
    ]
    assert [(int(r["i"]), int(r["j"]), float(r["rougeL"])) for r in rows] == expected


def test_similarity_cli_dedup_pairs_at_scale_match_length_band_engine(tmp_path: Path) -> None:
    """2,500 rows: the all-pairs engine writes the pairs, equal to the length-band engine's."""
    rng = random.Random(4)
    words = [
        "write",
        "a",
        "poem",
        "story",
        "list",
        "of",
        "the",
        "three",
        "ways",
        "to",
        "explain",
        "why",
        "sea",
        "blue",
        "sky",
        "fast",
    ]
    texts = [" ".join(rng.choices(words, k=rng.randint(3, 12))) for _ in range(2_500)]
    data = write_jsonl(tmp_path / "data.jsonl", texts, "d")
    out = tmp_path / "dedup"
    assert main(["dedup", str(data), "--out", str(out)]) == 0
    rows = read_csv(out / "pairs.csv")
    expected = banded_pairs(texts, 0.7)
    assert len(rows) == len(expected) > 100
    found = [(int(r["i"]), int(r["j"]), float(r["rougeL"])) for r in rows]
    assert found == list(zip(expected["i"], expected["j"], expected["rougeL"], strict=True))
    removed = read_csv(out / "removed.csv")
    kept = (out / "deduplicated.jsonl").read_text().splitlines()
    assert len(removed) + len(kept) == len(texts)


def test_similarity_cli_dedup_cluster_rule_also_drops_chained_rows(tmp_path: Path) -> None:
    chain = ["w1 w2 w3 w4 w5 w6 w7 w8 w9 w10", "w1 w2 x3 w4 w5 w6 w7 x8 w9 w10"]
    chain.append("w1 w2 x3 w4 y5 w6 w7 x8 w9 y10")
    data = write_jsonl(tmp_path / "data.jsonl", chain, "d")
    kept_ids = {}
    for rule in ("filter", "cluster"):
        out = tmp_path / rule
        assert main(["dedup", str(data), "--rule", rule, "--out", str(out)]) == 0
        lines = (out / "deduplicated.jsonl").read_text().splitlines()
        kept_ids[rule] = [json.loads(line)["id"] for line in lines]
    assert kept_ids == {"filter": ["d0", "d2"], "cluster": ["d0"]}


def test_similarity_cli_dedup_threshold_one_removes_nothing(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "data.jsonl", TEXTS, "d")
    out = tmp_path / "dedup"
    assert main(["dedup", str(data), "--threshold", "1", "--out", str(out)]) == 0
    assert len((out / "deduplicated.jsonl").read_text().splitlines()) == len(TEXTS)
    assert read_csv(out / "removed.csv") == []
    assert read_csv(out / "pairs.csv") == []


def test_similarity_cli_dedup_rejects_threshold_outside_unit_interval(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["dedup", "x.jsonl", "--threshold", "1.5", "--out", str(tmp_path)])


@pytest.mark.slow
def test_similarity_cli_subprocess_against_bundled_seed_tasks(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "data.jsonl", TEXTS[:3], "d")
    out = tmp_path / "similarity.csv"
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "similarity", str(data), "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seeds = [
        json.loads(line)["instruction"]
        for line in (REPO_ROOT / "data/self_instruct/seed_tasks.jsonl").read_text().splitlines()
    ]
    rows = read_csv(out)
    for row, text in zip(rows, TEXTS[:3], strict=True):
        assert float(row["max_rougeL"]) == max(reference(text, seed) for seed in seeds)
