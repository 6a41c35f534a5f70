"""postprovision helper: write local.settings.json from azd's environment (never committed).

Runs the Functions app on a workstation against the provisioned resources, signed in as the
deployer (`az login`): no secrets are written, the clientState key stays in Key Vault.
"""
from __future__ import annotations

import json
import os
import sys
import urllib.parse
from pathlib import Path

# App setting -> azd environment value (a Bicep output of the same name unless noted).
FROM_ENV = [
    "BUS_BACKEND", "ServiceBusConnection__fullyQualifiedNamespace",
    "MAIL_NOTIFICATIONS_QUEUE", "CALL_NOTIFICATIONS_QUEUE", "LIFECYCLE_NOTIFICATIONS_QUEUE",
    "CONTACT_EVENTS_TOPIC", "ScanStorage__blobServiceUri", "ScanStorage__queueServiceUri",
    "KEY_VAULT_URI", "GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "GRAPH_CERTIFICATE_NAME",
    "GRAPH_NOTIFICATION_URL", "GRAPH_LIFECYCLE_URL", "APPLICATIONINSIGHTS_CONNECTION_STRING",
]


def local_settings(env: dict[str, str]) -> dict:
    """The Values a workstation needs; the deployer's own Entra sign-in stands in for the identity."""
    values = {
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "AzureWebJobsStorage": "UseDevelopmentStorage=true",
        "GRAPH_BASE_URL": "https://graph.microsoft.com/v1.0",
    }
    values.update({key: env[key] for key in FROM_ENV if env.get(key)})
    # Signed in as a member of the PostgreSQL Entra admin group: the group's name is the user name.
    admin = urllib.parse.quote(env.get("POSTGRES_ADMIN_GROUP_NAME", ""), safe="")
    if env.get("POSTGRES_HOST") and admin:
        values["CRM_DATABASE_URL"] = (
            f"postgresql+psycopg://{admin}@{env['POSTGRES_HOST']}:5432/"
            f"{env.get('POSTGRES_DATABASE', 'loket')}?sslmode=require"
        )
    return {"IsEncrypted": False, "Values": values}


def main(argv: list[str]) -> None:
    target = Path(argv[1]) if len(argv) > 1 else Path("local.settings.json")
    target.write_text(json.dumps(local_settings(dict(os.environ)), indent=2) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv)
