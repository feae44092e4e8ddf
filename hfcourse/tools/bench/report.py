"""``bench.md``: the benchmark's results as markdown tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


# --------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        return "" if value is None else str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def format_markdown(results: dict[str, Any]) -> str:
    """The benchmark results as Markdown: machine, ratio table, targets, the recipe's settings, checks, notes."""
    machine = results["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in machine["versions"].items())
    parts = [
        f"# hfcourse benchmark ({results['mode']} run)",
        "",
        f"Machine: {machine['cpu']}, {machine['usable_cores']} usable of {machine['cpu_cores']} cores, "
        f"{machine['torch_threads']} torch threads, accelerator: {machine['accelerator']}; {versions}. "
        f"Load average {machine['load_average_start']} at the start, {machine['load_average_end']} at the end.",
        "",
        f"Data: {results['data']['source']} ({results['data']['train']} training, {results['data']['validation']} "
        "validation pairs). "
        f"Model: {results['checkpoint']}. Seed {results['seed']}. fp32 matmul peak: "
        f"{results['matmul_peak']['peak_gflops']} GFLOP/s.",
        "",
        "## Ratios (above 1: the candidate is better)",
        "",
        _table(
            ["section", "measure", "baseline", "value", "candidate", "value", "ratio", "note"],
            [
                [
                    row["section"],
                    row["measure"],
                    row["baseline"],
                    row["baseline_value"],
                    row["candidate"],
                    row["candidate_value"],
                    row["ratio"],
                    row["note"],
                ]
                for row in results["ratios"]
            ],
        ),
        "",
        "## Targets",
        "",
        _table(
            ["target", "goal", "measured", "met"],
            [
                [target["target"], target["goal"], target["measured"], "yes" if target["met"] else "no"]
                for target in results["targets"]
            ],
        ),
        "",
        "## hfcourse's recipe: each setting and its measurement",
        "",
        _table(
            ["setting", "chosen", "measured in this run", "why"],
            [[s["setting"], s["chosen"], s["measured"], s["why"]] for s in results["settings"]],
        ),
        "",
        "## Outputs that must agree",
        "",
        _table(["check", "passed"], [[name, "yes" if passed else "NO"] for name, passed in results["checks"].items()]),
        "",
        f"FLOPs: {results['flops_formula']}.",
    ]
    if results["notes"]:
        parts += ["", "## Notes", ""] + [f"- {note}" for note in results["notes"]]
    return "\n".join(parts) + "\n"
