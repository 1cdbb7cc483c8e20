"""Input bounds everywhere (ADR 0023): the same refusal, in Chinese and as 4xx, on pages, the API,
services and bulk writes; never a 500, never a stored control character."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.bounds import check_bounds
from gongjiang.core.bulk import insert_many
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.directory.models import Organisation, Person, User
from gongjiang.registry import services
from gongjiang.registry.models import SchoolClass


def rid(serial: int) -> str:
    first17 = f"15020320080504{serial:03d}"
    return first17 + resident_id_check_digit(first17)


@pytest.fixture
def api(world: dict[str, Organisation]) -> Callable[[str], Client]:
    def make(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def school_class(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> SchoolClass:
    school = world["school"]
    application = services.major_apply(
        actor=actor_of("school"), school=school, major_code="0102", kind="add", class_levels=["senior"]
    )
    services.major_decide(actor=actor_of("bureau"), application=application, approve=True)
    return services.class_create(
        actor=actor_of("school"), school=school, major_code="0102", name="边界1班", class_level="senior",
        form="full_time", cohort_year=2025, planned_years=3,
    )  # fmt: skip


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("name", "reason"),
    [("张\x00三", "控制字符"), ("张\u0007三", "控制字符"), ("张\n三", "控制字符"), ("张" * 61, "不能超过 60 个字")],
)
def test_names_with_control_characters_or_too_long_are_refused_on_the_api(
    api: Callable[[str], Client], school_class: SchoolClass, name: str, reason: str
) -> None:
    answer = _post(
        api("school"),
        "/api/v1/registry/registrations",
        {"class_id": school_class.pk, "name": name, "id_number": rid(7), "enrolled_on": "2025-09-01"},
    )
    # NUL and the like are refused at the door (400); the rest by the field's bounds (422).
    assert answer.status_code in (400, 422) and answer["Content-Type"].startswith("application/json")
    assert reason in json.dumps(answer.json(), ensure_ascii=False)
    assert not Person.objects.filter(id_number=rid(7)).exists()


@pytest.mark.parametrize("enrolled_on", ["0001-01-01", "1899-12-31", "2019-09-01", "9999-12-31"])
def test_enrolment_dates_out_of_range_are_refused(
    api: Callable[[str], Client], school_class: SchoolClass, enrolled_on: str
) -> None:
    answer = _post(
        api("school"),
        "/api/v1/registry/registrations",
        {"class_id": school_class.pk, "name": "李边界", "id_number": rid(9), "enrolled_on": enrolled_on},
    )
    assert answer.status_code == 422, answer.content
    assert "入学日期" in json.dumps(answer.json(), ensure_ascii=False)


def test_a_forty_thousand_character_description_is_refused_before_any_work(api: Callable[[str], Client]) -> None:
    deadline = (clock.today() + dt.timedelta(days=30)).isoformat()
    answer = _post(
        api("enterprise"),
        "/api/v1/market/postings",
        {
            "kind": "job",
            "title": "数控车工",
            "description": "车" * 40_000,
            "region_code": "150203",
            "deadline": deadline,
        },
    )
    assert answer.status_code == 422
    assert "不能超过 10000 个字" in json.dumps(answer.json(), ensure_ascii=False)


@pytest.mark.parametrize(
    "query", ["size=100000000000000000000", "page=99999999999999999999", "size=-5", "page=abc", "page=0"]
)
def test_huge_or_wrong_numbers_in_a_query_are_a_4xx_in_json(api: Callable[[str], Client], query: str) -> None:
    answer = api("school").get(f"/api/v1/registry/classes?{query}")
    assert answer.status_code == 422, answer.status_code
    assert answer["Content-Type"].startswith("application/json")


def test_api_errors_are_json_never_html(api: Callable[[str], Client]) -> None:
    missing = api("school").get("/api/v1/registry/no-such-thing")
    assert missing.status_code == 404 and missing.json()["detail"] == "未找到。"
    anonymous = Client(enforce_csrf_checks=True)
    refused = anonymous.post("/api/v1/registry/classes", "{}", content_type="application/json")
    assert refused.status_code in (401, 403) and refused["Content-Type"].startswith("application/json")
    signed = Client(enforce_csrf_checks=True)
    signed.force_login(User.objects.get(username="school"))
    no_token = signed.post("/api/v1/registry/classes", "{}", content_type="application/json")
    assert no_token.status_code == 403 and "CSRF" in no_token.json()["detail"]
    # Pages keep the site's own pages.
    assert "<html" in Client().get("/no-such-page/").content.decode()


def test_every_save_and_bulk_write_is_bounded(actor_of: Callable[[str], Actor]) -> None:
    person = Person(name="王\x00五", id_number=rid(11), birth_date=dt.date(2008, 5, 4))
    with pytest.raises(ValidationError, match="控制字符"):
        person.save()
    with pytest.raises(ValidationError, match="控制字符"):
        insert_many([person])
    late = Person(name="王五", id_number=rid(11), birth_date=dt.date(1, 1, 1))
    with pytest.raises(ValidationError, match="不在合理范围内"):
        check_bounds(late)
    assert not Person.objects.filter(id_number=rid(11)).exists()


def test_a_page_form_shows_the_bound_on_its_field(client_for: Any, world: dict[str, Organisation]) -> None:
    answer = client_for("school").post(
        "/registry/skills/",
        {"form": "award", "name": "赵\x01六", "id_number": rid(13), "competition": "全区技能大赛",
         "level": "provincial", "rank": "一等奖", "awarded_on": "2026-05-20"},
    )  # fmt: skip
    assert answer.status_code == 400 and "“name”含有不可见的控制字符" in answer.content.decode()
    assert "<html" in answer.content.decode()  # the site's own page


def test_an_import_with_a_control_character_is_refused_naming_its_row_and_column(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    import io

    from gongjiang.registry.services.imports import registrations_import

    lines = [
        "姓名,身份证号,专业代码,班级,班级层次,学习形式,入学日期",
        f"王\x07五,{rid(21)},0102,边界班,高级工班,全日制,2025-09-01",
    ]
    report = registrations_import(
        actor=actor_of("school"), school=world["school"], source=io.BytesIO("\n".join(lines).encode()),
        filename="学籍.csv",
    )  # fmt: skip
    assert [e.message for e in report.errors] == ["第2行“姓名”列含有不可见的控制字符，请删除后重新导入。"]
    assert not Person.objects.filter(id_number=rid(21)).exists()
