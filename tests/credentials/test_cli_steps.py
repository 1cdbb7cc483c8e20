"""The credentials steps of issue 17 from the command line, run in-process on the test database:
filings, the 一体化 switch, 双证书, certificates for passed assessments and under the 一体化 rule.
Each refusal exits with 1, names what is wrong in Chinese and leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from gongjiang.cli import main
from gongjiang.core.actors import Actor
from gongjiang.credentials.models import (
    Certificate,
    DualCertificate,
    Filing,
    FilingEvent,
    FilingStatus,
    IntegratedEquivalence,
)
from gongjiang.credentials.services import certificates as issue
from gongjiang.credentials.services import filing as filings
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services as registry
from gongjiang.registry.models import Registration, SkillAssessment
from tests.credentials.conftest import LATHE

pytestmark = pytest.mark.django_db


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def refused(result: Result, *words: str, usage: bool = False) -> None:
    """Refused by a service: exit code 1; a malformed or unknown argument is a usage error: 2."""
    assert result.exit_code == (2 if usage else 1), result.output
    for word in words:
        assert word in result.output, result.output


def _assessment(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], person: Person, level: int
) -> SkillAssessment:
    return registry.assessment_record(
        actor=actor_of("u-v150000001"), evaluator=world["evaluator"], person=person, occupation_code=LATHE,
        skill_level=level, assessed_on=dt.date(2026, 5, 20), result="passed", certificate_no=f"S{person.pk:012d}{level}",
    )  # fmt: skip


def test_filings_are_made_listed_suspended_reinstated_and_ended(world: dict[str, Organisation]) -> None:
    code = world["evaluator"].code
    base = ["credentials", "filings", "create", code, "--kind", "evaluation_organisation", "--from", "2026-01-01"]
    refused(cli(*base, "--until", "2028-12-31", "--occupation", "6-18-01-07"), "职业代码:最高等级", usage=True)
    refused(cli(*base, "--until", "2028-12-31", "--occupation", "9-99-99-99:3"), "不是职业分类大典中的职业")
    refused(cli(*base, "--until", "2025-12-31", "--occupation", f"{LATHE}:3"), "有效期止应晚于有效期起")
    refused(
        cli(*base[:3], "NO-SUCH-ORG", *base[4:], "--until", "2028-12-31", "--occupation", f"{LATHE}:3"),
        "NO-SUCH-ORG",
        usage=True,
    )
    assert not Filing.objects.exists()

    made = cli(*base, "--until", "2028-12-31", "--occupation", f"{LATHE}:3", "--json")
    assert made.exit_code == 0, made.output
    filing = json.loads(made.output)
    assert (filing["organisation"], filing["status"], filing["occupations"]) == (code, "active", {LATHE: 3})
    assert filing["filed_by"] == world["bureau"].code  # the bureau over the body's region
    number = filing["number"]
    listed = json.loads(cli("credentials", "filings", "list", "--organisation", code, "--json").output)
    assert [f["number"] for f in listed] == [number]

    refused(cli("credentials", "filings", "suspend", number, "--reason", "  "), "请填写原因")
    refused(cli("credentials", "filings", "reinstate", number, "--reason", "年检合格"), "不能这样变更")
    assert Filing.objects.get(number=number).status == FilingStatus.ACTIVE
    assert FilingEvent.objects.filter(filing__number=number).count() == 1
    for step, status in (("suspend", "suspended"), ("reinstate", "active"), ("end", "ended")):
        done = cli("credentials", "filings", step, number.lower(), "--reason", "年检", "--json")
        assert done.exit_code == 0, done.output
        assert json.loads(done.output)["status"] == status
    refused(cli("credentials", "filings", "reinstate", number, "--reason", "复查"), "不能这样变更")
    assert Filing.objects.get(number=number).status == FilingStatus.ENDED
    refused(cli("credentials", "filings", "end", "F26NOSUCHFILING", "--reason", "复查"), "没有找到")


def test_the_bureau_switches_the_integrated_rule_and_a_switch_that_changes_nothing_is_refused(
    world: dict[str, Organisation],
) -> None:
    bureau = world["bureau"].code
    switch = ["credentials", "equivalence", "switch"]
    refused(cli(*switch, "on", "--bureau", world["school"].code, "--reason", "依002号文"), "--bureau", usage=True)
    refused(cli(*switch, "on", "--bureau", bureau, "--reason", " "), "请填写原因")
    refused(cli(*switch, "off", "--bureau", bureau, "--reason", "x", "--from", "2099-01-01"), "一年之内")
    assert not IntegratedEquivalence.objects.exists()

    made = cli(*switch, "on", "--bureau", bureau, "--reason", "依002号文第18条", "--from", "2026-01-01", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["enabled"] is True
    refused(cli(*switch, "on", "--bureau", bureau, "--reason", "再次", "--from", "2026-02-01"), "无需再切换")
    assert IntegratedEquivalence.objects.count() == 1
    shown = json.loads(cli("credentials", "equivalence", "show", "--json").output)
    assert [(s["bureau"], s["enabled"], s["effective_on"]) for s in shown] == [(bureau, True, "2026-01-01")]


def test_a_passed_assessment_is_issued_once_and_only_inside_the_filing(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], evaluator_filing: Filing,
    new_person: Callable[..., Person],
) -> None:  # fmt: skip
    person = new_person(name="王师傅")
    above = _assessment(actor_of, world, person, level=2)  # the filing covers up to level 3
    refused(cli("credentials", "issue", str(above.pk)), "没有覆盖职业6-18-01-07")
    refused(cli("credentials", "issue", "999999"), "999999")
    assert not Certificate.objects.exists()

    passed = _assessment(actor_of, world, person, level=4)
    made = cli("credentials", "issue", str(passed.pk), "--json")
    assert made.exit_code == 0, made.output
    row = json.loads(made.output)
    assert (row["kind"], row["basis"], row["skill_level"], row["issuer"]) == (
        "skill",
        "assessment",
        4,
        world["evaluator"].code,
    )
    refused(cli("credentials", "issue", str(passed.pk)), "已签发过证书")
    assert Certificate.objects.filter(assessment=passed).count() == 1


def test_a_diploma_and_its_holders_skill_certificate_are_linked_once(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], evaluator_filing: Filing,
    graduates: list[Registration],
) -> None:  # fmt: skip
    issue.certificate_issue_diplomas(actor=actor_of("school"), school=world["school"], registrations=graduates[:1])
    diploma = Certificate.objects.get(registration=graduates[0], kind="diploma")
    evaluator = actor_of("u-v150000001")
    own = issue.certificate_issue_for_assessment(
        actor=evaluator, assessment=_assessment(actor_of, world, graduates[0].person, level=4)
    )
    someone_elses = issue.certificate_issue_for_assessment(
        actor=evaluator, assessment=_assessment(actor_of, world, graduates[1].person, level=4)
    )
    link = ["credentials", "dual", "link", diploma.number]
    refused(cli(*link, someone_elses.number), "不是该毕业生的职业技能等级证书")
    refused(cli(*link, "Z26AAAAAAAAAAAAX"), "没有编号")
    refused(cli("credentials", "dual", "link", own.number, own.number), "不是毕业证书")
    assert not DualCertificate.objects.exists()

    made = cli(*link, own.number.lower(), "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.output) == {"diploma": diploma.number, "skills": [own.number]}
    refused(cli(*link, own.number), "已登记双证书")
    assert DualCertificate.objects.count() == 1


def test_a_graduate_is_issued_under_the_integrated_rule_only_once_it_is_switched_on(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], graduates: list[Registration]
) -> None:
    filings.filing_create(
        actor=actor_of("bureau"), organisation=world["school"], body_kind="school", occupations={LATHE: 3},
        valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2030, 12, 31),
    )  # fmt: skip
    command = ["credentials", "issue-integrated", str(graduates[0].pk), "--occupation", LATHE]
    refused(cli(*command), "未由人社部门启用")
    assert not Certificate.objects.exists()
    switched = cli(
        "credentials", "equivalence", "switch", "on", "--bureau", world["bureau"].code, "--from", "2026-01-01",
        "--reason", "依002号文第18条",
    )  # fmt: skip
    assert switched.exit_code == 0, switched.output
    made = cli(*command, "--json")
    assert made.exit_code == 0, made.output
    assert (json.loads(made.output)["basis"], json.loads(made.output)["skill_level"]) == ("integrated", 3)
    refused(cli(*command), "重复签发")
    assert Certificate.objects.count() == 1
