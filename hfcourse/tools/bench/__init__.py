"""Benchmark: the course's recipes against hfcourse's defaults, side by side (``hfcourse bench``).

One run measures, on the same machine, data and seed:

1. MRPC fine-tuning: the course recipe as the course writes it (``build_trainer`` defaults: batch 8,
   learning rate 5e-5, 3 epochs, one evaluation per epoch) against ``HFCOURSE_RECIPE``: training samples
   per second, and the wall time to reach the course recipe's final validation F1 (time-to-accuracy: the
   clock runs from ``trainer.train()`` on, evaluations included);
2. the manual training loop (``train_loop``'s settings) before and after each optimisation: fused AdamW,
   length-grouped batches, no dropout, the recipe's batch size; the thread count; and, in a full run,
   ``torch.compile``;
3. tokenization batched against one pair at a time; dynamic padding against fixed-length (128) padding;
4. inference: a ``text-classification`` pipeline on a list with batching against one call per text;
5. greedy generation with and without the KV cache (the ``text-generation`` checkpoint, SmolLM2 offline);
6. training FLOP/s on real (non-padding) tokens as a fraction of the fp32 matmul peak measured in the run.

Every comparison is a row of the ratio table (above 1: the candidate is better); comparisons whose outputs
must agree (cached and uncached generation, padded and unpadded logits, batched and single tokenization
and pipeline calls) are checked and the check is recorded. Results go to ``bench.json`` and ``bench.md``
under ``build/bench`` (``--output``). ``--quick`` runs on tiny slices (a couple of minutes) for tests: its
figures only show that the benchmark works.

Timings are wall-clock times of one process. On a machine shared with other work they are noisy: run it
on a quiet machine (a full run takes about 35 minutes of both cores of a 2-core machine); the load average
at the start and the end is recorded, and the notes say when the machine was busy. ``BenchSizes.rounds``
above 1 repeats the loop variants, interleaved, and keeps each one's fastest pass.

The modules follow what they compare: ``machine`` (peak, FLOPs, run sizes), ``finetuning`` (1), ``loop`` (2, 3),
``inference`` (3-5), ``run`` (the whole run), ``report`` (bench.md), ``cli`` (the command line).
"""

from .cli import main
from .finetuning import train_and_clock
from .machine import FIXED_LENGTH, FULL, QUICK, BenchSizes, ModelSize, machine_info, measure_matmul_peak, model_size
from .report import format_markdown
from .run import run_benchmark

__all__ = [
    "FIXED_LENGTH",
    "FULL",
    "QUICK",
    "BenchSizes",
    "ModelSize",
    "format_markdown",
    "machine_info",
    "main",
    "measure_matmul_peak",
    "model_size",
    "run_benchmark",
    "train_and_clock",
]
