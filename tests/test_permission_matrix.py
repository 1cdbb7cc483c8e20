"""Every page and every API endpoint, for every persona: exactly the expected answer.

The matrix is checked against the URL configuration and the OpenAPI document, so a new page or
endpoint fails this test until its row is written.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from gongjiang.config.api import api
from gongjiang.directory.models import Organisation
from tests.conftest import PERSONAS

ALL_200 = dict.fromkeys(PERSONAS, 200)
SIGNED_IN_200 = {**dict.fromkeys(PERSONAS, 200), "anonymous": 302}
API_SIGNED_IN_200 = {**dict.fromkeys(PERSONAS, 200), "anonymous": 401}
# Who may see school 1: its own staff, and the bureaus whose region contains it.
SCHOOL_DETAIL = {
    "anonymous": 302,
    "bureau": 200,
    "bureau_other": 404,
    "school": 200,
    "school2": 404,
    "enterprise": 404,
    "evaluator": 404,
    "student": 404,
}
AUDIT = {**dict.fromkeys(PERSONAS, 200), "anonymous": 302, "student": 403}

# concrete path → (route template, expected status per persona); all requests are GET.
PAGES: dict[str, tuple[str, dict[str, int]]] = {
    "/": ("/", ALL_200),
    "/healthz": ("/healthz", ALL_200),
    "/login/": ("/login/", {**dict.fromkeys(PERSONAS, 302), "anonymous": 200}),
    "/logout/": ("/logout/", dict.fromkeys(PERSONAS, 405)),
    "/i18n/setlang/": ("/i18n/setlang/", dict.fromkeys(PERSONAS, 302)),
    "/switch/": ("/switch/", dict.fromkeys(PERSONAS, 405)),
    "/orgs/": ("/orgs/", SIGNED_IN_200),
    "/orgs/{school}/": ("/orgs/{x}/", SCHOOL_DETAIL),
    "/refdata/": ("/refdata/", ALL_200),
    "/refdata/occupation/6-18-01-01/": ("/refdata/{x}/{x}/", ALL_200),
    "/audit/": ("/audit/", AUDIT),
}
API: dict[str, tuple[str, dict[str, int]]] = {
    "/api/v1/directory/me": ("/api/v1/directory/me", API_SIGNED_IN_200),
    "/api/v1/directory/organisations": ("/api/v1/directory/organisations", API_SIGNED_IN_200),
    "/api/v1/directory/organisations/{school}": (
        "/api/v1/directory/organisations/{code}",
        {**SCHOOL_DETAIL, "anonymous": 401},
    ),
    "/api/v1/refdata/schemes": ("/api/v1/refdata/schemes", ALL_200),
    "/api/v1/refdata/occupation/search?q=cg": ("/api/v1/refdata/{scheme}/search", ALL_200),
    "/api/v1/refdata/occupation/6-18-01-01": ("/api/v1/refdata/{scheme}/{code}", ALL_200),
    "/api/v1/core/audit": ("/api/v1/core/audit", {**AUDIT, "anonymous": 401}),
    "/api/v1/openapi.json": ("", ALL_200),
    "/api/v1/docs": ("", ALL_200),
}


def _portal_routes() -> set[str]:
    """Every non-API URL pattern, as a path template with `{x}` for each argument."""
    routes: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            text = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if not text.startswith("api/"):
                    walk(p.url_patterns, text)
            elif isinstance(p, URLPattern):
                routes.add("/" + re.sub(r"<[^>]+>", "{x}", text))

    walk(get_resolver().url_patterns, "")
    return routes


def test_matrix_covers_every_page() -> None:
    assert {template for template, _expected in PAGES.values()} == _portal_routes()


def test_matrix_covers_every_api_endpoint() -> None:
    schema = api.get_openapi_schema()
    documented = {path for path, operations in schema["paths"].items() for method in operations if method == "get"}
    writes = {(path, m) for path, operations in schema["paths"].items() for m in operations if m != "get"}
    assert not writes, "write endpoints need rows in the matrix with their method"
    assert documented == {template for template, _expected in API.values() if template}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", [*PAGES, *API])
def test_permission_matrix(client_for: Any, world: dict[str, Organisation], persona: str, path: str) -> None:
    expected = {**PAGES, **API}[path][1][persona]
    response = client_for(persona).get(path.replace("{school}", world["school"].code))
    assert response.status_code == expected, f"{persona} GET {path}: {response.status_code}"


def test_lists_hold_only_what_is_in_scope(client_for: Any, world: dict[str, Organisation]) -> None:
    school, school2 = world["school"], world["school2"]
    codes = {o["code"] for o in client_for("school2").get("/api/v1/directory/organisations").json()}
    assert codes == {school2.code}
    codes = {o["code"] for o in client_for("bureau_other").get("/api/v1/directory/organisations").json()}
    assert codes and all(o.startswith(("BUR-1504", "S1504", "E1504")) for o in codes)
    assert school.code not in codes
    page = client_for("school2").get("/orgs/").content.decode()
    assert school.name not in page
    audit = client_for("school2").get("/api/v1/core/audit?limit=500").json()
    assert audit and {e["organisation_code"] for e in audit} == {school2.code}
    audit_page = client_for("school2").get("/audit/").content.decode()
    assert school.code not in audit_page
