#!/usr/bin/env bash
# azd preprovision: who deploys (a user, or a service principal in CI), read from the Azure CLI
# sign-in, and the Entra group that administers PostgreSQL (so a second operator can upgrade the
# schema). The group is made once, with the deployer as member, unless POSTGRES_ADMIN_GROUP_ID names one.
set -euo pipefail
. "$(dirname "$0")/common.sh"

signed_in_principal
azd env set AZURE_PRINCIPAL_ID "$PRINCIPAL_ID"
azd env set AZURE_PRINCIPAL_TYPE "$PRINCIPAL_TYPE"
azd env set AZURE_PRINCIPAL_NAME "$PRINCIPAL_NAME"
echo "deploying as $PRINCIPAL_TYPE $PRINCIPAL_NAME"

group_id="${POSTGRES_ADMIN_GROUP_ID:-}"
if [ -z "$group_id" ]; then
  group_name="${POSTGRES_ADMIN_GROUP_NAME:-loket-db-admins-${AZURE_ENV_NAME}}"
  group_id="$(az ad group list --filter "displayName eq '$group_name'" --query '[0].id' -o tsv)"
  if [ -z "$group_id" ]; then
    group_id="$(az ad group create --display-name "$group_name" --mail-nickname "$group_name" \
      --description "PostgreSQL Entra admins of Loket ($AZURE_ENV_NAME): run migrations" --query id -o tsv)" || {
      echo "error: could not create the Entra group $group_name; create it (or ask an Entra admin), then" >&2
      echo "       azd env set POSTGRES_ADMIN_GROUP_ID <object id> && azd env set POSTGRES_ADMIN_GROUP_NAME <name>" >&2
      exit 1
    }
    echo "created Entra group $group_name"
  fi
  azd env set POSTGRES_ADMIN_GROUP_ID "$group_id"
fi
group_name="$(az ad group show --group "$group_id" --query displayName -o tsv)"
azd env set POSTGRES_ADMIN_GROUP_NAME "$group_name"
if [ "$(az ad group member check --group "$group_id" --member-id "$PRINCIPAL_ID" --query value -o tsv)" != "true" ]; then
  az ad group member add --group "$group_id" --member-id "$PRINCIPAL_ID"
  echo "added $PRINCIPAL_NAME to $group_name"
fi
echo "PostgreSQL Entra admin: group $group_name"

# Private access (the default): Flex Consumption's VNet integration runs on Azure Container Apps'
# infrastructure and needs the Microsoft.App resource provider registered in the subscription.
if [ "${POSTGRES_NETWORK_ACCESS:-Private}" = "Private" ]; then
  az provider register --namespace Microsoft.App --wait --output none
  echo "resource provider Microsoft.App registered (Flex Consumption VNet integration)"
fi
