#!/usr/bin/env bash
# azd preprovision: remember the name the deployer signs in to PostgreSQL with (its Entra admin).
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ -z "${AZURE_PRINCIPAL_NAME:-}" ]; then
  type="${AZURE_PRINCIPAL_TYPE:-User}"
  if [ "$type" = "User" ]; then
    name="$(az ad signed-in-user show --query userPrincipalName -o tsv)"
  else
    name="$(az ad sp show --id "$AZURE_PRINCIPAL_ID" --query displayName -o tsv)"
  fi
  azd env set AZURE_PRINCIPAL_NAME "$name"
  echo "PostgreSQL Entra admin: $name"
fi
