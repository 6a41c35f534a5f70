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
