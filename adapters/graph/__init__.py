"""Loket's Microsoft Graph adapter (msgraph-sdk + azure-identity, raw JSON out)."""
