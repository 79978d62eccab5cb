"""Teacher answers (GPT-4-LLM, Peng et al. 2023): a teacher model answers every instruction of
a dataset with Alpaca's prompts, in English, or in Chinese after translating the instruction
and its input.

- steps: the prompt builders (format_input) and reply parsers (format_output); the templates
- records: a row's record (original, translation, answer, finish reasons, failure), the dataset
  row, the failures, the manifest
- run_folder / state: the settings (config.json), the checkpoint (state.json), the files
- pipeline: the resumable run over the generation client; `answer_dataset`, the library call
- launcher / report: runs in a background process for the Teacher answers page, and its words

Nothing is imported here: importing a pure module (steps) must not start the pipeline and its
client. Notebooks call `generation.answer.pipeline.answer_dataset`.
"""
