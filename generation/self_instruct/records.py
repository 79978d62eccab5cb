"""From kept instructions to tasks, records, exports and the run manifest.

tasks.jsonl keeps every decision about instances (the raw replies, each instance's verdict, why
a task was dropped); dataset.jsonl holds the kept instances in the workbench's record schema,
so every page and `python -m analysis stats DIR` read a run folder like any dataset.
"""

from __future__ import annotations

import platform
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from analysis.schema import make_record
from generation import run_files
from generation.client import Result
from generation.self_instruct import export, filters
from generation.self_instruct import run_folder as rf
from generation.self_instruct.filters import Instance
from generation.self_instruct.state import RunState
from generation.self_instruct.steps import Instances

PACKAGES = ("openai", "llama_cpp_python", "rapidfuzz", "numpy", "pandas")


def _task_base(row: dict) -> dict:
    return {
        "task_id": row["task_id"],
        "instruction": row["instruction"],
        "round": row["round"],
        "max_rougeL": row["max_rougeL"],
        "nearest": row["nearest"],
    }


def whole_tasks(kept_rows: Sequence[dict]) -> list[dict]:
    """Candidates that are whole tasks already (Alpaca's): one instance each, no later filter."""
    return [
        {
            **_task_base(row),
            "is_classification": None,
            "instances": [{"input": row["input"], "output": row["output"], "reason": None}],
            "dropped": None,
        }
        for row in kept_rows
    ]


def self_instruct_task(
    row: dict,
    label: dict,
    result: Result | None,
    step: Instances,
    rng: random.Random,
    max_instances: int,
) -> dict:
    """A kept instruction with its classification answer, raw instance reply and verdicts."""
    task = {
        **_task_base(row),
        "is_classification": label["is_classification"],
        "classification_reply": label["reply"],
        "instances_reply": None,
        "finish_reason": None,
        "instances": [],
        "dropped": None,
    }
    if result is None or not result.ok:
        task["dropped"] = filters.REQUEST_FAILED
        task["failure"] = label.get("failure") or (result.cause if result is not None else None)
        return task
    parsed = step.format_output(result.text, label["is_classification"], result.truncated)
    judged, dropped = filters.filter_instances(parsed, rng, max_instances)
    task.update(
        instances_reply=result.text,
        finish_reason=result.finish_reason,
        instances=[asdict(item) for item in judged],
        dropped=dropped,
    )
    return task


def kept_instances(task: dict) -> list[Instance]:
    if task["dropped"]:
        return []
    return [Instance(**item) for item in task["instances"] if item["reason"] is None]


def write_outputs(out_dir: Path, tasks: Sequence[dict], config: rf.RunConfig, model: str) -> dict:
    """tasks.jsonl, dataset.jsonl and the exports; returns what they hold."""
    run_files.write_jsonl(out_dir / rf.TASKS_FILE, tasks)
    rows, triples = [], []
    for task in tasks:
        for number, instance in enumerate(kept_instances(task)):
            rows.append(
                make_record(
                    id=f"{task['task_id']}/{number}",
                    instruction=task["instruction"],
                    input=instance.input,
                    output=instance.output,
                    source=config.template,
                    model=model,
                    task_id=task["task_id"],
                    is_classification=task["is_classification"],
                )
                # Provenance as extra fields, which the loader gathers into `metadata`: its
                # alpaca converter cannot yet read a `metadata` object back (see the report).
                | {
                    "max_rougeL": task["max_rougeL"],
                    "nearest_instruction": task["nearest"],
                    "round": task["round"],
                }
            )
            triples.append((task["instruction"], instance.input, instance.output))
    run_files.write_jsonl(out_dir / rf.DATASET_FILE, rows)
    run_files.write_json(out_dir / rf.ALPACA_FILE, export.alpaca_records(triples))
    run_files.write_jsonl(
        out_dir / rf.PROMPT_COMPLETION_FILE,
        export.prompt_completion_records(triples, config.run_seed),
    )
    run_files.write_jsonl(out_dir / rf.CHAT_FILE, export.chat_records(triples))
    with_instances = [t for t in tasks if kept_instances(t)]
    return {
        "tasks": len(with_instances),
        "classification_tasks": sum(bool(t["is_classification"]) for t in with_instances),
        "instances": len(rows),
    }


def _instance_rejects(tasks: Sequence[dict]) -> dict[str, int]:
    counts = Counter(
        item["reason"] for task in tasks for item in task["instances"] if item["reason"]
    )
    return dict(counts.most_common())


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@dataclass(frozen=True)
class Provenance:
    """What made a run's data, as its manifest records it; the pipeline fills it in, so the
    manifest writer needs nothing else of the run.

    templates: role -> Template.describe(); parameters: {"run": settings, "decoding": role ->
    request parameters}; seed_tasks: {"source", "fingerprint", "tasks"}.
    """

    pipeline: str
    model: str
    backend: str
    endpoint: str
    api: str
    templates: dict[str, dict]
    parameters: dict[str, dict]
    seed_tasks: dict


def write_manifest(out_dir: Path, provenance: Provenance, state: RunState, dataset: dict) -> dict:
    """manifest.json: what made this dataset (model, endpoint without key, prompts by hash,
    parameters, versions) and what it cost (requests, tokens, time)."""
    tasks = run_files.read_jsonl(out_dir / rf.TASKS_FILE)
    usage = {stage: counter.to_dict() for stage, counter in state.usage.items()}
    total = state.total_usage()
    manifest = {
        "kind": "self-instruct run",
        "pipeline": provenance.pipeline,
        "model": provenance.model,
        "served_model": state.served_model,
        "backend": provenance.backend,
        "endpoint": provenance.endpoint,
        "api": provenance.api,
        "templates": provenance.templates,
        "parameters": provenance.parameters,
        "seed_tasks": provenance.seed_tasks,
        "counts": {
            "rounds": state.rounds_done,
            "candidates": state.candidates,
            "kept_instructions": state.kept,
            "rejected_by_reason": state.rejects(),
            "beyond_target": state.beyond_target(),
            "tasks_with_instances": dataset["tasks"],
            "classification_tasks": dataset["classification_tasks"],
            "instances": dataset["instances"],
            "dropped_tasks_by_reason": dict(
                Counter(t["dropped"] for t in tasks if t["dropped"]).most_common()
            ),
            "rejected_instances_by_reason": _instance_rejects(tasks),
        },
        "usage": {"total": {**total.to_dict(), "tokens": total.total_tokens}, "by_stage": usage},
        "timings_s": {**state.seconds, "total": round(sum(state.seconds.values()), 3)},
        "sessions": state.sessions,
        "stop_reason": state.stop_reason,
        "failures": state.failures,
        "packages": package_versions(),
        "started_at": state.started_at,
        "finished_at": time.time(),
    }
    run_files.write_json(out_dir / rf.MANIFEST_FILE, manifest)
    return manifest
