"""python -m generation citing-finetune: LoRA on a CITING round's revisions, merged and served.

Meant as CITING's fine-tuning command (`citing --finetune-command "python -m generation
citing-finetune --steps 8"`): it reads the round's files from the environment the run sets
(generation.citing.finetune), trains on $CITING_ALPACA starting from the previous round's
fine-tuned student (else the embedded SmolLM2 GGUF), saves the merged model in the round's
folder, serves it with `transformers serve` and writes the endpoint to $CITING_NEXT_STUDENT.
Any option may be given by hand instead. Needs requirements-ml.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from generation.citing import run_folder as rf
from generation.citing.lora import MODEL_FOLDER, SERVER_LOG, LoraSettings, trained_already
from generation.client import LOCAL_TIMEOUT_S

NAME = "citing-finetune"
HELP = (
    "fine-tune the CITING student with LoRA on a round's revisions (transformers + peft, "
    "from the embedded GGUF or the previous round's model), merge, and serve it for the next round"
)
DEFAULTS = LoraSettings()


def configure(parser: argparse.ArgumentParser) -> None:
    env = os.environ.get
    parser.add_argument("--data", default=env("CITING_ALPACA"), help="Alpaca JSON ($CITING_ALPACA)")
    parser.add_argument(
        "--out", help="folder for the merged model ($CITING_ROUND_DIR/student-model)"
    )
    parser.add_argument(
        "--base",
        help="the first fine-tuning's starting model: a transformers folder, a .gguf file or a "
        "hub id (default: the embedded SmolLM2 GGUF); a later round starts from the previous "
        "round's student-model in $CITING_RUN_DIR",
    )
    parser.add_argument("--steps", type=int, default=DEFAULTS.steps, help="optimizer steps (8)")
    parser.add_argument("--learning-rate", type=float, default=DEFAULTS.learning_rate)
    parser.add_argument("--rank", type=int, default=DEFAULTS.rank, help="LoRA rank (8)")
    parser.add_argument("--max-length", type=int, default=DEFAULTS.max_length, help="tokens (256)")
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed)
    parser.add_argument("--device", default=DEFAULTS.device, help="cpu (default) or cuda")
    parser.add_argument(
        "--next-student",
        default=env("CITING_NEXT_STUDENT"),
        help="where to write the served student's endpoint ($CITING_NEXT_STUDENT)",
    )
    parser.add_argument("--no-serve", action="store_true", help="train and save only")


def previous_model() -> Path | None:
    """The student-model folder of the round before $CITING_ROUND, if it made one."""
    run_dir, number = os.environ.get("CITING_RUN_DIR"), os.environ.get("CITING_ROUND")
    if not run_dir or not number or int(number) < 2:
        return None
    folder = rf.round_dir(Path(run_dir), int(number) - 1) / MODEL_FOLDER
    return folder if (folder / "config.json").exists() else None


def run_prompt():
    """The student's prompt with the run's templates (its folder and saved versions), else
    the bundled Alpaca prompt."""
    from generation.citing.lora import student_prompt
    from generation.citing.run_folder import CitingConfig
    from generation.citing.steps import load_templates, student_step
    from generation.run_files import read_json

    run_dir = os.environ.get("CITING_RUN_DIR")
    stored = read_json(Path(run_dir) / rf.CONFIG_FILE) if run_dir else None
    if not stored:
        return student_prompt
    config = CitingConfig.from_dict(stored)
    return student_step(load_templates(config.templates, config.template_versions)).format_input


def run(args: argparse.Namespace) -> int:
    from generation.citing.lora import finetune, serve

    if not args.data:
        print("error: no --data and no $CITING_ALPACA", file=sys.stderr)
        return 2
    round_dir = os.environ.get("CITING_ROUND_DIR")
    out = Path(args.out) if args.out else Path(round_dir or ".") / MODEL_FOLDER
    settings = LoraSettings(
        steps=args.steps,
        learning_rate=args.learning_rate,
        rank=args.rank,
        alpha=2 * args.rank,
        max_length=args.max_length,
        seed=args.seed,
        device=args.device,
    )
    base = previous_model() or args.base
    if trained_already(out, Path(args.data), base, settings):
        print(f"{out} holds this training's model already: serving it again", file=sys.stderr)
    else:
        report = finetune(Path(args.data), out, base, settings, run_prompt())
        print(
            f"{report['rows']} rows, {args.steps} steps: answer-token loss "
            f"{report['loss_before']:.3f} -> {report['loss_after']:.3f} ({report['seconds']} s);"
            f" merged model in {out}",
            file=sys.stderr,
        )
    if args.no_serve:
        return 0
    base_url, pid = serve(out, out.parent / SERVER_LOG, args.device)
    # transformers serve answers one request at a time: more in flight only queue and time out.
    student = {"model": str(out), "base_url": base_url, "pid": pid, "concurrency": 1}
    if args.device == "cpu":
        student["timeout_s"] = LOCAL_TIMEOUT_S  # CPU generation is slow, as the embedded model's
    print(f"serving {out} at {base_url} (pid {pid})", file=sys.stderr)
    if args.next_student:
        Path(args.next_student).write_text(json.dumps(student), encoding="utf-8")
    return 0
