#!/usr/bin/env bash
# azd postdeploy: (1) the Event Grid subscription that feeds the blob trigger (its system key exists
# only once the code is deployed and the host has started), with a dead-letter container;
# (2) the app identity's PostgreSQL role and `loket db upgrade`, signed in as a member of the
# server's Entra admin group (POSTGRES_ADMIN_GROUP_NAME), so any member can upgrade the schema later;
# from inside the network (through the app) when the server has no public endpoint.
set -euo pipefail
. "$(dirname "$0")/common.sh"
rg="$AZURE_RESOURCE_GROUP"
app="$AZURE_FUNCTION_APP_NAME"
scan_function="${SCAN_FUNCTION_NAME:-capture_letter}"
attempts="${POSTDEPLOY_ATTEMPTS:-30}"    # x POSTDEPLOY_WAIT_SECONDS: the host indexes the functions after deploy
wait_seconds="${POSTDEPLOY_WAIT_SECONDS:-10}"
python="$(project_python)"

# (1) Event Grid -> blob trigger. Waits for the function and its blobs_extension key, then fails
# loudly: a subscription that is silently missing loses every scanned letter.
key=""
for attempt in $(seq 1 "$attempts"); do
  if az functionapp function show -g "$rg" -n "$app" --function-name "$scan_function" --query name -o tsv >/dev/null 2>&1; then
    key="$(az functionapp keys list -g "$rg" -n "$app" --query systemKeys.blobs_extension -o tsv 2>/dev/null || true)"
    [ -n "$key" ] && break
  fi
  echo "waiting for $scan_function and its blobs_extension key ($attempt/$attempts)"
  sleep "$wait_seconds"
done
if [ -z "$key" ]; then
  echo "error: $scan_function or its blobs_extension key did not appear; scanned letters would not be captured." >&2
  echo "       Check the deployment (azd deploy) and the app's logs, then run: azd hooks run postdeploy" >&2
  exit 1
fi
endpoint="https://${app}.azurewebsites.net/runtime/webhooks/blobs?functionName=Host.Functions.${scan_function}&code=${key}"
subscription="scanned-post-to-${scan_function//_/-}"
dead_letters="${AZURE_STORAGE_ACCOUNT_ID}/blobServices/default/containers/${EVENTGRID_DEADLETTER_CONTAINER}"
if az eventgrid system-topic event-subscription show -g "$rg" --system-topic-name "$SCAN_SYSTEM_TOPIC_NAME" \
     -n "$subscription" --query name -o tsv >/dev/null 2>&1; then
  az eventgrid system-topic event-subscription update -g "$rg" --system-topic-name "$SCAN_SYSTEM_TOPIC_NAME" \
    -n "$subscription" --endpoint "$endpoint" \
    --deadletter-identity systemassigned --deadletter-identity-endpoint "$dead_letters" --output none
  action=updated
else
  az eventgrid system-topic event-subscription create -g "$rg" --system-topic-name "$SCAN_SYSTEM_TOPIC_NAME" \
    -n "$subscription" --endpoint-type webhook --endpoint "$endpoint" \
    --included-event-types Microsoft.Storage.BlobCreated \
    --subject-begins-with "/blobServices/default/containers/${SCANNED_POST_CONTAINER}/" \
    --max-delivery-attempts 30 --event-ttl 1440 \
    --deadletter-identity systemassigned --deadletter-identity-endpoint "$dead_letters" --output none
  action=created
fi
echo "Event Grid: $SCANNED_POST_CONTAINER -> $scan_function ($action), dead letters in $EVENTGRID_DEADLETTER_CONTAINER"

# (2) PostgreSQL, as a member of the admin group with the signed-in account's own Entra token.
# Private access (POSTGRES_PUBLIC_ACCESS=Disabled, the default): the server has no public endpoint, so
# the app, which is in the VNet, runs the steps (POST /api/ops/db/upgrade with its function key, read
# here and handed over in the environment, never on a command line). Public access: this machine
# connects itself through a firewall rule opened for this run only.
upgrade_function="${UPGRADE_FUNCTION_NAME:-ops_db_upgrade}"
if [ "${POSTGRES_PUBLIC_ACCESS:-Disabled}" = "Disabled" ]; then
  LOKET_UPGRADE_KEY="$(az functionapp function keys list -g "$rg" -n "$app" --function-name "$upgrade_function" \
    --query default -o tsv 2>/dev/null || true)"
  if [ -z "$LOKET_UPGRADE_KEY" ]; then
    echo "error: no function key for $upgrade_function; the schema was not upgraded." >&2
    echo "       Check the deployment (azd deploy), then run: azd hooks run postdeploy" >&2
    exit 1
  fi
  export LOKET_UPGRADE_KEY
  "$python" "$root/infra/hooks/pg_setup.py" upgrade --via "https://${app}.azurewebsites.net" \
    --admin "$POSTGRES_ADMIN_GROUP_NAME" --role "$AZURE_IDENTITY_NAME" --object-id "$AZURE_IDENTITY_PRINCIPAL_ID"
  unset LOKET_UPGRADE_KEY
else
  rule=""
  ip="$(curl -fsS https://api.ipify.org || true)"
  if [ -n "$ip" ]; then
    rule="postdeploy-$(date +%s)"
    az postgres flexible-server firewall-rule create -g "$rg" --name "$POSTGRES_SERVER_NAME" \
      --rule-name "$rule" --start-ip-address "$ip" --end-ip-address "$ip" --output none
    trap 'az postgres flexible-server firewall-rule delete -g "$rg" --name "$POSTGRES_SERVER_NAME" --rule-name "$rule" --yes --output none || true' EXIT
  fi
  "$python" "$root/infra/hooks/pg_setup.py" upgrade --host "$POSTGRES_HOST" --admin "$POSTGRES_ADMIN_GROUP_NAME" \
    --role "$AZURE_IDENTITY_NAME" --object-id "$AZURE_IDENTITY_PRINCIPAL_ID" --database "$POSTGRES_DATABASE"
fi
echo "PostgreSQL: schema upgraded by $POSTGRES_ADMIN_GROUP_NAME; $AZURE_IDENTITY_NAME may read and write it"
