"""Self-Instruct and Alpaca as Variant objects: looked up by name, each with its prompts,
decoding, round and filters; settings resolve to the variant's defaults."""

from __future__ import annotations

import random
import re

import pytest

from analysis.errors import WorkbenchError
from generation import run_files
from generation.self_instruct import filters
from generation.self_instruct import run_folder as rf
from generation.self_instruct.pool import Candidate
from generation.self_instruct.run_folder import RunConfig
from generation.self_instruct.seeds import SeedTask
from generation.self_instruct.variants import ALPACA, SELF_INSTRUCT, VARIANTS, instances_role
from generation.templates import load_template

SEEDS = [SeedTask(f"Seed task number {i}.", f"in {i}", f"out {i}", None) for i in range(10)]


def _round(variant):
    loaded = {role: load_template(name) for role, name in variant.templates.items()}
    return variant.round.from_templates(loaded)


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=list(VARIANTS))
def test_self_instruct_variants_roles_have_templates(variant):
    assert variant.round.role in variant.templates
    assert set(variant.decoding) <= set(variant.templates)
    assert RunConfig(template=variant.name).variant is variant


def test_self_instruct_variants_unknown_name_is_refused():
    with pytest.raises(WorkbenchError, match="self-instruct, alpaca"):
        RunConfig(template="evol-instruct")


def test_self_instruct_variants_papers_settings():
    assert (SELF_INSTRUCT.in_context, ALPACA.in_context) == (8, 3)
    assert SELF_INSTRUCT.blacklist == filters.SELF_INSTRUCT_BLACKLIST
    assert ALPACA.blacklist == filters.ALPACA_BLACKLIST
    assert SELF_INSTRUCT.asks_for_instances and not ALPACA.asks_for_instances
    assert SELF_INSTRUCT.drops_truncated_reply and not ALPACA.drops_truncated_reply
    decoding = SELF_INSTRUCT.decoding
    assert decoding[instances_role(True)]["max_tokens"] == 300
    assert decoding[instances_role(False)]["max_tokens"] == 350
    assert ALPACA.decoding["alpaca"]["max_tokens"] == 3072


def test_self_instruct_variants_self_instruct_round_mixes_machine_and_seed():
    machine = ["Machine task one here.", "Machine task two here.", "Machine task three."]
    prompt = _round(SELF_INSTRUCT).prompt(random.Random(1), SEEDS, machine, 8, 2)
    listed = re.findall(r"^\d+\. (.*)$", prompt, flags=re.MULTILINE)
    assert len(listed) == 8 and prompt.endswith("\n9.")
    assert sum(text in machine for text in listed) == 2


def test_self_instruct_variants_alpaca_round_shows_whole_seed_tasks():
    round_ = _round(ALPACA)
    prompt = round_.prompt(random.Random(1), SEEDS, ["Machine task."], 3, 2)
    assert prompt.count(". Instruction:") == 4 and "Machine task." not in prompt
    reply = " Name a color.\n4. Input:\n<noinput>\n4. Output:\nRed.\n###\n5. Instruction: broken"
    assert round_.candidates(reply, truncated=True, in_context=3, chat=False) == [
        Candidate("Name a color.", "", "Red."),
        Candidate("5. Instruction: broken", "", "", filters.CUT_BY_LENGTH),
    ]


def test_self_instruct_variants_resolved_settings_fill_the_variants_defaults():
    assert RunConfig(template="alpaca").resolved().prompt_instructions == 3
    assert RunConfig(batch_size=2).resolved().batch_size == 2
    assert RunConfig().resolved().batch_size == 5


def test_self_instruct_variants_older_config_resumes_with_the_defaults(tmp_path):
    older = RunConfig().to_dict() | {"batch_size": 5, "prompt_instructions": None}
    run_files.write_json(tmp_path / rf.CONFIG_FILE, older)
    RunConfig().check_resumable(tmp_path)  # the same run: no error
    with pytest.raises(WorkbenchError, match="batch_size: 5 -> 4"):
        RunConfig(batch_size=4).check_resumable(tmp_path)
