# Dot-sourced by the PowerShell hooks: load azd's environment values (the Bicep outputs).
$ErrorActionPreference = 'Stop'
foreach ($cmd in 'az', 'azd', 'python') {
    if (-not (Get-Command $cmd -ErrorAction SilentlyContinue)) { throw "$cmd is required (docs/deploy.md, prerequisites)" }
}
foreach ($line in (azd env get-values)) {
    if ($line -match '^([^=]+)="?(.*?)"?$') { Set-Item -Path "env:$($Matches[1])" -Value $Matches[2] }
}
$Root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
