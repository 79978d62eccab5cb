"""Plotly figure builders (one module per analysis), the paper style and export."""
