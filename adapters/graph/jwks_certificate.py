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
