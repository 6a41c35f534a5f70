#!/usr/bin/env bash
# azd postdeploy: (1) the Event Grid subscription that feeds the blob trigger (its system key exists
# only once the code is deployed); (2) the app identity's PostgreSQL role and `loket db upgrade`,
# both with the deployer's Entra token (the deployer is the server's Entra admin).
set -euo pipefail
. "$(dirname "$0")/common.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rg="$AZURE_RESOURCE_GROUP"
app="$AZURE_FUNCTION_APP_NAME"
scan_function="${SCAN_FUNCTION_NAME:-capture_letter}"

# (1) Event Grid -> blob trigger, only when the function is deployed.
if az functionapp function show -g "$rg" -n "$app" --function-name "$scan_function" --query name -o tsv >/dev/null 2>&1; then
  key="$(az functionapp keys list -g "$rg" -n "$app" --query systemKeys.blobs_extension -o tsv)"
  endpoint="https://${app}.azurewebsites.net/runtime/webhooks/blobs?functionName=Host.Functions.${scan_function}&code=${key}"
  subscription="scanned-post-to-${scan_function//_/-}"
  action=create
  az eventgrid system-topic event-subscription show -g "$rg" --system-topic-name "$SCAN_SYSTEM_TOPIC_NAME" \
    -n "$subscription" --query name -o tsv >/dev/null 2>&1 && action=update
  if [ "$action" = create ]; then
    az eventgrid system-topic event-subscription create -g "$rg" --system-topic-name "$SCAN_SYSTEM_TOPIC_NAME" \
      -n "$subscription" --endpoint-type webhook --endpoint "$endpoint" \
      --included-event-types Microsoft.Storage.BlobCreated \
      --subject-begins-with "/blobServices/default/containers/${SCANNED_POST_CONTAINER}/" \
      --max-delivery-attempts 30 --event-ttl 1440 --output none
  else
    az eventgrid system-topic event-subscription update -g "$rg" --system-topic-name "$SCAN_SYSTEM_TOPIC_NAME" \
      -n "$subscription" --endpoint "$endpoint" --output none
  fi
  echo "Event Grid: $SCANNED_POST_CONTAINER -> $scan_function ($action)"
else
  echo "skipped the Event Grid subscription: function $scan_function is not deployed yet"
fi

# (2) PostgreSQL: open the deployer's address for this run only.
ip="$(curl -fsS https://api.ipify.org || true)"
rule="postdeploy-$(date +%s)"
if [ -n "$ip" ]; then
  az postgres flexible-server firewall-rule create -g "$rg" --name "$POSTGRES_SERVER_NAME" \
    --rule-name "$rule" --start-ip-address "$ip" --end-ip-address "$ip" --output none
  trap 'az postgres flexible-server firewall-rule delete -g "$rg" --name "$POSTGRES_SERVER_NAME" --rule-name "$rule" --yes --output none || true' EXIT
fi

PGPASSWORD="$(az account get-access-token --resource-type oss-rdbms --query accessToken -o tsv)"
export PGPASSWORD
admin="$AZURE_PRINCIPAL_NAME"

python3 "$root/infra/hooks/pg_setup.py" principal --host "$POSTGRES_HOST" --admin "$admin" \
  --role "$AZURE_IDENTITY_NAME" --object-id "$AZURE_IDENTITY_PRINCIPAL_ID"

loket="${LOKET_BIN:-}"
[ -z "$loket" ] && [ -x "$root/.venv/bin/loket" ] && loket="$root/.venv/bin/loket"
[ -z "$loket" ] && loket="loket"
admin_url="postgresql+psycopg://$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$admin")@${POSTGRES_HOST}:5432/${POSTGRES_DATABASE}?sslmode=require"
CRM_DATABASE_URL="$admin_url" "$loket" db upgrade

python3 "$root/infra/hooks/pg_setup.py" grants --host "$POSTGRES_HOST" --admin "$admin" \
  --role "$AZURE_IDENTITY_NAME" --database "$POSTGRES_DATABASE"
echo "PostgreSQL: schema upgraded, $AZURE_IDENTITY_NAME may read and write it"
