"""Verb-noun extraction: both rules on hand-built parses, the real model, Chinese, the cache."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from analysis import verbs
from analysis.datasets import load_dataset
from analysis.errors import WorkbenchError
from analysis.paths import DATA_DIR


def make_doc(tokens: list[tuple[str, int, str, str]], tags: dict[int, str] | None = None) -> Doc:
    """A parsed Doc from (word, head index, dep, pos) rows; lemmas are the lower-cased words."""
    words = [word for word, _, _, _ in tokens]
    return Doc(
        Vocab(),
        words=words,
        heads=[head for _, head, _, _ in tokens],
        deps=[dep for _, _, dep, _ in tokens],
        pos=[pos for _, _, _, pos in tokens],
        lemmas=[word.lower() for word in words],
        tags=[(tags or {}).get(i, "") for i in range(len(words))],
    )


def both(doc: Doc) -> tuple[verbs.Pair, verbs.Pair]:
    return verbs.paper_rule(doc), verbs.full_rule(doc)


WRITE_POEM = make_doc(
    [("Write", 0, "ROOT", "VERB"), ("a", 2, "det", "DET"), ("poem", 0, "dobj", "NOUN")]
)


def test_verbs_rules_agree_on_a_plain_imperative():
    assert both(WRITE_POEM) == (("write", "poem"), ("write", "poem"))


def test_verbs_paper_keeps_a_verb_without_noun_and_ignores_proper_nouns():
    doc = make_doc([("Describe", 0, "ROOT", "VERB"), ("Paris", 0, "dobj", "PROPN")])
    assert both(doc) == (("describe", ""), ("describe", "paris"))


def test_verbs_paper_recurses_into_the_first_child_only():
    # "Question: write an essay" with the verb as the root's second child.
    doc = make_doc(
        [
            ("Question", 0, "ROOT", "NOUN"),
            (":", 0, "punct", "PUNCT"),
            ("write", 0, "dep", "VERB"),
            ("essay", 2, "dobj", "NOUN"),
        ]
    )
    assert both(doc) == (("", ""), ("write", "essay"))


def test_verbs_paper_takes_the_first_child_even_when_it_is_a_verb_deep_down():
    doc = make_doc(
        [
            ("Summary", 0, "ROOT", "NOUN"),
            ("writing", 0, "acl", "VERB"),
            ("essays", 1, "dobj", "NOUN"),
        ]
    )
    assert verbs.paper_rule(doc) == ("writing", "essays")


def test_verbs_full_walks_past_an_auxiliary_root():
    # "Is it possible to write a poem?"
    doc = make_doc(
        [
            ("Is", 0, "ROOT", "AUX"),
            ("it", 0, "nsubj", "PRON"),
            ("possible", 0, "acomp", "ADJ"),
            ("to", 4, "aux", "PART"),
            ("write", 2, "xcomp", "VERB"),
            ("poem", 4, "dobj", "NOUN"),
        ]
    )
    assert both(doc) == (("", ""), ("write", "poem"))


def test_verbs_full_walks_past_a_leading_adverb_root():
    doc = make_doc(
        [
            ("Briefly", 0, "ROOT", "ADV"),
            (",", 0, "punct", "PUNCT"),
            ("describe", 0, "dep", "VERB"),
            ("cycle", 2, "dobj", "NOUN"),
        ]
    )
    assert both(doc) == (("", ""), ("describe", "cycle"))


def test_verbs_full_hands_please_over_to_the_verb_it_governs():
    doc = make_doc(
        [
            ("Please", 0, "ROOT", "VERB"),
            ("write", 0, "xcomp", "VERB"),
            ("an", 3, "det", "DET"),
            ("email", 1, "dobj", "NOUN"),
        ]
    )
    assert both(doc) == (("please", ""), ("write", "email"))


def test_verbs_full_keeps_the_particle_and_the_object_behind_its_preposition():
    doc = make_doc(
        [
            ("Come", 0, "ROOT", "VERB"),
            ("up", 0, "prt", "ADP"),
            ("with", 0, "prep", "ADP"),
            ("a", 4, "det", "DET"),
            ("name", 2, "pobj", "NOUN"),
        ]
    )
    assert both(doc) == (("come", ""), ("come up with", "name"))


def test_verbs_full_adds_the_particle_to_a_verb_with_a_direct_object():
    doc = make_doc(
        [("Make", 0, "ROOT", "VERB"), ("up", 0, "prt", "ADP"), ("flavor", 0, "dobj", "NOUN")]
    )
    assert both(doc) == (("make", "flavor"), ("make up", "flavor"))


def test_verbs_full_takes_a_prepositional_object_only_for_a_bare_imperative():
    fill = make_doc(
        [("Fill", 0, "ROOT", "VERB"), ("in", 0, "prep", "ADP"), ("blanks", 1, "pobj", "NOUN")]
    )
    parsing = make_doc(
        [
            ("Parsing", 1, "nsubj", "NOUN"),
            ("works", 1, "ROOT", "VERB"),
            ("for", 1, "prep", "ADP"),
            ("sentences", 2, "pobj", "NOUN"),
        ]
    )
    assert verbs.full_rule(fill) == ("fill in", "blanks")
    assert verbs.full_rule(parsing) == ("works", "")


def test_verbs_full_takes_the_object_of_a_conjoined_verb():
    doc = make_doc(
        [
            ("Read", 0, "ROOT", "VERB"),
            ("and", 0, "cc", "CCONJ"),
            ("summarize", 0, "conj", "VERB"),
            ("article", 2, "dobj", "NOUN"),
        ]
    )
    assert both(doc) == (("read", ""), ("summarize", "article"))


def test_verbs_full_follows_a_catenative_verb_but_not_an_embedded_question():
    need = make_doc(
        [
            ("You", 1, "nsubj", "PRON"),
            ("need", 1, "ROOT", "VERB"),
            ("to", 3, "aux", "PART"),
            ("write", 1, "xcomp", "VERB"),
            ("scene", 3, "dobj", "NOUN"),
        ]
    )
    describe = make_doc(
        [
            ("Describe", 0, "ROOT", "VERB"),
            ("how", 3, "advmod", "SCONJ"),
            ("to", 3, "aux", "PART"),
            ("prepare", 0, "xcomp", "VERB"),
            ("food", 3, "dobj", "NOUN"),
        ],
        tags={1: "WRB"},
    )
    assert both(need) == (("need", ""), ("write", "scene"))
    assert both(describe) == (("describe", ""), ("describe", ""))


def test_verbs_full_counts_a_mistagged_imperative_with_an_object():
    doc = make_doc(
        [("List", 0, "ROOT", "NOUN"), ("the", 2, "det", "DET"), ("planets", 0, "dobj", "NOUN")]
    )
    assert both(doc) == (("", ""), ("list", "planets"))


def test_verbs_full_reads_the_passive_subject_as_the_object():
    doc = make_doc(
        [
            ("email", 3, "nsubjpass", "NOUN"),
            ("should", 3, "aux", "AUX"),
            ("be", 3, "auxpass", "AUX"),
            ("written", 3, "ROOT", "VERB"),
        ]
    )
    assert both(doc) == (("written", ""), ("written", "email"))


def test_verbs_full_goes_on_to_the_next_sentence_without_a_verb():
    doc = make_doc(
        [
            ("Text", 1, "nsubj", "NOUN"),
            ("is", 1, "ROOT", "AUX"),
            ("wordy", 1, "acomp", "ADJ"),
            ("Rewrite", 3, "ROOT", "VERB"),
            ("it", 3, "dobj", "PRON"),
            ("and", 3, "cc", "CCONJ"),
            ("shorten", 3, "conj", "VERB"),
            ("sentences", 6, "dobj", "NOUN"),
        ]
    )
    assert both(doc) == (("", ""), ("shorten", "sentences"))


def test_verbs_full_ignores_verbs_inside_relative_clauses_and_modifiers():
    # "Is there anything I can eat?" and "the given pairs": no clause verb in either.
    doc = make_doc(
        [
            ("Is", 0, "ROOT", "AUX"),
            ("there", 0, "expl", "PRON"),
            ("anything", 0, "attr", "PRON"),
            ("I", 4, "nsubj", "PRON"),
            ("eat", 2, "relcl", "VERB"),
            ("given", 6, "amod", "VERB"),
            ("pairs", 0, "dep", "NOUN"),
        ]
    )
    assert both(doc) == (("", ""), ("", ""))


def test_verbs_rules_return_nothing_for_an_empty_doc():
    assert both(Doc(Vocab(), words=[])) == (("", ""), ("", ""))


# --- the real model ----------------------------------------------------------------------


@pytest.mark.parametrize("rule", verbs.RULES)
@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("Write a poem about the ocean.", ("write", "poem")),
        ("Generate a list of five healthy snacks.", ("generate", "list")),
        ("Please write an email to my boss.", ("write", "email")),
    ],
)
def test_verbs_model_extracts_known_instructions(rule, text, pair):
    row = verbs.extract([text], rule=rule).iloc[0]
    assert (row["verb"], row["noun"], row["method"]) == (*pair, "spacy")


def test_verbs_model_full_rule_corrects_paper_misses():
    texts = ["Come up with a name for my startup.", "Read and summarize the article."]
    paper = verbs.extract(texts, rule="paper")
    full = verbs.extract(texts, rule="full")
    assert list(zip(paper["verb"], paper["noun"], strict=True)) == [("come", ""), ("read", "")]
    assert list(zip(full["verb"], full["noun"], strict=True)) == [
        ("come up with", "name"),
        ("summarize", "article"),
    ]


def notebook_rule(token):
    """The Self-Instruct notebook's recursive function, restated as the parity reference."""
    if token.pos_ == "VERB":
        for child in token.children:
            if child.dep_ == "dobj" and child.pos_ == "NOUN":
                return token.lemma_, child.lemma_
        return token.lemma_, None
    for child in token.children:
        return notebook_rule(child)
    return None, None


def test_verbs_paper_rule_matches_the_notebook_on_the_bundled_seed_tasks():
    texts = [
        json.loads(line)["instruction"]
        for line in (DATA_DIR / "self_instruct" / "seed_tasks.jsonl").open(encoding="utf-8")
    ]
    nlp = verbs.load_english(verbs.default_model_name())
    expected = []
    for doc in nlp.pipe(texts):
        verb, noun = notebook_rule(list(doc.sents)[0].root)
        expected.append((verb or "", noun or ""))
    ours = verbs.extract(texts, rule="paper")
    assert list(zip(ours["verb"], ours["noun"], strict=True)) == expected


def test_verbs_model_is_loaded_once_without_ner():
    name = verbs.default_model_name()
    nlp = verbs.load_english(name)
    assert verbs.load_english(name) is nlp
    assert "ner" not in nlp.component_names
    assert {"tagger", "parser", "attribute_ruler", "lemmatizer"} <= set(nlp.pipe_names)


# --- Chinese ------------------------------------------------------------------------------


def test_verbs_chinese_rows_use_jieba_and_are_marked_approximate():
    texts = ["请写一个故事。", "翻译这句话", "Translate '你好' into English."]
    frame = verbs.extract(texts)
    assert list(zip(frame["verb"], frame["noun"], strict=True)) == [
        ("写", "故事"),
        ("翻译", "话"),
        ("translate", "你好"),
    ]
    assert list(frame["method"]) == ["jieba", "jieba", "spacy"]
    assert set(frame["method"]) & verbs.APPROXIMATE_METHODS == {"jieba"}


def test_verbs_chinese_noun_is_searched_in_the_first_sentence_only():
    assert verbs.chinese_pair("我们出发吧。再写一个故事") == ("出发", "")


def test_verbs_japanese_and_korean_rows_are_not_parsed_as_chinese(monkeypatch):
    tagged = []
    real = verbs.chinese.chinese_pair
    monkeypatch.setattr(verbs.column, "chinese_pair", lambda t: tagged.append(t) or real(t))
    texts = ["東京へ行きます。", "한국어로 번역하세요", "请写一个故事。"]
    frame = verbs.extract(texts)
    assert list(frame["method"]) == ["not_parsed", "not_parsed", "jieba"]
    assert list(zip(frame["verb"], frame["noun"], strict=True))[:2] == [("", ""), ("", "")]
    assert tagged == ["请写一个故事。"]


# --- extraction frame and cache -----------------------------------------------------------


def test_verbs_extract_keeps_row_order_and_parses_each_distinct_text_once(monkeypatch):
    calls: list[list[str]] = []
    real = verbs.parse_pairs

    def counting(texts, *args, **kwargs):
        calls.append(list(texts))
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(verbs.column, "parse_pairs", counting)
    texts = ["Write a poem.", "", "Write a poem.", "写一个故事", "   ", "Name three fruits."]
    frame = verbs.extract(texts, rule="paper")
    assert calls == [["Write a poem.", "Name three fruits."]]
    assert list(frame["method"]) == ["spacy", "empty", "spacy", "jieba", "empty", "spacy"]
    assert frame.loc[0, "verb"] == frame.loc[2, "verb"] == "write"
    assert list(frame.loc[[1, 4], "verb"]) == ["", ""]


def write_jsonl(path: Path, instructions: list[str]) -> Path:
    lines = [
        json.dumps({"id": f"r{i}", "instruction": text, "input": "", "output": "Sure."})
        for i, text in enumerate(instructions)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_verbs_column_is_cached_and_invalidated_by_new_data(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    calls = []
    real = verbs.parse_pairs
    monkeypatch.setattr(
        verbs.column,
        "parse_pairs",
        lambda texts, *a, **k: calls.append(len(texts)) or real(texts, *a, **k),
    )
    path = write_jsonl(tmp_path / "d.jsonl", ["Write a poem.", "Give three tips."])

    first = verbs.verb_noun_column(load_dataset(path))
    second = verbs.verb_noun_column(load_dataset(path))
    assert calls == [2]
    pd.testing.assert_frame_equal(first, second, check_dtype=False)
    assert list(first.columns) == ["id", "verb", "noun", "method"]
    assert list(first["id"]) == ["r0", "r1"]

    verbs.verb_noun_column(load_dataset(path), rule="full")
    assert calls == [2, 2]

    write_jsonl(path, ["Write a poem.", "Translate the text."])
    changed = verbs.verb_noun_column(load_dataset(path))
    assert calls == [2, 2, 2]
    assert list(changed["verb"]) == ["write", "translate"]


def test_verbs_column_rejects_unknown_field_and_rule(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    dataset = load_dataset(write_jsonl(tmp_path / "d.jsonl", ["Write a poem."]))
    with pytest.raises(WorkbenchError, match="no text field 'prompt'"):
        verbs.verb_noun_column(dataset, field="prompt")
    with pytest.raises(WorkbenchError, match="unknown verb-noun rule 'best'"):
        verbs.verb_noun_column(dataset, rule="best")


# --- aggregates ---------------------------------------------------------------------------


def frame_of(rows: list[tuple[str, str]], method: str = "spacy") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [str(i) for i in range(len(rows))],
            "verb": [verb for verb, _ in rows],
            "noun": [noun for _, noun in rows],
            "method": [method] * len(rows),
        }
    )


def test_verbs_summary_counts_structures_like_the_notebooks_dropna():
    frame = frame_of(
        [("write", "poem"), ("write", "poem"), ("write", ""), ("", ""), ("give", "tip")]
    )
    frame.loc[len(frame)] = ["5", "写", "故事", "jieba"]
    assert verbs.summary(frame, k=1) == {
        "rows": 6,
        "rows_with_verb": 5,
        "rows_with_pair": 4,
        "pair_share": 4 / 6,
        "unique_verbs": 3,
        "unique_pairs": 3,
        "k": 1,
        "pairs_above_k": 1,
        "approximate_rows": 1,
        "not_parsed_rows": 0,
    }


def test_verbs_coverage_notes_count_chinese_and_unparsed_rows_in_good_english():
    one = frame_of([("写", "故事")], method="jieba")
    assert verbs.coverage_notes(verbs.summary(one)) == [
        "1 Chinese row: pairs from jieba part-of-speech tags, an approximation of the English rule."
    ]
    mixed = pd.concat(
        [frame_of([("写", "故事")] * 2, "jieba"), frame_of([("", "")] * 3, "not_parsed")]
    )
    notes = verbs.coverage_notes(verbs.summary(mixed))
    assert [note.split(":")[0] for note in notes] == [
        "2 Chinese rows",
        "3 Japanese or Korean rows",
    ]
    assert verbs.coverage_notes(verbs.summary(frame_of([("write", "poem")]))) == []


def test_verbs_summary_table_puts_datasets_side_by_side_under_human_labels():
    first = verbs.summary(frame_of([("write", "poem"), ("write", "poem"), ("", "")]))
    second = verbs.summary(frame_of([("give", "tip")]))
    table = verbs.summary_table({"GPT-4": first, "GPT-3": second})
    assert table.columns.tolist() == [
        "dataset",
        "Rows",
        "Rows with verb–noun (%)",
        "Unique verbs",
        "Unique pairs",
        "Pairs seen > 10 times",
    ]
    assert table.values.tolist() == [["GPT-4", 3, 66.7, 1, 1, 0], ["GPT-3", 1, 100.0, 1, 1, 0]]


def test_verbs_summary_of_an_empty_frame():
    assert verbs.summary(frame_of([]))["pair_share"] == 0.0


def test_verbs_pair_counts_orders_by_count_then_alphabet():
    frame = frame_of([("b", "x"), ("a", "y"), ("b", "x"), ("a", "x"), ("c", "")])
    counts = verbs.pair_counts(frame)
    assert counts.values.tolist() == [["b", "x", 2], ["a", "x", 1], ["a", "y", 1]]
    assert verbs.pairs_above(frame, 1).values.tolist() == [["b", "x", 2]]


def test_verbs_top_verb_nouns_ranks_verbs_by_rows_with_a_noun():
    rows = (
        [("tell", "")] * 10  # many rows but no noun: not a top verb, as in the notebook
        + [("write", "poem")] * 5
        + [("write", "story")] * 3
        + [("write", "essay")] * 2
        + [("give", "tip")] * 4
        + [("give", "example")] * 1
        + [("list", "fruit")] * 2
    )
    table = verbs.top_verb_nouns(frame_of(rows), top_verbs=2, top_nouns=2)
    assert table.values.tolist() == [
        ["write", "poem", 5],
        ["write", "story", 3],
        ["give", "tip", 4],
        ["give", "example", 1],
    ]
    limited = verbs.top_verb_nouns(frame_of(rows), top_verbs=2, top_nouns=2, min_count=3)
    assert limited.values.tolist() == [
        ["write", "poem", 5],
        ["write", "story", 3],
        ["give", "tip", 4],
    ]


def test_verbs_shown_verbs_note_says_why_fewer_verbs_are_shown():
    rows = [("write", "poem")] * 5 + [("give", "tip")] * 2 + [("list", "fruit")] * 2
    frame = frame_of(rows + [("tell", "")] * 9)
    table = verbs.top_verb_nouns(frame, top_verbs=3, min_count=3)
    assert verbs.shown_verbs_note(frame, table, 3, 3) == (
        "Showing 1 verb of the 3 asked for: 2 of the top 3 have no pair seen at least 3 times "
        "(the minimum count; lower it to show them)."
    )
    table = verbs.top_verb_nouns(frame, top_verbs=10, min_count=3)
    assert verbs.shown_verbs_note(frame, table, 10, 3) == (
        "Showing 1 verb of the 10 asked for: only 3 verbs in the data have a noun; 2 of the top "
        "3 have no pair seen at least 3 times (the minimum count; lower it to show them)."
    )
    table = verbs.top_verb_nouns(frame, top_verbs=3)
    assert verbs.shown_verbs_note(frame, table, 3, 1) is None


def test_verbs_top_pairs_comparison_puts_each_top_list_beside_the_other_counts():
    first = frame_of([("write", "poem")] * 3 + [("give", "tip")] * 2 + [("list", "x")])
    second = frame_of([("give", "tip")] * 4 + [("make", "cake")])
    table = verbs.top_pairs_comparison(first, second, names=("GPT-4", "GPT-3"), n=2)
    assert table.values.tolist() == [
        ["GPT-4", 1, "write", "poem", 3, 0],
        ["GPT-4", 2, "give", "tip", 2, 4],
        ["GPT-3", 1, "give", "tip", 4, 2],
        ["GPT-3", 2, "make", "cake", 1, 0],
    ]


def test_verbs_rows_for_a_verb_or_a_pair_keep_their_index():
    frame = frame_of([("write", "poem"), ("give", "tip"), ("write", ""), ("write", "poem")])
    assert list(verbs.rows_for(frame, "write").index) == [0, 2, 3]
    assert list(verbs.rows_for(frame, "write", "poem").index) == [0, 3]
    assert verbs.rows_for(frame, "sing").empty


def test_verbs_column_reports_progress_and_is_cached_after(tmp_path):
    from analysis.datasets import load_dataset
    from analysis.verbs import column

    path = tmp_path / "texts.jsonl"
    path.write_text("".join(f'{{"instruction": "Write poem number {n}."}}\n' for n in range(70)))
    dataset = load_dataset(path)
    assert not column.is_cached(dataset, "instruction", "paper")
    heard = []
    column.verb_noun_column(dataset, "instruction", "paper", progress=lambda *p: heard.append(p))
    assert heard[-1] == (70, 70) and [done for done, _ in heard] == sorted(d for d, _ in heard)
    assert column.is_cached(dataset, "instruction", "paper")
    assert not column.is_cached(dataset, "instruction", "full")
