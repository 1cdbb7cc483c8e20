"""No identity oracle (ADR 0023): every write that names a person by 身份证号 answers the same, in
status and words, whether the number is new or held by someone the caller may not read, with the
registered name or another.

Each probe runs in a savepoint that is rolled back, so no probe sees what another wrote.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from gongjiang.core.actors import Actor
from gongjiang.core.masking import mask_id_number
from gongjiang.core.models import AuditEntry
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.directory.models import Organisation, Person, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.registry import services
from gongjiang.registry.models import MajorOffering, SchoolClass
from gongjiang.registry.services.imports import registrations_import
from gongjiang.registry.services.record_imports import KINDS, records_import
from tests.conftest import PERSONA_USERS
from tests.test_permission_matrix import API, _body, register  # noqa: F401  (register is a fixture)

REGISTERED_NAME = "钱多多"
TYPED_NAME = "甲某某"

_numbers: Iterator[int] = iter(range(500, 999))


def new_number() -> str:
    first17 = f"15020320070303{next(_numbers):03d}"
    return first17 + resident_id_check_digit(first17)


@pytest.fixture
def foreign(world: dict[str, Organisation], actor_of: Callable[[str], Actor]) -> Person:
    """A learner enrolled full-time at school 2: no business of school 1, the enterprise or the evaluator."""
    school2 = world["school2"]
    clerk = actor_of("school2")
    application = services.major_apply(
        actor=clerk, school=school2, major_code="0401", kind="add", class_levels=["intermediate"]
    )
    services.major_decide(actor=actor_of("bureau"), application=application, approve=True)
    school_class = services.class_create(
        actor=clerk, school=school2, major_code="0401", name="汽修甲班", class_level="intermediate",
        form="full_time", cohort_year=2025, planned_years=3,
    )  # fmt: skip
    import datetime as dt

    person = services.person_find_or_register(actor=clerk, name=REGISTERED_NAME, id_number=new_number())
    registration = services.registration_create(
        actor=clerk, school_class=school_class, person=person, enrolled_on=dt.date(2025, 9, 1)
    )
    services.registration_decide(actor=actor_of("bureau"), event=registration.events.get(), approve=True)
    return person


def _normalise(text: str, name: str, number: str) -> str:
    """An answer with what the caller itself sent, and the new rows' ids, blanked out."""
    for value in (number, mask_id_number(number), name):
        text = text.replace(value, "<sent>")
    # A new CSRF token and CSP nonce each response.
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|nonce="[^"]*"|"inlineScriptNonce": "[^"]*"', "", text)
    return re.sub(r'"(id|registration_id|teacher_id|programme_id)": \d+', r'"\1": 0', text)


def _answer(response: Any, name: str, number: str) -> tuple[int, str]:
    body = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.dumps(json.loads(body), ensure_ascii=False, sort_keys=True)
    elif response.status_code == 200:
        # A page: only what it says about the form (its errors); the rest is the site's chrome.
        body = " ".join(re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', body, re.S))
    return response.status_code, _normalise(body, name, number)


def _probe(send: Callable[[str, str], tuple[int, str]], name: str, number: str) -> tuple[int, str]:
    with transaction.atomic():
        answer = send(name, number)
        transaction.set_rollback(True)
    return answer


def _three_answers(send: Callable[[str, str], tuple[int, str]], foreign: Person) -> list[tuple[int, str]]:
    """The answers for a new number, the foreign number with another name, and with its own name."""
    return [
        _probe(send, TYPED_NAME, new_number()),
        _probe(send, TYPED_NAME, foreign.id_number),
        _probe(send, REGISTERED_NAME, foreign.id_number),
    ]


WRITES_NAMING_PEOPLE = [
    key for key, (method, _t, _e, body) in API.items() if isinstance(body, dict) and "id_number" in body
]


def test_the_probe_covers_every_api_write_that_names_a_person() -> None:
    assert len(WRITES_NAMING_PEOPLE) >= 6, WRITES_NAMING_PEOPLE


# Everyone but those who may read the learner: school 2 (theirs) and the province's bureau.
@pytest.mark.parametrize("persona", [p for p in PERSONA_USERS if p not in ("bureau", "school2")])
@pytest.mark.parametrize("key", WRITES_NAMING_PEOPLE)
def test_api_writes_answer_alike_for_new_and_foreign_numbers(
    persona: str,
    key: str,
    register: dict[str, str],  # noqa: F811  (the fixture imported above)
    foreign: Person,
) -> None:
    user = User.objects.get(username=PERSONA_USERS[persona])
    assert foreign.pk not in services.persons_readable(actor_for_user(user), [foreign.pk])
    client = Client()
    client.force_login(user)
    path = key.removeprefix("POST ")
    for placeholder, value in register.items():
        path = path.replace("{" + placeholder + "}", value)
    template = API[key][3]

    def send(name: str, number: str) -> tuple[int, str]:
        body = {**_body(template, register), "name": name, "id_number": number}
        return _answer(client.post(path, body, content_type="application/json"), name, number)

    new, foreign_other_name, foreign_own_name = _three_answers(send, foreign)
    assert new == foreign_other_name == foreign_own_name, (persona, key)
    assert REGISTERED_NAME not in foreign_other_name[1]


@pytest.mark.parametrize("form", ["award", "assessment"])
@pytest.mark.parametrize("persona", ["school", "evaluator", "enterprise", "student"])
def test_record_pages_answer_alike(persona: str, form: str, foreign: Person) -> None:
    client = Client()
    client.force_login(User.objects.get(username=PERSONA_USERS[persona]))
    fields = (
        {"competition": "全区技能大赛", "level": "provincial", "rank": "一等奖", "awarded_on": "2026-05-20"}
        if form == "award"
        else {"occupation_code": "6-18-01-01", "skill_level": "3", "assessed_on": "2026-06-01", "result": "passed"}
    )

    def send(name: str, number: str) -> tuple[int, str]:
        data = {"form": form, "name": name, "id_number": number, **fields}
        return _answer(client.post("/registry/skills/", data), name, number)

    new, foreign_other_name, foreign_own_name = _three_answers(send, foreign)
    assert new == foreign_other_name == foreign_own_name


def _offers_0102(school: Organisation, clerk: Actor, bureau: Actor) -> None:
    """School 1 offers major 0102: filed here, unless the permission matrix's register (a
    module-wide fixture, used by the API probe above) has filed it already."""
    if MajorOffering.objects.filter(school=school, major_code="0102").exists():
        return
    application = services.major_apply(
        actor=clerk, school=school, major_code="0102", kind="add", class_levels=["senior"]
    )
    services.major_decide(actor=bureau, application=application, approve=True)


def _csv(rows: list[list[str]], header: list[str]) -> io.BytesIO:
    lines = [",".join(header), *(",".join(row) for row in rows)]
    return io.BytesIO("\n".join(lines).encode())


@pytest.mark.parametrize("dry_run", [True, False])
def test_registration_imports_answer_alike_and_are_audited(
    dry_run: bool, world: dict[str, Organisation], actor_of: Callable[[str], Actor], foreign: Person
) -> None:
    school = world["school"]
    clerk = actor_of("school")
    _offers_0102(school, clerk, actor_of("bureau"))
    header = ["姓名", "身份证号", "专业代码", "班级", "班级层次", "学习形式", "入学日期"]

    def send(name: str, number: str) -> tuple[int, str]:
        rows = [[name, number, "0102", "探针班", "高级工班", "全日制", "2025-09-01"]]
        report = registrations_import(
            actor=clerk, school=school, source=_csv(rows, header), filename="探针.csv", dry_run=dry_run
        )
        entries = AuditEntry.objects.filter(scope_organisation_id=school.pk, action__startswith="import.")
        assert entries.exists(), "every import, dry runs included, leaves an audit entry"
        return 200, _normalise(json.dumps(report.as_dict(), ensure_ascii=False, sort_keys=True), name, number)

    new, foreign_other_name, foreign_own_name = _three_answers(send, foreign)
    assert new == foreign_other_name == foreign_own_name
    assert '"created": 1' in new[1] and '"errors": []' in new[1]


def test_record_imports_answer_alike(
    world: dict[str, Organisation], actor_of: Callable[[str], Actor], foreign: Person
) -> None:
    school = world["school"]
    clerk = actor_of("school")
    kind = KINDS["teachers"]
    header = [names[0] for names in kind.headers.values()]

    def send(name: str, number: str) -> tuple[int, str]:
        values = {"name": name, "id_number": number, "category": "专业课教师", "hired_on": "2020-09-01"}
        row = [str(values.get(field, "")) for field in kind.headers]
        report = records_import(actor=clerk, kind=kind, school=school, source=_csv([row], header), filename="教师.csv")
        return 200, _normalise(json.dumps(report.as_dict(), ensure_ascii=False, sort_keys=True), name, number)

    new, foreign_other_name, foreign_own_name = _three_answers(send, foreign)
    assert new == foreign_other_name == foreign_own_name
    assert '"created": 1' in new[1], new


def test_a_claim_is_confirmed_when_the_bureau_approves_and_returned_when_the_name_differs(
    world: dict[str, Organisation], actor_of: Callable[[str], Actor], foreign: Person
) -> None:
    import datetime as dt

    from django.core.exceptions import ValidationError

    school = world["school"]
    clerk = actor_of("school")
    _offers_0102(school, clerk, actor_of("bureau"))
    school_class: SchoolClass = services.class_create(
        actor=clerk, school=school, major_code="0102", name="探针2班", class_level="senior", form="part_time",
        cohort_year=2025, planned_years=1,
    )  # fmt: skip
    # The other name: filed under a claim holding what the school typed; the bureau cannot approve it.
    mistyped = services.person_find_or_register(
        actor=clerk, name=TYPED_NAME, id_number=foreign.id_number, until_approved=True
    )
    assert (mistyped.pk != foreign.pk, mistyped.name, mistyped.claims_id) == (True, TYPED_NAME, foreign.pk)
    wrong = services.registration_create(
        actor=clerk, school_class=school_class, person=mistyped, enrolled_on=dt.date(2025, 9, 1)
    )
    with pytest.raises(ValidationError, match="姓名不一致"):
        services.registration_decide(actor=actor_of("bureau"), event=wrong.events.get(), approve=True)
    services.registration_decide(actor=actor_of("bureau"), event=wrong.events.get(), approve=False, note="请核对证件")
    # The registered name: approved, the registration moves to the registered person.
    claim = services.person_find_or_register(
        actor=clerk, name=REGISTERED_NAME, id_number=foreign.id_number, until_approved=True
    )
    assert claim.pk != foreign.pk
    right = services.registration_create(
        actor=clerk, school_class=school_class, person=claim, enrolled_on=dt.date(2025, 9, 1)
    )
    services.registration_decide(actor=actor_of("bureau"), event=right.events.get(), approve=True)
    right.refresh_from_db()
    assert (right.person_id, right.status) == (foreign.pk, "enrolled")
    # The school's own audit trail does not say the number was registered elsewhere.
    seen = AuditEntry.objects.filter(scope_organisation_id=school.pk)
    assert not seen.filter(action="person.claim_confirm").exists()
    assert all("claims" not in (entry.after or {}) for entry in seen.filter(action="person.create"))


def test_imports_are_limited_per_organisation_and_hour(
    settings: Any, world: dict[str, Organisation], actor_of: Callable[[str], Actor]
) -> None:
    settings.IMPORTS_PER_HOUR = 2
    school = world["school"]
    header = ["姓名", "身份证号", "专业代码", "班级", "班级层次", "学习形式", "入学日期"]
    answers = [
        registrations_import(
            actor=actor_of("school"), school=school, source=_csv([], header), filename="空.csv", dry_run=True
        )
        for _ in range(3)
    ]
    assert [bool(a.errors) for a in answers] == [False, False, True]
    assert "已达上限" in answers[2].errors[0].message
    assert AuditEntry.objects.filter(scope_organisation_id=school.pk, action="import.refused").count() == 1
    # Another school is not slowed down by this one.
    other = registrations_import(
        actor=actor_of("school2"), school=world["school2"], source=_csv([], header), filename="空.csv", dry_run=True
    )
    assert not other.errors


def test_the_bureau_confirms_a_claim_with_another_name_after_checking_the_documents(
    client_for: Any, world: dict[str, Organisation], actor_of: Callable[[str], Actor], foreign: Person
) -> None:
    from gongjiang.registry.models import CompetitionAward

    services.award_record(
        actor=actor_of("school"), recorded_by=world["school"],
        person=services.person_find_or_register(actor=actor_of("school"), name=TYPED_NAME, id_number=foreign.id_number),
        competition="全区技能大赛", level="provincial", rank="一等奖", awarded_on=dt.date(2026, 5, 20),
    )  # fmt: skip
    award = CompetitionAward.objects.get(competition="全区技能大赛", rank="一等奖", recorded_by=world["school"])
    assert award.person_id != foreign.pk and award.person.name == TYPED_NAME
    page = client_for("bureau").get("/registry/identities/").content.decode()
    assert TYPED_NAME in page and REGISTERED_NAME in page and world["school"].name in page
    # A city bureau elsewhere does not see a claim typed outside its region.
    assert TYPED_NAME not in client_for("bureau_other").get("/registry/identities/").content.decode()
    assert client_for("bureau").post("/registry/identities/", {"claim": award.person_id}).status_code == 302
    award.refresh_from_db()
    assert award.person_id == foreign.pk
    assert TYPED_NAME not in client_for("bureau").get("/registry/identities/").content.decode()


def test_corrections_of_a_returned_claim_answer_alike(
    world: dict[str, Organisation], actor_of: Callable[[str], Actor], foreign: Person
) -> None:
    """ADR 0032: a writer correcting a returned claim is told the same whether its new name matches
    the register, misses it, or its new number is unregistered; what it can read afterwards (its
    list, its audit trail) is the same too."""
    from gongjiang.registry.models import ClaimReturn

    clerk = actor_of("school")
    award = services.award_record(
        actor=clerk, recorded_by=world["school"],
        person=services.person_find_or_register(actor=clerk, name=TYPED_NAME, id_number=foreign.id_number),
        competition="全区技能大赛", level="provincial", rank="一等奖", awarded_on=dt.date(2026, 5, 20),
    )  # fmt: skip
    returned = services.claim_return(actor=actor_of("bureau"), claim=award.person, reason="姓名与证件不符")
    client = Client()
    client.force_login(User.objects.get(username="school"))

    def send(name: str, number: str) -> tuple[int, str]:
        fields = {"claim_return": returned.pk, "version": returned.version, "name": name, "id_number": number}
        response = client.post("/registry/identities/returned/", fields, follow=True)
        said = [str(m) for m in response.context["messages"]]
        trail = client.get("/api/v1/core/audit?size=5").json()["items"]
        actions = [entry["action"] for entry in trail]
        listed = client.get("/api/v1/registry/identities/returned").json()["count"]
        assert not ClaimReturn.objects.filter(pk=returned.pk, corrected_at__isnull=True).exists()
        return response.status_code, _normalise(json.dumps([said, actions, listed], ensure_ascii=False), name, number)

    new, foreign_other_name, foreign_own_name = [
        _probe(send, "丙某某", new_number()),
        _probe(send, "丙某某", foreign.id_number),
        _probe(send, REGISTERED_NAME, foreign.id_number),
    ]
    assert new == foreign_other_name == foreign_own_name
    assert "已重新提交" in new[1] and REGISTERED_NAME not in foreign_other_name[1]

    def then_write(name: str, number: str) -> tuple[int, str]:
        """A correction, then another record naming the registered number with a third name: were
        a matching correction confirmed at once, the writer would read the registered person and be
        told the name differs, and so learn that its guess had matched."""
        send(name, number)
        try:
            services.person_find_or_register(actor=clerk, name="戊某某", id_number=foreign.id_number)
        except ValidationError as exc:
            return 422, str(exc.messages)
        return 200, ""

    assert _probe(then_write, "丙某某", foreign.id_number) == _probe(then_write, REGISTERED_NAME, foreign.id_number)
