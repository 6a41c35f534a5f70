"""Least exposure: no basic-auth publishing at all, PostgreSQL administered by an Entra group, the
'allow Azure services' firewall rule a named, documented parameter (tests/infra/test_infra_security.py)."""
from __future__ import annotations

from tests.infra import bicep_model as b


def test_basic_auth_publishing_is_off_for_ftp_and_for_the_scm_site():
    policies = b.resources_of(b.app("api"), "Microsoft.Web/sites/basicPublishingCredentialsPolicies")
    assert {p["name"]: p["properties"]["allow"] for p in policies.values()} == {"ftp": False, "scm": False}


def test_the_postgres_entra_admin_is_the_group_azd_is_given_not_the_deployer():
    call = b.parse(b.MAIN)["modules"]["postgres"]["config"]["params"]
    assert (call["adminObjectId"], call["adminName"], call["adminType"]) == (
        "postgresAdminGroupId", "postgresAdminGroupName", "Group",
    )
    passed = b.parse(b.MAIN)["parameters"]
    assert passed["postgresAdminGroupId"].get("default") is None, "required: the preprovision hook fills it"
    (server,) = b.modules_by_path(b.app("postgres"), "avm/res/db-for-postgre-sql/flexible-server")
    (admin,) = server["administrators"]
    assert admin["principalType"] == "Group"


def test_the_deployer_keeps_data_roles_with_the_principal_type_the_hook_found():
    call = b.parse(b.MAIN)["modules"]["rbac"]["config"]["params"]
    assert (call["deployerPrincipalId"], call["deployerPrincipalType"]) == ("principalId", "principalType")
    decorators = b.parse(b.MAIN)["parameters"]["principalType"]["decorators"]
    assert "ServicePrincipal" in next(d["argument"] for d in decorators if d["type"] == "allowed")
