"""What the tenant set-up and the certificate rotation apply, read from the files the scripts load.

PowerShell cannot run here, so the scripts keep their decisions in JSON beside them
(infra/tenant/*.json) and these tests parse that; each test also checks the script loads its file.
"""
from __future__ import annotations

import json

from adapters.graph.jwks_certificate import PFX_CONTENT_TYPE
from settings import PROJECT_ROOT
from tests.infra import bicep_model as b

TENANT = PROJECT_ROOT / "infra" / "tenant"
AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # Microsoft's well-known Azure CLI client


def load(name: str) -> dict:
    return json.loads((TENANT / name).read_text())


def script(name: str) -> str:
    return (TENANT / name).read_text()


def test_key_vault_never_renews_the_graph_certificate_by_itself_but_mails_30_days_ahead():
    policy = load("certificate-policy.json")
    actions = [(a["action"]["actionType"], a["trigger"]) for a in policy["lifetimeActions"]]
    assert [kind for kind, _ in actions] == ["EmailContacts"], "AutoRenew makes a key Entra does not know"
    assert actions[0][1]["daysBeforeExpiry"] >= 30
    assert policy["keyProperties"]["exportable"] is True and policy["keyProperties"]["keyType"] == "RSA"
    assert policy["secretProperties"]["contentType"] == PFX_CONTENT_TYPE, "what the app's loaders read"
    assert "keyEncipherment" in policy["x509CertificateProperties"]["keyUsage"], "rich notifications"
    assert "certificate-policy.json" in script("setup.ps1")


def test_rotation_adds_the_new_key_beside_the_old_pins_the_version_and_can_roll_back():
    rotate = script("rotate-certificate.ps1")
    order = [rotate.index(step) for step in (
        "az keyvault certificate create", "$keys += @{ Type = 'AsymmetricX509Cert'",
        "Start-Sleep", "Set-PinnedVersion $newVersion",
    )]
    assert order == sorted(order), "Key Vault version, then Entra key, then wait, then the app"
    assert "EndDateTime -gt (Get-Date)" in rotate, "the old, still valid key stays (overlap)"
    assert "-Rollback" in rotate and "GRAPH_CERTIFICATE_VERSION" in rotate


def test_the_pinned_version_reaches_the_app_from_the_azd_environment():
    passed = json.loads((b.INFRA / "main.parameters.json").read_text())["parameters"]
    assert passed["graphCertificateVersion"]["value"] == "${GRAPH_CERTIFICATE_VERSION=}"
    assert b.app_settings()["GRAPH_CERTIFICATE_VERSION"] == "graphCertificateVersion"
    call = b.parse(b.MAIN)["modules"]["api"]["config"]["params"]
    assert call["graphCertificateVersion"] == "graphCertificateVersion"


def test_an_alert_fires_before_the_graph_certificate_expires():
    doc = b.app("alerts")
    (subscription,) = b.bodies(doc, "Microsoft.EventGrid/systemTopics/eventSubscriptions")
    props = subscription["properties"]
    assert "Microsoft.KeyVault.CertificateNearExpiry" in props["filter"]["includedEventTypes"]
    assert props["destination"]["endpointType"] == "MonitorAlert"
    assert props["eventDeliverySchema"] == "CloudEventSchemaV1_0", "the only schema that destination takes"
    assert [b.dotted(g) for g in props["destination"]["properties"]["actionGroups"]] == ["actionGroup.id"]
    (topic,) = b.bodies(doc, "Microsoft.EventGrid/systemTopics")
    assert topic["properties"] == {"source": "keyVaultId", "topicType": "Microsoft.KeyVault.vaults"}


def test_replies_sent_as_or_on_behalf_of_a_captured_mailbox_are_copied_to_its_sent_items():
    assert load("mailbox-settings.json") == {
        "MessageCopyForSentAsEnabled": True, "MessageCopyForSendOnBehalfEnabled": True,
    }
    setup = script("setup.ps1")
    assert "mailbox-settings.json" in setup and "Set-Mailbox -Identity $mailbox @wrong" in setup


def test_the_api_registration_gives_groups_a_delegated_scope_and_pre_authorises_the_azure_cli():
    manifest = load("api-registration.json")
    assert manifest["groupMembershipClaims"] in ("ApplicationGroup", "SecurityGroup")
    (scope,) = manifest["api"]["oauth2PermissionScopes"]
    assert scope["isEnabled"] and scope["type"] in ("User", "Admin")
    (cli,) = manifest["api"]["preAuthorizedApplications"]
    assert cli["appId"] == AZURE_CLI_APP_ID and cli["delegatedPermissionIds"] == [scope["id"]]
    assert manifest["api"]["requestedAccessTokenVersion"] == 2
    assert manifest["spa"]["redirectUriPath"] == "/api/ui"
    assert "api-registration.json" in script("setup.ps1")
