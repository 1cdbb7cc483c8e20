"""The demo region's marketplace: every enterprise has a profile, postings of every kind read like
real Chinese postings with codes that agree with them, the bureau's queue has something in it,
students apply and some offers land in the register, and schools take up order classes."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db.models import Model

from gongjiang.core import clock
from gongjiang.core.actors import PUBLIC
from gongjiang.core.models import AuditEntry
from gongjiang.demo import generator
from gongjiang.demo.generator import Populated
from gongjiang.demo.market.tables import DUTIES, JOB_WORDS, MAX_PAY, MIN_PAY, PAY, TRADES
from gongjiang.directory.models import Organisation, OrganisationKind, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.market.models import (
    APPLICABLE_KINDS,
    ENTERPRISE_KINDS,
    Application,
    ApplicationStatus,
    EnterpriseProfile,
    EnterpriseSize,
    OrderClassAgreement,
    Posting,
    PostingKind,
    PostingStatus,
)
from gongjiang.market.selectors import Filters, application_list, moderation_queue, posting_search
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concept_get, concepts, crosswalk_sources
from gongjiang.registry.models import (
    Apprenticeship,
    Internship,
    MajorOffering,
    OfferingStatus,
    Registration,
    RegistrationStatus,
)

pytestmark = pytest.mark.usefixtures("populated")

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_the_trade_tables_use_codes_of_the_reference_data(db: None) -> None:
    assert {kind for kind, _categories in generator.ENTERPRISE_KINDS} <= set(TRADES)
    for trade in TRADES.values():
        assert concept_get(Scheme.INDUSTRY, trade.industry) is not None, trade.industry
        for code in trade.occupations:
            assert concept_get(Scheme.OCCUPATION, code) is not None, code
            assert code in JOB_WORDS and code in DUTIES and code in PAY, code
            low, high = PAY[code]
            assert MIN_PAY <= low < high <= MAX_PAY


def test_every_enterprise_has_a_profile_of_its_trade(populated: Populated, db: None) -> None:
    enterprises = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("pk"))
    profiles = {p.organisation_id: p for p in EnterpriseProfile.objects.all()}
    assert populated.market.profiles == len(profiles) == len(enterprises)
    for number, enterprise in enumerate(enterprises):
        profile = profiles[enterprise.pk]
        kind = generator.ENTERPRISE_KINDS[number % len(generator.ENTERPRISE_KINDS)][0]
        assert profile.industry_code == TRADES[kind].industry
        assert concept_get(Scheme.INDUSTRY, profile.industry_code) is not None
        assert enterprise.name in profile.description and profile.contact_name and profile.contact_phone
        assert profile.address.startswith(enterprise.name[:2])  # in the enterprise's own city
    sizes = Counter(p.size for p in profiles.values())
    assert sizes[EnterpriseSize.SMALL] + sizes[EnterpriseSize.MEDIUM] >= 0.6 * len(profiles)
    assert len(sizes) >= 3
    integration = sum(p.is_integration_enterprise for p in profiles.values())
    rural = sum(p.is_rural for p in profiles.values())
    assert 0 < integration < len(profiles) and 0 < rural < len(profiles)


def test_postings_of_every_kind_most_published_some_waiting(populated: Populated, db: None) -> None:
    counts = populated.market
    statuses = Counter(Posting.objects.values_list("status", flat=True))
    assert counts.postings == Posting.objects.count()
    assert counts.published == statuses[PostingStatus.PUBLISHED] > 0.8 * counts.postings
    assert counts.pending == statuses[PostingStatus.PENDING] > 0
    assert counts.returned == statuses[PostingStatus.RETURNED] > 0
    assert set(Posting.objects.values_list("kind", flat=True)) == set(PostingKind.values)
    assert not Posting.objects.filter(status=PostingStatus.RETURNED, return_reason="").exists()
    assert not Posting.objects.filter(status=PostingStatus.PUBLISHED, published_at__isnull=True).exists()
    bureau = actor_for_user(User.objects.get(username="bureau"))
    assert moderation_queue(actor=bureau).count() == counts.pending
    today = clock.today()
    deadlines = list(Posting.objects.values_list("deadline", flat=True))
    assert min(deadlines) >= today
    assert any(d <= today + dt.timedelta(days=7) for d in deadlines)  # some close soon
    enterprises = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).count()
    per_enterprise = Posting.objects.filter(kind__in=ENTERPRISE_KINDS).count() / enterprises
    assert 3 <= per_enterprise <= 8


def _names(code: str) -> set[str]:
    """Every way a title may name an occupation: its name and aliases, the employers' words for
    it, and the majors that lead to it."""
    occupation = concept_get(Scheme.OCCUPATION, code)
    assert occupation is not None, code
    majors = dict(concepts(Scheme.MAJOR).values_list("code", "name"))
    names = {occupation.name, *filter(None, occupation.aliases.split("|")), *JOB_WORDS.get(code, ())}
    return names | {majors[m].split("（")[0] for m in crosswalk_sources(Scheme.MAJOR_OCCUPATION, code)}


def test_postings_read_like_chinese_postings_with_codes_that_agree(db: None) -> None:
    profiles = dict(EnterpriseProfile.objects.values_list("organisation_id", "industry_code"))
    postings = list(Posting.objects.select_related("owner"))
    coded = [p for p in postings if p.occupation_code and p.occupation_confidence is None]
    assert len(coded) >= 0.6 * len(postings)
    for posting in postings:
        assert CHINESE.search(posting.title) and CHINESE.search(posting.description), posting.title
        assert len(posting.description) >= 40
        assert posting.region_code == posting.owner.region_code
        # Postings the generator left without an occupation are coded by the platform's coder,
        # which records its confidence; the generator's own codes must agree with the title.
        if posting.occupation_code and posting.occupation_confidence is None:
            assert any(name in posting.title for name in _names(posting.occupation_code)), (
                posting.title,
                posting.occupation_code,
            )
        if posting.owner.kind == OrganisationKind.ENTERPRISE:
            assert posting.industry_code == profiles[posting.owner_id]
        for pay in (posting.pay_min, posting.pay_max):
            assert pay is None or MIN_PAY <= pay <= MAX_PAY
        if posting.kind in APPLICABLE_KINDS and posting.status == PostingStatus.PUBLISHED:
            assert posting.occupation_code and posting.headcount and posting.pay_min and posting.pay_max
    jobs = Posting.objects.filter(kind=PostingKind.JOB, status=PostingStatus.PUBLISHED)
    assert {p.level for p in jobs} >= {"中级工", "高级工"}
    # Pay follows the occupation: welders earn more than hotel receptionists.
    welders = [p.pay_max for p in jobs if p.occupation_code == "6-18-02-04" and p.level == "中级工"]
    receptionists = [p.pay_max for p in jobs if p.occupation_code.startswith("4-03-01")]
    if welders and receptionists:
        assert min(welders) > max(receptionists)


def test_public_search_finds_demo_postings_by_a_chinese_word(db: None) -> None:
    job = Posting.objects.filter(kind=PostingKind.JOB, status=PostingStatus.PUBLISHED).order_by("pk").first()
    assert job is not None
    word = next(w for w in JOB_WORDS[job.occupation_code] if w in job.title)
    found = list(posting_search(actor=PUBLIC, filters=Filters(q=word)).postings)
    assert job in found
    assert all(p.status == PostingStatus.PUBLISHED for p in found)
    internships = posting_search(actor=PUBLIC, filters=Filters(q="实习", kind=PostingKind.INTERNSHIP))
    assert internships.count > 0 and all(p.kind == PostingKind.INTERNSHIP for p in internships.postings)
    waiting = Posting.objects.filter(status=PostingStatus.PENDING).order_by("pk").first()
    assert waiting is not None
    assert waiting not in posting_search(actor=PUBLIC, filters=Filters(q=waiting.title)).postings


def test_applications_move_on_and_accepted_offers_land_in_the_register(populated: Populated, db: None) -> None:
    counts = populated.market
    applications = Application.objects.select_related("posting__owner", "applicant")
    statuses = Counter(a.status for a in applications)
    assert counts.applications == len(applications)
    assert set(statuses) >= {
        ApplicationStatus.APPLIED, ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW, ApplicationStatus.OFFER,
        ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED,
    }  # fmt: skip
    assert counts.accepted == statuses[ApplicationStatus.ACCEPTED]
    for application in applications:
        assert application.posting.kind in APPLICABLE_KINDS
        assert application.posting.status == PostingStatus.PUBLISHED
    accepted = [a for a in applications if a.status == ApplicationStatus.ACCEPTED]
    interns = [a for a in accepted if a.posting.kind == PostingKind.INTERNSHIP]
    assert interns and counts.internships == len(interns)
    for application in interns:
        # The learner is an enrolled student, and the internship is recorded at their school.
        registration = Registration.objects.get(
            person=application.applicant, is_active=True, status=RegistrationStatus.ENROLLED
        )
        assert Internship.objects.filter(
            registration=registration, enterprise=application.posting.owner, post=application.posting.title
        ).exists()
    for application in accepted:
        if application.posting.kind == PostingKind.APPRENTICESHIP:
            assert Apprenticeship.objects.filter(
                apprentice=application.applicant, enterprise=application.posting.owner
            ).exists()


def test_the_personas_have_applications_to_show(db: None) -> None:
    student = actor_for_user(User.objects.get(username="student"))
    mine = Counter(application_list(actor=student).values_list("status", flat=True))
    assert mine[ApplicationStatus.OFFER] >= 1  # an offer the demo can accept
    enterprise = actor_for_user(User.objects.get(username="enterprise"))
    theirs = application_list(actor=enterprise)
    assert theirs.count() >= 3
    assert theirs.filter(applicant_id=student.person_id).exists()


def test_schools_with_the_major_filed_agree_to_order_classes(populated: Populated, db: None) -> None:
    agreements = OrderClassAgreement.objects.select_related("posting__owner", "school", "school_class__offering")
    assert populated.market.order_classes == len(agreements) >= 1
    for agreement in agreements:
        school_class = agreement.school_class
        assert agreement.posting.kind == PostingKind.ORDER_CLASS
        assert school_class.partner_id == agreement.posting.owner_id and school_class.school == agreement.school
        assert MajorOffering.objects.filter(
            school=agreement.school, major_code=school_class.offering.major_code, status=OfferingStatus.FILED
        ).exists()
        assert school_class.offering.major_name.split("（")[0] in agreement.posting.title


@pytest.mark.parametrize("model", [EnterpriseProfile, Posting, Application, OrderClassAgreement])
def test_the_marketplace_was_written_through_audited_services(model: type[Model], db: None) -> None:
    audited = set(AuditEntry.objects.filter(entity_type=model._meta.label_lower).values_list("entity_id", flat=True))
    assert model._default_manager.exists()
    assert not [pk for pk in model._default_manager.values_list("pk", flat=True) if str(pk) not in audited]


def test_this_months_postings_arrive_over_the_month_not_at_one_minute(populated: Populated, db: None) -> None:
    """Published postings are dated between the first of this month and now, each written before
    it was published; those waiting for the bureau were written over the last few days."""
    now = clock.now()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    current = Posting.objects.filter(status=PostingStatus.PUBLISHED, published_at__gte=month_start)
    times = list(current.values_list("created_at", "published_at"))
    assert len({published for _written, published in times}) > len(times) // 2
    assert all(written < published <= now for written, published in times)
    waiting = list(Posting.objects.filter(status=PostingStatus.PENDING).values_list("created_at", flat=True))
    assert len(set(waiting)) == len(waiting) and all(now - dt.timedelta(days=4) <= w <= now for w in waiting)


def test_every_generated_name_matches_the_sex_its_identity_number_records(populated: Populated, db: None) -> None:
    from gongjiang.demo.register import GIVEN_FEMALE, GIVEN_MALE
    from gongjiang.directory.models import Person

    people = Person.objects.exclude(sex="").exclude(name="王晓明").values_list("name", "sex")
    assert len(people) > 100
    for name, sex in people:
        given = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
        assert all(char in given for char in name[1:]), (name, sex)
