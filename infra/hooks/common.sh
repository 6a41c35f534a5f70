# Sourced by the hooks: load azd's environment values (the Bicep outputs) into the shell, and give
# the hooks the project's own Python (.venv, made here when missing): the system Python lacks psycopg.
set -euo pipefail

for cmd in az azd python3; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "error: $cmd is required (docs/deploy.md, prerequisites)" >&2; exit 1; }
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

while IFS='=' read -r key value; do
  [ -n "$key" ] || continue
  value="${value%\"}"; value="${value#\"}"
  export "$key=$value"
done <<EOF_VALUES
$(azd env get-values)
EOF_VALUES

# The project's virtual environment with the app's pinned requirements and the `loket` command.
# `make test` makes a fuller one at the same place; either serves the hooks.
project_python() {
  local venv="$root/.venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import psycopg, sqlalchemy, alembic' >/dev/null 2>&1; then
    echo "creating $venv for the hooks (requirements.txt)" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet -r "$root/requirements.txt" >&2
    "$venv/bin/pip" install --quiet --no-deps -e "$root" >&2
  fi
  echo "$venv/bin/python"
}

# Who is signed in to the Azure CLI, as PostgreSQL and role assignments need it: a user (interactive)
# or a service principal (CI). Never taken from AZURE_PRINCIPAL_TYPE / AZURE_PRINCIPAL_ID, which a
# CI environment need not have.
signed_in_principal() {
  local kind
  kind="$(az account show --query user.type -o tsv)"
  if [ "$kind" = "servicePrincipal" ]; then
    local app_id
    app_id="$(az account show --query user.name -o tsv)"
    PRINCIPAL_TYPE=ServicePrincipal
    PRINCIPAL_ID="$(az ad sp show --id "$app_id" --query id -o tsv)"
    PRINCIPAL_NAME="$(az ad sp show --id "$app_id" --query displayName -o tsv)"
  else
    PRINCIPAL_TYPE=User
    PRINCIPAL_ID="$(az ad signed-in-user show --query id -o tsv)"
    PRINCIPAL_NAME="$(az ad signed-in-user show --query userPrincipalName -o tsv)"
  fi
  export PRINCIPAL_TYPE PRINCIPAL_ID PRINCIPAL_NAME
}
