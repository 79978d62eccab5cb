"""Chaos: Self-Instruct runs killed with SIGKILL at random moments, each compared with an
uninterrupted run.

Every run is the CLI (`python -m generation self-instruct`) in a subprocess on a workspace of
its own, against the fake endpoint with canned replies (deterministic: the same prompt always
gets the same reply). Once the process has sent its first request it is killed at a random
moment, then started again with the same command (which resumes), up to --kills times; the
last start runs to the end. Checked for every run:

- every output file is byte-identical to the uninterrupted run's, and its manifest counts match;
- it asked for exactly the requests the uninterrupted run asked for;
- no request whose reply was already stored in its reply cache reached the server again;
- a reply delivered twice was lost in flight by a killed process, and the manifest counts at
  least as many replies paid again (usage.total.repaid) as the server delivered twice.

The figures are printed; the exit code is 1 when any check failed.

    python bench/chaos_self_instruct.py [--runs 8] [--kills 6] [--target 30] [--seed 0]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from generation.backend import resolve_backend  # noqa: E402
from generation.client import COMPLETION, LLMClient, Request  # noqa: E402
from generation.self_instruct.run_folder import OUTPUT_FILES  # noqa: E402
from generation.testing.fake_openai import FakeOpenAI  # noqa: E402
from tests.generation.fixtures import canned_self_instruct as canned  # noqa: E402

MODEL = "fake-model"
START_TIMEOUT_S = 60  # a started process sends its first request within this, or it is a bug
RUN_TIMEOUT_S = 300


@dataclass
class Outcome:
    """One run's figures (the reference run has no kills)."""

    kills: list[str] = field(default_factory=list)  # the stage each kill landed in
    seconds: float = 0.0
    paid: Counter = field(default_factory=Counter)  # replies the server delivered, by prompt
    stored_asked_again: int = 0
    manifest: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class Endpoint:
    """The fake server, answering canned replies and watching each request against the reply
    cache of the run that sent it: a request whose reply is stored there must never arrive."""

    def __init__(self, latency: float):
        self.fake = FakeOpenAI(responder=self.respond, latency=latency).start()
        config = resolve_backend("openai", model=MODEL, base_url=self.fake.url)
        self.keys = LLMClient(config, cache=False)  # the keys the CLI's client computes
        self.cache: Path | None = None
        self.stored_asked_again = 0
        self.asked: set[str] = set()  # keys of the requests that arrived

    def respond(self, prompt: str, body: dict) -> str:
        params = {k: v for k, v in body.items() if k not in ("model", "prompt")}
        key = self.keys.key(Request(prompt, COMPLETION, params))
        self.asked.add(key)
        if key in self.stored():
            self.stored_asked_again += 1
        return canned.reply(prompt)

    def stored(self) -> set[str]:
        """Keys of the replies in the watched run's cache."""
        if self.cache is None or not self.cache.exists():
            return set()
        db = sqlite3.connect(f"file:{self.cache}?mode=ro", uri=True, timeout=10)
        with contextlib.closing(db):
            return {key for (key,) in db.execute("SELECT key FROM replies")}

    def watch(self, home: Path) -> None:
        self.fake.reset_counts()
        self.cache = home / "cache" / "llm_replies.sqlite"
        self.stored_asked_again = 0
        self.asked = set()


def cli(url: str, out: Path, home: Path, target: int, concurrency: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "generation", "self-instruct",
        "--backend", "openai", "--base-url", url, "--model", MODEL, "--api", "completion",
        "--concurrency", str(concurrency), "--target", str(target), "--out", str(out),
    ]  # fmt: skip
    env = {**os.environ, "WORKBENCH_HOME": str(home), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("OPENAI_API_KEY", None)
    with (out.parent / f"{out.name}.log").open("ab") as log:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)


def stage_of(out: Path) -> str:
    try:
        return json.loads((out / "state.json").read_text())["stage"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return "before any checkpoint"


def run_once(endpoint: Endpoint, folder: Path, args, rng: random.Random | None) -> Outcome:
    """One run to the end; with `rng`, killed up to args.kills times at random moments."""
    out, home = folder / "run", folder / "home"
    folder.mkdir(parents=True)
    endpoint.watch(home)
    outcome = Outcome()
    started = time.monotonic()
    kills_left = args.kills if rng else 0
    while True:
        sent_before = len(endpoint.fake.arrivals)
        process = cli(endpoint.fake.url, out, home, args.target, args.concurrency)
        if kills_left:
            deadline = time.monotonic() + START_TIMEOUT_S
            while len(endpoint.fake.arrivals) == sent_before and process.poll() is None:
                if time.monotonic() > deadline:
                    process.kill()
                    raise SystemExit(f"{out}: no request within {START_TIMEOUT_S} s")
                time.sleep(0.01)
            time.sleep(rng.uniform(0, args.max_delay))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()
                outcome.kills.append(stage_of(out))
                kills_left -= 1
                continue
        code = process.wait(timeout=RUN_TIMEOUT_S)
        if code != 0:
            outcome.problems.append(f"exit code {code} (see {out}.log)")
        break
    outcome.seconds = time.monotonic() - started
    outcome.paid = Counter(endpoint.fake.paid)
    outcome.stored_asked_again = endpoint.stored_asked_again
    if endpoint.asked != endpoint.stored():  # else "stored asked again" would prove nothing
        outcome.problems.append("the keys computed here are not the ones the run stored")
    outcome.manifest = json.loads((out / "manifest.json").read_text())
    return outcome


def compare(outcome: Outcome, reference: Outcome, folder: Path, reference_folder: Path) -> None:
    """Add to outcome.problems every way this run differs from the uninterrupted one."""
    for name in OUTPUT_FILES:
        if (folder / "run" / name).read_bytes() != (reference_folder / "run" / name).read_bytes():
            outcome.problems.append(f"{name} differs")
    if outcome.manifest["counts"] != reference.manifest["counts"]:
        outcome.problems.append("manifest counts differ")
    if set(outcome.paid) != set(reference.paid):
        outcome.problems.append("other requests than the uninterrupted run's")
    if outcome.stored_asked_again:
        outcome.problems.append(f"{outcome.stored_asked_again} stored replies asked again")
    twice = sum(outcome.paid.values()) - len(outcome.paid)
    if twice > outcome.manifest["usage"]["total"]["repaid"]:
        outcome.problems.append("replies delivered twice that the manifest does not count")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="runs killed at random moments")
    parser.add_argument("--kills", type=int, default=6, help="SIGKILLs per run")
    parser.add_argument("--target", type=int, default=30, help="instructions each run keeps")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per fake reply")
    parser.add_argument(
        "--max-delay", type=float, default=1.0, help="a kill lands 0..this s after the first send"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill moments")
    args = parser.parse_args(argv)

    endpoint = Endpoint(args.latency)
    with tempfile.TemporaryDirectory(prefix="chaos-") as scratch:
        root = Path(scratch)
        reference = run_once(endpoint, root / "whole", args, rng=None)
        total = reference.manifest["usage"]["total"]
        print(
            f"uninterrupted: {sum(reference.paid.values())} requests, {total['tokens']:,} tokens, "
            f"{reference.manifest['counts']['instances']} instances, {reference.seconds:.1f} s"
        )
        print(
            "\nrun  kills  sessions  requests  delivered twice  repaid  stored asked again  "
            "identical      s  kills landed in"
        )
        outcomes = []
        for number in range(1, args.runs + 1):
            folder = root / f"chaos-{number}"
            outcome = run_once(endpoint, folder, args, random.Random(f"{args.seed}:{number}"))
            compare(outcome, reference, folder, root / "whole")
            outcomes.append(outcome)
            landed = ", ".join(f"{k} {v}" for k, v in Counter(outcome.kills).most_common())
            twice = sum(outcome.paid.values()) - len(outcome.paid)
            print(
                f"{number:>3}  {len(outcome.kills):>5}  {outcome.manifest['sessions']:>8}  "
                f"{sum(outcome.paid.values()):>8}  {twice:>15}  "
                f"{outcome.manifest['usage']['total']['repaid']:>6}  "
                f"{outcome.stored_asked_again:>18}  {'yes' if not outcome.problems else 'NO':>9}  "
                f"{outcome.seconds:>5.1f}  {landed}"
            )
            for problem in outcome.problems:
                print(f"     problem: {problem}")
    endpoint.fake.stop()

    kills = sum(len(o.kills) for o in outcomes)
    identical = sum(not o.problems for o in outcomes)
    twice = sum(sum(o.paid.values()) - len(o.paid) for o in outcomes)
    repaid = sum(o.manifest["usage"]["total"]["repaid"] for o in outcomes)
    print(
        f"\n{identical} of {len(outcomes)} runs killed {kills} times in all finished as the "
        f"uninterrupted run (byte-identical outputs, same requests); stored replies asked again: "
        f"{sum(o.stored_asked_again for o in outcomes)}; replies delivered twice (lost in flight "
        f"by a killed process): {twice}, counted as paid again in the manifests: {repaid}"
    )
    return 0 if identical == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
