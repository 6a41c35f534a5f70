"""Which database URLs sign in with the app's managed identity (Entra token as the password)."""
import pytest

from adapters.store.entra import token_provider_for

AZURE = "postgresql+psycopg://id-loket@psql-loket.postgres.database.azure.com:5432/loket?sslmode=require"


def test_an_azure_server_without_a_password_gets_an_entra_token_provider(monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    assert callable(token_provider_for(AZURE))


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",  # local trust auth
    "sqlite:///var/loket.db",
    AZURE.replace("id-loket@", "id-loket:secret@"),  # a password given
])
def test_local_servers_and_given_passwords_are_used_as_they_are(url, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    assert token_provider_for(url) is None


def test_the_deployers_pgpassword_wins_in_the_postdeploy_hook(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "deployer-token")
    assert token_provider_for(AZURE) is None
