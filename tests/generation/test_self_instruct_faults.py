"""A run killed with SIGKILL and rerun ends as an uninterrupted run, paying for nothing twice.

The CLI runs as a real subprocess against the fake endpoint (canned replies, counted per
prompt at the server); the server itself kills the process when the chosen request arrives
and never answers that request, as a crash between sending and receiving would leave it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.paths import REPO_ROOT
from generation.testing.fake_openai import FakeOpenAI
from tests.generation.fixtures import canned_self_instruct as canned

OUTPUTS = (
    "dataset.jsonl",
    "candidates.jsonl",
    "tasks.jsonl",
    "alpaca.json",
    "finetune_prompt_completion.jsonl",
    "finetune_chat.jsonl",
)
KINDS = {
    "bootstrap": "Come up with a series of tasks",
    "instances": "Come up with examples",
}


def _cli(url: str, out: Path, home: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "generation",
        "self-instruct",
        "--backend",
        "openai",
        "--base-url",
        url,
        "--model",
        "fake-model",
        "--api",
        "completion",
        "--concurrency",
        "1",
        "--target",
        "30",
        "--out",
        str(out),
    ]
    env = {**os.environ, "WORKBENCH_HOME": str(home), "PYTHONPATH": str(REPO_ROOT)}
    log = (out.parent / f"{out.name}.log").open("ab")
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)


@pytest.mark.parametrize(("kind", "nth"), [("bootstrap", 3), ("bootstrap", 7), ("instances", 2)])
def test_self_instruct_faults_sigkill_and_rerun_equals_uninterrupted(tmp_path, kind, nth):
    with FakeOpenAI(responder=canned.reply) as fake:
        reference = _cli(fake.url, tmp_path / "whole", tmp_path / "home-whole")
        assert reference.wait(timeout=120) == 0
        reference_prompts = set(fake.paid)

    running: dict[str, subprocess.Popen] = {}
    seen = []

    def responder(prompt, body):
        if prompt.startswith(KINDS[kind]):
            seen.append(prompt)
            if len(seen) == nth and "killed" not in running:
                running["killed"] = running["process"]
                os.kill(running["process"].pid, signal.SIGKILL)
                running["process"].wait()
                return None  # never answered: the process died waiting for it
        return canned.reply(prompt)

    out, home = tmp_path / "parts", tmp_path / "home-parts"
    with FakeOpenAI(responder=responder) as fake:
        running["process"] = _cli(fake.url, out, home)
        assert running["process"].wait(timeout=120) == -signal.SIGKILL
        state = json.loads((out / "state.json").read_text())
        assert state["status"] == "running"  # it had no chance to say otherwise
        killed_prompt = seen[nth - 1]
        running["process"] = _cli(fake.url, out, home)
        assert running["process"].wait(timeout=120) == 0
        assert set(fake.paid) == reference_prompts
        assert max(fake.paid.values()) == 1  # no request paid for twice
        assert fake.received[killed_prompt] == 2  # the unanswered one was asked again
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    resumed = json.loads((out / "manifest.json").read_text())
    whole = json.loads((tmp_path / "whole" / "manifest.json").read_text())
    assert resumed["counts"] == whole["counts"]
    assert resumed["sessions"] == 2
