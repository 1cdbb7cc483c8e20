"""Precise push: a published posting reaches the students whose major leads to it, a policy
notice the students of the bureau's region it concerns; learners choose what they receive and
whether by e-mail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.directory.models import Organisation, Person
from gongjiang.market import push, services
from gongjiang.market.models import Notification, OutgoingEmail
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import crosswalk_targets
from gongjiang.registry import services as registry
from gongjiang.registry.models import Registration


def _publish_for(actor_of: Callable[[str], Actor], world: dict[str, Organisation], occupation: str) -> Any:
    posting = services.posting_create(
        actor=actor_of("enterprise"), owner=world["enterprise"], kind="job", title="数控车工", description="操作",
        occupation_code=occupation, region_code="150203", deadline=clock.today() + dt.timedelta(days=9),
    )  # fmt: skip
    return services.posting_moderate(actor=actor_of("bureau"), posting=posting, publish=True)


def test_a_published_posting_reaches_matching_students(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    occupation = crosswalk_targets(Scheme.MAJOR_OCCUPATION, "0102")[0]
    posting = _publish_for(actor_of, world, occupation)
    message = Notification.objects.get(person=enrolled_student.person)
    assert message.kind == "posting" and posting.title in message.title
    page = client_for("student").get("/market/inbox/").content.decode()
    assert posting.title in page and 'class="badge"' in page
    client_for("student").post("/market/inbox/", {"form": "read", "ids": [message.pk]})
    message.refresh_from_db()
    assert message.read_at is not None
    assert 'class="badge"' not in client_for("student").get("/market/inbox/").content.decode()
    # Another learner's inbox never shows it.
    assert Notification.objects.filter(person__name="王晓明").count() <= 1


def test_opening_a_message_shows_it_whole_and_marks_it_read(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    occupation = crosswalk_targets(Scheme.MAJOR_OCCUPATION, "0102")[0]
    _publish_for(actor_of, world, occupation)
    _publish_for(actor_of, world, occupation)
    first, second = Notification.objects.filter(person=enrolled_student.person).order_by("pk")
    client = client_for("student")
    # Nothing ticked: nothing is marked, and the learner is told why.
    page = client.post("/market/inbox/", {"form": "read"}, follow=True).content.decode()
    assert (
        "请先勾选" in page
        and Notification.objects.filter(person=enrolled_student.person, read_at__isnull=True).count() == 2
    )
    opened = client.get(f"/market/inbox/{first.pk}/").content.decode()
    assert first.title in opened and first.body in opened and 'href="/market/' in opened
    first.refresh_from_db()
    assert first.read_at is not None
    second.refresh_from_db()
    assert second.read_at is None
    # "All" is all the learner saw: a message newer than the page shown stays unread.
    assert f'name="upto" value="{second.pk}"' in client.get("/market/inbox/").content.decode()
    client.post("/market/inbox/", {"form": "read", "all": "1", "upto": str(first.pk)})
    second.refresh_from_db()
    assert second.read_at is None
    page = client.post("/market/inbox/", {"form": "read", "all": "1", "upto": str(second.pk)}, follow=True)
    assert "已将 1 条消息标为已读" in page.content.decode()
    assert not Notification.objects.filter(person=enrolled_student.person, read_at__isnull=True).exists()
    # Another person's message is not found, and opening it marks nothing.
    first17 = "15020320060101001"
    someone = registry.person_find_or_register(
        actor=actor_of("school"), name="另一名学生", id_number=first17 + resident_id_check_digit(first17)
    )
    # Delivered in bulk as `push` delivers (messages are not register records, so not audited).
    (other,) = Notification.objects.bulk_create([Notification(person=someone, kind="policy", title="别人的消息")])
    assert client.get(f"/market/inbox/{other.pk}/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_learners_choose_what_they_receive(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    client = client_for("student")
    refused = client.post("/market/inbox/", {"form": "preference", "postings": "on", "by_email": "on", "email": "x"})
    assert "电子邮箱" in refused.content.decode()
    client.post("/market/inbox/", {"form": "preference", "policies": "on", "by_email": "on", "email": "stu@example.cn"})
    _publish_for(actor_of, world, crosswalk_targets(Scheme.MAJOR_OCCUPATION, "0102")[0])
    assert not Notification.objects.filter(person=enrolled_student.person, kind="posting").exists()
    notice = push.policy_publish(
        actor=actor_of("bureau"), bureau=world["bureau"], title="技能提升补贴申领通知",
        body="持证学生可申领技能提升补贴。", major_categories=["01"],
    )  # fmt: skip
    assert notice.recipients >= 1
    assert Notification.objects.filter(person=enrolled_student.person, kind="policy").exists()
    assert OutgoingEmail.objects.get(person=enrolled_student.person).to_address == "stu@example.cn"


def test_policy_notices_reach_only_whom_they_concern(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    other = push.policy_publish(
        actor=actor_of("bureau"), bureau=world["bureau"], title="护理专业实习通知", body="……", major_categories=["05"]
    )
    assert not Notification.objects.filter(person=enrolled_student.person, title=other.title).exists()
    with pytest.raises(ValidationError):
        push.policy_publish(actor=actor_of("bureau"), bureau=world["bureau"], title=" ", body="内容")
    with pytest.raises(ValidationError, match="专业大类代码“99”不在专业目录中"):
        push.policy_publish(
            actor=actor_of("bureau"), bureau=world["bureau"], title="通知", body="内容", major_categories=["01", "99"]
        )
    elsewhere = push.policy_publish(
        actor=actor_of("u-bur-150400"), bureau=world["bureau_other"], title="赤峰市通知", body="只发赤峰"
    )
    assert not Notification.objects.filter(person=enrolled_student.person, title=elsewhere.title).exists()


def test_the_applicant_hears_when_the_application_moves(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    posting = _publish_for(actor_of, world, "6-18-01-01")
    application = services.application_submit(actor=actor_of("student"), posting=posting)
    enterprise = client_for("enterprise")
    page = enterprise.get(f"/market/postings/{posting.pk}/applications/").content.decode()
    assert 'data-testid="phone"' in page  # the applicant's contact, shared by applying
    note = "12 月 8 日上午 9 点，包头市昆都仑区钢铁大街 1 号"
    done = enterprise.post(
        f"/market/postings/{posting.pk}/applications/",
        {"application": application.pk, "to": "interview", "note": note},
        follow=True,
    ).content.decode()
    assert "申请已改为“面试”，并已通知申请人" in done
    person = Person.objects.get(pk=actor_of("student").person_id)
    message = Notification.objects.get(person=person, kind="application")
    assert "面试" in message.body and note in message.body
    # The phone is the publisher's while the application is open, each look recorded; masked after.
    from gongjiang.core.masking import mask_phone
    from gongjiang.core.models import AuditEntry

    phone = person.phone
    assert phone, "the student persona has a phone"
    assert phone in enterprise.get(f"/market/postings/{posting.pk}/applications/").content.decode()
    assert AuditEntry.objects.filter(action="application.contact_view", entity_id=str(posting.pk)).exists()
    services.application_advance(actor=actor_of("enterprise"), application=application, to="rejected")
    after = enterprise.get(f"/market/postings/{posting.pk}/applications/").content.decode()
    assert phone not in after and mask_phone(phone) in after


def test_waiting_emails_are_sent_once(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    from django.core import mail

    push.preference_save(
        actor=actor_of("student"), person=enrolled_student.person, postings=True, policies=True, by_email=True,
        email="stu@example.cn",
    )  # fmt: skip
    push.policy_publish(actor=actor_of("bureau"), bureau=world["bureau"], title="补贴通知", body="可申领")
    assert push.send_outbox() == (1, 0)
    assert mail.outbox[-1].to == ["stu@example.cn"] and mail.outbox[-1].subject == "补贴通知"
    assert push.send_outbox() == (0, 0)


def test_written_emails_queue_one_task_that_sends_them(
    actor_of: Callable[[str], Actor],
    world: dict[str, Organisation],
    enrolled_student: Registration,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core import mail

    from gongjiang.core import tasks
    from gongjiang.core.models import Task

    push.preference_save(
        actor=actor_of("student"), person=enrolled_student.person, postings=True, policies=True, by_email=True,
        email="stu@example.cn",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        push.policy_publish(actor=actor_of("bureau"), bureau=world["bureau"], title="补贴通知", body="可申领")
        push.policy_publish(actor=actor_of("bureau"), bureau=world["bureau"], title="培训通知", body="可报名")
    queued = Task.objects.get(name=push.SEND_MAIL, state="queued")  # one task for both notices
    done = tasks.run_now(queued)
    assert done.state == "done" and done.result == {"sent": 2, "failed": 0}
    assert {m.subject for m in mail.outbox[-2:]} == {"补贴通知", "培训通知"}
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
