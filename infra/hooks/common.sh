# Sourced by the hooks: load azd's environment values (the Bicep outputs) into the shell.
set -euo pipefail

for cmd in az azd python3; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "error: $cmd is required (docs/deploy.md, prerequisites)" >&2; exit 1; }
done

while IFS='=' read -r key value; do
  [ -n "$key" ] || continue
  value="${value%\"}"; value="${value#\"}"
  export "$key=$value"
done <<EOF_VALUES
$(azd env get-values)
EOF_VALUES
