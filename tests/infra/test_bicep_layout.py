"""The azd layout parses and hangs together: templates, modules, loaded files, hooks, parameters."""
from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from settings import PROJECT_ROOT
from tests.infra import bicep_model as b

AVM_TAG = re.compile(r"^\d+\.\d+\.\d+$")


@pytest.mark.parametrize("path", b.bicep_files(), ids=lambda p: str(p.relative_to(b.INFRA)))
def test_every_bicep_file_parses(path):
    doc = b.parse(path)
    assert doc.get("resources") or doc.get("modules"), "a template that deploys nothing"


def test_main_template_is_subscription_scoped_and_creates_the_resource_group():
    doc = b.parse(b.MAIN)
    assert doc["globals"]["scope"]["value"] == "subscription"
    assert any(r["type"] == "Microsoft.Resources/resourceGroups" for r in doc["resources"].values())


def test_every_local_module_exists_and_every_registry_module_is_a_pinned_verified_module():
    for path in b.bicep_files():
        for name, mod in b.parse(path).get("modules", {}).items():
            detail = mod["detail"]
            if mod["type"] == "bicep_registry_alias":
                assert detail["path"].startswith("avm/res/"), f"{path.name}:{name} is not an AVM module"
                assert AVM_TAG.match(detail["tag"]), f"{path.name}:{name} is not pinned to a version"
            else:
                assert (path.parent / detail["path"]).is_file(), f"{path.name}:{name} points nowhere"


def test_files_loaded_by_templates_exist_and_json_ones_parse():
    loaded = re.compile(r"load(Json|Text)Content\('([^']+)'\)")
    seen = 0
    for path in b.bicep_files():
        for _kind, rel in loaded.findall(path.read_text()):
            target = path.parent / rel
            assert target.is_file(), f"{path.name} loads missing {rel}"
            if target.suffix == ".json":
                json.loads(target.read_text())
            seen += 1
    assert seen >= 2


def test_every_parameter_azd_passes_is_declared_by_main():
    passed = json.loads((b.INFRA / "main.parameters.json").read_text())["parameters"]
    declared = b.parse(b.MAIN)["parameters"]
    assert set(passed) <= set(declared)
    required = {name for name, p in declared.items() if p.get("default") is None}  # pycep: None = none
    assert required <= set(passed), "main.bicep has a required parameter azd never fills"


def test_azure_yaml_deploys_this_folder_as_one_python_function_app_with_the_hooks():
    spec = yaml.safe_load((PROJECT_ROOT / "azure.yaml").read_text())
    (service,) = spec["services"].values()
    assert service == {"project": ".", "language": "python", "host": "function"}
    assert {"postprovision", "postdeploy"} <= set(spec["hooks"])
    for hook, platforms in spec["hooks"].items():
        for platform in ("posix", "windows"):
            script = PROJECT_ROOT / platforms[platform]["run"].split()[-1]
            assert script.is_file(), f"{hook} ({platform}) runs a missing script"


@pytest.mark.parametrize("script", sorted((b.INFRA / "hooks").glob("*.sh")), ids=lambda p: p.name)
def test_hook_scripts_are_valid_bash(script):
    subprocess.run(["bash", "-n", str(script)], check=True)  # noqa: S603, S607 - our own script, syntax only


def test_local_settings_are_ignored_by_git_and_the_example_is_valid_json():
    assert "local.settings.json" in (PROJECT_ROOT / ".gitignore").read_text().split()
    example = json.loads((PROJECT_ROOT / "local.settings.example.json").read_text())
    assert example["IsEncrypted"] is False and example["Values"]["FUNCTIONS_WORKER_RUNTIME"] == "python"


def test_every_local_module_call_passes_its_required_parameters_and_no_unknown_ones():
    """What `bicep build` would reject, checked without the Bicep CLI."""
    calls = 0
    for path in b.bicep_files():
        for name, mod in b.parse(path).get("modules", {}).items():
            if mod["type"] == "bicep_registry_alias":
                continue
            target = b.parse((path.parent / mod["detail"]["path"]).resolve())
            declared = target.get("parameters", {})
            required = {p for p, spec in declared.items() if spec.get("default") is None}
            given = set(b.config(mod)["params"])
            assert required <= given, f"{path.name}:{name} misses {sorted(required - given)}"
            unknown = given - set(declared)
            assert not unknown, f"{path.name}:{name} passes unknown {sorted(unknown)}"
            calls += 1
    assert calls >= 8


def test_every_module_output_main_reads_is_declared():
    main = b.parse(b.MAIN)
    text = b.MAIN.read_text()
    for name, mod in main["modules"].items():
        if mod["type"] == "bicep_registry_alias":
            continue
        outputs = set(b.parse((b.INFRA / mod["detail"]["path"]).resolve()).get("outputs", {}))
        read = set(re.findall(rf"\b{name}\.outputs\.(\w+)", text))
        assert read <= outputs, f"main.bicep reads {sorted(read - outputs)} from {name}"
