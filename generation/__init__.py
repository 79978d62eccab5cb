"""LLM pipelines of the workbench: one client for any OpenAI-compatible endpoint, plus an
embedded local model so every pipeline runs offline. No Streamlit import."""
