"""The CLI as a real subprocess against the fake endpoint, under kills, refusals and leaks.

A run killed with SIGKILL and rerun ends as an uninterrupted run, paying for nothing twice:
the server itself kills the process when the chosen request arrives and never answers that
request, as a crash between sending and receiving would leave it. An endpoint that refuses
everyone (a wrong key), or that nothing listens at, ends the run at once as failed. The API
key, wherever it was given (environment, URL user-info, URL query) and whatever the server
repeats of it, reaches no file and no output.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.paths import REPO_ROOT
from generation.self_instruct.run_folder import OUTPUT_FILES
from generation.testing.fake_openai import FakeOpenAI
from tests.generation.fixtures import canned_self_instruct as canned

KINDS = {
    "bootstrap": "Come up with a series of tasks",
    "instances": "Come up with examples",
}


def _cli(url: str, out: Path, home: Path, **env: str) -> subprocess.Popen:
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
    env = {**os.environ, "WORKBENCH_HOME": str(home), "PYTHONPATH": str(REPO_ROOT), **env}
    log = (out.parent / f"{out.name}.log").open("ab")
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)


def _finished(process: subprocess.Popen, out: Path, timeout: float = 120) -> tuple[int, str]:
    """Exit code and output of a CLI run started by _cli."""
    code = process.wait(timeout=timeout)
    return code, (out.parent / f"{out.name}.log").read_text()


def _written(*folders: Path) -> bytes:
    """Every byte written under the folders (run folder, workspace with its reply cache)."""
    return b"".join(p.read_bytes() for folder in folders for p in folder.rglob("*") if p.is_file())


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


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
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    resumed = json.loads((out / "manifest.json").read_text())
    whole = json.loads((tmp_path / "whole" / "manifest.json").read_text())
    assert resumed["counts"] == whole["counts"]
    assert resumed["sessions"] == 2
    # The killed request was sent twice: the cost says so, at the price of the reply it got.
    lost_reply = len(killed_prompt.split()) + len(canned.reply(killed_prompt).split())
    paid, reference = resumed["usage"]["total"], whole["usage"]["total"]
    assert (paid["repaid"], reference["repaid"]) == (1, 0)
    assert paid["tokens"] == reference["tokens"] + lost_reply


def test_self_instruct_faults_a_wrong_key_ends_the_run_at_once(tmp_path, api_key):
    out, home = tmp_path / "run", tmp_path / "home"
    with FakeOpenAI(refuse=401) as fake:  # its message repeats the key it was sent
        started = time.monotonic()
        code, output = _finished(_cli(fake.url, out, home, OPENAI_API_KEY=api_key), out)
    assert code == 2 and time.monotonic() - started < 30
    assert sum(fake.received.values()) == 1  # nothing more was sent after the refusal
    state = json.loads((out / "state.json").read_text())
    assert state["status"] == "failed"
    for text in (output, state["error"]):
        assert fake.url in text and "fake-model" in text
        assert "HTTP 401: Incorrect API key provided: ***" in text and "API key" in text
    assert api_key not in output and api_key.encode() not in _written(out, home)


def test_self_instruct_faults_nothing_listening_fails_fast_with_the_cause(tmp_path):
    out, home = tmp_path / "run", tmp_path / "home"
    url = _closed_port_url()
    started = time.monotonic()
    code, output = _finished(_cli(url, out, home), out, timeout=60)
    assert code == 2 and time.monotonic() - started < 30
    assert "connection refused" in output and url in output
    assert json.loads((out / "state.json").read_text())["status"] == "failed"


@pytest.mark.parametrize("where", ["user-info", "query"])
def test_self_instruct_faults_a_key_in_the_url_reaches_no_file(tmp_path, api_key, where):
    out, home = tmp_path / "run", tmp_path / "home"
    with FakeOpenAI(responder=canned.reply) as fake:
        host = fake.url.removeprefix("http://")
        url, shown = {
            "user-info": (f"http://user:{api_key}@{host}", fake.url),
            "query": (f"{fake.url}?api-key={api_key}", f"{fake.url}?api-key=***"),
        }[where]
        code, output = _finished(_cli(url, out, home), out)
    assert code == 0, output
    if where == "query":
        assert all(f"api-key={api_key}" in target for target in fake.targets)  # it was sent
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["endpoint"] == shown
    assert json.loads((out / "config.json").read_text())["base_url"] == shown
    assert api_key not in output and api_key.encode() not in _written(out, home)


def test_self_instruct_faults_a_key_repeated_in_an_error_reaches_no_file(tmp_path, api_key):
    out, home = tmp_path / "run", tmp_path / "home"
    with FakeOpenAI(refuse=404) as fake:  # its message repeats the path, query included
        url = f"{fake.url}?api-key={api_key}"
        code, output = _finished(_cli(url, out, home), out)
    assert code == 2 and "(path /v1/completions?api-key=***)" in output
    state = json.loads((out / "state.json").read_text())
    assert state["status"] == "failed" and "api-key=***" in state["error"]
    assert api_key not in output and api_key.encode() not in _written(out, home)
