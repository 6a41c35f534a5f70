"""The rich-notification certificate: a PEM file with the X.509 certificate and its RSA private key.

Graph gets the certificate (base64 DER, public only) on subscription create; the private key
decrypts each notification's symmetric key. Keep older private keys (more PEM files) until no
notification can reference them (graph-contracts.md §3.3).
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from errors import ConfigurationError


@dataclass(frozen=True)
class RichCertificate:
    certificate_id: str
    certificate_b64: str  # what POST /subscriptions takes as encryptionCertificate
    private_key: Any


def load_rich_certificate(path: Path, certificate_id: str) -> RichCertificate:
    """Read the PEM; a missing file, no certificate or a non-RSA-2048..4096 key fails naming the setting."""
    try:
        pem = Path(path).read_bytes()
        cert = x509.load_pem_x509_certificate(pem)
        key = serialization.load_pem_private_key(pem, password=None)
    except (OSError, ValueError) as exc:
        problem = f"needs a PEM with a certificate and an unencrypted private key ({type(exc).__name__})"
        raise ConfigurationError("GRAPH_RICH_CERTIFICATE_PATH", problem) from exc
    if not isinstance(key, rsa.RSAPrivateKey) or not 2048 <= key.key_size <= 4096:
        raise ConfigurationError("GRAPH_RICH_CERTIFICATE_PATH", "the key must be RSA, 2048 to 4096 bits")
    der = cert.public_bytes(serialization.Encoding.DER)
    return RichCertificate(certificate_id, base64.b64encode(der).decode("ascii"), key)


PFX_CONTENT_TYPE = "application/x-pkcs12"


@dataclass(frozen=True)
class RichCertificates:
    """The certificate Graph is given (the newest) and every private key a notification may name."""

    current: RichCertificate
    private_keys: dict[str, Any]


def _from_secret(value: str, content_type: str | None) -> tuple[x509.Certificate, Any]:
    """A Key Vault certificate's secret: base64 PKCS#12 (Key Vault's default) or PEM."""
    if content_type == PFX_CONTENT_TYPE:
        from cryptography.hazmat.primitives.serialization import pkcs12

        key, cert, _ = pkcs12.load_key_and_certificates(base64.b64decode(value), None)
        return cert, key
    pem = value.encode("utf-8")
    return x509.load_pem_x509_certificate(pem), serialization.load_pem_private_key(pem, password=None)


def load_rich_certificates_from_vault(
    secrets: Any, name: str, certificate_id: str, now: Any
) -> RichCertificates:
    """Every enabled, unexpired version of certificate `name` from Key Vault (`secrets`: a SecretClient).

    Each version gets the id `{certificate_id}-{version}`, so a notification encrypted for an older
    version (a subscription made before a rotation) still finds its key; Graph is given the newest.
    """
    versions = [
        p for p in secrets.list_properties_of_secret_versions(name)
        if p.enabled is not False and (p.expires_on is None or p.expires_on > now)
    ]
    if not versions:
        raise ConfigurationError("GRAPH_RICH_CERTIFICATE_NAME", f"no enabled, unexpired version of {name!r}")
    versions.sort(key=lambda p: p.created_on)
    keys: dict[str, Any] = {}
    current = None
    for props in versions:
        secret = secrets.get_secret(name, props.version)
        try:
            cert, key = _from_secret(secret.value, secret.properties.content_type)
        except (ValueError, TypeError) as exc:
            problem = f"unreadable version ({type(exc).__name__})"
            raise ConfigurationError("GRAPH_RICH_CERTIFICATE_NAME", problem) from exc
        if not isinstance(key, rsa.RSAPrivateKey) or not 2048 <= key.key_size <= 4096:
            raise ConfigurationError("GRAPH_RICH_CERTIFICATE_NAME", "the key must be RSA, 2048 to 4096 bits")
        version_id = f"{certificate_id}-{props.version}"
        keys[version_id] = key
        der = cert.public_bytes(serialization.Encoding.DER)
        current = RichCertificate(version_id, base64.b64encode(der).decode("ascii"), key)
    assert current is not None
    return RichCertificates(current, keys)
