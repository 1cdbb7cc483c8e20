"""An enterprise's inbox: new applications, withdrawals and the bureau's decisions on its postings
arrive as messages, shared by its staff, counted on its menu; no one else reads them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation
from gongjiang.market import push, services
from gongjiang.market.models import Application, Notification, Posting
from gongjiang.registry.models import Registration


def _posting(actor_of: Callable[[str], Actor], world: dict[str, Organisation], title: str) -> Posting:
    return services.posting_create(
        actor=actor_of("enterprise"), owner=world["enterprise"], kind="internship", title=title,
        description="数控车床操作", region_code="150203", deadline=clock.today() + dt.timedelta(days=20),
        starts_on=clock.today() + dt.timedelta(days=30), ends_on=clock.today() + dt.timedelta(days=210),
    )  # fmt: skip


def _badge(page: str) -> int:
    """The unread count beside 消息 in the menu (0 when no badge)."""
    link = re.search(r'data-testid="inbox-link">(.*?)</a>', page, re.S)
    assert link is not None, "no 消息 entry in the menu"
    number = re.search(r'class="badge"[^>]*>(\d+)<', link.group(1))
    return int(number.group(1)) if number else 0


def test_the_bureaus_decisions_arrive_in_the_enterprises_inbox(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    enterprise = client_for("enterprise")
    before = _badge(enterprise.get("/market/inbox/").content.decode())
    returned = services.posting_moderate(
        actor=actor_of("bureau"), posting=_posting(actor_of, world, "退回的实习"), publish=False, reason="缺少薪酬说明"
    )
    services.posting_moderate(actor=actor_of("bureau"), posting=_posting(actor_of, world, "发布的实习"), publish=True)
    page = enterprise.get("/market/inbox/").content.decode()
    assert "信息被退回：退回的实习" in page and "缺少薪酬说明" in page and "信息已发布：发布的实习" in page
    assert _badge(page) == before + 2
    message = Notification.objects.get(organisation=world["enterprise"], title="信息被退回：退回的实习")
    assert message.kind == "moderation" and message.link == f"/market/postings/{returned.pk}/edit/"
    opened = enterprise.get(f"/market/inbox/{message.pk}/").content.decode()
    assert "缺少薪酬说明" in opened
    assert _badge(enterprise.get("/market/inbox/").content.decode()) == before + 1
    # Neither the learner, another school nor the bureau reads the enterprise's post.
    for persona in ("student", "school2", "bureau"):
        assert client_for(persona).get(f"/market/inbox/{message.pk}/").status_code == 404
    assert "缺少薪酬说明" not in client_for("school2").get("/market/inbox/").content.decode()
    assert client_for("bureau").get("/market/inbox/").status_code == 403


def test_applications_and_withdrawals_arrive_and_are_read_for_all_the_staff(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    posting = services.posting_moderate(
        actor=actor_of("bureau"), posting=_posting(actor_of, world, "数控实习"), publish=True
    )
    student = client_for("student")
    student.post(f"/market/postings/{posting.pk}/", {"form": "apply", "message": "想来实习"})
    application = Application.objects.get(posting=posting)
    student.post("/market/applications/", {"application": application.pk, "action": "withdraw"})
    name = enrolled_student.person.name
    arrived = Notification.objects.filter(organisation=world["enterprise"], kind="applicant").order_by("pk")
    assert [(m.title, m.body) for m in arrived] == [
        ("新的申请：数控实习", f"{name} 申请了“数控实习”。"),
        ("申请已撤回：数控实习", f"{name} 撤回了对“数控实习”的申请。"),
    ]
    assert {m.link for m in arrived} == {f"/market/postings/{posting.pk}/applications/"}
    # The learner's own inbox holds nothing of it (only the posting's news, if any).
    assert not Notification.objects.filter(person=enrolled_student.person, kind="applicant").exists()
    # One of the staff marks all read: read for every one of them.
    enterprise = client_for("enterprise")
    page = enterprise.get("/market/inbox/").content.decode()
    newest = re.search(r'name="upto" value="(\d+)"', page)
    assert newest is not None and "新的申请：数控实习" in page
    enterprise.post("/market/inbox/", {"form": "read", "all": "1", "upto": newest.group(1)})
    assert not Notification.objects.filter(organisation=world["enterprise"], read_at__isnull=True).exists()
    assert _badge(client_for("enterprise").get("/market/inbox/").content.decode()) == 0
    # Marking read touches only the reader's own inbox.
    assert push.mark_read(actor=actor_of("bureau"), notification_ids=None) == 0
    assert client_for("enterprise").get("/api/v1/market/inbox").json()["count"] == arrived.count() + 1
