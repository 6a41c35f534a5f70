"""What checkov cannot see through modules and parameters, asserted on the parsed templates."""
from __future__ import annotations

import re

from settings import PROJECT_ROOT
from tests.infra import bicep_model as b


def namespace() -> dict:
    (params,) = b.modules_by_path(b.app("servicebus"), "avm/res/service-bus/namespace")
    return params


def postgres() -> dict:
    (params,) = b.modules_by_path(b.app("postgres"), "avm/res/db-for-postgre-sql/flexible-server")
    return params


def server_call() -> dict:
    """The PostgreSQL module's params as written (expressions unresolved)."""
    (server,) = [m["config"]["params"] for m in b.app("postgres")["modules"].values()]
    return server


def storage_account() -> dict:
    return b.resources_of(b.app("storage"), "Microsoft.Storage/storageAccounts")["account"]["properties"]


def site() -> dict:
    return b.resources_of(b.app("api"), "Microsoft.Web/sites")["site"]


def key_vault() -> dict:
    return b.resources_of(b.app("keyvault"), "Microsoft.KeyVault/vaults")["vault"]["properties"]


def test_service_bus_accepts_only_entra_over_tls_1_2_and_has_no_sas_rules():
    ns = namespace()
    assert ns["disableLocalAuth"] is True
    assert ns["minimumTlsVersion"] == "1.2"
    assert ns["authorizationRules"] == []


def test_service_bus_is_standard_by_default_and_premium_by_parameter():
    doc = b.app("servicebus")
    assert doc["parameters"]["sku"]["default"] == "Standard"
    allowed = next(d["argument"] for d in doc["parameters"]["sku"]["decorators"] if d["type"] == "allowed")
    assert set(allowed) == {"Standard", "Premium"}
    assert b.parse(b.MAIN)["parameters"]["serviceBusSku"]["default"] == "Standard"


def test_storage_has_shared_keys_off_tls_1_2_https_only_and_no_public_blobs():
    props = storage_account()
    assert props["allowSharedKeyAccess"] is False
    assert props["defaultToOAuthAuthentication"] is True
    assert props["minimumTlsVersion"] == "TLS1_2"
    assert props["supportsHttpsTrafficOnly"] is True
    assert props["allowBlobPublicAccess"] is False


def test_storage_keeps_letters_geo_redundant_by_default():
    # checkov's CKV_AZURE_206 cannot resolve the parameter, so it is skipped there and asserted here.
    sku = b.resources_of(b.app("storage"), "Microsoft.Storage/storageAccounts")["account"]["sku"]["name"]
    assert sku in {"Standard_GZRS", "Standard_GRS", "Standard_RAGZRS", "Standard_RAGRS"}


def test_storage_has_the_scanned_post_and_archive_containers_all_private():
    containers = b.resources_of(b.app("storage"), "Microsoft.Storage/storageAccounts/blobServices/containers")
    names = {c["name"] for c in containers.values()}
    assert {"scanned-post", "event-archive"} <= names
    assert all(c["properties"]["publicAccess"] == "None" for c in containers.values())


def test_postgres_signs_in_with_entra_only():
    auth = postgres()["authConfig"]
    assert auth["passwordAuth"] == "Disabled"
    assert auth["activeDirectoryAuth"] == "Enabled"
    assert "administratorLoginPassword" not in postgres()


def test_postgres_allow_lists_the_extensions_the_store_may_create_and_requires_tls():
    config = {c["name"]: c["value"] for c in postgres()["configurations"]}
    assert set(config["azure.extensions"].upper().split(",")) >= {"UNACCENT", "PG_TRGM"}
    assert config["require_secure_transport"].upper() == "ON"


def test_a_public_postgres_firewall_opens_only_azure_internal_addresses_and_that_is_a_named_parameter():
    doc = b.app("postgres")
    (server,) = [m["config"]["params"] for m in doc["modules"].values()]
    azure_internal = ("0.0.0.0", "0.0.0.0")  # noqa: S104 - Azure's "allow Azure services" rule, not a bind

    def rules(allow: bool) -> list[tuple[str, str]]:
        public = {"networkAccess": "Public", "allowAzureServices": allow}
        evaluated = b.evaluate(doc, server["firewallRules"], public)
        return [(r["startIpAddress"], r["endIpAddress"]) for r in evaluated]

    assert rules(True) == [azure_internal] and rules(False) == []
    assert b.evaluate(doc, server["firewallRules"], {"allowAzureServices": True}) == [], "private: no rules"
    description = next(d["argument"] for d in doc["parameters"]["allowAzureServices"]["decorators"]
                       if d["type"] == "description")
    assert "ACCEPTED RISK" in description


def test_key_vault_uses_rbac_with_purge_protection():
    kv = key_vault()
    assert kv["enableRbacAuthorization"] is True
    assert kv["enablePurgeProtection"] is True and kv["enableSoftDelete"] is True


def test_application_insights_takes_entra_ingestion_only_and_masks_ip_addresses():
    (component,) = b.modules_by_path(b.app("monitoring"), "avm/res/insights/component")
    assert component["disableLocalAuth"] is True
    assert component["disableIpMasking"] is False


def test_function_app_runs_python_3_11_on_flex_with_always_ready_http_instances():
    config = site()["properties"]["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    (ready,) = config["scaleAndConcurrency"]["alwaysReady"]
    assert ready["name"] == "http"
    assert b.app("api")["parameters"]["alwaysReadyHttpInstances"]["default"] >= 1
    (plan,) = b.modules_by_path(b.app("api"), "avm/res/web/serverfarm")
    assert plan["skuName"] == "FC1"


def test_function_app_is_https_only_with_tls_1_2_and_uses_one_user_assigned_identity():
    s = site()
    assert s["properties"]["httpsOnly"] is True
    assert s["properties"]["siteConfig"]["minTlsVersion"] == "1.2"
    assert s["identity"]["type"] == "UserAssigned"
    assert s["properties"]["functionAppConfig"]["deployment"]["storage"]["authentication"]["type"] == (
        "UserAssignedIdentity"
    )


def test_the_app_identity_gets_data_roles_only_and_key_vault_read_only():
    doc = b.app("rbac")
    roles = b.resolve(doc, "roles")
    allowed = {
        roles[name]
        for name in (
            "storageBlobDataOwner", "storageQueueDataContributor", "serviceBusDataOwner",
            "serviceBusDataSender", "serviceBusDataReceiver", "monitoringReader",
            "monitoringMetricsPublisher", "keyVaultSecretsUser",
        )
    }
    granted = set()
    for r in doc["resources"].values():
        if r["type"] != "Microsoft.Authorization/roleAssignments":
            continue
        props = b.config(r)["properties"]
        if props["principalId"] == "appPrincipalId":
            granted.add(roles[_role_key(props["roleDefinitionId"])])
    assert granted and granted <= allowed
    assert roles["keyVaultSecretsOfficer"] not in granted


def _role_key(expr: dict) -> str:
    """`subscriptionResourceId('...roleDefinitions', roles.x)` -> 'x'."""
    operands = expr["function"]["parameters"]["resource_name_1"]["operator"]["operands"]
    assert operands["operand_1"] == "roles"
    return operands["operand_2"]


PUBLIC_ACCESS_ROW = re.compile(r"^\|\s*(?P<what>[^|]+?)\s*\|\s*`(?P<value>Enabled|Disabled)`")


def test_public_network_access_is_as_docs_deploy_md_documents_it():
    documented = {
        m["what"]: m["value"]
        for line in (PROJECT_ROOT / "docs" / "deploy.md").read_text().splitlines()
        if (m := PUBLIC_ACCESS_ROW.match(line))
    }
    actual = {
        "Function app": site()["properties"]["publicNetworkAccess"],
        "Storage account": storage_account()["publicNetworkAccess"],
        "Service Bus": namespace()["publicNetworkAccess"],
        "Key Vault": key_vault()["publicNetworkAccess"],
        "PostgreSQL": b.evaluate(b.app("postgres"), server_call()["publicNetworkAccess"]),
    }
    assert documented == actual
