"""The azd hooks, run for real by bash against stand-ins for az, azd and curl that record each call.

Nothing here reaches Azure: the stand-ins answer as the Azure CLI would (documented output shapes)
and write every invocation to a log the tests read. The hooks run from a copy of infra/hooks in a
temporary project root, so "the project's .venv" is one the test controls.
"""
from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from settings import PROJECT_ROOT

HOOKS = PROJECT_ROOT / "infra" / "hooks"

FAKE_AZ = r"""#!/usr/bin/env bash
echo "az $*" >> "$CALLS"
case "$*" in
  "account show --query user.type -o tsv") echo "$FAKE_USER_TYPE" ;;
  "account show --query user.name -o tsv") echo "11111111-aaaa-4bbb-8ccc-000000000001" ;;
  "ad sp show --id 11111111-aaaa-4bbb-8ccc-000000000001 --query id -o tsv") echo "sp-object-id" ;;
  "ad sp show --id 11111111-aaaa-4bbb-8ccc-000000000001 --query displayName -o tsv") echo "loket-ci" ;;
  "ad signed-in-user show --query id -o tsv") echo "user-object-id" ;;
  "ad signed-in-user show --query userPrincipalName -o tsv") echo "ops@stad.example" ;;
  "ad group list "*) echo "" ;;
  "ad group create "*) echo "group-object-id" ;;
  "ad group show "*) echo "loket-db-admins-test" ;;
  "ad group member check "*) echo "false" ;;
  "functionapp function show "*)
    n=$(( $(cat "$STATE/function" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$STATE/function"
    [ "$n" -ge "$FAKE_FUNCTION_AFTER" ] || exit 3 ;;
  "functionapp keys list "*) echo "$FAKE_KEY" ;;
  "functionapp function keys list "*) echo "$FAKE_UPGRADE_KEY" ;;
  "eventgrid system-topic event-subscription show "*) exit 3 ;;
esac
exit 0
"""

FAKE_AZD = r"""#!/usr/bin/env bash
echo "azd $*" >> "$CALLS"
if [ "$1 $2" = "env get-values" ]; then cat "$AZD_VALUES"; fi
exit 0
"""

FAKE_PYTHON = r"""#!/usr/bin/env bash
echo "python $0 $*" >> "$CALLS"
if [ -n "${LOKET_UPGRADE_KEY:-}" ]; then echo "env LOKET_UPGRADE_KEY=$LOKET_UPGRADE_KEY" >> "$CALLS"; fi
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; cp "$0" "$3/bin/pip"
fi
exit 0
"""

AZD_VALUES = {
    "AZURE_ENV_NAME": "test", "AZURE_RESOURCE_GROUP": "rg-test", "AZURE_FUNCTION_APP_NAME": "func-loket-abc",
    "SCAN_SYSTEM_TOPIC_NAME": "evgt-scan-abc", "SCANNED_POST_CONTAINER": "scanned-post",
    "AZURE_STORAGE_ACCOUNT_ID":
        "/subscriptions/s/resourceGroups/rg-test/providers/Microsoft.Storage/storageAccounts/stabc",
    "EVENTGRID_DEADLETTER_CONTAINER": "eventgrid-deadletter", "POSTGRES_SERVER_NAME": "psql-loket-abc",
    "POSTGRES_HOST": "psql-loket-abc.postgres.database.azure.com", "POSTGRES_DATABASE": "loket",
    "POSTGRES_ADMIN_GROUP_NAME": "loket-db-admins-test", "AZURE_IDENTITY_NAME": "id-loket-abc",
    "AZURE_IDENTITY_PRINCIPAL_ID": "identity-object-id", "POSTGRES_PUBLIC_ACCESS": "Disabled",
}


def executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def project(tmp_path):
    """A project root with the hooks, stand-in CLIs on PATH and a call log."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    root = tmp_path / "project"
    shutil.copytree(HOOKS, root / "infra" / "hooks")
    (root / "requirements.txt").write_text("psycopg\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    executable(bin_dir / "az", FAKE_AZ)
    executable(bin_dir / "azd", FAKE_AZD)
    executable(bin_dir / "curl", "#!/usr/bin/env bash\necho 203.0.113.7\n")
    executable(bin_dir / "python3", FAKE_PYTHON)
    (tmp_path / "state").mkdir()
    values = tmp_path / "azd-values"
    values.write_text("".join(f'{k}="{v}"\n' for k, v in AZD_VALUES.items()))
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "CALLS": str(tmp_path / "calls"),
        "STATE": str(tmp_path / "state"), "AZD_VALUES": str(values), "FAKE_USER_TYPE": "user",
        "FAKE_FUNCTION_AFTER": "1", "FAKE_KEY": "blobs-key", "POSTDEPLOY_WAIT_SECONDS": "0",
        "FAKE_UPGRADE_KEY": "upgrade-key",
    }
    return root, env


def public_postgres(project) -> None:
    """The azd environment of a deployment with POSTGRES_NETWORK_ACCESS=Public (Bicep output Enabled)."""
    _, env = project
    with open(env["AZD_VALUES"], "a") as values:
        values.write('POSTGRES_PUBLIC_ACCESS="Enabled"\n')


def public_postgres_network(project) -> None:
    """The azd environment after `azd env set POSTGRES_NETWORK_ACCESS Public`."""
    _, env = project
    with open(env["AZD_VALUES"], "a") as values:
        values.write('POSTGRES_NETWORK_ACCESS="Public"\n')


def run(project, hook: str, **overrides) -> tuple[subprocess.CompletedProcess, list[str]]:
    root, env = project
    result = subprocess.run(  # noqa: S603 - our own hook script
        [shutil.which("bash") or "/bin/bash", str(root / "infra" / "hooks" / hook)], env={**env, **overrides},
        capture_output=True, text=True, timeout=60, check=False,
    )
    calls_file = Path(env["CALLS"])
    return result, calls_file.read_text().splitlines() if calls_file.exists() else []


def test_preprovision_as_a_service_principal_reads_its_identity_from_the_cli_sign_in(project):
    result, calls = run(project, "preprovision.sh", FAKE_USER_TYPE="servicePrincipal")
    assert result.returncode == 0, result.stderr
    assert "azd env set AZURE_PRINCIPAL_TYPE ServicePrincipal" in calls
    assert "azd env set AZURE_PRINCIPAL_ID sp-object-id" in calls
    assert not any("signed-in-user" in c for c in calls), "a service principal has no signed-in user"


def test_preprovision_makes_the_postgres_admin_group_with_the_deployer_as_member(project):
    result, calls = run(project, "preprovision.sh")
    assert result.returncode == 0, result.stderr
    assert "azd env set AZURE_PRINCIPAL_TYPE User" in calls
    assert "azd env set POSTGRES_ADMIN_GROUP_ID group-object-id" in calls
    added = "az ad group member add --group group-object-id --member-id user-object-id"
    assert any(c.startswith(added) for c in calls)


def test_preprovision_registers_the_provider_flex_vnet_integration_needs_unless_postgres_is_public(project):
    result, calls = run(project, "preprovision.sh")
    assert result.returncode == 0, result.stderr
    assert "az provider register --namespace Microsoft.App --wait --output none" in calls
    public_postgres_network(project)
    Path(project[1]["CALLS"]).unlink()
    result, calls = run(project, "preprovision.sh")
    assert result.returncode == 0, result.stderr
    assert not any("provider register" in c for c in calls)


def test_postdeploy_waits_for_the_blob_function_and_subscribes_with_a_dead_letter_container(project):
    result, calls = run(project, "postdeploy.sh", FAKE_FUNCTION_AFTER="3")
    assert result.returncode == 0, result.stderr
    assert sum("functionapp function show" in c for c in calls) == 3
    (create,) = [c for c in calls if "event-subscription create" in c]
    assert "code=blobs-key" in create and "--deadletter-identity systemassigned" in create
    account = AZD_VALUES["AZURE_STORAGE_ACCOUNT_ID"]
    container = f"{account}/blobServices/default/containers/eventgrid-deadletter"
    assert f"--deadletter-identity-endpoint {container}" in create


def test_postdeploy_fails_loudly_when_the_blob_function_never_appears(project):
    result, calls = run(project, "postdeploy.sh", FAKE_FUNCTION_AFTER="99", POSTDEPLOY_ATTEMPTS="3")
    assert result.returncode != 0
    assert "scanned letters would not be captured" in result.stderr
    assert not any("event-subscription create" in c for c in calls)
    assert not any("pg_setup.py" in c for c in calls), "stops before the database"


def test_postdeploy_fails_when_the_function_exists_but_its_key_does_not(project):
    result, calls = run(project, "postdeploy.sh", FAKE_KEY="", POSTDEPLOY_ATTEMPTS="2")
    assert result.returncode != 0
    assert not any("event-subscription create" in c for c in calls)


def test_postdeploy_runs_the_database_step_with_the_projects_venv_made_when_missing(project):
    root, _ = project
    public_postgres(project)
    result, calls = run(project, "postdeploy.sh")
    assert result.returncode == 0, result.stderr
    venv_python = str(root / ".venv" / "bin" / "python")
    assert any(c.startswith("python ") and f"-m venv {root}/.venv" in c for c in calls)
    assert any(f"-r {root}/requirements.txt" in c for c in calls), "the app's requirements (psycopg)"
    (setup,) = [c for c in calls if "pg_setup.py" in c]
    assert setup.startswith(f"python {venv_python} ")
    assert "upgrade --host psql-loket-abc.postgres.database.azure.com --admin loket-db-admins-test" in setup
    assert "--object-id identity-object-id" in setup


def test_postdeploy_opens_and_closes_the_firewall_only_around_the_database_step(project):
    public_postgres(project)
    result, calls = run(project, "postdeploy.sh")
    assert result.returncode == 0, result.stderr
    opened = next(i for i, c in enumerate(calls) if "firewall-rule create" in c)
    setup = next(i for i, c in enumerate(calls) if "pg_setup.py" in c)
    closed = next(i for i, c in enumerate(calls) if "firewall-rule delete" in c)
    assert opened < setup < closed


def test_postdeploy_with_private_access_has_the_app_run_the_upgrade_the_key_off_the_command_line(project):
    root, _ = project
    result, calls = run(project, "postdeploy.sh")
    assert result.returncode == 0, result.stderr
    assert ("az functionapp function keys list -g rg-test -n func-loket-abc --function-name ops_db_upgrade"
            " --query default -o tsv") in calls
    (setup,) = [c for c in calls if "pg_setup.py" in c]
    assert setup.startswith(f"python {root}/.venv/bin/python ")
    assert "upgrade --via https://func-loket-abc.azurewebsites.net --admin loket-db-admins-test" in setup
    assert "--role id-loket-abc --object-id identity-object-id" in setup
    assert calls[calls.index(setup) + 1] == "env LOKET_UPGRADE_KEY=upgrade-key", "in its environment"
    assert not any("upgrade-key" in c for c in calls if not c.startswith("env ")), "never on a command line"
    assert not any("firewall-rule" in c for c in calls), "a private server has no firewall to open"


def test_postdeploy_with_private_access_fails_loudly_when_the_upgrade_route_has_no_key(project):
    result, calls = run(project, "postdeploy.sh", FAKE_UPGRADE_KEY="")
    assert result.returncode != 0
    assert "the schema was not upgraded" in result.stderr
    assert not any("pg_setup.py" in c for c in calls)


PAIRS = [("postdeploy.sh", "postdeploy.ps1"), ("preprovision.sh", "preprovision.ps1")]


@pytest.mark.parametrize("pair", PAIRS)
def test_the_powershell_hooks_take_the_same_steps(pair):
    """No PowerShell here to run them: the same CLI calls and flags must at least be there."""
    sh, ps1 = ((HOOKS / name).read_text() for name in pair)
    for needle in ("--deadletter-identity-endpoint", "POSTDEPLOY_ATTEMPTS", "pg_setup.py", "upgrade --host",
                   "POSTGRES_ADMIN_GROUP_NAME", "AZURE_PRINCIPAL_TYPE", "az ad group member add",
                   "upgrade --via", "LOKET_UPGRADE_KEY", "ops_db_upgrade", "functionapp function keys list",
                   "POSTGRES_PUBLIC_ACCESS", "POSTGRES_NETWORK_ACCESS",
                   "provider register --namespace Microsoft.App"):
        assert (needle in sh) == (needle in ps1), f"{needle} in one of {pair} only"
