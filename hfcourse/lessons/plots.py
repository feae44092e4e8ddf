"""One-call figures for the notebooks: training curves, heatmaps, timings.

Every function returns a ``matplotlib.figure.Figure``. It works on any backend (Agg included, no display
needed); the figure is closed in pyplot before it is returned, so a notebook cell shows it once (as the
cell's value) and no global figure state is left behind. Save one with ``figure.savefig(path)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from matplotlib import pyplot
from matplotlib.figure import Figure

__all__ = ["plot_heatmap", "plot_history", "plot_timings"]

HISTORY_METRICS = ("accuracy", "f1")


def _new_figure(columns: int, size: tuple[float, float]) -> tuple[Figure, np.ndarray]:
    """A figure with ``columns`` axes side by side, already closed in pyplot (shown once, when returned).

    Made through pyplot so that Jupyter's inline backend knows how to display it.
    """
    figure, axes = pyplot.subplots(1, columns, figsize=size, squeeze=False, layout="constrained")
    pyplot.close(figure)
    return figure, axes[0]


def _as_numpy(values: Any, name: str) -> np.ndarray:
    """A float array from a list, numpy array or torch tensor (detached, on the CPU)."""
    if hasattr(values, "detach"):  # a torch tensor, without importing torch here
        values = values.detach().float().cpu().numpy()
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must hold numbers (a list, numpy array or tensor); got {type(values).__name__}: {error}"
        ) from None


def plot_history(history: Sequence[Mapping[str, Any]], title: str = "Training history") -> Figure:
    """Training curves: loss per epoch on the left, accuracy and F1 per epoch on the right.

    Args:
        history: one dict per epoch, as the training loop returns it, with keys ``epoch`` and ``loss``
            and, when evaluated, ``accuracy``, ``f1`` and ``seconds``. A metric is drawn when every entry
            has a number for it; the total of ``seconds`` goes into the title.
        title: the figure's title.

    Returns:
        A figure with two axes (one when no entry has accuracy or F1).
    """
    if isinstance(history, Mapping) or not isinstance(history, Sequence) or len(history) == 0:
        raise ValueError(
            "history must be a non-empty list of dicts, one per epoch, with keys 'epoch' and 'loss' "
            f"(got {history!r}). Pass what the training loop returned after at least one epoch."
        )
    for index, entry in enumerate(history):
        missing = [key for key in ("epoch", "loss") if not isinstance(entry, Mapping) or entry.get(key) is None]
        if missing:
            raise ValueError(
                f"history[{index}] = {entry!r} lacks {', '.join(map(repr, missing))}. Each entry needs at least "
                "'epoch' and 'loss', e.g. {'epoch': 1, 'loss': 0.52, 'accuracy': 0.81, 'f1': 0.86, 'seconds': 12.3}."
            )
    epochs = _as_numpy([entry["epoch"] for entry in history], "history epochs")
    metrics = [name for name in HISTORY_METRICS if all(entry.get(name) is not None for entry in history)]

    figure, axes = _new_figure(2 if metrics else 1, (10 if metrics else 5, 3.5))
    axes[0].plot(epochs, _as_numpy([entry["loss"] for entry in history], "history losses"), marker="o", label="loss")
    axes[0].set(xlabel="epoch", ylabel="loss", title="Loss")
    if metrics:
        for name in metrics:
            axes[1].plot(
                epochs, _as_numpy([entry[name] for entry in history], f"history {name}"), marker="o", label=name
            )
        axes[1].set(xlabel="epoch", ylabel="score", title="Evaluation")
        axes[1].legend()
    if all(entry.get("seconds") is not None for entry in history):
        title = f"{title} ({sum(float(entry['seconds']) for entry in history):.1f} s)"
    figure.suptitle(title)
    return figure


def plot_heatmap(
    matrix: Any,
    x_labels: Sequence[Any] | None = None,
    y_labels: Sequence[Any] | None = None,
    title: str = "",
    *,
    x_title: str | None = None,
    y_title: str | None = None,
    cmap: str = "viridis",
) -> Figure:
    """A heatmap of a 2-D matrix (attention weights, a positional encoding) with a colour bar.

    Args:
        matrix: a 2-D list, array or tensor, rows drawn top to bottom.
        x_labels: one label per column (tokens, say), or None for numbered columns.
        y_labels: one label per row, or None for numbered rows.
        title: the figure's title.
        x_title: the x axis' name; y_title: the y axis' name.
        cmap: a matplotlib colour map name.

    Returns:
        A figure with two axes: the heatmap and its colour bar.
    """
    values = _as_numpy(matrix, "matrix")
    if values.ndim != 2 or values.size == 0:
        raise ValueError(
            f"matrix must be a non-empty 2-D matrix; got shape {values.shape}. For attention weights of shape "
            "(batch, heads, queries, keys) pick one sentence and one head first, e.g. weights[0, head]."
        )
    rows, columns = values.shape
    for labels, count, name, axis in ((x_labels, columns, "x_labels", "columns"), (y_labels, rows, "y_labels", "rows")):
        if labels is not None and len(labels) != count:
            raise ValueError(
                f"{name} has {len(labels)} labels but the matrix has {count} {axis} (shape {values.shape}). "
                f"Give one label per {axis[:-1]}, or None for numbered {axis}."
            )
    # Token labels need room; numbered axes keep a fixed size.
    width = max(4.0, 0.45 * columns) if x_labels is not None else 6.0
    height = max(3.0, 0.4 * rows) if y_labels is not None else 4.0
    figure, (axes,) = _new_figure(1, (min(width + 1.5, 16.0), min(height + 0.8, 12.0)))
    image = axes.imshow(values, cmap=cmap, aspect="auto", interpolation="nearest")
    if x_labels is not None:
        axes.set_xticks(range(columns), [str(label) for label in x_labels], rotation=90)
    if y_labels is not None:
        axes.set_yticks(range(rows), [str(label) for label in y_labels])
    axes.set(title=title, xlabel=x_title or "", ylabel=y_title or "")
    figure.colorbar(image, ax=axes)
    return figure


def plot_timings(
    timings: Mapping[str, Sequence[float]],
    x: Sequence[Any],
    *,
    kind: Literal["line", "bar"] = "line",
    title: str = "",
    x_title: str = "",
    y_title: str = "seconds",
    log_scale: bool = False,
) -> Figure:
    """Timings of several variants: one line each against a numeric x, or grouped bars per category.

    Args:
        timings: variant name -> one time per x value, e.g.
            ``{"with cache": [0.4, 0.8], "without cache": [0.5, 1.9]}``.
        x: the shared x values (``kind="line"``: numbers such as generated lengths; ``kind="bar"``:
            category names such as backends).
        kind: ``"line"`` for time against a quantity, ``"bar"`` for a grouped bar chart.
        title, x_title, y_title: the figure's and axes' labels.
        log_scale: a logarithmic y axis (for times of very different sizes).

    Returns:
        A figure with one axes holding one line (or one bar group) per variant.
    """
    if kind not in ("line", "bar"):
        raise ValueError(f"kind must be 'line' or 'bar'; got {kind!r}.")
    if not isinstance(timings, Mapping) or not timings:
        raise ValueError(
            f"timings must be a non-empty dict of variant name -> list of times; got {timings!r}. "
            "Example: {'with cache': [0.4, 0.8], 'without cache': [0.5, 1.9]}."
        )
    positions = list(x)
    if not positions:
        raise ValueError("x is empty: give one x value (or category) per timing.")
    series = {name: _as_numpy(values, f"timings[{name!r}]").reshape(-1) for name, values in timings.items()}
    for name, values in series.items():
        if len(values) != len(positions):
            raise ValueError(
                f"timings[{name!r}] has {len(values)} values but x has {len(positions)}. Give one time per x value."
            )
    figure, (axes,) = _new_figure(1, (6.5, 3.8))
    if kind == "line":
        numeric_x = _as_numpy(positions, "x")
        for name, values in series.items():
            axes.plot(numeric_x, values, marker="o", markersize=3, label=name)
    else:
        width = 0.8 / len(series)
        centers = np.arange(len(positions))
        for offset, (name, values) in enumerate(series.items()):
            axes.bar(centers + (offset - (len(series) - 1) / 2) * width, values, width, label=name)
        axes.set_xticks(centers, [str(value) for value in positions])
    if log_scale:
        axes.set_yscale("log")
    axes.set(title=title, xlabel=x_title, ylabel=y_title)
    axes.legend()
    return figure
