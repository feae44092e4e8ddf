"""The package's house rules: three layers imported one way (tools -> lessons -> offline), and no module over
500 lines. Read from the source with ``ast``, so function-level imports count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "hfcourse"
RANKS = {"offline": 0, "lessons": 1, "tools": 2}
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """``(line, absolute module)`` for every import in ``source``, relative ones resolved against ``module``."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if _layer(target) is not None and target.count(".") >= 2:
                found.append((node.lineno, target))
            else:  # `from .. import tools`, `from ..lessons import training`: the names are the modules
                found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "hfcourse" and parts[1] in RANKS else None


def layer_violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Each import in ``source`` (of ``module``) that reaches into a higher layer, as ``"line: a -> b"``."""
    own = _layer(module)
    if own is None:
        return []
    violations = []
    for line, target in _imported_modules(source, module, is_package):
        layer = _layer(target)
        if layer is not None and RANKS[layer] > RANKS[own]:
            violations.append(f"{line}: {module} -> {target}")
    return sorted(set(violations))


def _package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_checker_sees_every_layer():
    layers = {_layer(_module_name(path)) for path in _package_files()}
    assert set(RANKS) <= layers


def test_the_checker_catches_upward_imports():
    assert layer_violations("from ..tools.bench import main\n", "hfcourse.offline.data") == [
        "1: hfcourse.offline.data -> hfcourse.tools.bench"
    ]
    inside_a_function = "def f():\n    from ..lessons import training\n"
    assert layer_violations(inside_a_function, "hfcourse.offline.standins") == [
        "2: hfcourse.offline.standins -> hfcourse.lessons.training"
    ]
    assert layer_violations("from .. import tools\n", "hfcourse.lessons.plots") == [
        "1: hfcourse.lessons.plots -> hfcourse.tools"
    ]
    assert layer_violations("import hfcourse.tools.doctor\n", "hfcourse.lessons.plots") == [
        "1: hfcourse.lessons.plots -> hfcourse.tools.doctor"
    ]
    assert layer_violations("from ..offline.data import load_glue\n", "hfcourse.tools.train") == []


@pytest.mark.parametrize("path", _package_files(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_go_one_way(path):
    module = _module_name(path)
    assert layer_violations(path.read_text(encoding="utf-8"), module, path.name == "__init__.py") == []


def test_every_module_is_in_a_layer():
    outside = [
        str(path.relative_to(PACKAGE))
        for path in _package_files()
        if _layer(_module_name(path)) is None and path.name not in ("__init__.py", "__main__.py")
    ]
    assert outside == [], "put each module in hfcourse/offline, hfcourse/lessons or hfcourse/tools"


def test_no_module_over_500_lines():
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in _package_files()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these modules by what they hold (at most {MAX_LINES} lines each)"
