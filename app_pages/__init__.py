"""Thin Streamlit pages: read widgets, call analysis/ and generation/, render the result."""
