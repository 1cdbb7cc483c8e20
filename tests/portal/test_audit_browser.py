from __future__ import annotations

import datetime as dt
from typing import Any

from gongjiang.directory.models import Organisation


def test_bureau_filters_the_trail_by_action_user_organisation_and_date(
    client_for: Any, world: dict[str, Organisation]
) -> None:
    bureau = client_for("bureau")
    school = world["school"]
    page = bureau.get("/audit/", {"action": "organisation.create", "organisation": school.code}).content.decode()
    assert "organisation.create" in page and school.name in page
    assert "membership.grant" not in page
    today = dt.date.today().isoformat()
    api = bureau.get(
        "/api/v1/core/audit", {"username": "cli:tests", "since": today, "until": today, "limit": 500}
    ).json()
    assert api and all(e["actor_username"] == "cli:tests" for e in api)
    assert bureau.get("/api/v1/core/audit", {"until": "2000-01-01"}).json() == []
    # An unreadable date in the page's filter is ignored, not an error.
    assert bureau.get("/audit/", {"since": "yesterday"}).status_code == 200


def test_entries_show_before_and_after(client_for: Any, world: dict[str, Organisation]) -> None:
    entries = client_for("bureau").get("/api/v1/core/audit", {"action": "organisation.create", "limit": 1}).json()
    assert entries[0]["before"] is None
    assert entries[0]["after"]["code"]
