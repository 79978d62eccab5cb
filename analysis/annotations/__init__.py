"""Quality spot-checks by people: annotation schemes (data), the SQLite label store, sampling,
and the statistics a paper prints (Self-Instruct Table 2 and Fig. 6, GPT-4-LLM Fig. 3)."""
