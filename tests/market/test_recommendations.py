"""Recommendations for a learner: postings of the learner's occupations, near home and at the
right level come first; each says why; over-subscribed postings sink; small employers are lifted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.directory.models import Organisation
from gongjiang.market import partners, push, recommend, search, services
from gongjiang.market.models import EnterpriseProfile, Posting
from gongjiang.registry import services as registry
from gongjiang.registry.models import Registration
from tests.registry.conftest import file_major


def _publish(actor_of: Callable[[str], Actor], owner: Organisation, **values: Any) -> Posting:
    defaults: dict[str, Any] = {
        "description": "岗位职责见标题", "region_code": "150203", "headcount": 2,
        "deadline": clock.today() + dt.timedelta(days=20),
    }  # fmt: skip
    posting = services.posting_create(actor=actor_of("enterprise"), owner=owner, kind="job", **{**defaults, **values})
    return services.posting_moderate(actor=actor_of("bureau"), posting=posting, publish=True)


def test_the_learners_own_occupation_nearby_comes_first_with_reasons(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    learner = recommend.learner_of(enrolled_student)
    assert learner.occupations, "the demo crosswalk maps 0102 to occupations"
    own = learner.occupations[0]
    region = enrolled_student.school.region_code
    best = _publish(
        actor_of, world["enterprise"], title="数控车工", occupation_code=own, region_code=region, level="高级工"
    )
    far = _publish(actor_of, world["enterprise"], title="数控车工（外地）", occupation_code=own, region_code="150802")
    unrelated = _publish(
        actor_of, world["enterprise"], title="养老护理员", occupation_code="4-10-01-05", region_code="150802"
    )
    results = recommend.recommend_for_learner(learner)
    order = [r.posting.pk for r in results]
    assert order.index(best.pk) < order.index(far.pk)
    # Nothing of the learner's trade, only the province: not recommended at all.
    assert unrelated.pk not in order
    assert all(r.subtotal >= recommend.USEFUL_SCORE for r in results)
    top = results[0]
    assert top.posting.pk == best.pk
    assert "对口" in top.sentence and top.path[0] == learner.major_name
    assert {c.feature for c in top.contributions} == {"occupation", "industry", "region", "level", "words"}
    # The class leaves the year after next, so this year's jobs are halved (see the test below).
    assert abs(sum(c.points for c in top.contributions) * top.too_early - top.score) < 0.06  # plus at most a lift
    # The explanation adds up: the contributions, times the corrections, plus the lift, are the score.
    assert all(abs(r.subtotal * r.too_early * r.damping + r.lift - r.score) < 0.002 for r in results)
    page = client_for("student").get("/market/recommendations/").content.decode()
    assert "推荐理由" in page and best.title in page and 'data-testid="applied"' not in page
    services.application_submit(actor=actor_of("student"), posting=best)
    assert 'data-testid="applied"' in client_for("student").get("/market/recommendations/").content.decode()
    api = client_for("student").get("/api/v1/market/recommendations").json()
    assert api[0]["posting_id"] == best.pk and api[0]["contributions"][0]["weight"] == 0.45


def test_over_subscribed_postings_are_damped_and_small_employers_lifted(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    learner = recommend.learner_of(enrolled_student)
    posting = _publish(actor_of, world["enterprise"], title="数控车工", occupation_code=learner.occupations[0])
    plain = recommend.score(learner, posting, None).score
    posting.applicants = 40  # type: ignore[attr-defined]  (as `candidates` annotates it)
    damped = recommend.score(learner, posting, None)
    assert damped.score < plain and damped.adjustments
    profile = services.profile_save(
        actor=actor_of("enterprise"), organisation=world["enterprise"], industry_code="C", size="small",
        expected_version=EnterpriseProfile.objects.filter(organisation=world["enterprise"]).values_list(
            "version", flat=True
        ).first(),
    )  # fmt: skip
    posting.applicants = 0  # type: ignore[attr-defined]
    lifted = recommend.score(learner, posting, profile)
    assert lifted.score == pytest.approx(plain + recommend.SMALL_EMPLOYER_LIFT)
    # The quick score that ranks every candidate is the explained score, in every case above.
    for applicants, owner_profile in ((0, None), (40, None), (0, profile), (40, profile)):
        posting.applicants = applicants  # type: ignore[attr-defined]
        assert (
            recommend.quick_score(learner, posting, owner_profile)
            == recommend.score(learner, posting, owner_profile).score
        )


def test_a_job_starting_before_the_learners_year_of_leaving_is_halved_and_says_why(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    """The student's class (three years, second year now) leaves the year after next: a job
    closing within the month cannot be taken, an internship can, and a job that starts in the
    summer of the year of leaving is not reduced; nor is a job whose start is past."""
    learner = recommend.learner_of(enrolled_student)
    leaves = clock.today().year + 2
    assert learner.leaves == leaves
    own, region = learner.occupations[0], enrolled_student.school.region_code
    same = {"occupation_code": own, "region_code": region, "level": "高级工"}
    now = _publish(actor_of, world["enterprise"], title="数控车工（现招）", **same)
    internship = services.posting_moderate(
        actor=actor_of("bureau"),
        posting=services.posting_create(
            actor=actor_of("enterprise"), owner=world["enterprise"], kind="internship", title="数控车工实习",
            description="跟岗实习", headcount=2, deadline=clock.today() + dt.timedelta(days=20), **same,
        ),
        publish=True,
    )  # fmt: skip
    later = _publish(actor_of, world["enterprise"], title="数控车工（应届）", starts_on=dt.date(leaves, 7, 1), **same)
    results = {r.posting.pk: r for r in recommend.recommend_for_learner(learner)}
    assert results[now.pk].too_early == recommend.TOO_EARLY_FACTOR
    assert results[now.pk].score < results[internship.pk].score
    assert f"{leaves} 年毕业" in results[now.pk].adjustments[0] and "实习" in results[now.pk].sentence
    assert results[internship.pk].too_early == results[later.pk].too_early == 1.0
    assert results[later.pk].score > results[now.pk].score
    assert recommend.quick_score(learner, now, None) == recommend.score(learner, now, None).score
    # A graduate (left two years ago) is never told a job already under way is too early for them.
    graduate = replace(learner, leaves=leaves - 4)
    now.starts_on = dt.date(leaves - 5, 1, 1)  # in memory only
    assert recommend.too_early_factor(graduate, now) == 1.0
    page = client_for("student").get("/market/recommendations/").content.decode()
    assert 'data-testid="too-early"' in page and "毕业学年之前开始" in page


def test_a_posting_is_shown_the_graduating_classes_it_fits(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    graduating = _graduating_class(actor_of, world, students=3)
    occupation = recommend.crosswalk_targets(recommend.Scheme.MAJOR_OCCUPATION, "0102")[0]
    posting = _publish(actor_of, world["enterprise"], title="数控车工", occupation_code=occupation, level="高级工")
    matches = recommend.recommend_for_posting(posting)
    assert [m.school_class.pk for m in matches] == [graduating.pk]
    assert matches[0].students == 3 and "对口" in matches[0].sentence
    page = client_for("enterprise").get(f"/market/postings/{posting.pk}/").content.decode()
    assert 'data-testid="cohorts"' in page and "毕业班" in page
    assert (
        'data-testid="cohorts"' not in client_for("anonymous").get(f"/market/postings/{posting.pk}/").content.decode()
    )


def _graduating_class(actor_of: Callable[[str], Actor], world: dict[str, Organisation], students: int = 3) -> Any:
    file_major(actor_of, world["school"], "school", "0102", ["intermediate", "senior"])
    leaving_year = clock.today().year
    graduating = registry.class_create(
        actor=actor_of("school"), school=world["school"], major_code="0102", name="毕业班",
        class_level="senior", form="full_time", cohort_year=leaving_year - 3, planned_years=3,
    )  # fmt: skip
    for n in range(students):
        first17 = f"15020320050101{n:03d}"
        person = registry.person_find_or_register(
            actor=actor_of("school"), name=f"毕业生{n}", id_number=first17 + resident_id_check_digit(first17)
        )
        registration = registry.registration_create(
            actor=actor_of("school"),
            school_class=graduating,
            person=person,
            enrolled_on=dt.date(leaving_year - 3, 9, 1),
        )
        registry.registration_decide(actor=actor_of("bureau"), event=registration.events.get(), approve=True)
    return graduating


def test_a_posting_is_shown_the_schools_it_fits_added_up_by_school(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    _graduating_class(actor_of, world, students=4)
    occupation = recommend.crosswalk_targets(recommend.Scheme.MAJOR_OCCUPATION, "0102")[0]
    posting = _publish(actor_of, world["enterprise"], title="数控车工", occupation_code=occupation)
    schools = recommend.recommend_schools_for_posting(posting)
    assert [(m.school.pk, m.students, m.classes) for m in schools] == [(world["school"].pk, 4, ["毕业班"])]
    assert world["school"].name in schools[0].sentence and "4 名" in schools[0].sentence
    other = _publish(actor_of, world["enterprise"], title="养老护理员", occupation_code="4-10-01-05")
    assert recommend.recommend_schools_for_posting(other) == []


def test_learners_are_shown_to_a_publisher_only_when_they_agreed(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    occupation = recommend.crosswalk_targets(recommend.Scheme.MAJOR_OCCUPATION, "0102")[0]
    posting = _publish(actor_of, world["enterprise"], title="数控车工", occupation_code=occupation, level="高级工")
    assert recommend.recommend_learners_for_posting(posting) == []  # nobody has consented
    student = actor_of("student")
    person = enrolled_student.person
    push.preference_save(actor=student, person=person, postings=True, policies=True, by_email=False, discoverable=True)
    matches = recommend.recommend_learners_for_posting(posting)
    assert [m.registration.pk for m in matches] == [enrolled_student.pk]
    assert person.name in matches[0].sentence and "对口" in matches[0].sentence
    assert {c.feature for c in matches[0].contributions} == {"occupation", "region", "level", "timing"}
    page = client_for("enterprise").get(f"/market/postings/{posting.pk}/").content.decode()
    assert 'data-testid="learners"' in page and person.name in page
    api = client_for("enterprise").get(f"/api/v1/market/postings/{posting.pk}/matches").json()
    assert any(m["kind"] == "learner" and m["name"] == person.name for m in api)
    assert client_for("school2").get(f"/api/v1/market/postings/{posting.pk}/matches").status_code == 403
    # Consent withdrawn, or already applied: no longer listed.
    push.preference_save(actor=student, person=person, postings=True, policies=True, by_email=False)
    assert recommend.recommend_learners_for_posting(posting) == []
    push.preference_save(actor=student, person=person, postings=True, policies=True, by_email=False, discoverable=True)
    services.application_submit(actor=student, posting=posting)
    assert recommend.recommend_learners_for_posting(posting) == []


def test_schools_and_enterprises_are_recommended_to_each_other_with_reasons(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    _graduating_class(actor_of, world, students=3)
    occupation = recommend.crosswalk_targets(recommend.Scheme.MAJOR_OCCUPATION, "0102")[0]
    _publish(actor_of, world["enterprise"], title="数控车工", occupation_code=occupation, headcount=6)
    _publish(actor_of, world["enterprise"], title="养老护理员", occupation_code="4-10-01-05", headcount=2)
    for_school = partners.enterprises_for_school(world["school"])
    assert [m.partner.pk for m in for_school] == [world["enterprise"].pk]
    match = for_school[0]
    assert [(major, n) for major, _occupation, n in match.links] == [("数控加工（数控车工）", 6)]
    assert {c.feature for c in match.contributions} == {"fit", "industry", "region", "certified", "history"}
    assert world["enterprise"].name in match.sentence and "数控加工（数控车工）" in match.sentence
    assert 0 < match.score <= 1.05
    for_enterprise = partners.schools_for_enterprise(world["enterprise"])
    assert [m.partner.pk for m in for_enterprise] == [world["school"].pk]
    assert for_enterprise[0].links[0][2] == 3 and "3 人" in for_enterprise[0].sentence
    # Shown to the enterprise, what is about the enterprise itself ranks no school: left out.
    assert {c.feature for c in for_enterprise[0].contributions} == {"fit", "industry", "region", "history"}
    assert for_enterprise[0].lift == 0
    assert partners.enterprises_for_school(world["school2"]) == []  # no filed major leads there
    page = client_for("school").get("/market/partners/").content.decode()
    assert 'data-testid="partners"' in page and world["enterprise"].name in page
    api = client_for("enterprise").get("/api/v1/market/partners").json()
    assert [p["name"] for p in api] == [world["school"].name] and api[0]["contributions"]


def test_a_publisher_is_told_which_classes_cannot_take_a_job_yet() -> None:
    """A class leaving the year after the job starts scores no timing; one leaving that year, or
    any class for an internship, scores it whole."""
    year = clock.today().year + 1
    job = Posting(kind="job", starts_on=dt.date(year, 3, 1), deadline=dt.date(year, 1, 31))
    assert recommend._starts_before(job, year + 1) and not recommend._starts_before(job, year)
    today = clock.today()
    assert recommend._timing_fit(job, year + 1, today) == 0.0 and recommend._timing_fit(job, year, today) == 1.0
    internship = Posting(kind="internship", starts_on=dt.date(year, 3, 1), deadline=dt.date(year, 1, 31))
    assert not recommend._starts_before(internship, year + 1)
    assert recommend._timing_fit(internship, year + 5, today) == 0.3  # far off, as before


def test_the_words_shown_are_whole_words_not_fragments(db: None) -> None:
    """The score counts every search word of the major's name, parts included; the page shows
    the outermost ones: 无人机, not 无人 and 人机, and not the whole name itself."""
    name = "无人机应用技术"
    learner = recommend.Learner("0999", name, "senior", "150203", (), (), frozenset(search.words(name)))
    matched, missing = recommend.shown_words(learner, {"技术", "数控"})
    assert matched == ["技术"] and missing == ["应用", "无人机"]
    assert recommend.shown_words(learner, {"无人机", "无人", "人机"}) == (["无人机"], ["应用", "技术"])
