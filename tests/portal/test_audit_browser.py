from __future__ import annotations

from typing import Any

from gongjiang.core import clock
from gongjiang.directory.models import Organisation


def test_bureau_filters_the_trail_by_action_user_organisation_and_date(
    client_for: Any, world: dict[str, Organisation]
) -> None:
    bureau = client_for("bureau")
    school = world["school"]
    page = bureau.get("/audit/", {"action": "organisation.create", "organisation": school.code}).content.decode()
    assert "organisation.create" in page and school.name in page
    assert "membership.grant" not in page
    today = clock.today().isoformat()
    api = bureau.get(
        "/api/v1/core/audit", {"username": "cli:tests", "since": today, "until": today, "size": 500}
    ).json()["items"]
    assert api and all(e["actor_username"] == "cli:tests" for e in api)
    assert bureau.get("/api/v1/core/audit", {"until": "2000-01-01"}).json()["items"] == []
    # An unreadable date in the page's filter is ignored, not an error.
    assert bureau.get("/audit/", {"since": "yesterday"}).status_code == 200


def test_entries_show_before_and_after(client_for: Any, world: dict[str, Organisation]) -> None:
    entries = (
        client_for("bureau").get("/api/v1/core/audit", {"action": "organisation.create", "size": 1}).json()["items"]
    )
    assert entries[0]["before"] is None
    assert entries[0]["after"]["code"]


def test_personal_values_in_the_trail_are_masked_and_a_full_read_is_itself_audited(
    client_for: Any, world: dict[str, Organisation]
) -> None:
    from gongjiang.core.models import AuditEntry
    from gongjiang.directory.models import User
    from gongjiang.directory.selectors import actor_for_user
    from gongjiang.registry import services

    school_actor = actor_for_user(User.objects.get(username="school"))
    from gongjiang.core.validators import resident_id_check_digit

    number = "15020320080504001" + resident_id_check_digit("15020320080504001")
    person = services.person_find_or_register(actor=school_actor, name="周小雨", id_number=number, phone="13912345678")
    entry = AuditEntry.objects.get(action="person.create", entity_id=str(person.pk))
    assert entry.after is not None and entry.after["id_number"] == number  # kept whole in the trail
    # The school's admin and the bureau see it masked, on the page and in the API.
    for persona in ("school", "bureau"):
        page = client_for(persona).get("/audit/", {"action": "person.create"}).content.decode()
        assert "周小雨" in page and number not in page and "13912345678" not in page
        assert f"150203********{number[-4:]}" in page and "139****5678" in page
        api = client_for(persona).get("/api/v1/core/audit", {"action": "person.create", "size": 500}).json()["items"]
        shown = next(e for e in api if e["entity_id"] == str(person.pk))
        assert (shown["after"]["id_number"], shown["after"]["phone"]) == (f"150203********{number[-4:]}", "139****5678")
    # Only a bureau administrator opens the entry whole, and that read is recorded.
    assert "查看完整值" not in client_for("school").get("/audit/").content.decode()
    assert client_for("school").post(f"/audit/{entry.pk}/reveal/").status_code == 403
    assert not AuditEntry.objects.filter(action="audit.reveal").exists()
    whole = client_for("bureau").post(f"/audit/{entry.pk}/reveal/")
    assert whole.status_code == 200 and number in whole.content.decode()
    assert AuditEntry.objects.filter(action="audit.reveal", entity_id=str(entry.pk), actor_username="bureau").exists()
    # A bureau that does not oversee the school cannot open it at all.
    assert client_for("bureau_other").post(f"/audit/{entry.pk}/reveal/").status_code in (403, 404)
