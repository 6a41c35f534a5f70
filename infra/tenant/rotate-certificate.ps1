#Requires -Version 7.2
<#
.SYNOPSIS
  Rotate Loket's Graph certificate without a gap: new Key Vault version, its public key added to the
  app registration beside the old one, the app pinned to the new version once Entra knows it.

.DESCRIPTION
  Key Vault never renews the certificate by itself (lifetime action EmailContacts, see
  certificate-policy.json): a renewed version would be a key Entra does not know, and new instances
  would fail to sign in to Graph. This script is the one rotation step (docs/deploy.md, "Certificate
  rotation"), from the repository root, signed in with `az login` and allowed to update the app
  registration (Cloud Application Administrator) and the vault (Key Vault Certificates Officer).

    ./infra/tenant/rotate-certificate.ps1                      # stage + activate (default)
    ./infra/tenant/rotate-certificate.ps1 -Retire              # later: drop keys older than the pinned one
    ./infra/tenant/rotate-certificate.ps1 -Rollback -Version <previous version>
    ./infra/tenant/rotate-certificate.ps1 -Certificate loket-rich   # rich notifications: new version only

.PARAMETER PropagationMinutes
  How long to wait after adding the new key before the app signs with it (Entra replication).
#>
[CmdletBinding()]
param(
    [string] $Certificate = '',
    [int] $PropagationMinutes = 10,
    [switch] $Retire,
    [switch] $Rollback,
    [string] $Version = ''
)
$ErrorActionPreference = 'Stop'

$azdEnv = @{}
foreach ($line in (azd env get-values)) {
    if ($line -match '^([^=]+)="?(.*?)"?$') { $azdEnv[$Matches[1]] = $Matches[2] }
}
$vault = $azdEnv['KEY_VAULT_NAME']
$graphCert = if ($azdEnv['GRAPH_CERTIFICATE_NAME']) { $azdEnv['GRAPH_CERTIFICATE_NAME'] } else { 'loket-graph' }
$name = if ($Certificate) { $Certificate } else { $graphCert }
$app = $azdEnv['AZURE_FUNCTION_APP_NAME']; $rg = $azdEnv['AZURE_RESOURCE_GROUP']
$clientId = $azdEnv['GRAPH_CLIENT_ID']
if (-not ($vault -and $app -and $clientId)) { throw 'run after azd up and the tenant set-up (KEY_VAULT_NAME, GRAPH_CLIENT_ID)' }

function Set-PinnedVersion([string] $Pinned) {
    azd env set GRAPH_CERTIFICATE_VERSION $Pinned
    az functionapp config appsettings set -g $rg -n $app --settings "GRAPH_CERTIFICATE_VERSION=$Pinned" --output none
    if ($LASTEXITCODE -ne 0) { throw 'setting GRAPH_CERTIFICATE_VERSION failed' }
    Write-Host "the app now signs with $name version $Pinned"
}

function Get-PublicCertificate([string] $Ver) {
    $file = Join-Path ([IO.Path]::GetTempPath()) "$name-$Ver.cer"
    az keyvault certificate download --vault-name $vault --name $name --version $Ver --file $file --encoding DER
    $cert = [Security.Cryptography.X509Certificates.X509Certificate2]::new($file)
    Remove-Item $file
    return $cert
}

if ($Rollback) {
    if (-not $Version) { throw '-Rollback needs -Version (the previous version, still known to Entra during the overlap)' }
    Set-PinnedVersion $Version
    return
}

Connect-MgGraph -Scopes 'Application.ReadWrite.All' -NoWelcome
$application = Get-MgApplication -Filter "appId eq '$clientId'" | Select-Object -First 1

if ($Retire) {
    # Keep only the pinned version's key: the overlap is over.
    $pinned = $azdEnv['GRAPH_CERTIFICATE_VERSION']
    if (-not $pinned) { throw 'no GRAPH_CERTIFICATE_VERSION pinned: nothing to retire against' }
    $keep = [Convert]::ToBase64String((Get-PublicCertificate $pinned).GetCertHash())
    $keys = @($application.KeyCredentials | Where-Object { [Convert]::ToBase64String($_.CustomKeyIdentifier) -eq $keep })
    Update-MgApplication -ApplicationId $application.Id -KeyCredentials $keys
    Write-Host "kept the key of version $pinned only"
    return
}

# 1. A new version in Key Vault, with the certificate's own policy (EmailContacts, no auto-renewal).
$policyFile = New-TemporaryFile
az keyvault certificate get-policy --vault-name $vault --name $name | Set-Content $policyFile
az keyvault certificate create --vault-name $vault --name $name --policy "@$policyFile" --output none
if ($LASTEXITCODE -ne 0) { throw "creating a new version of $name failed" }
Remove-Item $policyFile
$newVersion = ((az keyvault certificate show --vault-name $vault --name $name --query id -o tsv) -split '/')[-1]
Write-Host "new version of ${name}: $newVersion"
if ($Certificate -and $Certificate -ne $graphCert) {
    # The rich-notification certificate: the app keeps every enabled version's key; restart it so new
    # subscriptions get the new one. Disable the old version once no subscription uses it (3 days).
    az functionapp restart -g $rg -n $app
    return
}

# 2. Its public key beside the current one: both are valid during the overlap.
$cert = Get-PublicCertificate $newVersion
$keys = @($application.KeyCredentials | Where-Object { $_.EndDateTime -gt (Get-Date) })
$keys += @{ Type = 'AsymmetricX509Cert'; Usage = 'Verify'; Key = $cert.RawData; DisplayName = "CN=$name $newVersion" }
Update-MgApplication -ApplicationId $application.Id -KeyCredentials $keys
Write-Host "added key $($cert.Thumbprint) to the app registration (valid until $($cert.NotAfter))"

# 3. Let Entra replicate the new key, then 4. pin the app to the new version.
Start-Sleep -Seconds ($PropagationMinutes * 60)
Set-PinnedVersion $newVersion
Write-Host "previous version stays valid in Entra until: ./infra/tenant/rotate-certificate.ps1 -Retire"
