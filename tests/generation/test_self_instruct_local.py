"""The whole pipeline for real, on the embedded SmolLM2 model, with a small target."""

from __future__ import annotations

import json

import pytest

from analysis.datasets import load_dataset
from generation import local_llm
from generation.self_instruct import filters
from generation.self_instruct.pipeline import SelfInstructRun
from generation.self_instruct.run_folder import RunConfig

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def needs_the_embedded_model():
    reason = local_llm.unavailable_reason()
    if reason:
        pytest.skip(reason)


def test_self_instruct_local_run_on_the_embedded_model(tmp_path):
    out = tmp_path / "run"
    state = SelfInstructRun(RunConfig(target=5, batch_size=1, backend="local"), out).run()
    assert state.status == "done" and state.kept == 5
    candidates = [json.loads(line) for line in (out / "candidates.jsonl").read_text().splitlines()]
    assert sum(row["verdict"] == filters.KEPT for row in candidates) == 5
    assert all(row["reason"] in (filters.KEPT, *filters.INSTRUCTION_REASONS) for row in candidates)
    tasks = [json.loads(line) for line in (out / "tasks.jsonl").read_text().splitlines()]
    assert len(tasks) == 5
    assert all(t["classification_reply"] is not None and t["instances_reply"] for t in tasks)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["endpoint"] == "embedded llama.cpp" and manifest["api"] == "completion"
    assert manifest["model"] == local_llm.LOCAL_MODEL_NAME
    assert manifest["usage"]["total"]["completion_tokens"] > 0
    if state.instances:
        frame = load_dataset(out).frame
        assert len(frame) == state.instances
        assert set(frame["model"]) == {local_llm.LOCAL_MODEL_NAME}
