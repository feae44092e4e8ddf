"""The accelerate configuration: measurement decides, nothing is overwritten silently, accelerate reads it back."""

from __future__ import annotations

import pytest

from hfcourse.lessons import compilation
from hfcourse.tools import accelerate_setup
from hfcourse.tools.accelerate_setup import (
    PrecisionTiming,
    load_accelerate_config,
    measure_mixed_precision,
    plan_accelerate_setup,
    write_accelerate_config,
)


def _force_timing(monkeypatch: pytest.MonkeyPatch, seconds: dict[str, float]) -> None:
    """Replace the matmul measurement by fixed timings (one per precision measured on the CPU)."""
    monkeypatch.setattr(
        accelerate_setup,
        "measure_mixed_precision",
        lambda device=None, **_: PrecisionTiming(device or "cpu", 512, dict(seconds)),
    )


def _cpu_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accelerate_setup, "default_device", lambda: "cpu")
    from hfcourse.tools import doctor

    monkeypatch.setattr(doctor, "hardware", lambda: doctor.Hardware(4, 4, 4, 16.0, None, (), False))


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [({"no": 0.010, "bf16": 0.120}, "no"), ({"no": 0.010, "bf16": 0.004}, "bf16")],
    ids=["bf16-slower-keeps-fp32", "bf16-faster-chooses-bf16"],
)
def test_the_faster_measured_precision_is_chosen(monkeypatch, seconds, expected):
    _cpu_only(monkeypatch)
    _force_timing(monkeypatch, seconds)
    setup = plan_accelerate_setup()
    assert setup.mixed_precision == expected
    assert setup.precision_timing.seconds == seconds
    assert (setup.distributed_type, setup.num_processes, setup.use_cpu) == ("NO", 1, True)
    assert setup.to_cluster_config().mixed_precision == expected


def test_real_measurement_times_fp32_and_bf16_on_cpu():
    timing = measure_mixed_precision("cpu", size=64, repeats=1)
    assert set(timing.seconds) == {"no", "bf16"}
    assert all(seconds > 0 for seconds in timing.seconds.values())
    assert timing.fastest in timing.seconds
    assert timing.speedup("no") == 1.0


def test_bad_measurement_arguments_name_the_fix():
    with pytest.raises(ValueError, match="device='tpu'"):
        measure_mixed_precision("tpu")
    with pytest.raises(ValueError, match="size=0"):
        measure_mixed_precision("cpu", size=0)


def test_dynamo_is_off_without_measurement_and_says_why():
    decision = accelerate_setup.decide_dynamo_backend("cpu")
    assert decision.backend == "no"
    assert not decision.measured
    assert "measure" in decision.reason or "C++ compiler" in decision.reason


@pytest.mark.parametrize(
    ("timings", "expected"),
    [((100.0, 0.070, 0.130), "no"), ((100.0, 0.070, 0.069), "no"), ((5.0, 0.070, 0.030), "inductor")],
    ids=["compiled-slower", "too-little-saved", "pays-back"],
)
def test_dynamo_backend_only_where_compiling_pays(monkeypatch, timings, expected):
    monkeypatch.setattr(compilation, "backend_availability", lambda: {"inductor": None})
    monkeypatch.setattr(accelerate_setup, "_training_step_seconds", lambda device, steps: timings)
    decision = accelerate_setup.decide_dynamo_backend("cpu", measure=True, training_steps=1000)
    assert decision.backend == expected
    assert decision.compile_seconds == timings[0]
    assert f"compiling took {timings[0]:.0f} s" in decision.reason
    assert ("slower here" in decision.reason) == (timings[2] >= timings[1])


def test_no_cpp_compiler_means_no_inductor_on_cpu(monkeypatch):
    monkeypatch.setattr(compilation, "backend_availability", lambda: {"inductor": "needs a C++ compiler (g++)"})
    decision = accelerate_setup.decide_dynamo_backend("cpu", measure=True)
    assert decision.backend == "no" and decision.reason == "inductor cannot run here: it needs a C++ compiler (g++)."


def test_written_config_loads_back_through_accelerate(monkeypatch, tmp_path):
    _cpu_only(monkeypatch)
    _force_timing(monkeypatch, {"no": 0.010, "bf16": 0.004})
    monkeypatch.setattr(
        accelerate_setup,
        "decide_dynamo_backend",
        lambda *a, **k: accelerate_setup.CompileDecision("inductor", "forced"),
    )
    setup = plan_accelerate_setup()
    for name in ("config.yaml", "config.json"):
        path = write_accelerate_config(setup, tmp_path / "nested" / name)
        loaded = load_accelerate_config(path)
        assert type(loaded).__name__ == "ClusterConfig"
        assert loaded.mixed_precision == "bf16"
        assert loaded.distributed_type.value == "NO"
        assert loaded.use_cpu is True and loaded.num_processes == 1
        assert loaded.dynamo_config["dynamo_backend"] == "INDUCTOR"
    assert sorted(p.name for p in (tmp_path / "nested").iterdir()) == ["config.json", "config.yaml"]


def test_existing_config_is_never_overwritten_without_the_flag(monkeypatch, tmp_path):
    _cpu_only(monkeypatch)
    _force_timing(monkeypatch, {"no": 0.010, "bf16": 0.120})
    setup = plan_accelerate_setup()
    path = tmp_path / "default_config.yaml"
    path.write_text("# the learner's own configuration\n")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_accelerate_config(setup, path)
    assert path.read_text() == "# the learner's own configuration\n"
    write_accelerate_config(setup, path, overwrite=True)
    assert load_accelerate_config(path).mixed_precision == "no"


def test_default_path_is_project_local_not_accelerates_global_file():
    from accelerate.commands.config.config_args import default_config_file

    path = accelerate_setup.default_config_path()
    assert path.parts[-3:] == ("build", "accelerate", "default_config.yaml")
    assert str(path) != default_config_file


def test_bad_paths_and_missing_files_name_the_fix(monkeypatch, tmp_path):
    _cpu_only(monkeypatch)
    _force_timing(monkeypatch, {"no": 0.010, "bf16": 0.120})
    setup = plan_accelerate_setup()
    with pytest.raises(ValueError, match=r"\.yaml"):
        write_accelerate_config(setup, tmp_path / "config.txt")
    with pytest.raises(FileNotFoundError, match="write_accelerate_config"):
        load_accelerate_config(tmp_path / "absent.yaml")


def test_multi_cpu_only_when_asked(monkeypatch):
    _cpu_only(monkeypatch)
    _force_timing(monkeypatch, {"no": 0.010, "bf16": 0.120})
    assert plan_accelerate_setup().distributed_type == "NO"
    setup = plan_accelerate_setup(multi_cpu=True, num_cpu_processes=2)
    assert (setup.distributed_type, setup.num_processes, setup.use_cpu) == ("MULTI_CPU", 2, True)
    with pytest.raises(ValueError, match="at least 2 processes"):
        plan_accelerate_setup(multi_cpu=True, num_cpu_processes=1)
    with pytest.raises(ValueError, match="multi_cpu=True"):
        plan_accelerate_setup(num_cpu_processes=2)


def test_several_gpus_mean_multi_gpu(monkeypatch):
    from hfcourse.tools import doctor

    monkeypatch.setattr(doctor, "hardware", lambda: doctor.Hardware(8, 8, 8, 64.0, None, ("A100", "A100"), False))
    monkeypatch.setattr(accelerate_setup, "default_device", lambda: "cuda")
    _force_timing(monkeypatch, {"no": 0.010, "fp16": 0.002})
    monkeypatch.setattr(
        accelerate_setup, "decide_dynamo_backend", lambda *a, **k: accelerate_setup.CompileDecision("no", "forced")
    )
    setup = plan_accelerate_setup()
    assert (setup.distributed_type, setup.num_processes, setup.use_cpu, setup.mixed_precision) == (
        "MULTI_GPU",
        2,
        False,
        "fp16",
    )
