"""`location` only takes regions that offer Flex Consumption, and each gets a storage redundancy it offers.

Facts (docs/deploy.md, "What was checked"): the region list of Microsoft's Flex Consumption azd
templates; regions without a pair have no GRS/GZRS (Microsoft: cross-region-replication-azure,
"Regions with availability zones and no region pair"); regions without availability zones have no
ZRS/GZRS (the availability-zone region list).
"""
from __future__ import annotations

from tests.infra import bicep_model as b

# Azure-Samples/functions-quickstart-python-http-azd, infra/main.bicep (2025-11), less eastus2euap (canary).
FLEX_REGIONS = {
    "australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "centralindia", "centralus",
    "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral", "italynorth", "japaneast",
    "koreacentral", "northcentralus", "northeurope", "norwayeast", "southafricanorth", "southcentralus",
    "southeastasia", "southindia", "spaincentral", "swedencentral", "uaenorth", "uksouth", "ukwest",
    "westcentralus", "westeurope", "westus", "westus2", "westus3",
}
NO_PAIR = {"italynorth", "spaincentral"}
NO_ZONES = {"australiasoutheast", "northcentralus", "southindia", "ukwest", "westcentralus", "westus"}
NEEDS_ZONES = {"Standard_ZRS", "Standard_GZRS", "Standard_RAGZRS"}
NEEDS_PAIR = {"Standard_GRS", "Standard_GZRS", "Standard_RAGRS", "Standard_RAGZRS"}


def allowed(param: dict) -> list:
    return next(d["argument"] for d in param.get("decorators", []) if d["type"] == "allowed")


def test_location_is_limited_to_the_regions_that_offer_flex_consumption():
    assert set(allowed(b.parse(b.MAIN)["parameters"]["location"])) == FLEX_REGIONS


def test_every_allowed_region_gets_a_storage_redundancy_that_region_offers_and_storage_accepts():
    redundancy = b.parse(b.MAIN)["variables"]["storageRedundancy"]["value"]
    assert set(redundancy) == FLEX_REGIONS
    accepted = set(allowed(b.app("storage")["parameters"]["skuName"]))
    for region, sku in redundancy.items():
        assert sku in accepted, f"{region}: storage.bicep refuses {sku}"
        assert not (region in NO_ZONES and sku in NEEDS_ZONES), f"{region} has no zones for {sku}"
        assert not (region in NO_PAIR and sku in NEEDS_PAIR), f"{region} has no pair for {sku}"


def test_letters_stay_geo_redundant_wherever_the_region_has_a_pair():
    redundancy = b.parse(b.MAIN)["variables"]["storageRedundancy"]["value"]
    for region, sku in redundancy.items():
        if region not in NO_PAIR:
            assert sku in NEEDS_PAIR, f"{region} could keep a geo-redundant copy but gets {sku}"


def test_the_storage_module_receives_the_regions_redundancy():
    params = b.parse(b.MAIN)["modules"]["storage"]["config"]["params"]
    assert "storageRedundancy" in str(params["skuName"]) and "location" in str(params["skuName"])
