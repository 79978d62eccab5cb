"""Teacher answers for real, on the embedded SmolLM2 model: a few rows, short replies, in
English and in Chinese."""

from __future__ import annotations

import json

import pytest

from analysis.datasets import load_dataset
from generation import local_llm
from generation.answer import run_folder as rf
from generation.answer.pipeline import answer_dataset

pytestmark = pytest.mark.slow

SOURCE = "user_oriented_instructions"


@pytest.fixture(autouse=True)
def needs_the_embedded_model():
    reason = local_llm.unavailable_reason()
    if reason:
        pytest.skip(reason)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_answer_local_run_on_the_embedded_model(tmp_path, lang):
    out = tmp_path / lang
    state = answer_dataset(
        SOURCE, out, lang=lang, limit=2, backend="local", max_tokens=48, translation_max_tokens=96
    )
    assert state.status == "done" and state.done == 2
    records = [json.loads(line) for line in (out / rf.RECORDS_FILE).read_text().splitlines()]
    failures = [json.loads(line) for line in (out / rf.FAILURES_FILE).read_text().splitlines()]
    frame = load_dataset(out).frame
    source = load_dataset(SOURCE).frame.head(2)
    # Every row is in the dataset or in the failures, with its source row's id.
    assert sorted([*frame["id"], *(f["id"] for f in failures)]) == sorted(source["id"])
    assert len(frame) == state.answered + state.truncated >= 1
    assert set(frame["model"]) == {local_llm.LOCAL_MODEL_NAME}
    assert frame["output"].str.strip().str.len().gt(0).all()
    manifest = json.loads((out / rf.MANIFEST_FILE).read_text())
    assert manifest["endpoint"] == "embedded llama.cpp" and manifest["api"] == "completion"
    assert manifest["usage"]["total"]["completion_tokens"] > 0
    if lang == "zh":
        assert set(frame["lang"]) == {"zh"}
        assert all(r["translation"]["instruction"]["finish_reason"] for r in records)
        originals = [meta["original_instruction"] for meta in frame["metadata"]]
        assert set(originals) <= set(source["instruction"])
    else:
        assert (
            frame["instruction"].tolist()
            == source.set_index("id").loc[frame["id"], "instruction"].tolist()
        )
