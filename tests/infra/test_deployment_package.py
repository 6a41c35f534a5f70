"""`azd deploy` ships the Functions app and nothing else.

azd zips the service folder (here the repository root) and, once `.funcignore` exists, applies only
its rules, gitignore syntax (Microsoft: azure-dev-docs, service-packaging-ignore-files). This test
builds the same file list from the files on disk, with `.funcignore`'s rules as gitignore applies
them (an excluded directory is not descended into), and compares it with what the app needs: the
modules `function_app.py` imports, directly or lazily, plus the host's files and the data it reads.
"""
from __future__ import annotations

import ast
import os
from functools import cache
from pathlib import Path

import pathspec

from settings import PROJECT_ROOT

FUNCIGNORE = PROJECT_ROOT / ".funcignore"
HOST_FILES = {"function_app.py", "host.json", "requirements.txt"}
# the capture policy; JSON schemas; the migrations `loket db upgrade` runs
DATA_DIRS = {"policy", "schemas", "migrations"}
NEVER = {".venv", ".venv-checkov", "node_modules", "tests", "bench", "drills", "devhost", "cli", "infra",
         "docs", "var", ".git", ".ci", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache"}


def ignore_spec() -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(FUNCIGNORE.read_text().splitlines())


def package_files(root: Path = PROJECT_ROOT, spec: pathspec.PathSpec | None = None) -> list[str]:
    """The files the package would hold, relative to the root, as azd walks the folder."""
    spec = spec or ignore_spec()
    kept: list[str] = []
    for current, dirs, files in os.walk(root):
        rel = Path(current).relative_to(root)
        dirs[:] = [d for d in dirs if not spec.match_file(f"{(rel / d).as_posix()}/")]
        kept += [p for f in files if not spec.match_file(p := (rel / f).as_posix())]
    return sorted(kept)


def local_top_level() -> set[str]:
    names = {p.stem for p in PROJECT_ROOT.glob("*.py")}
    return names | {p.name for p in PROJECT_ROOT.iterdir() if (p / "__init__.py").is_file()}


@cache
def imported_by_the_app() -> frozenset[str]:
    """Top-level project modules reachable from function_app.py, counting imports inside functions."""
    local, seen, todo = local_top_level(), set(), ["function_app"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = PROJECT_ROOT / (name.replace(".", "/") + ".py")
        if not path.is_file():
            path = PROJECT_ROOT / name.replace(".", "/") / "__init__.py"
            todo += [f"{name}.{p.stem}" for p in path.parent.glob("*.py") if p.name != "__init__.py"]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                todo += [a.name for a in node.names if a.name.split(".")[0] in local]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] in local:
                    todo.append(node.module)
                    todo += [f"{node.module}.{a.name}" for a in node.names
                             if (PROJECT_ROOT / node.module.replace(".", "/") / f"{a.name}.py").is_file()]
    return frozenset(name.split(".")[0] for name in seen)


def test_the_functions_app_does_not_import_the_local_host_or_the_operators_cli():
    assert not imported_by_the_app() & {"devhost", "cli", "tests", "bench", "drills"}
    assert {"functions", "handlers", "adapters", "schemas", "bootstrap", "settings"} <= imported_by_the_app()


def test_the_package_holds_only_the_app_and_what_it_reads():
    modules = {f"{m}.py" if (PROJECT_ROOT / f"{m}.py").is_file() else m for m in imported_by_the_app()}
    allowed = HOST_FILES | DATA_DIRS | modules
    tops = {path.split("/")[0] for path in package_files()}
    assert tops <= allowed, f"shipped but not the app: {sorted(tops - allowed)}"
    assert HOST_FILES | {"functions", "handlers", "adapters", "schemas", "policy"} <= tops


def test_no_virtual_environment_cache_or_tool_reaches_the_package(tmp_path):
    # The same rules over a checkout that has everything a workstation accumulates.
    for junk in (".venv/lib/x.py", ".venv-checkov/lib/big.so", "node_modules/azurite/x.js",
                 ".import_linter_cache/x", ".some_new_tool_cache/y", ".env",
                 "tests/unit/test_x.py", "bench/run.py", "drills/d.py", "devhost/h.py", "cli/main.py",
                 "infra/main.bicep", "handlers/__pycache__/x.cpython-311.pyc", ".pytest_cache/v",
                 "loket.egg-info/PKG-INFO", "var/loket.db", "local.settings.json", "docs/deploy.md",
                 "handlers/webhook.py", "function_app.py", "host.json", "requirements.txt"):
        (tmp_path / junk).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / junk).write_text("x")
    kept = package_files(tmp_path)
    assert kept == ["function_app.py", "handlers/webhook.py", "host.json", "requirements.txt"]
    assert not any(part in NEVER for path in kept for part in path.split("/"))


def test_without_the_venv_rule_the_checkov_venv_would_ship(tmp_path):
    (tmp_path / ".venv-checkov" / "lib").mkdir(parents=True)
    (tmp_path / ".venv-checkov" / "lib" / "big.so").write_text("x")
    rules = [line for line in FUNCIGNORE.read_text().splitlines() if not line.startswith(".")]
    assert ".venv-checkov/lib/big.so" in package_files(tmp_path, pathspec.GitIgnoreSpec.from_lines(rules))
    assert package_files(tmp_path) == []
