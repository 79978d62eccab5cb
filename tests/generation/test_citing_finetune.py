"""A student that really learns, for real on the CPU (slow): `citing-finetune` loads the
embedded SmolLM2 GGUF into transformers, trains LoRA for a few steps on a round's revisions
(the answer-token loss falls), saves the merged model and serves it with `transformers serve`;
the workbench's client then asks it, as the next round's student."""

from __future__ import annotations

import json
import os
import signal

import pytest

from generation import local_llm
from generation.__main__ import main
from generation.backend import resolve_backend
from generation.client import SyncLLMClient

pytestmark = pytest.mark.slow

REVISIONS = [
    {"instruction": "What is the capital of France?", "input": "", "output": "Paris."},
    {"instruction": "Add the numbers.", "input": "2 and 3", "output": "2 + 3 = 5."},
]


@pytest.fixture(autouse=True)
def needs_the_ml_requirements():
    for package in ("peft", "gguf", "transformers"):
        pytest.importorskip(package)
    if reason := local_llm.unavailable_reason():
        pytest.skip(reason)


def test_citing_finetune_trains_merges_and_serves_the_student(tmp_path):
    data = tmp_path / "alpaca.json"
    data.write_text(json.dumps(REVISIONS))
    out, student_file = tmp_path / "student-model", tmp_path / "next_student.json"
    command = ["citing-finetune", "--data", str(data), "--out", str(out), "--steps", "4"]
    assert main([*command, "--learning-rate", "1e-3", "--next-student", str(student_file)]) == 0
    report = json.loads((out / "finetune_report.json").read_text())
    assert len(report["step_losses"]) == 4
    assert report["loss_after"] < report["loss_before"]
    assert (out / "config.json").exists() and list(out.glob("*.safetensors"))
    student = json.loads(student_file.read_text())
    assert student["concurrency"] == 1  # transformers serve answers one request at a time
    try:
        config = resolve_backend("openai", student["model"], student["base_url"])
        with SyncLLMClient(config=config, cache=False) as client:
            reply = client.chat(REVISIONS[0]["instruction"], max_tokens=12, temperature=0.0)
        assert reply.text.strip() and reply.finish_reason in {"stop", "length"}
        assert reply.usage.completion_tokens > 0
    finally:
        os.killpg(student["pid"], signal.SIGTERM)
