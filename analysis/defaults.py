"""The papers' defaults that commands, pages and pipelines share: each is named here once."""

#: Self-Instruct's and Alpaca's novelty threshold: a ROUGE-L strictly above it rejects.
DEFAULT_THRESHOLD = 0.7
#: The pool new instructions are compared with: Self-Instruct's 175 seed tasks (bundled name).
DEFAULT_POOL = "seed_tasks"
