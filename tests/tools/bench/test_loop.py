"""The loop comparisons: variants with the same settings run once a round and keep their names."""

from __future__ import annotations

from hfcourse.tools.bench import loop


def test_variants_with_the_same_settings_run_once_a_round_and_keep_their_names():
    runs = []

    def run(variant):
        runs.append(variant.name)
        return {"variant": {"name": variant.name}, "seconds": float(len(runs))}

    grouped = loop._LoopVariant("+ length-grouped batches", 8, fused=True, grouped=True, dropout=0.0)
    recipe = loop._LoopVariant("hfcourse recipe", 8, fused=True, grouped=True, dropout=0.0)
    other = loop._LoopVariant("hfcourse recipe at batch 32", 32, fused=True, grouped=True, dropout=0.0)
    best = loop._best_of_rounds(run, [grouped, recipe, other], rounds=2)
    assert runs == ["+ length-grouped batches", "hfcourse recipe at batch 32"] * 2
    assert best["hfcourse recipe"]["variant"]["name"] == "hfcourse recipe"
    assert best["hfcourse recipe"]["seconds"] == best["+ length-grouped batches"]["seconds"] == 1.0  # the faster round
