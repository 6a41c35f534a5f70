# Dot-sourced by the PowerShell hooks: load azd's environment values (the Bicep outputs), and give the
# hooks the project's own Python (.venv, made here when missing): the system Python lacks psycopg.
$ErrorActionPreference = 'Stop'
foreach ($cmd in 'az', 'azd', 'python') {
    if (-not (Get-Command $cmd -ErrorAction SilentlyContinue)) { throw "$cmd is required (docs/deploy.md, prerequisites)" }
}
foreach ($line in (azd env get-values)) {
    if ($line -match '^([^=]+)="?(.*?)"?$') { Set-Item -Path "env:$($Matches[1])" -Value $Matches[2] }
}
$Root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')

# The project's virtual environment with the app's pinned requirements and the `loket` command.
function Get-ProjectPython {
    $venv = Join-Path $Root '.venv'
    $bin = if ($IsWindows) { Join-Path $venv 'Scripts' } else { Join-Path $venv 'bin' }
    $python = Join-Path $bin ($IsWindows ? 'python.exe' : 'python')
    $ready = $false
    if (Test-Path $python) { & $python -c 'import psycopg, sqlalchemy, alembic' 2>$null; $ready = ($LASTEXITCODE -eq 0) }
    if (-not $ready) {
        Write-Host "creating $venv for the hooks (requirements.txt)"
        python -m venv $venv
        & $python -m pip install --quiet -r (Join-Path $Root 'requirements.txt')
        if ($LASTEXITCODE -ne 0) { throw 'installing requirements.txt into .venv failed' }
        & $python -m pip install --quiet --no-deps -e $Root
        if ($LASTEXITCODE -ne 0) { throw 'installing loket into .venv failed' }
    }
    return $python
}

# Who is signed in to the Azure CLI: a user (interactive) or a service principal (CI). Never taken
# from AZURE_PRINCIPAL_TYPE / AZURE_PRINCIPAL_ID, which a CI environment need not have.
function Get-SignedInPrincipal {
    $kind = az account show --query user.type -o tsv
    if ($kind -eq 'servicePrincipal') {
        $appId = az account show --query user.name -o tsv
        return @{ Type = 'ServicePrincipal'; Id = (az ad sp show --id $appId --query id -o tsv)
                  Name = (az ad sp show --id $appId --query displayName -o tsv) }
    }
    return @{ Type = 'User'; Id = (az ad signed-in-user show --query id -o tsv)
              Name = (az ad signed-in-user show --query userPrincipalName -o tsv) }
}
