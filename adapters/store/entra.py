"""Entra ID access tokens as the PostgreSQL password (Azure Database for PostgreSQL, managed identity)."""

from __future__ import annotations

from adapters.store.engine import TokenProvider

POSTGRES_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"


def entra_token_provider(client_id: str | None = None) -> TokenProvider:
    """A callable for create_store_engine(token_provider=…): a fresh token per new connection.

    azure-identity caches the token and refreshes it before expiry, so calling it per connection is cheap.
    """
    from azure.identity import DefaultAzureCredential  # imported when used: local runs never need it

    credential = DefaultAzureCredential(managed_identity_client_id=client_id)

    def token() -> str:
        return credential.get_token(POSTGRES_SCOPE).token

    return token


AZURE_POSTGRES_SUFFIX = ".postgres.database.azure.com"


def token_provider_for(url: str) -> TokenProvider | None:
    """The Entra token provider an Azure Database for PostgreSQL URL needs, else None.

    A URL for an Azure server without a password signs in as the app's managed identity
    (`AZURE_CLIENT_ID`, set by the deployment); a password in the URL, or `PGPASSWORD` (the deployer's
    own token in the postdeploy hook), is used as given. Local servers (trust auth) get None.
    """
    import os

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    azure_host = (parsed.host or "").endswith(AZURE_POSTGRES_SUFFIX)
    if not parsed.drivername.startswith("postgresql") or not azure_host:
        return None
    if parsed.password or os.environ.get("PGPASSWORD"):
        return None
    return entra_token_provider(os.environ.get("AZURE_CLIENT_ID"))
