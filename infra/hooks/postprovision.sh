#!/usr/bin/env bash
# azd postprovision: the clientState key in Key Vault (created once, never rotated by a deploy, so
# existing Graph subscriptions keep validating) and local.settings.json for running against Azure.
set -euo pipefail
. "$(dirname "$0")/common.sh"
python="$(project_python)"

secret="graph-client-state-key"
if ! az keyvault secret show --vault-name "$KEY_VAULT_NAME" --name "$secret" --query id -o tsv >/dev/null 2>&1; then
  # RBAC on a new vault can take a minute to reach the data plane.
  for attempt in 1 2 3 4 5 6; do
    if az keyvault secret set --vault-name "$KEY_VAULT_NAME" --name "$secret" \
         --value "$("$python" -c 'import secrets; print(secrets.token_hex(32))')" \
         --content-type "text/plain" --output none 2>/dev/null; then
      echo "created Key Vault secret $secret"; break
    fi
    [ "$attempt" = 6 ] && { echo "error: could not write $secret to $KEY_VAULT_NAME" >&2; exit 1; }
    sleep 20
  done
fi

"$python" "$root/infra/hooks/write_local_settings.py" "$root/local.settings.json"
