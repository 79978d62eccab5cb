"""Test doubles shared by tests/ and bench/: a scriptable fake OpenAI-compatible server."""
