"""Image-only scans are read in Azure without a manual step: a Document Intelligence account (on by
default), Entra only, the app's identity with Cognitive Services User, its endpoint in the settings."""
from __future__ import annotations

from tests.infra import bicep_model as b

COGNITIVE_SERVICES_USER = "a97b65f3-24c7-4388-baec-2e87135dc908"


def test_the_account_is_on_by_default_and_its_endpoint_reaches_the_app_setting():
    main = b.parse(b.MAIN)
    assert main["parameters"]["documentIntelligence"]["default"] is True
    module = main["modules"]["documentIntelligenceAccount"]
    assert module["config"]["condition"] == "documentIntelligence"
    endpoint = main["modules"]["api"]["config"]["params"]["documentIntelligenceEndpoint"]
    given = b.evaluate(main, endpoint, {"documentIntelligence": True})
    assert b.dotted(given) == "documentIntelligenceAccount.outputs.endpoint"
    assert b.evaluate(main, endpoint, {"documentIntelligence": False}) == ""
    assert b.app_settings()["DOCUMENT_INTELLIGENCE_ENDPOINT"] == "documentIntelligenceEndpoint"


def test_the_account_reads_documents_with_entra_only():
    doc = b.app("documentintelligence")
    (account,) = b.bodies(doc, "Microsoft.CognitiveServices/accounts")
    assert account["kind"] == "FormRecognizer"
    assert account["properties"]["disableLocalAuth"] is True
    # Entra tokens need the custom subdomain endpoint (https://<name>.cognitiveservices.azure.com/)
    assert account["properties"]["customSubDomainName"] == "name"


def test_the_apps_identity_gets_cognitive_services_user_on_the_account():
    doc = b.app("documentintelligence")
    (grant,) = b.resources_named(doc, "Microsoft.Authorization/roleAssignments")
    assert b.config(grant)["properties"]["principalId"] == "appPrincipalId"
    assert b.role_definition(doc, grant) == COGNITIVE_SERVICES_USER
    call = b.parse(b.MAIN)["modules"]["documentIntelligenceAccount"]["config"]["config"]["params"]
    assert b.dotted(call["appPrincipalId"]) == "identity.outputs.principalId"
