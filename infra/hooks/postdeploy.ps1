# azd postdeploy: the Event Grid subscription for the blob trigger, the app identity's PostgreSQL
# role and `loket db upgrade`, with the deployer's Entra token. Same steps as postdeploy.sh.
. (Join-Path $PSScriptRoot 'common.ps1')
$rg = $env:AZURE_RESOURCE_GROUP
$app = $env:AZURE_FUNCTION_APP_NAME
$scanFunction = $env:SCAN_FUNCTION_NAME ?? 'capture_letter'

az functionapp function show -g $rg -n $app --function-name $scanFunction --query name -o tsv 2>$null | Out-Null
if ($LASTEXITCODE -eq 0) {
    $key = az functionapp keys list -g $rg -n $app --query systemKeys.blobs_extension -o tsv
    $endpoint = "https://$app.azurewebsites.net/runtime/webhooks/blobs?functionName=Host.Functions.$scanFunction&code=$key"
    $name = "scanned-post-to-$($scanFunction -replace '_', '-')"
    az eventgrid system-topic event-subscription show -g $rg --system-topic-name $env:SCAN_SYSTEM_TOPIC_NAME -n $name --query name -o tsv 2>$null | Out-Null
    if ($LASTEXITCODE -eq 0) {
        az eventgrid system-topic event-subscription update -g $rg --system-topic-name $env:SCAN_SYSTEM_TOPIC_NAME -n $name --endpoint $endpoint --output none
    } else {
        az eventgrid system-topic event-subscription create -g $rg --system-topic-name $env:SCAN_SYSTEM_TOPIC_NAME -n $name `
            --endpoint-type webhook --endpoint $endpoint --included-event-types Microsoft.Storage.BlobCreated `
            --subject-begins-with "/blobServices/default/containers/$($env:SCANNED_POST_CONTAINER)/" `
            --max-delivery-attempts 30 --event-ttl 1440 --output none
    }
    Write-Host "Event Grid: $($env:SCANNED_POST_CONTAINER) -> $scanFunction"
} else {
    Write-Host "skipped the Event Grid subscription: function $scanFunction is not deployed yet"
}

$ip = try { (Invoke-RestMethod -Uri 'https://api.ipify.org' -TimeoutSec 10).Trim() } catch { '' }
$rule = "postdeploy-$([DateTimeOffset]::UtcNow.ToUnixTimeSeconds())"
if ($ip) {
    az postgres flexible-server firewall-rule create -g $rg --name $env:POSTGRES_SERVER_NAME --rule-name $rule `
        --start-ip-address $ip --end-ip-address $ip --output none
}
try {
    $env:PGPASSWORD = az account get-access-token --resource-type oss-rdbms --query accessToken -o tsv
    $admin = $env:AZURE_PRINCIPAL_NAME
    $pgSetup = Join-Path $Root 'infra' 'hooks' 'pg_setup.py'
    python $pgSetup principal --host $env:POSTGRES_HOST --admin $admin --role $env:AZURE_IDENTITY_NAME --object-id $env:AZURE_IDENTITY_PRINCIPAL_ID
    if ($LASTEXITCODE -ne 0) { throw 'creating the app role failed' }
    $loket = $env:LOKET_BIN
    if (-not $loket) {
        $venvLoket = Join-Path $Root '.venv' 'Scripts' 'loket.exe'
        $loket = if (Test-Path $venvLoket) { $venvLoket } else { 'loket' }
    }
    $env:CRM_DATABASE_URL = "postgresql+psycopg://$([uri]::EscapeDataString($admin))@$($env:POSTGRES_HOST):5432/$($env:POSTGRES_DATABASE)?sslmode=require"
    & $loket db upgrade
    if ($LASTEXITCODE -ne 0) { throw 'loket db upgrade failed' }
    python $pgSetup grants --host $env:POSTGRES_HOST --admin $admin --role $env:AZURE_IDENTITY_NAME --database $env:POSTGRES_DATABASE
    if ($LASTEXITCODE -ne 0) { throw 'granting the app role failed' }
    Write-Host "PostgreSQL: schema upgraded, $($env:AZURE_IDENTITY_NAME) may read and write it"
} finally {
    Remove-Item env:PGPASSWORD -ErrorAction SilentlyContinue
    Remove-Item env:CRM_DATABASE_URL -ErrorAction SilentlyContinue
    if ($ip) {
        az postgres flexible-server firewall-rule delete -g $rg --name $env:POSTGRES_SERVER_NAME --rule-name $rule --yes --output none
    }
}
