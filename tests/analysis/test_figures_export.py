"""Figure export: valid PNG, SVG, PDF (through the system Chromium), HTML and CSV; the figures CLI."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.__main__ import main
from analysis.figures import export
from analysis.figures.style import paper_style
from tests.analysis.rendered import requires_chromium


def small_figure() -> go.Figure:
    return paper_style(go.Figure(go.Bar(x=["a", "b"], y=[1, 3], name="counts")))


def assert_valid(fmt: str, payload: bytes) -> None:
    if fmt == "png":
        from PIL import Image

        assert payload.startswith(b"\x89PNG\r\n\x1a\n")
        image = Image.open(io.BytesIO(payload))
        image.verify()
        assert image.size[0] > 100
    elif fmt == "svg":
        root = ElementTree.fromstring(payload)
        assert root.tag.endswith("svg")
    elif fmt == "pdf":
        assert payload.startswith(b"%PDF-") and payload.rstrip().endswith(b"%%EOF")
        assert b"MathJax" not in payload
    elif fmt == "html":
        assert b"plotly" in payload.lower() and b"<html" in payload.lower()
        assert b'<script src="http' not in payload  # self-contained: opens offline
    elif fmt == "csv":
        assert payload.decode("utf-8").splitlines()[0] == "x,y"


@requires_chromium
@pytest.mark.parametrize("fmt", export.ALL_FORMATS)
def test_figures_export_formats_are_valid(fmt):
    payload = export.export_bytes(small_figure(), pd.DataFrame({"x": ["a", "b"], "y": [1, 3]}), fmt)
    assert_valid(fmt, payload)


def test_figures_export_without_browser_says_what_to_install(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    monkeypatch.setattr(export.shutil, "which", lambda name: None)
    with pytest.raises(export.FigureExportError, match="apt-get install chromium"):
        export.figure_bytes(small_figure(), "pdf")
    assert b"<html>" in export.figure_bytes(small_figure(), "html")


def test_figures_cli_rejects_an_unknown_format_before_any_work(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["figures", "seed_tasks", "--formats", "png,jpeg", "--out", str(tmp_path / "f")])
    assert exit_info.value.code == 2
    assert "unknown format(s) jpeg; choose from" in capsys.readouterr().err
    assert not (tmp_path / "f").exists()


@requires_chromium
@pytest.mark.slow
def test_figures_cli_writes_every_figure(tmp_path, capsys):
    out = tmp_path / "figures"
    code = main(
        [
            "figures",
            "predictions/text-davinci-003",
            "--compare",
            "predictions/davinci-self-instruct",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    names = {path.stem for path in out.iterdir()}
    assert {
        "lengths_instruction",
        "lengths_output",
        "verb_noun_instruction",
        "similarity_to_pool",
        "top_pairs_comparison",
        "rouge_to_reference",
    } <= names
    for path in out.iterdir():
        assert_valid(path.suffix[1:], path.read_bytes()) if path.suffix != ".csv" else pd.read_csv(
            path
        )
    assert "files in" in capsys.readouterr().out


@requires_chromium
def test_figures_a_file_kaleido_skipped_is_rendered_again(monkeypatch, tmp_path):
    """kaleido's batch has left a WebGL figure's png unwritten without an error (under load):
    write_figures renders each missing file again on its own, and refuses to report a file it
    could not write."""
    import plotly.io as pio

    from analysis.paper_figures import PaperFigure, write_figures

    figures = [PaperFigure("bars", small_figure(), pd.DataFrame({"x": ["a"], "y": [1]}))]
    monkeypatch.setattr(pio, "write_images", lambda figs, paths: None)  # writes nothing
    written = write_figures(figures, tmp_path, ["png", "svg"])
    assert sorted(path.name for path in written) == ["bars.png", "bars.svg"]
    assert_valid("png", (tmp_path / "bars.png").read_bytes())
    assert_valid("svg", (tmp_path / "bars.svg").read_bytes())
    monkeypatch.setattr(export, "figure_bytes", lambda fig, fmt: b"")
    with pytest.raises(export.FigureExportError, match=r"again\.png not written"):
        write_figures([PaperFigure("again", small_figure(), None)], tmp_path, ["png"])
