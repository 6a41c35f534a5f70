"""How Loket authenticates to Graph, from settings: Key Vault certificate, managed identity, or none.

- GRAPH_BASE_URL on a loopback host (the simulated tenant): no authentication at all
  (graph-contracts.md §9.3 variant C), so no token is ever minted for, or sent to, a local server.
- GRAPH_TENANT_ID + GRAPH_CLIENT_ID + GRAPH_CERTIFICATE_NAME + KEY_VAULT_URI: the app registration's
  certificate (with its private key) is read from Key Vault on first use, with the Function's own
  identity, and used through CertificateCredential.
- otherwise DefaultAzureCredential (the Function's managed identity holding Graph app roles).
"""

from __future__ import annotations

import base64
import ipaddress
from urllib.parse import urlsplit

from kiota_abstractions.authentication import AnonymousAuthenticationProvider, AuthenticationProvider

from errors import ConfigurationError
from settings import Settings

PFX_CONTENT_TYPE = "application/x-pkcs12"


def is_loopback(url: str) -> bool:
    """True for http(s)://localhost, 127.0.0.0/8 or ::1 (the simulated tenant and test servers)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def graph_scope(base_url: str) -> str:
    """`https://{host}/.default` for the Graph host in GRAPH_BASE_URL (national clouds included)."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.hostname}/.default"


class KeyVaultCertificateCredential:
    """An async TokenCredential that reads the app certificate from Key Vault on its first token.

    Reading lazily keeps bootstrap free of network calls; the certificate is read once per process.
    """

    def __init__(
        self, tenant_id: str, client_id: str, vault_uri: str, certificate_name: str,
        version: str | None = None,
    ) -> None:
        self._args = (tenant_id, client_id, vault_uri, certificate_name)
        self._version = version or None  # GRAPH_CERTIFICATE_VERSION: pinned during a rotation
        self._inner = None

    async def _credential(self):
        if self._inner is None:
            from azure.identity.aio import CertificateCredential, DefaultAzureCredential
            from azure.keyvault.secrets.aio import SecretClient

            tenant_id, client_id, vault_uri, name = self._args
            async with DefaultAzureCredential() as vault_cred, SecretClient(vault_uri, vault_cred) as vault:
                # a certificate's secret holds its private key; None = the newest version
                secret = await vault.get_secret(name, self._version)
            data = (
                base64.b64decode(secret.value)
                if secret.properties.content_type == PFX_CONTENT_TYPE
                else secret.value.encode("utf-8")
            )
            self._inner = CertificateCredential(tenant_id, client_id, certificate_data=data)
        return self._inner

    async def get_token(self, *scopes: str, **kwargs):
        return await (await self._credential()).get_token(*scopes, **kwargs)

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()


def build_credential(settings: Settings):
    """The async TokenCredential for a real Graph endpoint (see the module docstring)."""
    from azure.identity.aio import DefaultAzureCredential

    cert_keys = {
        "GRAPH_CERTIFICATE_NAME": settings.graph_certificate_name,
        "KEY_VAULT_URI": settings.key_vault_uri,
    }
    if any(cert_keys.values()):
        needed = {
            "GRAPH_TENANT_ID": settings.graph_tenant_id,
            "GRAPH_CLIENT_ID": settings.graph_client_id,
            **cert_keys,
        }
        for key, value in needed.items():
            if not value:
                raise ConfigurationError(key, "required for certificate authentication to Graph")
        return KeyVaultCertificateCredential(
            settings.graph_tenant_id,
            settings.graph_client_id,
            settings.key_vault_uri,
            settings.graph_certificate_name,
            settings.graph_certificate_version,
        )
    return DefaultAzureCredential()


def build_auth_provider(settings: Settings) -> tuple[AuthenticationProvider, object | None]:
    """(auth provider, credential to close later or None) for GRAPH_BASE_URL."""
    base = settings.graph_base_url
    if is_loopback(base):
        return AnonymousAuthenticationProvider(), None
    if urlsplit(base).scheme != "https":
        raise ConfigurationError("GRAPH_BASE_URL", "must be https unless it is a loopback address")
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )

    credential = build_credential(settings)
    host = urlsplit(base).hostname or ""
    provider = AzureIdentityAuthenticationProvider(
        credential, scopes=[graph_scope(base)], allowed_hosts=[host]
    )
    return provider, credential
