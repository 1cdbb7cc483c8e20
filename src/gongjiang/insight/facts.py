"""The facts indicators are computed from: flat tables derived from the register's own tables.

Each fact is an Ibis expression over the register's tables (the `Tables` a back end provides), so
the same definition runs on a DuckDB snapshot, on the live database and on Spark. A fact has one
row per thing counted (a student in school at the year's census, a graduate, a teacher in post, a
training attendance, …), a `year`, the dimensions indicators are broken down by, and the fields
formulas may name. The census is 31 December: "students in a year" are those registered on that
day (年末在校生), as the bureau's annual statistics count them.

Personal data stays out: no names, identity numbers or phones are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext_lazy as _

from gongjiang.insight.formula import FactSchema, FieldType

# The register's tables and the columns read from each: what a snapshot copies.
SOURCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "directory_organisation": ("id", "code", "kind", "region_code", "tier", "ownership", "is_active"),
    "directory_person": ("id", "sex", "birth_date"),
    "registry_schoolprofile": (
        "school_id",
        "land_area_m2",
        "floor_area_m2",
        "training_floor_area_m2",
        "equipment_value_wan",
        "books",
    ),
    "registry_majoroffering": ("id", "school_id", "major_code", "status", "filed_on"),
    "registry_majorapplication": ("offering_id", "kind", "decision", "decided_at"),
    "registry_schoolclass": ("id", "school_id", "offering_id", "class_level", "form", "cohort_year", "partner_id"),
    "registry_registration": ("id", "person_id", "school_id", "school_class_id", "form", "enrolled_on", "status"),
    "registry_registrationevent": ("registration_id", "kind", "effective_on", "decision"),
    "registry_teacher": (
        "id",
        "school_id",
        "category",
        "full_time",
        "from_enterprise_id",
        "dual_qualified",
        "integrated",
        "major_code",
        "hired_on",
        "left_on",
    ),
    "registry_enterprisepractice": ("teacher_id", "started_on", "ended_on", "months"),
    "registry_trainingprogramme": (
        "id",
        "provider_id",
        "occupation_code",
        "skill_level",
        "hours",
        "funding",
        "starts_on",
        "ends_on",
    ),
    "registry_trainingrecord": ("programme_id", "person_id", "outcome", "finished_on"),
    "registry_apprenticeship": (
        "enterprise_id",
        "school_id",
        "apprentice_id",
        "occupation_code",
        "starts_on",
        "ends_on",
        "status",
        "consent",
    ),
    "registry_internship": (
        "registration_id",
        "enterprise_id",
        "starts_on",
        "ends_on",
        "insurance_policy_no",
        "fee_charged",
        "status",
        "consent",
    ),
    "registry_destination": ("registration_id", "census_date", "kind", "occupation_code", "in_field", "monthly_pay"),
    "registry_skillassessment": (
        "evaluator_id",
        "person_id",
        "occupation_code",
        "skill_level",
        "assessed_on",
        "result",
    ),
    "registry_competitionaward": ("recorded_by_id", "person_id", "level", "awarded_on"),
    "credentials_certificate": (
        "issuer_id",
        "holder_id",
        "registration_id",
        "kind",
        "skill_level",
        "status",
        "valid_from",
    ),
    "assessment_assessmentplan": ("id", "evaluator_id", "occupation_code", "skill_level", "practice_on", "status"),
    "assessment_signup": ("plan_id", "result"),
    "insight_keyindustry": ("region_code", "industry_code"),
    "refdata_catalogueversion": ("id", "scheme"),
    "refdata_crosswalk": ("version_id", "scheme", "source_code", "target_code"),
    "refdata_concept": ("id", "version_id", "scheme", "level", "code", "parent_id"),
    "market_posting": (
        "id",
        "owner_id",
        "kind",
        "occupation_code",
        "industry_code",
        "region_code",
        "headcount",
        "status",
        "published_at",
    ),
}


# Rows a snapshot leaves out of a table: only the industry classification is needed of the
# reference concepts (to know each division's section), not the regions and occupations.
SOURCE_FILTERS: dict[str, str] = {"refdata_concept": "scheme = 'industry'"}


class Tables(Protocol):
    """Where a back end's copies of the register's tables are found."""

    def table(self, name: str) -> ir.Table: ...


SCHOOL_DIMENSIONS = ("region_code", "school_code", "tier", "ownership")
STUDY_DIMENSIONS = (*SCHOOL_DIMENSIONS, "major_code", "class_level", "form")

# Statuses a registration leaves the school by, once the event is approved.
LEAVING_EVENTS = ("transfer_out", "withdraw", "complete", "graduate", "expel")
WORKING_DESTINATIONS = ("employed", "self_employed", "enlisted")
ADVANCED_LEVELS = ("senior", "preparatory_technician")


@dataclass(frozen=True)
class Fact:
    """One fact: its schema (what formulas may name) and how to build it for some years."""

    schema: FactSchema
    build: Callable[[Tables, Sequence[int]], ir.Table]
    label: Any


def _pick(table: ir.Table, names: Sequence[str]) -> dict[str, ir.Value]:
    """The named columns of a table, to project the dimensions every fact carries."""
    return {name: table[name] for name in names}


def census(year: int) -> ir.Value:
    return ibis.date(year, 12, 31)


def _year(value: ir.Value) -> ir.Value:
    return value.year().cast("int32")


def _schools(tables: Tables) -> ir.Table:
    org = tables.table("directory_organisation")
    return org.select(
        school_id=org.id,
        region_code=org.region_code,
        school_code=org.code,
        tier=org.tier,
        ownership=org.ownership,
        school_kind=org.kind,
    )


def _org_dims(tables: Tables, key: str) -> ir.Table:
    """An organisation's dimensions under the name of the column that points at it."""
    org = tables.table("directory_organisation")
    return org.select(
        **{key: org.id},
        region_code=org.region_code,
        school_code=org.code,
        tier=org.tier,
        ownership=org.ownership,
        org_kind=org.kind,
    )


def _classes(tables: Tables) -> ir.Table:
    cls = tables.table("registry_schoolclass")
    offering = tables.table("registry_majoroffering")
    joined = cls.join(offering, cls.offering_id == offering.id)
    return joined.select(
        class_id=cls.id,
        offering_id=cls.offering_id,
        major_code=offering.major_code,
        class_level=cls.class_level,
        cohort_year=cls.cohort_year.cast("int32"),
        order_class=cls.partner_id.notnull(),
    )


def _approved_events(tables: Tables) -> ir.Table:
    events = tables.table("registry_registrationevent")
    return events.filter(events.decision == "approved")


def _registrations(tables: Tables) -> ir.Table:
    """Every registration with its class, major, school and the day it left (if it has)."""
    reg = tables.table("registry_registration")
    events = _approved_events(tables)
    left = (
        events.filter(events.kind.isin(LEAVING_EVENTS))
        .group_by(events.registration_id)
        .aggregate(left_on=events.effective_on.min())
    )
    graduated = (
        events.filter(events.kind == "graduate")
        .group_by(events.registration_id)
        .aggregate(graduated_on=events.effective_on.max())
    )
    classes = _classes(tables)
    schools = _schools(tables)
    joined = (
        reg.join(classes, reg.school_class_id == classes.class_id)
        .join(schools, reg.school_id == schools.school_id)
        .left_join(left, reg.id == left.registration_id)
        .left_join(graduated, reg.id == graduated.registration_id)
    )
    return joined.select(
        registration_id=reg.id,
        person_id=reg.person_id,
        status=reg.status,
        enrolled_on=reg.enrolled_on,
        left_on=left.left_on,
        graduated_on=graduated.graduated_on,
        form=reg.form,
        offering_id=classes.offering_id,
        major_code=classes.major_code,
        class_level=classes.class_level,
        cohort_year=classes.cohort_year,
        order_class=classes.order_class,
        **_pick(schools, SCHOOL_DIMENSIONS),
    )


def _union(parts: list[ir.Table]) -> ir.Table:
    return parts[0] if len(parts) == 1 else ibis.union(*parts)


def students(tables: Tables, years: Sequence[int]) -> ir.Table:
    regs = _registrations(tables)
    registered = regs.filter(~regs.status.isin(("pending", "rejected")))
    parts = []
    for year in years:
        day = census(year)
        inside = registered.filter(
            (registered.enrolled_on <= day) & (registered.left_on.isnull() | (registered.left_on > day))
        )
        parts.append(
            inside.select(
                year=ibis.literal(year, type="int32"),
                **_pick(inside, STUDY_DIMENSIONS),
                registration_id=inside.registration_id,
                cohort_year=inside.cohort_year,
                new=(_year(inside.enrolled_on) == year),
                advanced=inside.class_level.isin(ADVANCED_LEVELS),
                order_class=inside.order_class,
            )
        )
    return _union(parts)


def status_changes(tables: Tables, years: Sequence[int]) -> ir.Table:
    regs = _registrations(tables)
    events = _approved_events(tables)
    joined = events.join(regs, events.registration_id == regs.registration_id)
    out = joined.select(
        year=_year(events.effective_on),
        **_pick(regs, STUDY_DIMENSIONS),
        kind=events.kind,
        registration_id=regs.registration_id,
    )
    return out.filter(out.year.isin(list(years)))


def graduates(tables: Tables, years: Sequence[int]) -> ir.Table:
    regs = _registrations(tables)
    grads = regs.filter(regs.graduated_on.notnull())
    dest = tables.table("registry_destination")
    latest = dest.group_by(dest.registration_id).aggregate(latest_census=dest.census_date.max())
    last_dest = dest.join(
        latest, (dest.registration_id == latest.registration_id) & (dest.census_date == latest.latest_census)
    ).select(
        dest_registration_id=dest.registration_id,
        destination=dest.kind,
        in_field=dest.in_field,
        monthly_pay=dest.monthly_pay.cast("float64"),
        job_occupation_code=dest.occupation_code,
    )
    assessments = tables.table("registry_skillassessment")
    passed = assessments.filter(assessments.result == "passed")
    first_cert = passed.group_by(passed.person_id).aggregate(
        certified_on=passed.assessed_on.min(), best_level=passed.skill_level.min().cast("int32")
    )
    # 双证书 as signed credentials: an active diploma for this registration and an active skill
    # certificate held by the same person (revoked or suspended ones do not count).
    certs = tables.table("credentials_certificate")
    active = certs.filter(certs.status == "active")
    diploma = active.filter(active.kind == "diploma")
    diplomas = (
        diploma.group_by(diploma.registration_id)
        .aggregate(diplomas=diploma.count())
        .rename(diploma_registration_id="registration_id")
    )
    skill = active.filter(active.kind == "skill")
    skills = (
        skill.group_by(skill.holder_id).aggregate(skill_credentials=skill.count()).rename(skill_holder_id="holder_id")
    )
    joined = (
        grads.left_join(last_dest, grads.registration_id == last_dest.dest_registration_id)
        .left_join(first_cert, grads.person_id == first_cert.person_id)
        .left_join(diplomas, grads.registration_id == diplomas.diploma_registration_id)
        .left_join(skills, grads.person_id == skills.skill_holder_id)
    )
    out = joined.select(
        year=_year(grads.graduated_on),
        **_pick(grads, STUDY_DIMENSIONS),
        destination=last_dest.destination,
        has_destination=last_dest.destination.notnull(),
        working=last_dest.destination.isin(WORKING_DESTINATIONS).fill_null(False),
        in_field=last_dest.in_field,
        monthly_pay=last_dest.monthly_pay,
        job_occupation_code=last_dest.job_occupation_code,
        skill_certificate=(
            first_cert.certified_on.notnull() & (first_cert.certified_on <= grads.graduated_on)
        ).fill_null(False),
        best_skill_level=first_cert.best_level,
        dual_credential=(diplomas.diplomas.notnull() & skills.skill_credentials.notnull()).fill_null(False),
        registration_id=grads.registration_id,
    )
    return out.filter(out.year.isin(list(years)))


def teachers(tables: Tables, years: Sequence[int]) -> ir.Table:
    teacher = tables.table("registry_teacher")
    practice = tables.table("registry_enterprisepractice")
    schools = _schools(tables)
    base = teacher.join(schools, teacher.school_id == schools.school_id)
    parts = []
    for year in years:
        day = census(year)
        # Specialist teachers are to spend six months in enterprises every five years (004 §13):
        # the practice counted is what ended in the five years up to the census.
        window_start = ibis.date(year - 5, 12, 31)
        recent = practice.filter((practice.ended_on <= day) & (practice.ended_on > window_start))
        months = recent.group_by(recent.teacher_id).aggregate(practice_months=recent.months.cast("float64").sum())
        inside = base.filter((base.hired_on <= day) & (base.left_on.isnull() | (base.left_on > day)))
        joined = inside.left_join(months, inside.id == months.teacher_id)
        practice_months = joined.practice_months.fill_null(0.0)
        parts.append(
            joined.select(
                year=ibis.literal(year, type="int32"),
                **_pick(joined, SCHOOL_DIMENSIONS),
                major_code=joined.major_code,
                category=joined.category,
                full_time=joined.full_time,
                from_enterprise=joined.from_enterprise_id.notnull(),
                dual_qualified=joined.dual_qualified,
                integrated=joined.integrated,
                practice_months=practice_months,
                practice_compliant=practice_months >= 6,
                teacher_id=joined.id,
            )
        )
    return _union(parts)


def training(tables: Tables, years: Sequence[int]) -> ir.Table:
    record = tables.table("registry_trainingrecord")
    programme = tables.table("registry_trainingprogramme")
    provider = _org_dims(tables, "provider_id")
    joined = record.join(programme, record.programme_id == programme.id).join(
        provider, programme.provider_id == provider.provider_id
    )
    out = joined.select(
        year=_year(programme.starts_on),
        **_pick(provider, SCHOOL_DIMENSIONS),
        provider_kind=provider.org_kind,
        occupation_code=programme.occupation_code,
        skill_level=programme.skill_level.cast("int32"),
        hours=programme.hours.cast("float64"),
        funding=programme.funding,
        outcome=record.outcome,
    )
    return out.filter(out.year.isin(list(years)))


def _agreed(placements: ir.Table) -> ir.Table:
    """Apprenticeships and internships count once both organisations agree (ADR 0024)."""
    return placements.filter(placements.consent == "agreed")


def apprenticeships(tables: Tables, years: Sequence[int]) -> ir.Table:
    app = _agreed(tables.table("registry_apprenticeship"))
    school = _org_dims(tables, "dims_school_id")
    enterprise = _org_dims(tables, "dims_enterprise_id")
    joined = app.left_join(school, app.school_id == school.dims_school_id).join(
        enterprise, app.enterprise_id == enterprise.dims_enterprise_id
    )
    out = joined.select(
        year=_year(app.starts_on),
        # Where the apprentice trains with a school, the school places it; otherwise the employer.
        region_code=school.region_code.fill_null(enterprise.region_code),
        school_code=school.school_code,
        tier=school.tier,
        ownership=school.ownership,
        occupation_code=app.occupation_code,
        status=app.status,
    )
    return out.filter(out.year.isin(list(years)))


def internships(tables: Tables, years: Sequence[int]) -> ir.Table:
    intern = _agreed(tables.table("registry_internship"))
    regs = _registrations(tables)
    joined = intern.join(regs, intern.registration_id == regs.registration_id)
    fee = intern.fee_charged.cast("float64").fill_null(0.0)
    out = joined.select(
        year=_year(intern.starts_on),
        **_pick(regs, STUDY_DIMENSIONS),
        insured=intern.insurance_policy_no.fill_null("").strip().length() > 0,
        fee_charged=fee,
        fee_violation=fee > 0,
        status=intern.status,
        registration_id=regs.registration_id,
    )
    return out.filter(out.year.isin(list(years)))


def _latest_crosswalk(tables: Tables, scheme: str) -> ir.Table:
    versions = tables.table("refdata_catalogueversion")
    walk = tables.table("refdata_crosswalk")
    latest = versions.filter(versions.scheme == scheme).aggregate(latest_id=versions.id.max())
    current = walk.join(latest, walk.version_id == latest.latest_id)
    return current.filter(current.scheme == scheme).select(source=current.source_code, target=current.target_code)


def major_industries(tables: Tables) -> ir.Table:
    """Each major's industries, through its occupations (专业→职业→行业, the current crosswalks):
    major_code, occupation_code, industry_code (a GB/T 4754 class) and its section letter."""
    major_occupation = _latest_crosswalk(tables, "major_occupation")
    occupation_industry = _latest_crosswalk(tables, "occupation_industry").rename(
        oi_occupation="source", industry_code="target"
    )
    concept = tables.table("refdata_concept")
    industry = concept.filter(concept.scheme == "industry")
    latest = industry.aggregate(latest_version=industry.version_id.max())
    industry = industry.join(latest, industry.version_id == latest.latest_version)
    sections = industry.filter(industry.level == 1).select(section_id=industry.id, section=industry.code)
    divisions = industry.filter(industry.level == 2)
    division_section = divisions.join(sections, divisions.parent_id == sections.section_id).select(
        division=divisions.code, section=sections.section
    )
    linked = major_occupation.join(occupation_industry, major_occupation.target == occupation_industry.oi_occupation)
    linked = linked.select(
        major_code=linked.source, occupation_code=linked.target, industry_code=linked.industry_code
    ).distinct()
    with_section = linked.left_join(division_section, linked.industry_code.substr(0, 2) == division_section.division)
    return with_section.select(
        major_code=with_section.major_code,
        occupation_code=with_section.occupation_code,
        industry_code=with_section.industry_code,
        section=with_section.section,
    )


def region_prefix_expr(code: ir.StringValue) -> ir.StringValue:
    """`core.scope.region_prefix` in Ibis: 150000 → 15, 150200 → 1502, 150203 → 150203."""
    return ibis.cases((code.endswith("0000"), code.substr(0, 2)), (code.endswith("00"), code.substr(0, 4)), else_=code)


def _serving_key_industries(tables: Tables, offerings: ir.Table) -> ir.Table:
    """The offerings (id, school region, major) whose major serves a key industry of a region the
    school lies in: the industry is the key one, inside it, or in its section."""
    keys = tables.table("insight_keyindustry")
    keys = keys.select(key_prefix=region_prefix_expr(keys.region_code), key_code=keys.industry_code)
    links = major_industries(tables)
    linked = offerings.join(links, offerings.major_code == links.major_code)
    linked = linked.select(
        offering_id=offerings.offering_id,
        region_code=offerings.region_code,
        industry_code=links.industry_code,
        section=links.section,
    )
    joined = linked.join(
        keys,
        linked.region_code.startswith(keys.key_prefix)
        & (linked.industry_code.startswith(keys.key_code) | (linked.section == keys.key_code)),
    )
    return joined.select(serving_offering_id=joined.offering_id).distinct()


def majors(tables: Tables, years: Sequence[int]) -> ir.Table:
    offering = tables.table("registry_majoroffering")
    application = tables.table("registry_majorapplication")
    stops = application.filter((application.kind == "stop") & (application.decision == "approved"))
    stopped = stops.group_by(stops.offering_id).aggregate(stopped_on=stops.decided_at.min().date())
    schools = _schools(tables)
    classes = tables.table("registry_schoolclass")
    regs = _registrations(tables)
    intern = _agreed(tables.table("registry_internship"))
    located = offering.join(schools, offering.school_id == schools.school_id).select(
        offering_id=offering.id,
        major_code=offering.major_code,
        filed_on=offering.filed_on,
        **_pick(schools, SCHOOL_DIMENSIONS),
    )
    serving = _serving_key_industries(tables, located).mutate(serves_key_industry=ibis.literal(True))
    base = (
        located.filter(located.filed_on.notnull())
        .left_join(stopped, located.offering_id == stopped.offering_id)
        .left_join(serving, located.offering_id == serving.serving_offering_id)
    )
    parts = []
    for year in years:
        day = census(year)
        inside = base.filter((base.filed_on <= day) & (base.stopped_on.isnull() | (base.stopped_on > day)))
        # Cooperation with enterprises: an order class of a cohort up to this year, or the major's
        # students in internships with an enterprise that started this year.
        partnered = (
            classes.filter(classes.partner_id.notnull() & (classes.cohort_year <= year))
            .select(coop_offering_id=classes.offering_id)
            .distinct()
        )
        interning = (
            intern.join(regs, intern.registration_id == regs.registration_id)
            .filter(_year(intern.starts_on) == year)
            .select(coop_offering_id=regs.offering_id)
            .distinct()
        )
        cooperating = ibis.union(partnered, interning, distinct=True).mutate(cooperating=ibis.literal(True))
        studying = (
            regs.filter(
                ~regs.status.isin(("pending", "rejected"))
                & (regs.form == "full_time")
                & (regs.enrolled_on <= day)
                & (regs.left_on.isnull() | (regs.left_on > day))
            )
            .group_by(regs.offering_id)
            .aggregate(full_time_students=ibis._.count().cast("int64"))
            .rename(students_offering_id="offering_id")
        )
        joined = inside.left_join(cooperating, inside.offering_id == cooperating.coop_offering_id).left_join(
            studying, inside.offering_id == studying.students_offering_id
        )
        parts.append(
            joined.select(
                year=ibis.literal(year, type="int32"),
                **_pick(joined, SCHOOL_DIMENSIONS),
                major_code=joined.major_code,
                cooperating=joined.cooperating.fill_null(False),
                serves_key_industry=joined.serves_key_industry.fill_null(False),
                full_time_students=joined.full_time_students.fill_null(0),
            )
        )
    return _union(parts)


def skill_certificates(tables: Tables, years: Sequence[int]) -> ir.Table:
    assessment = tables.table("registry_skillassessment")
    evaluator = _org_dims(tables, "evaluator_org_id")
    joined = assessment.join(evaluator, assessment.evaluator_id == evaluator.evaluator_org_id)
    out = joined.select(
        year=_year(assessment.assessed_on),
        **_pick(evaluator, SCHOOL_DIMENSIONS),
        occupation_code=assessment.occupation_code,
        skill_level=assessment.skill_level.cast("int32"),
        passed=assessment.result == "passed",
    )
    return out.filter(out.year.isin(list(years)))


def certificates(tables: Tables, years: Sequence[int]) -> ir.Table:
    """Signed credentials (diplomas and skill certificates), dated by the day they take effect and
    placed where their issuer is; `active` is false once revoked or while suspended."""
    cert = tables.table("credentials_certificate")
    issuer = _org_dims(tables, "issuer_org_id")
    joined = cert.join(issuer, cert.issuer_id == issuer.issuer_org_id)
    out = joined.select(
        year=_year(cert.valid_from),
        **_pick(issuer, SCHOOL_DIMENSIONS),
        kind=cert.kind,
        skill_level=cert.skill_level.cast("int32"),
        active=cert.status == "active",
    )
    return out.filter(out.year.isin(list(years)))


def assessment_results(tables: Tables, years: Sequence[int]) -> ir.Table:
    """The final results of assessment plans, one row per candidate who sat (the absent are left
    out), dated by the practical test and placed where the evaluation body is."""
    plan = tables.table("assessment_assessmentplan")
    signup = tables.table("assessment_signup")
    evaluator = _org_dims(tables, "evaluator_org_id")
    sat = signup.filter(signup.result.isin(["passed", "failed"]))
    joined = sat.join(plan, sat.plan_id == plan.id).join(evaluator, plan.evaluator_id == evaluator.evaluator_org_id)
    out = joined.select(
        year=_year(plan.practice_on),
        **_pick(evaluator, SCHOOL_DIMENSIONS),
        occupation_code=plan.occupation_code,
        skill_level=plan.skill_level.cast("string"),
        passed=sat.result == "passed",
    )
    return out.filter(out.year.isin(list(years)))


def awards(tables: Tables, years: Sequence[int]) -> ir.Table:
    award = tables.table("registry_competitionaward")
    recorder = _org_dims(tables, "recorder_id")
    joined = award.join(recorder, award.recorded_by_id == recorder.recorder_id)
    out = joined.select(
        year=_year(award.awarded_on),
        **_pick(recorder, SCHOOL_DIMENSIONS),
        level=award.level,
    )
    return out.filter(out.year.isin(list(years)))


def postings(tables: Tables, years: Sequence[int]) -> ir.Table:
    posting = tables.table("market_posting")
    published = posting.filter(posting.published_at.notnull() & posting.status.isin(("published", "closed")))
    out = published.select(
        year=_year(published.published_at),
        # Demand forecasts read postings by month. Times are read in UTC, as stored, on every
        # engine (SQLite cannot shift them): a posting of the first eight hours of a month in
        # Beijing counts in the month before.
        month=published.published_at.month().cast("int32"),
        region_code=published.region_code,
        kind=published.kind,
        occupation_code=published.occupation_code,
        industry_code=published.industry_code,
        # A posting that names no headcount asks for one person.
        headcount=published.headcount.cast("int64").fill_null(1),
    )
    return out.filter(out.year.isin(list(years)))


def schools(tables: Tables, years: Sequence[int]) -> ir.Table:
    org = tables.table("directory_organisation")
    profile = tables.table("registry_schoolprofile")
    school_orgs = org.filter((org.kind == "school") & org.is_active)
    with_profile = school_orgs.left_join(profile, school_orgs.id == profile.school_id)
    profile_fields = [
        with_profile.land_area_m2,
        with_profile.floor_area_m2,
        with_profile.training_floor_area_m2,
        with_profile.equipment_value_wan,
        with_profile.books,
    ]
    filled = sum((f.notnull().cast("int32") for f in profile_fields), ibis.literal(0, type="int32"))
    base = with_profile.select(
        school_id=with_profile.id,
        region_code=with_profile.region_code,
        school_code=with_profile.code,
        tier=with_profile.tier,
        ownership=with_profile.ownership,
        land_area_m2=with_profile.land_area_m2.cast("float64"),
        floor_area_m2=with_profile.floor_area_m2.cast("float64"),
        equipment_value_wan=with_profile.equipment_value_wan.cast("float64"),
        books=with_profile.books.cast("int64"),
        profile_fields_filled=filled,
    )
    studying = students(tables, years)
    counts = studying.group_by(studying.year, studying.school_code).aggregate(
        full_time_students=studying.count(where=studying.form == "full_time").cast("int64"),
        advanced_students=studying.count(where=(studying.form == "full_time") & studying.advanced).cast("int64"),
    )
    grads = graduates(tables, years)
    grad_counts = grads.group_by(grads.year, grads.school_code).aggregate(
        full_time_graduates=grads.count(where=grads.form == "full_time").cast("int64"),
        graduates_with_destination=grads.count(where=(grads.form == "full_time") & grads.has_destination).cast("int64"),
    )
    parts = []
    for year in years:
        this_year = counts.filter(counts.year == year).rename(count_school="school_code").drop("year")
        grads_year = grad_counts.filter(grad_counts.year == year).rename(grad_school="school_code").drop("year")
        # One join at a time, each projected: the counts derive from the same organisation
        # table as `base`, and Ibis cannot tell the two apart inside one join chain.
        first = base.left_join(this_year, base.school_code == this_year.count_school)
        first = first.select(*base.columns, *(c for c in this_year.columns if c != "count_school"))
        joined = first.left_join(grads_year, first.school_code == grads_year.grad_school)
        ft = joined.full_time_students.fill_null(0)
        parts.append(
            joined.select(
                year=ibis.literal(year, type="int32"),
                **_pick(joined, SCHOOL_DIMENSIONS),
                full_time_students=ft,
                advanced_students=joined.advanced_students.fill_null(0),
                land_area_m2=joined.land_area_m2,
                floor_area_m2=joined.floor_area_m2,
                equipment_value_wan=joined.equipment_value_wan,
                books=joined.books,
                profile_fields_filled=joined.profile_fields_filled,
                full_time_graduates=joined.full_time_graduates.fill_null(0),
                graduates_with_destination=joined.graduates_with_destination.fill_null(0),
            )
        )
    return _union(parts)


def _schema(name: str, dims: Iterable[str], fields: Mapping[str, FieldType]) -> FactSchema:
    dimensions = tuple(dims)
    every: dict[str, FieldType] = {"year": "int"}
    every.update(dict.fromkeys(dimensions, "string"))
    every.update(fields)
    return FactSchema(name, every, ("year", *dimensions))


FACTS: dict[str, Fact] = {
    fact.schema.name: fact
    for fact in (
        Fact(
            _schema(
                "students",
                STUDY_DIMENSIONS,
                {
                    "registration_id": "int",
                    "cohort_year": "int",
                    "new": "bool",
                    "advanced": "bool",
                    "order_class": "bool",
                },
            ),
            students,
            _("在校生（年末在籍）"),
        ),
        Fact(
            _schema("status_changes", STUDY_DIMENSIONS, {"kind": "string", "registration_id": "int"}),
            status_changes,
            _("学籍异动（已审核）"),
        ),
        Fact(
            _schema(
                "graduates",
                STUDY_DIMENSIONS,
                {
                    "destination": "string",
                    "has_destination": "bool",
                    "working": "bool",
                    "in_field": "bool",
                    "monthly_pay": "float",
                    "job_occupation_code": "string",
                    "skill_certificate": "bool",
                    "best_skill_level": "int",
                    "dual_credential": "bool",
                    "registration_id": "int",
                },
            ),
            graduates,
            _("毕业生"),
        ),
        Fact(
            _schema(
                "teachers",
                (*SCHOOL_DIMENSIONS, "major_code"),
                {
                    "category": "string",
                    "full_time": "bool",
                    "from_enterprise": "bool",
                    "dual_qualified": "bool",
                    "integrated": "bool",
                    "practice_months": "float",
                    "practice_compliant": "bool",
                    "teacher_id": "int",
                },
            ),
            teachers,
            _("教师（年末在职）"),
        ),
        Fact(
            _schema(
                "training",
                SCHOOL_DIMENSIONS,
                {
                    "provider_kind": "string",
                    "occupation_code": "string",
                    "skill_level": "int",
                    "hours": "float",
                    "funding": "string",
                    "outcome": "string",
                },
            ),
            training,
            _("培训人次"),
        ),
        Fact(
            _schema("apprenticeships", SCHOOL_DIMENSIONS, {"occupation_code": "string", "status": "string"}),
            apprenticeships,
            _("企业新型学徒"),
        ),
        Fact(
            _schema(
                "internships",
                STUDY_DIMENSIONS,
                {
                    "insured": "bool",
                    "fee_charged": "float",
                    "fee_violation": "bool",
                    "status": "string",
                    "registration_id": "int",
                },
            ),
            internships,
            _("顶岗实习"),
        ),
        Fact(
            _schema(
                "majors",
                (*SCHOOL_DIMENSIONS, "major_code"),
                {"cooperating": "bool", "serves_key_industry": "bool", "full_time_students": "int"},
            ),
            majors,
            _("开设专业（年末）"),
        ),
        Fact(
            _schema(
                "skill_certificates",
                SCHOOL_DIMENSIONS,
                {"occupation_code": "string", "skill_level": "int", "passed": "bool"},
            ),
            skill_certificates,
            _("技能等级评价"),
        ),
        Fact(
            _schema("certificates", SCHOOL_DIMENSIONS, {"kind": "string", "skill_level": "int", "active": "bool"}),
            certificates,
            _("签发的电子证书"),
        ),
        Fact(
            _schema("assessment_results", (*SCHOOL_DIMENSIONS, "occupation_code", "skill_level"), {"passed": "bool"}),
            assessment_results,
            _("等级认定计划的最终结果"),
        ),
        Fact(_schema("awards", SCHOOL_DIMENSIONS, {"level": "string"}), awards, _("技能竞赛获奖")),
        Fact(
            _schema(
                "postings",
                ("region_code",),
                {
                    "month": "int",
                    "kind": "string",
                    "occupation_code": "string",
                    "industry_code": "string",
                    "headcount": "int",
                },
            ),
            postings,
            _("发布的需求信息"),
        ),
        Fact(
            _schema(
                "schools",
                SCHOOL_DIMENSIONS,
                {
                    "full_time_students": "int",
                    "advanced_students": "int",
                    "land_area_m2": "float",
                    "floor_area_m2": "float",
                    "equipment_value_wan": "float",
                    "books": "int",
                    "profile_fields_filled": "int",
                    "full_time_graduates": "int",
                    "graduates_with_destination": "int",
                },
            ),
            schools,
            _("院校（年末）"),
        ),
    )
}

SCHEMAS: dict[str, FactSchema] = {name: fact.schema for name, fact in FACTS.items()}

# What the facts' columns are called on the pages (the formulas use the identifiers).
FIELD_LABELS: dict[str, Any] = {
    "year": _("年度"),
    "month": _("月份"),
    "region_code": _("地区"),
    "school_code": _("学校"),
    "tier": _("层次"),
    "ownership": _("举办者"),
    "major_code": _("专业"),
    "occupation_code": _("职业"),
    "skill_level": _("技能等级"),
    "class_level": _("班级层次"),
    "form": _("学习形式"),
    "registration_id": _("学籍"),
    "teacher_id": _("教师"),
    "cohort_year": _("入学年份"),
    "new": _("当年入学"),
    "advanced": _("高级工班及以上"),
    "order_class": _("订单班"),
    "kind": _("类别"),
    "destination": _("去向"),
    "has_destination": _("已登记去向"),
    "working": _("就业"),
    "in_field": _("对口"),
    "monthly_pay": _("月收入"),
    "job_occupation_code": _("从事职业"),
    "skill_certificate": _("毕业时持技能等级证书"),
    "best_skill_level": _("最高技能等级"),
    "dual_credential": _("持电子双证书"),
    "active": _("有效"),
    "category": _("教师类别"),
    "full_time": _("专任"),
    "from_enterprise": _("来自企业"),
    "dual_qualified": _("双师型"),
    "integrated": _("一体化"),
    "practice_months": _("近五年企业实践月数"),
    "practice_compliant": _("企业实践达标"),
    "insured": _("已投保"),
    "fee_charged": _("收费（元）"),
    "fee_violation": _("违规收费"),
    "status": _("状态"),
}


def data_years(first: int, today: dt.date) -> list[int]:
    return list(range(first, today.year + 1))
