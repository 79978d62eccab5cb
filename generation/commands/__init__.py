"""Sub-commands of `python -m generation`, one module each (NAME, HELP, configure, run)."""
