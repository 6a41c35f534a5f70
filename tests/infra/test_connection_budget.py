"""The PostgreSQL connection budget: every Flex instance's pool, together, stays under the server's limit.

Flex Consumption scales each Service Bus and timer function on its own, the HTTP functions as one
group and the Event Grid blob functions as one group, each up to `maximumInstanceCount`. Every
instance's worker holds its own SQLAlchemy pool (CRM_POOL_SIZE + CRM_MAX_OVERFLOW). Figures from
Microsoft's documentation (docs/deploy.md, "Connection budget"): maximum user connections per SKU
(max_connections minus the 15 Azure reserves) and the built-in PgBouncer's defaults.
"""
from __future__ import annotations

import re

import pytest

from settings import PROJECT_ROOT, Settings
from tests.infra import bicep_model as b

USER_CONNECTIONS = {  # concepts-limits: "Maximum user connections"
    "Standard_B1ms": 35,
    "Standard_B2s": 414,
    "Standard_B2ms": 844,
    "Standard_D2ds_v5": 844,
    "Standard_D4ds_v5": 1703,
    "Standard_E2ds_v5": 1703,
}
PGBOUNCER_MAX_CLIENT_CONN = 5000  # pgbouncer.max_client_conn default
PGBOUNCER_DEFAULT_POOL_SIZE = 50  # pgbouncer.default_pool_size: server connections per user/database
WORKER_PROCESSES = 1  # FUNCTIONS_WORKER_PROCESS_COUNT default; api.bicep must not raise it silently


def main_default(name: str):
    return b.parse(b.MAIN)["parameters"][name]["default"]


def per_instance() -> int:
    return (main_default("crmPoolSize") + main_default("crmMaxOverflow")) * WORKER_PROCESSES


def scale_groups() -> int:
    """HTTP as one group, Event Grid blob triggers as one, every other trigger on its own."""
    from tests.functions.conftest import built_functions

    groups = set()
    for name, function in built_functions().items():
        trigger = next(x.type for x in function.get_bindings() if x.type.endswith("Trigger"))
        groups.add(trigger if trigger in ("httpTrigger", "blobTrigger") else name)
    return len(groups)


def test_the_default_tier_is_general_purpose_with_pgbouncer_and_the_app_connects_through_it():
    tier = (main_default("postgresTier"), main_default("postgresSkuName"))
    assert tier == ("GeneralPurpose", "Standard_D2ds_v5")
    doc = b.app("postgres")
    (server,) = [m["config"]["params"] for m in doc["modules"].values()]

    def pgbouncer(tier: str) -> tuple[str, int]:
        config = {c["name"]: b.evaluate(doc, c["value"], {"tier": tier}) for c in server["configurations"]}
        port = b.evaluate(doc, doc["outputs"]["appPort"]["value"], {"tier": tier})
        return config["pgbouncer.enabled"], port

    assert pgbouncer("GeneralPurpose") == ("true", 6432)
    assert pgbouncer("Burstable") == ("false", 5432), "Burstable has no PgBouncer: the app uses 5432 there"
    api = b.app("api")
    assert b.evaluate(api, "crmDatabaseUrl", {"postgresPort": "6432"}).count(":6432/") == 1
    main = b.parse(b.MAIN)
    assert b.dotted(main["modules"]["api"]["config"]["params"]["postgresPort"]) == "postgres.outputs.appPort"


def test_every_instance_of_every_scale_group_together_stays_under_pgbouncers_client_limit():
    instances = main_default("maximumInstanceCount")
    worst_case = scale_groups() * instances * per_instance()
    assert worst_case <= PGBOUNCER_MAX_CLIENT_CONN, f"{worst_case} client connections"
    assert PGBOUNCER_DEFAULT_POOL_SIZE < USER_CONNECTIONS[main_default("postgresSkuName")]


def test_even_without_pgbouncer_the_app_wide_instance_limit_fits_the_default_servers_user_connections():
    total = main_default("maximumInstanceCount") * per_instance()
    assert total < USER_CONNECTIONS[main_default("postgresSkuName")]


def test_burstable_b1ms_cannot_hold_even_one_connection_per_instance_which_is_why_it_is_not_the_default():
    assert main_default("maximumInstanceCount") * 1 > USER_CONNECTIONS["Standard_B1ms"]


def test_the_maximum_instance_count_is_the_lowest_flex_allows_and_cannot_be_set_below_it():
    param = b.parse(b.MAIN)["parameters"]["maximumInstanceCount"]
    bounds = ("min_value", "max_value")
    decorators = {d["type"]: d["argument"] for d in param["decorators"] if d["type"] in bounds}
    assert param["default"] == 40 and decorators == {"min_value": 40, "max_value": 1000}


def test_the_pool_settings_reach_the_app_and_settings_reads_them():
    api = b.app("api")
    settings = b.evaluate(api, b.app_settings(), {"crmPoolSize": 2, "crmMaxOverflow": 3})
    assert (settings["CRM_POOL_SIZE"], settings["CRM_MAX_OVERFLOW"]) == ("2", "3")
    assert "FUNCTIONS_WORKER_PROCESS_COUNT" not in settings
    main_call = b.parse(b.MAIN)["modules"]["api"]["config"]["params"]
    assert (main_call["crmPoolSize"], main_call["crmMaxOverflow"]) == ("crmPoolSize", "crmMaxOverflow")
    parsed = Settings(CRM_POOL_SIZE="2", CRM_MAX_OVERFLOW="3")
    assert (parsed.crm_pool_size, parsed.crm_max_overflow) == (2, 3)


BUDGET_LINE = re.compile(
    r"(?P<instances>\d+) instances × \((?P<pool>\d+) \+ (?P<overflow>\d+)\) connections"
    r" × (?P<groups>\d+) scale groups"
    r" = (?P<total>[\d,]+)"
)


def test_docs_deploy_md_states_the_same_sum_as_the_templates():
    match = BUDGET_LINE.search((PROJECT_ROOT / "docs" / "deploy.md").read_text())
    assert match, "docs/deploy.md states the connection budget"
    stated = {k: int(v.replace(",", "")) for k, v in match.groupdict().items()}
    assert stated["instances"] == main_default("maximumInstanceCount")
    pool = (main_default("crmPoolSize"), main_default("crmMaxOverflow"))
    assert (stated["pool"], stated["overflow"]) == pool
    assert stated["groups"] == scale_groups()
    assert stated["total"] == stated["instances"] * (stated["pool"] + stated["overflow"]) * stated["groups"]


@pytest.mark.parametrize("port, prepared", [(6432, False), (5432, True)])
def test_through_pgbouncer_psycopg_never_prepares_statements_and_the_pool_is_bounded(port, prepared):
    from adapters.store.engine import create_store_engine, postgres_options

    options = postgres_options(port, 2, 3)
    assert ("prepare_threshold" not in options.get("connect_args", {})) is prepared
    if not prepared:
        assert options["connect_args"]["prepare_threshold"] is None  # psycopg: never prepare
    url = f"postgresql+psycopg://app@db.example:{port}/loket"
    engine = create_store_engine(url, pool_size=2, max_overflow=3)
    try:
        assert (engine.pool.size(), engine.pool._max_overflow) == (2, 3)
    finally:
        engine.dispose()
