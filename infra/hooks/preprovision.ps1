# azd preprovision: who deploys (user or service principal, from the Azure CLI sign-in) and the Entra
# group that administers PostgreSQL. Same steps as preprovision.sh.
. (Join-Path $PSScriptRoot 'common.ps1')
$principal = Get-SignedInPrincipal
azd env set AZURE_PRINCIPAL_ID $principal.Id
azd env set AZURE_PRINCIPAL_TYPE $principal.Type
azd env set AZURE_PRINCIPAL_NAME $principal.Name
Write-Host "deploying as $($principal.Type) $($principal.Name)"

$groupId = $env:POSTGRES_ADMIN_GROUP_ID
if (-not $groupId) {
    $groupName = $env:POSTGRES_ADMIN_GROUP_NAME ?? "loket-db-admins-$($env:AZURE_ENV_NAME)"
    $groupId = az ad group list --filter "displayName eq '$groupName'" --query '[0].id' -o tsv
    if (-not $groupId) {
        $groupId = az ad group create --display-name $groupName --mail-nickname $groupName `
            --description "PostgreSQL Entra admins of Loket ($($env:AZURE_ENV_NAME)): run migrations" --query id -o tsv
        if ($LASTEXITCODE -ne 0 -or -not $groupId) {
            throw "could not create the Entra group $groupName; create it, then azd env set POSTGRES_ADMIN_GROUP_ID <object id>"
        }
        Write-Host "created Entra group $groupName"
    }
    azd env set POSTGRES_ADMIN_GROUP_ID $groupId
}
$groupName = az ad group show --group $groupId --query displayName -o tsv
azd env set POSTGRES_ADMIN_GROUP_NAME $groupName
if ((az ad group member check --group $groupId --member-id $principal.Id --query value -o tsv) -ne 'true') {
    az ad group member add --group $groupId --member-id $principal.Id
    Write-Host "added $($principal.Name) to $groupName"
}
Write-Host "PostgreSQL Entra admin: group $groupName"

# Private access (the default): Flex Consumption's VNet integration needs the Microsoft.App provider.
if (($env:POSTGRES_NETWORK_ACCESS ?? 'Private') -eq 'Private') {
    az provider register --namespace Microsoft.App --wait --output none
    if ($LASTEXITCODE -ne 0) { throw 'could not register the Microsoft.App resource provider' }
    Write-Host 'resource provider Microsoft.App registered (Flex Consumption VNet integration)'
}
