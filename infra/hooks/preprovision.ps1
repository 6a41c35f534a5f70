# azd preprovision: remember the name the deployer signs in to PostgreSQL with (its Entra admin).
. (Join-Path $PSScriptRoot 'common.ps1')
if (-not $env:AZURE_PRINCIPAL_NAME) {
    if (($env:AZURE_PRINCIPAL_TYPE ?? 'User') -eq 'User') {
        $name = az ad signed-in-user show --query userPrincipalName -o tsv
    } else {
        $name = az ad sp show --id $env:AZURE_PRINCIPAL_ID --query displayName -o tsv
    }
    azd env set AZURE_PRINCIPAL_NAME $name
    Write-Host "PostgreSQL Entra admin: $name"
}
