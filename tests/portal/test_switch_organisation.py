from __future__ import annotations

from typing import Any

from gongjiang.core.actors import system_actor
from gongjiang.directory import services
from gongjiang.directory.models import Organisation, Role, User


def test_a_member_of_two_organisations_switches_between_them(client_for: Any, world: dict[str, Organisation]) -> None:
    user = User.objects.get(username="school")
    services.membership_grant(actor=system_actor(), user=user, organisation=world["evaluator"], role=Role.STAFF)
    client = client_for("school")
    assert world["evaluator"].name in client.get("/").content.decode()  # offered in the switch
    response = client.post("/switch/", {"organisation": world["evaluator"].code})
    assert response.status_code == 302
    me = client.get("/api/v1/directory/me").json()
    assert me["organisation_code"] == world["evaluator"].code and me["kind"] == "evaluator"
    # The school's pages are now out of scope until the user switches back.
    assert client.get(f"/orgs/{world['school'].code}/").status_code == 404
    client.post("/switch/", {"organisation": world["school"].code})
    assert client.get(f"/orgs/{world['school'].code}/").status_code == 200


def test_nobody_can_switch_to_an_organisation_they_do_not_belong_to(
    client_for: Any, world: dict[str, Organisation]
) -> None:
    client = client_for("school2")
    assert client.post("/switch/", {"organisation": world["school"].code}).status_code == 404
    assert client.get("/api/v1/directory/me").json()["organisation_code"] == world["school2"].code
    assert client_for("anonymous").post("/switch/", {"organisation": world["school"].code}).status_code == 302
