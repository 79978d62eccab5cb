"""LLM-as-judge (MT-bench's single and pairwise grading, Vicuna's two-score review) and
GPT-4-LLM's comparison data, on any model.

- steps / verdicts: each mode's prompt builder (format_input) and strict verdict parser
- answers: the answer sets and questions, aligned by row id or by instruction and input
- plan: every request of a run in a stable order, and each request's judgments.jsonl row
- pipeline: the resumable run; `judge_answers` and `compare_score` for notebooks
- export: GPT-4-LLM's comparison_data_v2 and TRL reward-model pairs from single grades
- run_folder / state / records: the run folder's settings, checkpoint, manifest
- launcher: runs in a background process for a page

Nothing is imported here: importing a pure module (verdicts, steps) must not start the
pipeline and its client.
"""
