#Requires -Version 7.2
<#
.SYNOPSIS
  Loket's tenant set-up: the Graph app registration (certificate in Key Vault), mailbox access
  limited to the captured service mailboxes, and the API app registration with its app roles.

.DESCRIPTION
  Run after `azd up`, from the repository root, signed in with `az login` to the same tenant.
  Needs the modules Microsoft.Graph (Applications, Users) and ExchangeOnlineManagement, and an
  administrator who may create app registrations, grant admin consent and run Exchange cmdlets.
  Safe to run again: each step looks for what exists first. See docs/tenant-setup.md.

.PARAMETER Mailboxes
  The captured service mailboxes (the `mailboxes:` of the capture policy).

.PARAMETER OutOfScopeMailbox
  A mailbox Loket must NOT read (a colleague's), to prove the scope with Test-ServicePrincipalAuthorization.

.PARAMETER AccessModel
  RbacForApplications (default; Exchange RBAC for Applications with a management scope) or
  ApplicationAccessPolicy (the older way: tenant-wide Mail.Read restricted by a mail-enabled group).

.EXAMPLE
  ./infra/tenant/setup.ps1 -Mailboxes info@stad.example,burgerzaken@stad.example `
      -OutOfScopeMailbox jan.peeters@stad.example -StaffGroupId <id> -OperatorGroupId <id> -PrivacyGroupId <id>
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string[]] $Mailboxes,
    [Parameter(Mandatory)] [string] $OutOfScopeMailbox,
    [ValidateSet('RbacForApplications', 'ApplicationAccessPolicy')] [string] $AccessModel = 'RbacForApplications',
    [string] $ScopeAttribute = 'CustomAttribute10',
    [string] $ScopeValue = 'loket-capture',
    [string] $AccessPolicyGroup = '',
    [string] $StaffGroupId = '',
    [string] $OperatorGroupId = '',
    [string] $PrivacyGroupId = '',
    # Entra groups of the departments the policy restricts: assigned to the API app so their ids reach
    # the token's `groups` claim (groupMembershipClaims = ApplicationGroup).
    [string[]] $RestrictedDepartmentGroupIds = @(),
    [switch] $IncludeUserRead,
    [int] $CertificateMonths = 12,
    # Who Key Vault e-mails 30 days before a certificate expires (it never renews one by itself).
    [string] $CertificateContact = ''
)
$ErrorActionPreference = 'Stop'

# ---- azd environment -------------------------------------------------------------------------
$azdEnv = @{}
foreach ($line in (azd env get-values)) {
    if ($line -match '^([^=]+)="?(.*?)"?$') { $azdEnv[$Matches[1]] = $Matches[2] }
}
$vault = $azdEnv['KEY_VAULT_NAME']
$certName = if ($azdEnv['GRAPH_CERTIFICATE_NAME']) { $azdEnv['GRAPH_CERTIFICATE_NAME'] } else { 'loket-graph' }
$richCertName = 'loket-rich'
$envName = $azdEnv['AZURE_ENV_NAME']
if (-not $vault) { throw 'KEY_VAULT_NAME is not in the azd environment: run `azd up` first.' }

$graphAppId = '00000003-0000-0000-c000-000000000000'   # Microsoft Graph
$graphRoles = @{                                         # application permission ids
    'CallRecords.Read.All' = '45bbb07e-7321-4fd7-a8f6-3ff27e6a81c8'
    'User.Read.All'        = 'df021288-bdef-4463-88db-98f22de89214'
    'Mail.Read'            = '810c84a8-4a9e-49e6-bf7d-12d183f40d01'
}
$wanted = @('CallRecords.Read.All')
if ($IncludeUserRead) { $wanted += 'User.Read.All' }                       # agents' UPN and name
if ($AccessModel -eq 'ApplicationAccessPolicy') { $wanted += 'Mail.Read' } # restricted below

Connect-MgGraph -Scopes 'Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All' -NoWelcome
$tenantId = (Get-MgContext).TenantId

function Get-OrNewApplication([string] $Name) {
    $app = Get-MgApplication -Filter "displayName eq '$Name'" | Select-Object -First 1
    if (-not $app) { $app = New-MgApplication -DisplayName $Name -SignInAudience AzureADMyOrg }
    $sp = Get-MgServicePrincipal -Filter "appId eq '$($app.AppId)'" | Select-Object -First 1
    if (-not $sp) { $sp = New-MgServicePrincipal -AppId $app.AppId }
    return @{ App = $app; Sp = $sp }
}

# ---- 1. the Graph app registration -----------------------------------------------------------
$capture = Get-OrNewApplication "Loket capture ($envName)"
$graphSp = Get-MgServicePrincipal -Filter "appId eq '$graphAppId'"
$access = @(@{ ResourceAppId = $graphAppId; ResourceAccess = @($wanted | ForEach-Object { @{ Id = $graphRoles[$_]; Type = 'Role' } }) })
Update-MgApplication -ApplicationId $capture.App.Id -RequiredResourceAccess $access

# Admin consent = an app role assignment per permission.
$granted = Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $capture.Sp.Id
foreach ($name in $wanted) {
    if (-not ($granted | Where-Object AppRoleId -eq $graphRoles[$name])) {
        New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $capture.Sp.Id -PrincipalId $capture.Sp.Id `
            -ResourceId $graphSp.Id -AppRoleId $graphRoles[$name] | Out-Null
        Write-Host "granted $name"
    }
}
# With RBAC for Applications, an Entra Mail.* grant would ADD tenant-wide access: remove any.
if ($AccessModel -eq 'RbacForApplications') {
    $mailRoles = $graphSp.AppRoles | Where-Object { $_.Value -like 'Mail.*' } | ForEach-Object Id
    foreach ($assignment in ($granted | Where-Object { $mailRoles -contains $_.AppRoleId })) {
        Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $capture.Sp.Id -AppRoleAssignmentId $assignment.Id
        Write-Warning 'removed a tenant-wide Mail.* consent: it would override the mailbox scope'
    }
}

# Certificate credentials, created in Key Vault from infra/tenant/certificate-policy.json: the Graph
# sign-in certificate and the rich-notification certificate. The policy's only lifetime action is
# EmailContacts: Key Vault never renews by itself, because a renewed version is a key Entra does not
# know (new instances would fail to sign in). Rotation is infra/tenant/rotate-certificate.ps1.
$policyTemplate = Get-Content (Join-Path $PSScriptRoot 'certificate-policy.json') -Raw | ConvertFrom-Json
$contact = if ($CertificateContact) { $CertificateContact } else { $azdEnv['ALERT_EMAIL'] }
if ($contact) { az keyvault certificate contact add --vault-name $vault --email $contact --output none }
function New-LoketCertificate([string] $Name) {
    if (az keyvault certificate show --vault-name $vault --name $Name --query id -o tsv 2>$null) { return }
    $policy = $policyTemplate | ConvertTo-Json -Depth 10 | ConvertFrom-Json
    $policy.x509CertificateProperties.subject = "CN=$Name"
    $policy.x509CertificateProperties.validityInMonths = $CertificateMonths
    $policyFile = New-TemporaryFile
    $policy | ConvertTo-Json -Depth 10 | Set-Content $policyFile
    az keyvault certificate create --vault-name $vault --name $Name --policy "@$policyFile" --output none
    if ($LASTEXITCODE -ne 0) { throw "creating certificate $Name in $vault failed" }
    Remove-Item $policyFile
}
New-LoketCertificate $certName
New-LoketCertificate $richCertName

# Upload the Graph certificate's public key beside any still-valid one (overlap, no gap), then pin
# the app to that version: it signs with a key Entra already knows.
$certId = az keyvault certificate show --vault-name $vault --name $certName --query id -o tsv
$version = ($certId -split '/')[-1]   # .../certificates/<name>/<version>
$cerFile = Join-Path ([IO.Path]::GetTempPath()) "$certName.cer"
az keyvault certificate download --vault-name $vault --name $certName --version $version --file $cerFile --encoding DER
$cert = [Security.Cryptography.X509Certificates.X509Certificate2]::new($cerFile)
$keys = @((Get-MgApplication -ApplicationId $capture.App.Id).KeyCredentials | Where-Object { $_.EndDateTime -gt (Get-Date) })
if (-not ($keys | Where-Object { [Convert]::ToBase64String($_.CustomKeyIdentifier) -eq [Convert]::ToBase64String($cert.GetCertHash()) })) {
    $keys += @{ Type = 'AsymmetricX509Cert'; Usage = 'Verify'; Key = $cert.RawData; DisplayName = "CN=$certName" }
    Update-MgApplication -ApplicationId $capture.App.Id -KeyCredentials $keys
    Write-Host "uploaded certificate $($cert.Thumbprint) (valid until $($cert.NotAfter))"
}
Remove-Item $cerFile
azd env set GRAPH_CERTIFICATE_VERSION $version

# ---- 2. mailbox access limited to the captured mailboxes -------------------------------------
Connect-ExchangeOnline -ShowBanner:$false
if ($AccessModel -eq 'RbacForApplications') {
    if (-not (Get-ServicePrincipal -Identity $capture.App.AppId -ErrorAction SilentlyContinue)) {
        New-ServicePrincipal -AppId $capture.App.AppId -ObjectId $capture.Sp.Id -DisplayName "Loket capture ($envName)" | Out-Null
    }
    foreach ($mailbox in $Mailboxes) {
        $mark = @{ Identity = $mailbox; $ScopeAttribute = $ScopeValue }
        Set-Mailbox @mark
    }
    $scopeName = "Loket captured mailboxes ($envName)"
    if (-not (Get-ManagementScope -Identity $scopeName -ErrorAction SilentlyContinue)) {
        New-ManagementScope -Name $scopeName -RecipientRestrictionFilter "$ScopeAttribute -eq '$ScopeValue'" | Out-Null
    }
    $assignment = Get-ManagementRoleAssignment -RoleAssignee $capture.App.AppId -Role 'Application Mail.Read' -ErrorAction SilentlyContinue
    if (-not $assignment) {
        New-ManagementRoleAssignment -App $capture.App.AppId -Role 'Application Mail.Read' -CustomResourceScope $scopeName | Out-Null
    }
    foreach ($mailbox in $Mailboxes) {
        $result = Test-ServicePrincipalAuthorization -Identity $capture.App.AppId -Resource $mailbox
        if (-not ($result | Where-Object { $_.RoleName -eq 'Application Mail.Read' -and $_.InScope })) {
            Write-Warning "$mailbox is not in scope yet (changes can take up to about two hours)"
        }
    }
    $outside = Test-ServicePrincipalAuthorization -Identity $capture.App.AppId -Resource $OutOfScopeMailbox
    if ($outside | Where-Object InScope) { throw "$OutOfScopeMailbox is in scope: Loket could read it" }
} else {
    if (-not $AccessPolicyGroup) { throw '-AccessPolicyGroup (a mail-enabled security group of the captured mailboxes) is required' }
    if (-not (Get-ApplicationAccessPolicy | Where-Object AppId -eq $capture.App.AppId)) {
        New-ApplicationAccessPolicy -AppId $capture.App.AppId -PolicyScopeGroupId $AccessPolicyGroup `
            -AccessRight RestrictAccess -Description 'Loket: captured service mailboxes only' | Out-Null
    }
    foreach ($mailbox in $Mailboxes) {
        if ((Test-ApplicationAccessPolicy -Identity $mailbox -AppId $capture.App.AppId).AccessCheckResult -ne 'Granted') {
            Write-Warning "$mailbox is not granted yet"
        }
    }
    if ((Test-ApplicationAccessPolicy -Identity $OutOfScopeMailbox -AppId $capture.App.AppId).AccessCheckResult -eq 'Granted') {
        throw "$OutOfScopeMailbox is granted: Loket could read it"
    }
}

# Replies sent as / on behalf of a captured mailbox are copied into ITS Sent Items, or Loket never
# sees the outbound half of the conversation (infra/tenant/mailbox-settings.json).
$mailboxSettings = Get-Content (Join-Path $PSScriptRoot 'mailbox-settings.json') -Raw | ConvertFrom-Json -AsHashtable
foreach ($mailbox in $Mailboxes) {
    $current = Get-Mailbox -Identity $mailbox
    $wrong = @{}
    foreach ($key in $mailboxSettings.Keys) {
        if ($current.$key -ne $mailboxSettings[$key]) { $wrong[$key] = $mailboxSettings[$key] }
    }
    if ($wrong.Count) {
        Set-Mailbox -Identity $mailbox @wrong
        Write-Host "${mailbox}: set $($wrong.Keys -join ', ')"
    }
}

# ---- 3. the API app registration with app roles ----------------------------------------------
$api = Get-OrNewApplication "Loket API ($envName)"
$roles = @(
    @{ Id = '8d3f6a2e-4b1c-4f7a-9e2d-1a5b7c9d0e11'; Value = 'Loket.Staff'; DisplayName = 'Loket staff'
       Description = 'Look up a party''s contacts (every look-up is audited)'; AllowedMemberTypes = @('User'); IsEnabled = $true },
    @{ Id = '9e4a7b3f-5c2d-4a8b-8f3e-2b6c8d0e1f22'; Value = 'Loket.Operator'; DisplayName = 'Loket operator'
       Description = 'Queues, replay and jobs'; AllowedMemberTypes = @('User', 'Application'); IsEnabled = $true },
    @{ Id = 'a7c5e9b1-6d3f-4b2a-9c8e-3d5f7a9b1c33'; Value = 'Loket.Privacy'; DisplayName = 'Loket privacy officer'
       Description = 'Read the audit, approve erasures, rectify, restrict and suppress'; AllowedMemberTypes = @('User'); IsEnabled = $true }
)
# What the code needs from the token (infra/tenant/api-registration.json): app roles; the `groups`
# claim with the groups ASSIGNED to this app (ApplicationGroup: the restricted departments' groups,
# never an overage); a delegated scope that the Azure CLI (the operators' `loket`) is pre-authorised
# for; the page's own sign-in (MSAL, authorization code + PKCE) as a SPA redirect URI.
$manifest = Get-Content (Join-Path $PSScriptRoot 'api-registration.json') -Raw | ConvertFrom-Json
$scopes = @($manifest.api.oauth2PermissionScopes | ForEach-Object {
    @{ Id = $_.id; Value = $_.value; Type = $_.type; IsEnabled = $_.isEnabled
       AdminConsentDisplayName = $_.adminConsentDisplayName; AdminConsentDescription = $_.adminConsentDescription
       UserConsentDisplayName = $_.userConsentDisplayName; UserConsentDescription = $_.userConsentDescription } })
$preAuthorized = @($manifest.api.preAuthorizedApplications | ForEach-Object {
    @{ AppId = $_.appId; DelegatedPermissionIds = @($_.delegatedPermissionIds) } })
$baseUrl = ($azdEnv['SERVICE_API_BASE_URL'] ?? '').TrimEnd('/')
Update-MgApplication -ApplicationId $api.App.Id -AppRoles $roles -IdentifierUris @("api://$($api.App.AppId)") `
    -GroupMembershipClaims $manifest.groupMembershipClaims `
    -Api @{ RequestedAccessTokenVersion = $manifest.api.requestedAccessTokenVersion; Oauth2PermissionScopes = $scopes }
# Pre-authorisation names scope ids, which must exist first: a second update.
Update-MgApplication -ApplicationId $api.App.Id -Api @{
    RequestedAccessTokenVersion = $manifest.api.requestedAccessTokenVersion
    Oauth2PermissionScopes = $scopes; PreAuthorizedApplications = $preAuthorized }
if ($baseUrl) {
    Update-MgApplication -ApplicationId $api.App.Id -Spa @{ RedirectUris = @("$baseUrl$($manifest.spa.redirectUriPath)") }
}
Update-MgServicePrincipal -ServicePrincipalId $api.Sp.Id -AppRoleAssignmentRequired:$true
foreach ($pair in @(@($StaffGroupId, $roles[0].Id), @($OperatorGroupId, $roles[1].Id), @($PrivacyGroupId, $roles[2].Id))) {
    if ($pair[0] -and -not (Get-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $api.Sp.Id |
            Where-Object { $_.PrincipalId -eq $pair[0] -and $_.AppRoleId -eq $pair[1] })) {
        New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $api.Sp.Id -PrincipalId $pair[0] `
            -ResourceId $api.Sp.Id -AppRoleId $pair[1] | Out-Null
    }
}

foreach ($groupId in $RestrictedDepartmentGroupIds) {
    # The default access role (all zeros): membership only, no Loket role by itself.
    if (-not (Get-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $api.Sp.Id | Where-Object PrincipalId -eq $groupId)) {
        New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $api.Sp.Id -PrincipalId $groupId `
            -ResourceId $api.Sp.Id -AppRoleId ([guid]::Empty) | Out-Null
    }
}

# ---- 4. into the deployment -------------------------------------------------------------------
azd env set GRAPH_CLIENT_ID $capture.App.AppId
azd env set GRAPH_TENANT_ID $tenantId
azd env set LOKET_API_CLIENT_ID $api.App.AppId
Write-Host "Graph app: $($capture.App.AppId); API app: $($api.App.AppId) (api://$($api.App.AppId))"
Write-Host 'Now run `azd provision` so the app settings carry GRAPH_CLIENT_ID.'
