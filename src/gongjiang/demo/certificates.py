"""The demo's certificates (issue 17), written through the services like everything else: the
evaluation body and the first school filed with the bureau, diplomas for a share of the first
school's graduates, skill certificates for a share of the passed assessments (their holders with
a diploma first, so 双证书 exist), one 双证书 record, one revocation with its reason, and a skill
certificate held by the `student` persona."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.credentials import selectors as credentials
from gongjiang.credentials import services as filing
from gongjiang.credentials.models import BodyKind, Certificate, CertificateKind
from gongjiang.credentials.services import certificates as issuing
from gongjiang.directory.models import Organisation, Person, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import crosswalk_targets
from gongjiang.registry import services as registry
from gongjiang.registry.models import AssessmentResult, Registration, SkillAssessment


@dataclass
class CertificateCounts:
    diplomas: int = 0
    skills: int = 0
    duals: int = 0
    revoked: int = 0
    assessments: int = 0  # the persona's sitting, recorded here


def _staff_of(organisation: Organisation) -> Actor:
    user = User.objects.filter(memberships__organisation=organisation).order_by("pk").first()
    if user is None:
        raise RuntimeError(f"{organisation.code} has no account to issue with")
    return actor_for_user(user)


def populate_certificates(
    *, bureau: Actor, evaluator: Organisation, school: Organisation, student: Person | None,
    diplomas: int = 120, skills: int = 60,
) -> CertificateCounts:  # fmt: skip
    counts = CertificateCounts()
    today = clock.today()
    passed = list(SkillAssessment.objects.filter(evaluator=evaluator, result=AssessmentResult.PASSED).order_by("pk"))
    persona = Registration.objects.filter(person=student).select_related("school_class__offering").first()
    persona_occupations = (
        crosswalk_targets(Scheme.MAJOR_OCCUPATION, persona.school_class.offering.major_code) if persona else []
    )
    codes = sorted({a.occupation_code for a in passed} | set(persona_occupations[:1]))
    if not codes:
        return counts
    since = min([a.assessed_on for a in passed] or [today]).replace(month=1, day=1)
    until = today + dt.timedelta(days=5 * 365)
    filing.filing_create(
        actor=bureau, organisation=evaluator, body_kind=BodyKind.EVALUATION_ORGANISATION,
        occupations=dict.fromkeys(codes[:200], 1), valid_from=since, valid_until=until,
    )  # fmt: skip
    school_codes = sorted(
        {
            code
            for o in school.major_offerings.all()
            for code in crosswalk_targets(Scheme.MAJOR_OCCUPATION, o.major_code)
        }
    )
    if school_codes:
        filing.filing_create(
            actor=bureau, organisation=school, body_kind=BodyKind.SCHOOL,
            occupations=dict.fromkeys(school_codes[:200], 2), valid_from=since, valid_until=until,
        )  # fmt: skip
    clerk, assessor = _staff_of(school), _staff_of(evaluator)
    graduates = list(credentials.graduates_without_diploma(actor=clerk, school=school)[:diplomas])
    counts.diplomas = issuing.certificate_issue_diplomas(actor=clerk, school=school, registrations=graduates)
    with_diploma = {r.person_id for r in graduates}
    ordered = sorted(passed, key=lambda a: (a.person_id not in with_diploma, -a.pk))
    issued = [issuing.certificate_issue_for_assessment(actor=assessor, assessment=a) for a in ordered[:skills]]
    counts.skills = len(issued)
    pair = next((c for c in issued if c.holder_id in with_diploma), None)
    if pair is not None:
        diploma = Certificate.objects.get(holder_id=pair.holder_id, kind=CertificateKind.DIPLOMA)
        issuing.dual_link(actor=clerk, diploma=diploma, skills=[pair])
        counts.duals = 1
    if len(issued) > 1:
        issuing.certificate_set_status(
            actor=assessor,
            certificate=issued[-1],
            status="revoked",
            reason="经核查，认定成绩系他人替考取得，撤销证书（演示）",
        )
        counts.revoked = 1
    if student is not None and persona_occupations:
        sitting = registry.assessment_record(
            actor=assessor, evaluator=evaluator, person=student, occupation_code=persona_occupations[0], skill_level=4,
            assessed_on=today - dt.timedelta(days=30), result=AssessmentResult.PASSED,
            certificate_no=f"S{evaluator.code[1:]}{today.year}9999999",
        )  # fmt: skip
        issuing.certificate_issue_for_assessment(actor=assessor, assessment=sitting)
        counts.skills += 1
        counts.assessments += 1
    return counts
