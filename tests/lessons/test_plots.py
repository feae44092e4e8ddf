"""plots: each call returns a Figure with the expected axes and lines; bad input raises a clear error."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from matplotlib import pyplot
from matplotlib.figure import Figure

from hfcourse.lessons.plots import plot_heatmap, plot_history, plot_timings

HISTORY = [
    {"epoch": 1, "loss": 0.61, "accuracy": 0.70, "f1": 0.80, "seconds": 10.0},
    {"epoch": 2, "loss": 0.42, "accuracy": 0.78, "f1": 0.85, "seconds": 11.5},
    {"epoch": 3, "loss": 0.30, "accuracy": 0.81, "f1": 0.87, "seconds": 9.5},
]


def _renders(figure: Figure) -> bool:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue().startswith(b"\x89PNG")


def test_plot_history_draws_loss_and_metrics() -> None:
    figure = plot_history(HISTORY)
    loss_axes, metric_axes = figure.axes
    assert len(loss_axes.lines) == 1
    assert list(loss_axes.lines[0].get_ydata()) == [0.61, 0.42, 0.30]
    assert [line.get_label() for line in metric_axes.lines] == ["accuracy", "f1"]
    assert list(metric_axes.lines[1].get_xdata()) == [1, 2, 3]
    assert "31.0 s" in figure._suptitle.get_text()
    assert _renders(figure)


def test_plot_history_without_evaluation_has_one_axes() -> None:
    figure = plot_history([{"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": 0.4}])
    assert len(figure.axes) == 1


@pytest.mark.parametrize("history", [[], {"epoch": 1, "loss": 0.3}, None])
def test_plot_history_rejects_empty_or_non_list(history) -> None:
    with pytest.raises(ValueError, match="non-empty list of dicts"):
        plot_history(history)


def test_plot_history_names_the_entry_missing_a_key() -> None:
    with pytest.raises(ValueError, match=r"history\[1\].*'loss'"):
        plot_history([{"epoch": 1, "loss": 0.3}, {"epoch": 2, "accuracy": 0.8}])


def test_plot_heatmap_has_image_colorbar_and_labels() -> None:
    weights = torch.softmax(torch.randn(3, 4), dim=-1)
    figure = plot_heatmap(weights, x_labels=["a", "b", "c", "d"], y_labels=["x", "y", "z"], title="attention")
    heatmap_axes, colorbar_axes = figure.axes
    np.testing.assert_allclose(heatmap_axes.images[0].get_array(), weights.numpy(), rtol=1e-6)
    assert [tick.get_text() for tick in heatmap_axes.get_xticklabels()] == ["a", "b", "c", "d"]
    assert heatmap_axes.get_title() == "attention"
    assert _renders(figure)


def test_plot_heatmap_rejects_label_count_mismatch() -> None:
    with pytest.raises(ValueError, match="x_labels has 2 labels but the matrix has 4 columns"):
        plot_heatmap(np.zeros((3, 4)), x_labels=["a", "b"])


def test_plot_heatmap_rejects_non_2d() -> None:
    with pytest.raises(ValueError, match=r"2-D matrix; got shape \(1, 2, 3, 3\)"):
        plot_heatmap(np.zeros((1, 2, 3, 3)))


def test_plot_timings_line_has_one_line_per_variant() -> None:
    figure = plot_timings({"with cache": [0.1, 0.2, 0.3], "without cache": [0.1, 0.4, 0.9]}, x=[1, 2, 3])
    (axes,) = figure.axes
    assert [line.get_label() for line in axes.lines] == ["with cache", "without cache"]
    assert list(axes.lines[1].get_ydata()) == [0.1, 0.4, 0.9]
    assert _renders(figure)


def test_plot_timings_bar_groups_per_category() -> None:
    figure = plot_timings(
        {"steady ms": [3.0, 2.5, 1.0]}, x=["eager", "aot_eager", "inductor"], kind="bar", log_scale=True
    )
    (axes,) = figure.axes
    assert len(axes.patches) == 3
    assert [tick.get_text() for tick in axes.get_xticklabels()] == ["eager", "aot_eager", "inductor"]
    assert axes.get_yscale() == "log"


def test_plot_timings_rejects_length_mismatch() -> None:
    with pytest.raises(ValueError, match=r"timings\['with cache'\] has 2 values but x has 3"):
        plot_timings({"with cache": [0.1, 0.2]}, x=[1, 2, 3])


def test_plot_timings_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind must be 'line' or 'bar'"):
        plot_timings({"a": [1.0]}, x=[1], kind="pie")


def test_figures_are_not_left_open_in_pyplot() -> None:
    open_before = pyplot.get_fignums()
    plot_history(HISTORY)
    plot_heatmap(np.eye(2))
    plot_timings({"a": [1.0]}, x=[1])
    assert pyplot.get_fignums() == open_before
