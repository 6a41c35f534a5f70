# azd postdeploy: the Event Grid subscription for the blob trigger (waiting for the function and its
# key, with a dead-letter container), then the app identity's PostgreSQL role, `loket db upgrade` and
# the grants as a member of the Entra admin group. Same steps as postdeploy.sh.
. (Join-Path $PSScriptRoot 'common.ps1')
$rg = $env:AZURE_RESOURCE_GROUP
$app = $env:AZURE_FUNCTION_APP_NAME
$scanFunction = $env:SCAN_FUNCTION_NAME ?? 'capture_letter'
$attempts = [int]($env:POSTDEPLOY_ATTEMPTS ?? 30)
$python = Get-ProjectPython

$key = ''
foreach ($attempt in 1..$attempts) {
    az functionapp function show -g $rg -n $app --function-name $scanFunction --query name -o tsv 2>$null | Out-Null
    if ($LASTEXITCODE -eq 0) {
        $key = az functionapp keys list -g $rg -n $app --query systemKeys.blobs_extension -o tsv 2>$null
        if ($key) { break }
    }
    Write-Host "waiting for $scanFunction and its blobs_extension key ($attempt/$attempts)"
    Start-Sleep -Seconds ([int]($env:POSTDEPLOY_WAIT_SECONDS ?? 10))
}
if (-not $key) {
    throw "$scanFunction or its blobs_extension key did not appear; scanned letters would not be captured. Check azd deploy, then: azd hooks run postdeploy"
}
$endpoint = "https://$app.azurewebsites.net/runtime/webhooks/blobs?functionName=Host.Functions.$scanFunction&code=$key"
$name = "scanned-post-to-$($scanFunction -replace '_', '-')"
$deadLetters = "$($env:AZURE_STORAGE_ACCOUNT_ID)/blobServices/default/containers/$($env:EVENTGRID_DEADLETTER_CONTAINER)"
az eventgrid system-topic event-subscription show -g $rg --system-topic-name $env:SCAN_SYSTEM_TOPIC_NAME -n $name --query name -o tsv 2>$null | Out-Null
if ($LASTEXITCODE -eq 0) {
    az eventgrid system-topic event-subscription update -g $rg --system-topic-name $env:SCAN_SYSTEM_TOPIC_NAME -n $name `
        --endpoint $endpoint --deadletter-identity systemassigned --deadletter-identity-endpoint $deadLetters --output none
} else {
    az eventgrid system-topic event-subscription create -g $rg --system-topic-name $env:SCAN_SYSTEM_TOPIC_NAME -n $name `
        --endpoint-type webhook --endpoint $endpoint --included-event-types Microsoft.Storage.BlobCreated `
        --subject-begins-with "/blobServices/default/containers/$($env:SCANNED_POST_CONTAINER)/" `
        --max-delivery-attempts 30 --event-ttl 1440 `
        --deadletter-identity systemassigned --deadletter-identity-endpoint $deadLetters --output none
}
if ($LASTEXITCODE -ne 0) { throw 'the Event Grid subscription failed' }
Write-Host "Event Grid: $($env:SCANNED_POST_CONTAINER) -> $scanFunction, dead letters in $($env:EVENTGRID_DEADLETTER_CONTAINER)"

# PostgreSQL. Private access (POSTGRES_PUBLIC_ACCESS=Disabled, the default): the app, inside the VNet,
# runs the steps with this account's token (pg_setup.py --via; the function key in LOKET_UPGRADE_KEY).
# Public access: this machine connects through a firewall rule opened for this run only.
$upgradeFunction = $env:UPGRADE_FUNCTION_NAME ?? 'ops_db_upgrade'
$setup = Join-Path $Root 'infra' 'hooks' 'pg_setup.py'
if (($env:POSTGRES_PUBLIC_ACCESS ?? 'Disabled') -eq 'Disabled') {
    $env:LOKET_UPGRADE_KEY = az functionapp function keys list -g $rg -n $app --function-name $upgradeFunction `
        --query default -o tsv 2>$null
    if (-not $env:LOKET_UPGRADE_KEY) {
        throw "no function key for $upgradeFunction; the schema was not upgraded. Check azd deploy, then: azd hooks run postdeploy"
    }
    try {
        & $python $setup upgrade --via "https://$app.azurewebsites.net" `
            --admin $env:POSTGRES_ADMIN_GROUP_NAME --role $env:AZURE_IDENTITY_NAME `
            --object-id $env:AZURE_IDENTITY_PRINCIPAL_ID
        if ($LASTEXITCODE -ne 0) { throw 'the PostgreSQL role, schema upgrade or grants failed (run by the app)' }
    } finally {
        Remove-Item Env:LOKET_UPGRADE_KEY -ErrorAction SilentlyContinue
    }
} else {
    $rule = ''
    $ip = try { (Invoke-RestMethod -Uri 'https://api.ipify.org' -TimeoutSec 10).Trim() } catch { '' }
    if ($ip) {
        $rule = "postdeploy-$([DateTimeOffset]::UtcNow.ToUnixTimeSeconds())"
        az postgres flexible-server firewall-rule create -g $rg --name $env:POSTGRES_SERVER_NAME --rule-name $rule `
            --start-ip-address $ip --end-ip-address $ip --output none
    }
    try {
        & $python $setup upgrade --host $env:POSTGRES_HOST `
            --admin $env:POSTGRES_ADMIN_GROUP_NAME --role $env:AZURE_IDENTITY_NAME `
            --object-id $env:AZURE_IDENTITY_PRINCIPAL_ID --database $env:POSTGRES_DATABASE
        if ($LASTEXITCODE -ne 0) { throw 'the PostgreSQL role, schema upgrade or grants failed' }
    } finally {
        if ($rule) {
            az postgres flexible-server firewall-rule delete -g $rg --name $env:POSTGRES_SERVER_NAME --rule-name $rule --yes --output none
        }
    }
}
Write-Host "PostgreSQL: schema upgraded by $($env:POSTGRES_ADMIN_GROUP_NAME); $($env:AZURE_IDENTITY_NAME) may read and write it"
