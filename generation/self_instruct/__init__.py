"""Self-Instruct (Wang et al. 2022) and its Alpaca variant, reproduced on any model.

- templates: the prompt files (generation/prompts/, or a folder of the user's)
- steps: each request's prompt builder (format_input) and reply parser (format_output)
- filters: the papers' instruction and instance filters, each returning its reason
- pool: the seeds and kept instructions behind the ROUGE-L filter; a candidate's verdict
- pipeline: the resumable run (bootstrap, classification, instances, post-filters)
- records / export: tasks, the dataset in the record schema, Alpaca and fine-tuning files
- run_folder / state: the run folder's files and lock; its checkpoint, status and counters
- launcher: runs in a background process for the Generate page

Nothing is imported here: importing a pure module (filters, steps) must not start the pipeline
and its client.
"""
