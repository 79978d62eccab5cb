"""Analysis library of the workbench: pure functions, no Streamlit import."""
