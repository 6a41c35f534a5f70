# azd postprovision: the clientState key in Key Vault (created once) and local.settings.json.
. (Join-Path $PSScriptRoot 'common.ps1')
$python = Get-ProjectPython
$secret = 'graph-client-state-key'
$exists = az keyvault secret show --vault-name $env:KEY_VAULT_NAME --name $secret --query id -o tsv 2>$null
if (-not $exists) {
    $value = & $python -c 'import secrets; print(secrets.token_hex(32))'
    foreach ($attempt in 1..6) {   # RBAC on a new vault can take a minute to reach the data plane
        az keyvault secret set --vault-name $env:KEY_VAULT_NAME --name $secret --value $value `
            --content-type text/plain --output none 2>$null
        if ($LASTEXITCODE -eq 0) { Write-Host "created Key Vault secret $secret"; break }
        if ($attempt -eq 6) { throw "could not write $secret to $env:KEY_VAULT_NAME" }
        Start-Sleep -Seconds 20
    }
}
& $python (Join-Path $Root 'infra' 'hooks' 'write_local_settings.py') (Join-Path $Root 'local.settings.json')
