"""API lists come a page at a time and are never cut: following `next_page` reaches every row,
and `count` says how many there are (or that there are more than it counts)."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.core import api
from gongjiang.directory.models import Organisation
from gongjiang.directory.selectors import organisation_list


def _all_pages(client: Any, path: str, size: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every item of a list read `size` at a time, and the page envelopes on the way."""
    items: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    number: int | None = 1
    while number is not None:
        answer = client.get(path, {"page": number, "size": size})
        assert answer.status_code == 200, answer.content
        page = answer.json()
        pages.append(page)
        items.extend(page["items"])
        number = page["next_page"]
    return items, pages


def test_a_list_longer_than_a_page_is_reached_in_full_through_its_pages(
    client_for: Any, actor_of: Any, world: dict[str, Organisation]
) -> None:
    expected = set(organisation_list(actor=actor_of("bureau")).values_list("code", flat=True))
    total = len(expected)
    assert total > 3  # more than one page of two
    items, pages = _all_pages(client_for("bureau"), "/api/v1/directory/organisations", size=2)
    codes = [o["code"] for o in items]
    assert len(codes) == len(set(codes)) == total and set(codes) == expected  # no row twice, none missing
    assert len(pages) == -(-total // 2)
    assert all(p["count"] == total and not p["count_capped"] for p in pages)
    assert pages[-1]["next_page"] is None and all(p["next_page"] == p["page"] + 1 for p in pages[:-1])


def test_a_count_beyond_the_cap_says_so_and_the_pages_go_on(
    client_for: Any, actor_of: Any, world: dict[str, Organisation], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "COUNT_CAP", 3)
    total = organisation_list(actor=actor_of("bureau")).count()
    items, pages = _all_pages(client_for("bureau"), "/api/v1/directory/organisations", size=2)
    assert len(items) == total > 3  # rows past the counted cap are still reached
    assert all(p["count"] == 3 and p["count_capped"] for p in pages)


def test_pages_of_a_list_that_is_not_a_queryset() -> None:
    first = api.page_of(list(range(7)), str, api.PageIn(page=1, size=3))
    last = api.page_of(list(range(7)), str, api.PageIn(page=3, size=3))
    beyond = api.page_of(list(range(7)), str, api.PageIn(page=4, size=3))
    assert (first.items, first.count, first.next_page) == (["0", "1", "2"], 7, 2)
    assert (last.items, last.next_page) == (["6"], None)
    assert (beyond.items, beyond.next_page) == ([], None)


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("school", "/api/v1/registry/classes"),
        ("school", "/api/v1/registry/registrations"),
        ("school", "/api/v1/registry/teachers"),
        ("bureau", "/api/v1/registry/queue"),
        ("bureau", "/api/v1/registry/internships/flags"),
        ("bureau", "/api/v1/market/moderation"),
        ("enterprise", "/api/v1/market/postings/mine"),
        ("student", "/api/v1/market/inbox"),
        ("bureau", "/api/v1/core/audit"),
    ],
)
def test_every_list_answers_in_pages(client_for: Any, world: dict[str, Organisation], persona: str, path: str) -> None:
    page = client_for(persona).get(path, {"size": 1}).json()
    assert set(page) == {"items", "page", "size", "count", "count_capped", "next_page"}
    assert len(page["items"]) <= 1 and page["page"] == 1
    assert (page["next_page"] is not None) == (page["count"] > 1)
