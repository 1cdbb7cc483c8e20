"""One decorator says who may open a page, and one selector finds the organisation an actor acts
for: anonymous visitors are sent to sign in, other actors get the same 403 before the view runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.test import RequestFactory

from gongjiang.core.actors import PUBLIC, Actor
from gongjiang.core.pages import page_for
from gongjiang.core.scope import ActorKind
from gongjiang.directory.models import Organisation
from gongjiang.directory.selectors import acting_organisation

ran: list[str] = []


@page_for(ActorKind.SCHOOL, ActorKind.ENTERPRISE, organisation=True)
def own_page(request: HttpRequest, code: str) -> HttpResponse:
    ran.append(code)
    return HttpResponse(code)


def _request(actor: Actor, user: Any) -> HttpRequest:
    request = RequestFactory().get("/own/")
    request.actor = actor  # type: ignore[attr-defined]
    request.user = user
    return request


def test_an_anonymous_visitor_is_sent_to_sign_in() -> None:
    ran.clear()
    response = own_page(_request(PUBLIC, AnonymousUser()), "x")
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next=/own/"
    assert ran == []


@pytest.mark.parametrize(
    ("kind", "code"),
    [(ActorKind.LEARNER, "ORG-1"), (ActorKind.BUREAU, "BUR-150000"), (ActorKind.SCHOOL, "")],
)
def test_another_kind_or_no_organisation_is_refused_before_the_view_runs(kind: ActorKind, code: str) -> None:
    ran.clear()
    signed_in = type("User", (), {"is_authenticated": True})()
    with pytest.raises(PermissionDenied):
        own_page(_request(Actor(kind=kind, username="u", organisation_code=code), signed_in), "x")
    assert ran == []


def test_the_right_kind_opens_the_page() -> None:
    ran.clear()
    signed_in = type("User", (), {"is_authenticated": True})()
    response = own_page(_request(Actor(kind=ActorKind.SCHOOL, username="u", organisation_code="S1"), signed_in), "y")
    assert response.content == b"y" and ran == ["y"]


def test_the_acting_organisation_is_the_actors_own_or_refused(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    school = actor_of("school")
    assert acting_organisation(school) == world["school"]
    assert acting_organisation(school, kinds=(ActorKind.SCHOOL,), roles=("admin", "staff")) == world["school"]
    assert acting_organisation(actor_of("enterprise"), kinds=(ActorKind.SCHOOL,), required=False) is None
    with pytest.raises(PermissionDenied):
        acting_organisation(actor_of("enterprise"), kinds=(ActorKind.SCHOOL,))
    with pytest.raises(PermissionDenied):
        acting_organisation(actor_of("student"))
    assert acting_organisation(actor_of("student"), required=False) is None
    assert acting_organisation(school, roles=("no such role",), required=False) is None
