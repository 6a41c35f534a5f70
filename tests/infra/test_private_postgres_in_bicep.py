"""Private access to PostgreSQL (issue 19, item 7): a VNet the Flex app is integrated in, the server in
its own delegated subnet with no public endpoint, a private DNS zone linked to the VNet; public access
only by parameter, with the "allow Azure services" rule as the named accepted risk."""
from __future__ import annotations

import json

from settings import PROJECT_ROOT
from tests.infra import bicep_model as b

FLEX_DELEGATION = "Microsoft.App/environments"  # Microsoft's Flex Consumption VNet samples
POSTGRES_DELEGATION = "Microsoft.DBforPostgreSQL/flexibleServers"


def network() -> dict:
    return b.app("network")


def subnets() -> dict[str, dict]:
    (vnet,) = b.resources_of(network(), "Microsoft.Network/virtualNetworks").values()
    return {s["name"]: s["properties"] for s in vnet["properties"]["subnets"]}


def delegations(subnet: dict) -> list[str]:
    return [d["properties"]["serviceName"] for d in subnet["delegations"]]


def server_call() -> dict:
    (server,) = [m["config"]["params"] for m in b.app("postgres")["modules"].values()]
    return server


def server(params: dict | None = None) -> dict:
    """The PostgreSQL module's params as ARM would see them with `params` over the defaults."""
    return b.evaluate(b.app("postgres"), server_call(), params)


def main_call(module: str) -> dict:
    return b.parse(b.MAIN)["modules"][module]


def test_the_app_subnet_is_delegated_for_flex_consumption_vnet_integration():
    assert delegations(subnets()["app"]) == [FLEX_DELEGATION]


def test_postgres_gets_a_subnet_of_its_own_delegated_to_flexible_servers():
    assert delegations(subnets()["postgres"]) == [POSTGRES_DELEGATION]
    prefixes = {name: s["addressPrefix"] for name, s in subnets().items()}
    assert len(set(prefixes.values())) == len(prefixes), "the subnets must not overlap"


def test_a_private_postgres_dns_zone_is_linked_to_the_vnet_without_auto_registration():
    doc = network()
    (zone,) = b.resources_named(doc, "Microsoft.Network/privateDnsZones")
    zone_name = b.evaluate(doc, b.config(zone)["name"], {"postgresServerName": "psql-loket-abc"})
    assert zone_name == "psql-loket-abc.private.postgres.database.azure.com"
    (link,) = b.bodies(doc, "Microsoft.Network/privateDnsZones/virtualNetworkLinks")
    assert link["parent"] == "postgresDnsZone"
    assert link["properties"]["registrationEnabled"] is False
    assert b.dotted(link["properties"]["virtualNetwork"]["id"]) == "vnet.id"


def test_private_access_is_the_default_in_the_template_and_for_azd():
    main = b.parse(b.MAIN)
    assert main["parameters"]["postgresNetworkAccess"]["default"] == "Private"
    assert b.app("postgres")["parameters"]["networkAccess"]["default"] == "Private"
    parameters = json.loads((PROJECT_ROOT / "infra" / "main.parameters.json").read_text())["parameters"]
    assert parameters["postgresNetworkAccess"]["value"] == "${POSTGRES_NETWORK_ACCESS=Private}"


def test_a_private_server_has_no_public_endpoint_no_firewall_rule_and_sits_in_the_delegated_subnet():
    wired = server({"delegatedSubnetId": "SUBNET", "privateDnsZoneId": "ZONE"})
    assert wired["publicNetworkAccess"] == "Disabled"
    assert wired["firewallRules"] == []
    assert (wired["delegatedSubnetResourceId"], wired["privateDnsZoneArmResourceId"]) == ("SUBNET", "ZONE")


def test_public_access_is_a_parameter_with_the_allow_azure_services_rule_named_as_accepted_risk():
    public = server({"networkAccess": "Public", "delegatedSubnetId": "SUBNET"})
    assert public["publicNetworkAccess"] == "Enabled"
    assert public["delegatedSubnetResourceId"] == "", "a public server is not injected into a subnet"
    assert [r["name"] for r in public["firewallRules"]] == ["AllowAllAzureServicesAndResourcesWithinAzureIps"]
    decorators = b.app("postgres")["parameters"]["allowAzureServices"]["decorators"]
    description = next(d["argument"] for d in decorators if d["type"] == "description")
    assert "ACCEPTED RISK" in description


def test_main_builds_the_network_only_for_private_access_and_wires_both_subnets():
    main = b.parse(b.MAIN)
    condition = main_call("network")["config"]["condition"]
    assert b.evaluate(main, condition, {"postgresNetworkAccess": "Private"}) is True
    assert b.evaluate(main, condition, {"postgresNetworkAccess": "Public"}) is False
    postgres = main_call("postgres")["config"]["params"]
    api = main_call("api")["config"]["params"]
    assert postgres["networkAccess"] == "postgresNetworkAccess"
    for param, output in ((postgres["delegatedSubnetId"], "network.outputs.postgresSubnetId"),
                          (postgres["privateDnsZoneId"], "network.outputs.postgresDnsZoneId"),
                          (api["virtualNetworkSubnetId"], "network.outputs.appSubnetId")):
        operands = param["operator"]["operands"]
        assert b.evaluate(main, operands["condition"], {"postgresNetworkAccess": "Private"}) is True
        assert b.dotted(operands["true_value"]) == output
        assert operands["false_value"] == ""


def test_the_function_app_joins_the_subnet_it_is_given_and_none_without_one():
    doc = b.app("api")
    (site,) = b.bodies(doc, "Microsoft.Web/sites")
    expression = site["properties"]["virtualNetworkSubnetId"]
    assert b.evaluate(doc, expression, {"virtualNetworkSubnetId": "APP-SUBNET"}) == "APP-SUBNET"
    assert b.evaluate(doc, expression, {"virtualNetworkSubnetId": ""}) is None


def test_the_hooks_learn_whether_the_server_has_a_public_endpoint():
    main = b.parse(b.MAIN)
    output = main["outputs"]["POSTGRES_PUBLIC_ACCESS"]["value"]
    assert b.dotted(output) == "postgres.outputs.publicNetworkAccess"
    doc = b.app("postgres")
    output = doc["outputs"]["publicNetworkAccess"]["value"]
    assert b.evaluate(doc, output) == "Disabled"
    assert b.evaluate(doc, output, {"networkAccess": "Public"}) == "Enabled"
