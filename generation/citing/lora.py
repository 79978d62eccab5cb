"""A student that really learns: LoRA on a round's revisions, merged, served for the next round.

The default student, the embedded SmolLM2-135M-Instruct, is a GGUF file: `transformers` loads
it with `gguf_file=` (dequantized to float32; needs the `gguf` package), `peft` trains a LoRA
adapter on the round's Alpaca file (the chat template around the prompt the student is asked
with, Alpaca's, and the revised answer; the loss on the answer's tokens only), the adapter is merged into the weights
and the model saved as a plain transformers folder. `transformers serve` then serves that
folder on an OpenAI-compatible endpoint (chat completions), which the next round's student
requests go to. On a CPU this is a smoke-sized run (a few steps); see the README for a GPU
setup with real step counts. Every import of torch, transformers and peft is inside the
functions: the rest of the workbench never loads them.
"""

from __future__ import annotations

import hashlib
import json
import random
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from analysis.paths import child_env
from generation.local_llm import bundled_model_file

MODEL_FOLDER = "student-model"
#: In MODEL_FOLDER: the answer-token loss before and after, and per step.
REPORT_FILE = "finetune_report.json"
SERVER_LOG = "student-server.log"
TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj")


@dataclass(frozen=True)
class LoraSettings:
    steps: int = 8
    learning_rate: float = 2e-4
    rank: int = 8
    alpha: int = 16
    max_length: int = 256
    seed: int = 0
    device: str = "cpu"  # "cuda" on a GPU machine


def load_base(base: str | Path | None):
    """(model, tokenizer) in float32: a transformers folder (or, with network, a hub id), a
    .gguf file, or by default the bundled SmolLM2 GGUF."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(base) if base else bundled_model_file()
    if path.suffix == ".gguf":
        options = {"gguf_file": path.name}
        path = path.parent
    else:
        options = {}
    tokenizer = AutoTokenizer.from_pretrained(str(path), **options)
    model = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32, **options)
    if options:  # dequantized to plain float32: saved as a plain folder, not as "GGUF"
        model.hf_quantizer = None
        model.config.__dict__.pop("quantization_config", None)
    return model, tokenizer


def student_prompt(instruction: str, task_input: str) -> str:
    """What the pipeline asks a served student (a chat model): Alpaca's prompt as the user
    message, so the student learns the revisions for the prompt it will be asked with."""
    from generation.citing.steps import load_templates, student_step

    return student_step(load_templates()).format_input(instruction, task_input)


def training_examples(
    rows: list[dict], tokenizer, max_length: int, prompt=student_prompt
) -> list[tuple[list, list]]:
    """(input ids, labels) per Alpaca row: the chat template around `prompt(instruction,
    input)` and the answer, labels -100 on the prompt's tokens so only the answer is learnt."""
    examples = []
    for row in rows:
        user = [{"role": "user", "content": prompt(row["instruction"], row.get("input") or "")}]
        asked = tokenizer.apply_chat_template(user, add_generation_prompt=True, tokenize=False)
        full = tokenizer.apply_chat_template(
            [*user, {"role": "assistant", "content": row["output"].strip()}], tokenize=False
        )
        prompt_ids = tokenizer(asked, add_special_tokens=False)["input_ids"]
        ids = tokenizer(full, add_special_tokens=False)["input_ids"][:max_length]
        labels = [-100] * min(len(prompt_ids), len(ids)) + ids[len(prompt_ids) :]
        if any(label != -100 for label in labels):
            examples.append((ids, labels))
    return examples


def train_lora(
    model, tokenizer, rows: list[dict], settings: LoraSettings, prompt=student_prompt
) -> tuple:
    """Train a LoRA adapter for `settings.steps` steps of one example each, cycling through
    the rows in a seeded order; merge it into the model. Returns (the merged model, the loss
    of each step)."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(settings.seed)
    examples = training_examples(rows, tokenizer, settings.max_length, prompt)
    if not examples:
        raise ValueError("no training example has an answer token")
    random.Random(settings.seed).shuffle(examples)
    config = LoraConfig(
        r=settings.rank,
        lora_alpha=settings.alpha,
        lora_dropout=0.0,
        target_modules=list(TARGET_MODULES),
        task_type="CAUSAL_LM",
    )
    peft_model = get_peft_model(model, config)
    peft_model.train()
    optimizer = torch.optim.AdamW(
        [p for p in peft_model.parameters() if p.requires_grad], lr=settings.learning_rate
    )
    losses = []
    for step in range(settings.steps):
        ids, labels = examples[step % len(examples)]
        output = peft_model(
            input_ids=torch.tensor([ids], device=settings.device),
            labels=torch.tensor([labels], device=settings.device),
        )
        output.loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(float(output.loss.detach()))
    peft_model.eval()
    return peft_model.merge_and_unload(), losses


def evaluate_loss(
    model, tokenizer, rows: list[dict], settings: LoraSettings, prompt=student_prompt
) -> float:
    """Mean answer-token loss over the rows: did training move the model toward them?"""
    import torch

    examples = training_examples(rows, tokenizer, settings.max_length, prompt)
    with torch.no_grad():
        losses = [
            float(
                model(
                    input_ids=torch.tensor([ids], device=settings.device),
                    labels=torch.tensor([labels], device=settings.device),
                ).loss
            )
            for ids, labels in examples
        ]
    return sum(losses) / len(losses)


def finetune(
    alpaca_file: Path,
    out_folder: Path,
    base: str | Path | None,
    settings: LoraSettings,
    prompt=student_prompt,
) -> dict:
    """Fine-tune `base` on the Alpaca file, save the merged model in `out_folder`; returns
    the report (losses before and after, per step, seconds) also written beside it.
    `prompt(instruction, input)`: the user message the student is asked with."""
    started = time.monotonic()
    rows = json.loads(Path(alpaca_file).read_text(encoding="utf-8"))
    model, tokenizer = load_base(base)
    model = model.to(settings.device)
    before = evaluate_loss(model, tokenizer, rows, settings, prompt)
    model, losses = train_lora(model, tokenizer, rows, settings, prompt)
    after = evaluate_loss(model, tokenizer, rows, settings, prompt)
    out_folder.mkdir(parents=True, exist_ok=True)
    model.to("cpu").save_pretrained(out_folder)
    tokenizer.save_pretrained(out_folder)
    report = {
        "base": str(base or bundled_model_file()),
        "data_sha256": data_digest(alpaca_file),
        "rows": len(rows),
        "settings": asdict(settings),
        "loss_before": before,
        "loss_after": after,
        "step_losses": losses,
        "seconds": round(time.monotonic() - started, 1),
    }
    (out_folder / REPORT_FILE).write_text(json.dumps(report, indent=1))
    return report


def data_digest(alpaca_file: Path) -> str:
    return hashlib.sha256(Path(alpaca_file).read_bytes()).hexdigest()


def trained_already(out_folder: Path, alpaca_file: Path, base, settings: LoraSettings) -> bool:
    """Whether `out_folder` holds the model this training would make: its report names the
    same data (by content), base and settings. A rerun of the fine-tuning command (a resumed
    run, an evaluation whose student server is gone) then only serves it again."""
    try:
        report = json.loads((Path(out_folder) / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return (
        report.get("data_sha256") == data_digest(alpaca_file)
        and report.get("base") == str(base or bundled_model_file())
        and report.get("settings") == asdict(settings)
        and (Path(out_folder) / "config.json").exists()
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(
    model_folder: Path, log_file: Path, device: str = "cpu", timeout_s: float = 300.0
) -> tuple[str, int]:
    """Start `transformers serve` on the folder (127.0.0.1, a free port) in its own session;
    wait until it lists its model. Returns (base URL, pid)."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("transformers")),
        "serve",
        str(model_folder),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--device",
        device,
    ]
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**child_env(), "HF_HUB_OFFLINE": "1"},
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"transformers serve exited ({process.returncode}); see {log_file}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as reply:
                if reply.status == 200:
                    return base_url, process.pid
        except OSError:
            time.sleep(1.0)
    process.terminate()
    raise RuntimeError(f"transformers serve did not answer in {timeout_s:.0f} s; see {log_file}")
