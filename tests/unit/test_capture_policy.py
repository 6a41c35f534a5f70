"""The sample policy loads and answers the lookups the normalisers rely on."""
import pytest

from errors import ConfigurationError
from schemas.capture_policy import StoredText, load_policy
from settings import SAMPLE_POLICY


@pytest.fixture(scope="module", name="policy")
def policy_():
    return load_policy(SAMPLE_POLICY)


def test_mailboxes_resolve_by_address_in_any_case_and_by_object_id(policy):
    assert policy.mailbox("Burgerzaken@Stad.Example").department == "Burgerzaken"
    box = policy.mailbox("socialedienst@stad.example")
    assert policy.mailbox(box.user_id).address == "socialedienst@stad.example"
    assert policy.mailbox("someone@stad.example") is None


def test_call_queues_and_auto_attendant_map_to_departments(policy):
    assert policy.call_queue("0b6a1f7e-2222-4c3b-8d1e-aa00bb11cc22").department == "Omgeving"
    assert policy.call_queue("1D3F5A7C-1111-4B2D-8E6F-0A1B2C3D4E01").kind == "auto_attendant"


def test_the_citys_own_numbers_are_recognised_including_the_range(policy):
    assert policy.is_city_number("+3211430000")
    assert policy.is_city_number("+3211430150")
    assert not policy.is_city_number("+3211430200")
    assert not policy.is_city_number("+32475123456")


def test_internal_domains_and_trays(policy):
    assert policy.is_internal_email("jan@stad.example")
    assert policy.is_internal_email("x@mail.stad.example")
    assert not policy.is_internal_email("jan@gmail.com")
    assert policy.tray_department("Financien") == "Financiën"


def test_the_strictest_text_rule_of_a_contacts_departments_wins(policy):
    assert policy.stored_text_for(["Onthaal"]) == StoredText.PREVIEW
    assert policy.stored_text_for(["Onthaal", "Sociale dienst"]) == StoredText.SUBJECT


def test_a_broken_policy_names_the_setting_and_not_the_content(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tenant: {id: x}\nmailboxes: [{address: secret@x.be}]\n")
    with pytest.raises(ConfigurationError) as info:
        load_policy(bad)
    assert "CAPTURE_POLICY_PATH" in str(info.value)
    assert "secret@x.be" not in str(info.value)
