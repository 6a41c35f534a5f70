"""Certificates from Key Vault: the Graph sign-in certificate at its pinned version, and every enabled
version of the rich-notification certificate, so a rotation never leaves a key Entra or a
subscription does not know."""
from __future__ import annotations

import base64
import datetime as dt
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from adapters.graph.credentials import build_credential
from adapters.graph.jwks_certificate import PFX_CONTENT_TYPE, load_rich_certificates_from_vault
from errors import ConfigurationError
from settings import Settings

NOW = dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC)


def pfx(key=None) -> str:
    """A self-signed certificate as Key Vault's secret holds it: base64 PKCS#12, no password."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "loket-rich")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    blob = pkcs12.serialize_key_and_certificates(b"loket-rich", key, cert, None, serialization.NoEncryption())
    return base64.b64encode(blob).decode("ascii")


class FakeSecrets:
    """The two SecretClient calls the loader makes, over versions given as (version, value, attributes)."""

    def __init__(self, *versions):
        self.versions = versions

    def list_properties_of_secret_versions(self, name):
        ages = range(len(self.versions), 0, -1)  # listed oldest first, a day apart
        return [SimpleNamespace(version=v, created_on=NOW - dt.timedelta(days=age), **attrs)
                for age, (v, _, attrs) in zip(ages, self.versions, strict=True)]

    def get_secret(self, name, version):
        (value,) = [value for v, value, _ in self.versions if v == version]
        return SimpleNamespace(value=value, properties=SimpleNamespace(content_type=PFX_CONTENT_TYPE))


ENABLED = {"enabled": True, "expires_on": None}


def test_the_newest_version_is_given_to_graph_and_every_enabled_versions_key_is_kept():
    secrets = FakeSecrets(("v1", pfx(), ENABLED), ("v2", pfx(), ENABLED))
    loaded = load_rich_certificates_from_vault(secrets, "loket-rich", "loket-rich", NOW)
    assert loaded.current.certificate_id == "loket-rich-v2"
    assert set(loaded.private_keys) == {"loket-rich-v1", "loket-rich-v2"}
    der = base64.b64decode(loaded.current.certificate_b64)
    assert x509.load_der_x509_certificate(der).subject.rfc4514_string() == "CN=loket-rich"


def test_disabled_and_expired_versions_are_left_out():
    secrets = FakeSecrets(
        ("old", pfx(), {"enabled": True, "expires_on": NOW - dt.timedelta(days=1)}),
        ("off", pfx(), {"enabled": False, "expires_on": None}),
        ("now", pfx(), ENABLED),
    )
    loaded = load_rich_certificates_from_vault(secrets, "loket-rich", "loket-rich", NOW)
    assert set(loaded.private_keys) == {"loket-rich-now"}


def test_no_usable_version_or_a_non_rsa_key_fails_naming_the_setting():
    expired = {"enabled": True, "expires_on": NOW}
    with pytest.raises(ConfigurationError, match="GRAPH_RICH_CERTIFICATE_NAME"):
        load_rich_certificates_from_vault(FakeSecrets(("v1", pfx(), expired)), "loket-rich", "r", NOW)
    ec_key = pfx(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ConfigurationError, match="RSA"):
        load_rich_certificates_from_vault(FakeSecrets(("v1", ec_key, ENABLED)), "loket-rich", "r", NOW)


def test_the_graph_credential_reads_the_pinned_version_when_one_is_set():
    settings = Settings(GRAPH_TENANT_ID="t", GRAPH_CLIENT_ID="c", GRAPH_CERTIFICATE_NAME="loket-graph",
                        KEY_VAULT_URI="https://kv.vault.azure.net/", GRAPH_CERTIFICATE_VERSION="abc123")
    assert build_credential(settings)._version == "abc123"
    unpinned = settings.model_copy(update={"graph_certificate_version": ""})
    assert build_credential(unpinned)._version is None, "empty = the newest version"
