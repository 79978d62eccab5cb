"""The fine-tuning examples, without a model: a tokenizer of one token per word shows that the
student learns only the answer's tokens, after the prompt it is asked with."""

from __future__ import annotations

from generation.citing.lora import student_prompt, training_examples


class WordTokenizer:
    """Chat template "<user> ... <assistant> ..." and one id per word (its position in a
    growing vocabulary): enough to check which tokens are labelled."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}

    def apply_chat_template(self, messages, add_generation_prompt=False, tokenize=True):
        text = " ".join(f"<{m['role']}> {m['content']}" for m in messages)
        return text + (" <assistant>" if add_generation_prompt else "")

    def __call__(self, text, add_special_tokens=True):
        ids = [self.vocabulary.setdefault(word, len(self.vocabulary)) for word in text.split()]
        return {"input_ids": ids}


def test_citing_lora_examples_label_only_the_answer():
    rows = [
        {"instruction": "Add the numbers.", "input": "2 and 3", "output": " 2 + 3 = 5. "},
        {"instruction": "Say hi.", "input": "", "output": "Hi there."},
    ]
    tokenizer = WordTokenizer()
    examples = training_examples(rows, tokenizer, max_length=512)
    assert len(examples) == 2
    for (ids, labels), answer in zip(examples, ["2 + 3 = 5.", "Hi there."], strict=True):
        learnt = [token for token in labels if token != -100]
        assert learnt == tokenizer(answer)["input_ids"]
        assert len(ids) == len(labels) and labels[: len(ids) - len(learnt)] == [-100] * (
            len(ids) - len(learnt)
        )
    # The user turn is the prompt the student is asked with: Alpaca's.
    words = {v: k for k, v in tokenizer.vocabulary.items()}
    first = " ".join(words[i] for i in examples[0][0])
    assert " ".join(student_prompt("Add the numbers.", "2 and 3").split()) in first


def test_citing_lora_an_answer_cut_off_by_the_length_is_left_out():
    rows = [{"instruction": "Write a long essay about rivers.", "input": "", "output": "Rivers."}]
    tokenizer = WordTokenizer()
    assert training_examples(rows, tokenizer, max_length=5) == []
    custom = training_examples(rows, tokenizer, 512, prompt=lambda i, x: f"Q: {i}")
    words = {v: k for k, v in tokenizer.vocabulary.items()}
    text = " ".join(words[token] for token in custom[0][0])
    assert text == "<user> Q: Write a long essay about rivers. <assistant> Rivers."


def test_citing_lora_a_saved_model_of_the_same_training_is_served_not_trained_again(tmp_path):
    """trained_already: same data (by content), base and settings, and a saved model."""
    import json
    from dataclasses import asdict, replace

    from generation.citing.lora import REPORT_FILE, LoraSettings, data_digest, trained_already

    data = tmp_path / "alpaca.json"
    data.write_text('[{"instruction": "Say hi.", "input": "", "output": "Hi."}]')
    out, settings = tmp_path / "student-model", LoraSettings(steps=4)
    assert not trained_already(out, data, "base-folder", settings)  # nothing saved
    out.mkdir()
    (out / "config.json").write_text("{}")
    report = {"data_sha256": data_digest(data), "base": "base-folder", "settings": asdict(settings)}
    (out / REPORT_FILE).write_text(json.dumps(report))
    assert trained_already(out, data, "base-folder", settings)
    assert not trained_already(out, data, "base-folder", replace(settings, steps=8))
    assert not trained_already(out, data, "other-base", settings)
    data.write_text("[]")
    assert not trained_already(out, data, "base-folder", settings)
