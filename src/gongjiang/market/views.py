"""Pages of the marketplace: the public search, a posting, an owner's postings and their form,
the bureau's moderation queue, and an enterprise's profile."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.actors import request_actor as _actor
from gongjiang.core.forms import attach
from gongjiang.core.imports import XLSX_CONTENT_TYPE, RowError
from gongjiang.core.masking import mask_id_number
from gongjiang.core.pages import page_for
from gongjiang.core.paging import CappedPaginator
from gongjiang.core.policies import allowed
from gongjiang.core.scope import ActorKind
from gongjiang.core.uploads import upload_refusal
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Person
from gongjiang.market import forms, partners, push, recommend, search, selectors, services
from gongjiang.market.archive_import import ArchiveReport, postings_archive_import
from gongjiang.market.archive_import import template_write as archive_template_write
from gongjiang.market.models import (
    APPLICABLE_KINDS,
    ENTERPRISE_KINDS,
    LEVEL_LABELS,
    SCHOOL_KINDS,
    ApplicationStatus,
    PostingKind,
    PostingStatus,
    PushPreference,
)
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concept_get, concept_search, concepts, pinyin_of, region_get
from gongjiang.registry import selectors as registry_selectors
from gongjiang.registry.models import ClassLevel

PAGE_SIZE = 20


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 9 else None


def market(request: HttpRequest) -> HttpResponse:
    """Published postings anyone can search, with facets, highlighting and sorting."""
    get = request.GET
    filters = selectors.Filters(
        q=get.get("q", "")[: search.MAX_QUERY_CHARS],
        kind=get.get("kind", ""),
        region=get.get("region", "")[:6],
        occupation=get.get("occupation", "")[:16],
        industry=get.get("industry", "")[:8],
        level=get.get("level", "")[:32],
        pay_min=_int(get.get("pay_min")),
        sort=get.get("sort", "relevance") if get.get("sort") in selectors.SORTS else "relevance",
    )
    found = selectors.posting_search(actor=_actor(request), filters=filters)
    searched_instead = ""
    if not found.count and filters.q.strip():
        # Nothing for the words as typed: pinyin (hangong) or a character of the same sound (焊功)
        # is searched as the occupation it spells, as the suggestions under the box already offer.
        typed = filters.q.strip()[:30]
        spelled = concept_search(Scheme.OCCUPATION, typed, level=4, limit=1) if len(typed) >= 2 else []
        # Only a whole spelling: the occupation's full pinyin or initials, typed or sounded out.
        sound = typed.lower().replace(" ", "") if typed.isascii() else pinyin_of(typed)[0]
        if spelled and spelled[0].name != typed and sound in (spelled[0].pinyin, spelled[0].pinyin_initials):
            retry = selectors.posting_search(actor=_actor(request), filters=replace(filters, q=spelled[0].name))
            if retry.count:
                found, searched_instead = retry, spelled[0].name
    if not found.count and not searched_instead and (spelled_words := search.spelled_out(filters.q)):
        # Ordinary words typed in pinyin (shukong → 数控), learnt from the taxonomy and the postings.
        retry = selectors.posting_search(actor=_actor(request), filters=replace(filters, q=spelled_words))
        if retry.count:
            found, searched_instead = retry, spelled_words
    if not found.count and len(found.terms) > 1:
        # No posting has every word (数控 车工): the word alone that finds the most, said so.
        alone = [
            (selectors.posting_search(actor=_actor(request), filters=replace(filters, q=term)), term)
            for term in found.terms[:5]
        ]
        best, term = max(alone, key=lambda pair: pair[0].count)
        if best.count:
            found, searched_instead = best, term
    total = found.count
    page = CappedPaginator(found.postings, PAGE_SIZE, total, cap=selectors.SEARCH_WINDOW).get_page(get.get("page"))
    terms = found.terms
    results = [(p, search.highlight(p.title, terms, limit=120), search.highlight(p.description, terms)) for p in page]
    return render(
        request,
        "market/market.html",
        {
            "filters": filters,
            "page": page,
            "total": total,
            "capped": found.capped,
            "results": results,
            "facets": _labelled(found.facets),
            "kinds": PostingKind.choices,
            "facet_params": ("region", "occupation", "industry", "level", "pay_min"),
            "sorts": [("relevance", _("相关度")), ("date", _("最新")), ("pay", _("薪酬"))],
            # A query with nothing to search by (symbols only) is said, not silently dropped.
            "ignored_query": bool(filters.q.strip()) and not terms and not searched_instead,
            "searched_instead": searched_instead,
            "cut_query": len(get.get("q", "")) > search.MAX_QUERY_CHARS,
        },
    )


def _labelled(facets: dict[str, list[selectors.Facet]]) -> dict[str, list[tuple[str, str, int]]]:
    """(value, label, count): codes shown with their names, one query per code table."""
    schemes = {"region": Scheme.REGION, "occupation": Scheme.OCCUPATION, "industry": Scheme.INDUSTRY}
    labelled: dict[str, list[tuple[str, str, int]]] = {}
    for name, entries in facets.items():
        if name == "kind":
            names = {k: str(label) for k, label in PostingKind.choices}
        elif name == "level":
            names = {k: str(label) for k, label in LEVEL_LABELS.items()}
        elif name in schemes:
            codes = {f.value: _facet_code(name, f.value) for f in entries}
            by_code = dict(concepts(schemes[name]).filter(code__in=codes.values()).values_list("code", "name"))
            names = {value: by_code.get(code, value) for value, code in codes.items()}
        else:
            names = {}
        labelled[name] = [(f.value, names.get(f.value, f.value), f.count) for f in entries]
    return labelled


def _facet_code(facet: str, value: str) -> str:
    # An occupation facet is a middle class (6-18): its concept's code is 6-18-00-00.
    return f"{value}-00-00" if facet == "occupation" else value


def suggest(request: HttpRequest) -> HttpResponse:
    """Occupation names for the search box as one types: by name, code or pinyin, so a word typed
    with the wrong character of the same sound (焊功 for 焊工) still finds it."""
    q = request.GET.get("q", "").strip()[:30]
    found = concept_search(Scheme.OCCUPATION, q, level=4, limit=8) if q else []
    # Each with what it belongs to and how many places are open, rather than its bare code.
    parents = dict(concepts(Scheme.OCCUPATION).filter(pk__in={c.parent_id for c in found}).values_list("pk", "name"))
    open_now = selectors.open_by_occupation([c.code for c in found])
    suggestions = [(c, parents.get(c.parent_id or 0, ""), open_now.get(c.code, 0)) for c in found]
    return render(request, "market/_suggestions.html", {"suggestions": suggestions})


PICKED_FIELDS = {
    Scheme.REGION: forms.PostingForm.base_fields["region_code"],
    Scheme.INDUSTRY: forms.PostingForm.base_fields["industry_code"],
    Scheme.OCCUPATION: forms.PostingForm.base_fields["occupation_code"],
}
PICKED_NAMES = ("region_code", "industry_code", "occupation_code")


def pick(request: HttpRequest, scheme: str) -> HttpResponse:
    """The posting and profile forms' code pickers: with `value`, the picker again holding that
    code (an option was chosen); otherwise the reference table's entries whose code, name, alias
    or pinyin match what is typed in the field, at most a few, each with what it belongs to."""
    field = PICKED_FIELDS.get(scheme)  # type: ignore[call-overload]
    name = request.GET.get("name", "")
    if field is None or name not in PICKED_NAMES:
        raise Http404
    if "value" in request.GET:
        value = request.GET["value"].strip()[: forms.PICK_QUERY_CHARS]
        return HttpResponse(field.widget.render(name, value, attrs={"id": f"id_{name}"}))
    q = request.GET.get(name, "").strip()[: forms.PICK_QUERY_CHARS]
    found = concept_search(scheme, q, limit=forms.PICK_OPTIONS) if q else []
    options = [(c.code, forms.concept_path(c)) for c in found]
    url = reverse("market:pick", args=[scheme]) + f"?name={name}"
    return render(request, "market/_pick_options.html", {"options": options, "q": q, "url": url})


def posting_detail(request: HttpRequest, posting_id: int) -> HttpResponse:
    actor = _actor(request)
    posting = selectors.posting_get(actor=actor, posting_id=posting_id)
    moderate = forms.ModerateForm(request.POST or None)
    if request.method == "POST" and allowed(actor, "market.posting.moderate", posting.owner) and moderate.is_valid():
        try:
            services.posting_moderate(
                actor=actor,
                posting=posting,
                publish=moderate.cleaned_data["decision"] == "publish",
                reason=moderate.cleaned_data["reason"],
            )
        except ValidationError as exc:
            attach(moderate, exc)
        else:
            if moderate.cleaned_data["decision"] == "publish":
                messages.success(request, _("“%(title)s”已发布，公开可见。") % {"title": posting.title})
            else:
                messages.success(request, _("“%(title)s”已退回，发布单位会看到退回原因。") % {"title": posting.title})
            return redirect("market:moderation")
    if request.method == "POST" and request.POST.get("form") in ("apply", "agree"):
        response = _apply_or_agree(request, actor, posting)
        if response is not None:
            return response
    occupation = concept_get(Scheme.OCCUPATION, posting.occupation_code) if posting.occupation_code else None
    mine = (
        selectors.application_list(actor=actor).filter(posting=posting).first()
        if actor.kind == ActorKind.LEARNER
        else None
    )
    school = _own_school(actor) if posting.kind == PostingKind.ORDER_CLASS else None
    is_owner = allowed(actor, "market.posting.write", posting.owner)
    return render(
        request,
        "market/posting_detail.html",
        {
            # A withdrawn application may be made again while the posting is open.
            "can_apply": actor.kind == ActorKind.LEARNER
            and posting.kind in APPLICABLE_KINDS
            and (mine is None or mine.status == ApplicationStatus.WITHDRAWN),
            "my_application": mine,
            "agree_offerings": registry_selectors.offering_list(actor=actor, school_id=school.pk).filter(status="filed")
            if school
            else None,
            "levels": ClassLevel.choices,
            "this_year": clock.today().year,
            "cohorts": recommend.recommend_for_posting(posting, limit=10) if is_owner else [],
            "schools": recommend.recommend_schools_for_posting(posting, limit=10) if is_owner else [],
            "learners": recommend.recommend_learners_for_posting(posting, limit=20) if is_owner else [],
            "applicants": selectors.application_list(actor=actor).filter(posting=posting).count()
            if allowed(actor, "market.posting.write", posting.owner)
            else None,
            "posting": posting,
            "occupation": occupation,
            "region": region_get(posting.region_code),
            "industry": concept_get(Scheme.INDUSTRY, posting.industry_code) if posting.industry_code else None,
            "profile": selectors.profile_of(actor=actor, organisation_id=posting.owner_id),
            "is_owner": allowed(actor, "market.posting.write", posting.owner),
            "can_moderate": allowed(actor, "market.posting.moderate", posting.owner)
            and posting.status == PostingStatus.PENDING,
            "moderate": moderate,
            "revisions": posting.revisions.all()[:20] if allowed(actor, "market.posting.write", posting.owner) else [],
            "today": clock.today(),
        },
    )


def _own_school(actor: Actor) -> Any:
    """The actor's school when it may agree to order classes."""
    school = directory.acting_organisation(actor, kinds=(ActorKind.SCHOOL,), required=False)
    return school if school is not None and allowed(actor, "market.order_class.agree", school) else None


def _apply_or_agree(request: HttpRequest, actor: Actor, posting: Any) -> HttpResponse | None:
    """A learner's application or a school's order-class agreement, from the posting's page."""
    try:
        if request.POST["form"] == "apply":
            services.application_submit(actor=actor, posting=posting, message=request.POST.get("message", ""))
            messages.success(request, _("已投递，可在“我的申请”查看进展。"))
            return redirect("market:my_applications")
        school = _own_school(actor)
        if school is None:
            raise PermissionDenied
        services.order_class_agree(
            actor=actor, posting=posting, school=school, major_code=request.POST.get("major_code", ""),
            name=request.POST.get("name", ""), class_level=request.POST.get("class_level", ""),
            cohort_year=_int(request.POST.get("cohort_year")) or 0,
            planned_years=_int(request.POST.get("planned_years")) or 0,
        )  # fmt: skip
        messages.success(request, _("已签订订单班，并以该企业为合作企业开设了班级。"))
        return redirect("registry:classes")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return None


@page_for(ActorKind.LEARNER)
def my_applications(request: HttpRequest) -> HttpResponse:
    """A learner's applications, with the answer to an offer."""
    actor = _actor(request)
    if request.method == "POST":
        application = selectors.application_get(actor=actor, application_id=_int(request.POST.get("application")) or 0)
        action = request.POST.get("action")
        try:
            if action == "withdraw":
                services.application_withdraw(actor=actor, application=application)
            else:
                services.application_respond(actor=actor, application=application, accept=action == "accept")
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            done = {"withdraw": _("申请已撤回。"), "accept": _("已接受录用。")}
            messages.success(request, done.get(action or "", _("已谢绝录用。")))
        return redirect("market:my_applications")
    applications = selectors.application_list(actor=actor).order_by("-created_at")
    return render(request, "market/my_applications.html", {"applications": applications})


@login_required
def applicants(request: HttpRequest, posting_id: int) -> HttpResponse:
    """The applicants to one of the publisher's postings, moved on one step at a time."""
    actor = _actor(request)
    posting = selectors.posting_get(actor=actor, posting_id=posting_id)
    if not allowed(actor, "market.posting.write", posting.owner):
        raise PermissionDenied
    if request.method == "POST":
        application = selectors.application_get(actor=actor, application_id=_int(request.POST.get("application")) or 0)
        try:
            services.application_advance(
                actor=actor, application=application, to=request.POST.get("to", ""), note=request.POST.get("note", "")
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("“%(name)s”的申请已改为“%(status)s”，并已通知申请人。")
                % {"name": application.applicant.name, "status": application.get_status_display()},
            )
        return redirect("market:applicants", posting_id=posting.pk)
    applications = list(selectors.application_list(actor=actor).filter(posting=posting).order_by("created_at"))
    studies = recommend.studies_of([a.applicant_id for a in applications])
    phones = selectors.applicant_phones(actor=actor, posting=posting, applications=applications)
    rows = [
        (
            a,
            mask_id_number(a.applicant.id_number),
            services.OWNER_STEPS.get(a.status, ()),
            # What the applicant studies or has completed, for the publisher to judge by.
            studies.get(a.applicant_id),
            phones[a.pk],
        )
        for a in applications
    ]
    return render(
        request,
        "market/applicants.html",
        {"posting": posting, "rows": rows, "labels": dict(ApplicationStatus.choices)},
    )


@page_for(ActorKind.LEARNER)
def recommendations(request: HttpRequest) -> HttpResponse:
    """Postings for the signed-in learner, each with the reasons it was chosen."""
    actor = _actor(request)
    if actor.person_id is None:
        raise PermissionDenied
    registration = recommend.current_registration(actor.person_id)
    learner = recommend.learner_of(registration) if registration else None
    results = recommend.recommend_for_learner(learner) if learner else []
    applied = set(
        selectors.application_list(actor=actor)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .values_list("posting_id", flat=True)
    )
    return render(request, "market/recommendations.html", {"learner": learner, "results": results, "applied": applied})


@page_for(ActorKind.SCHOOL, ActorKind.ENTERPRISE, organisation=True)
def partner_recommendations(request: HttpRequest) -> HttpResponse:
    """For a school, enterprises to cooperate with; for an enterprise, schools; each explained."""
    actor = _actor(request)
    own = directory.acting_organisation(actor)
    return render(
        request,
        "market/partners.html",
        {"own": own, "for_school": actor.kind == ActorKind.SCHOOL, "results": partners.partners_for(own)},
    )


@login_required
def notification_detail(request: HttpRequest, notification_id: int) -> HttpResponse:
    """One message in full; opening it marks it read, as in any mail box."""
    actor = _actor(request)
    notification = selectors.notification_get(actor=actor, notification_id=notification_id)
    if notification.read_at is None:
        push.mark_read(actor=actor, notification_ids=[notification.pk])
    # Links are written by the platform itself; still, only a path on this site is followed.
    link = notification.link if url_has_allowed_host_and_scheme(notification.link, None) else ""
    return render(request, "market/notification.html", {"notification": notification, "link": link})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """An inbox: a learner's messages and what they choose to receive, or the messages of an
    enterprise or school that publishes (applications, withdrawals, the bureau's decisions),
    shared by its staff."""
    actor = _actor(request)
    learner = actor.kind == ActorKind.LEARNER and actor.person_id is not None
    publisher = actor.kind in push.INBOX_ORGANISATIONS and actor.organisation_id is not None
    if not (learner or publisher):
        raise PermissionDenied
    form = None
    person = None
    if learner and actor.person_id is not None:
        person = Person.objects.get(pk=actor.person_id)
        current = PushPreference.objects.filter(person=person).first()
        form = forms.PreferenceForm(
            request.POST if request.POST.get("form") == "preference" else None,
            initial={"postings": True, "policies": True}
            if current is None
            else {
                "postings": current.postings,
                "policies": current.policies,
                "by_email": current.by_email,
                "email": current.email,
                "discoverable": current.discoverable,
            },
        )
    if request.method == "POST":
        if request.POST.get("form") == "read":
            chosen = None if "all" in request.POST else [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
            # "All" is all that the reader saw: none that arrived after the page was shown.
            upto = request.POST.get("upto", "")
            if chosen == []:
                messages.warning(request, _("请先勾选要标为已读的消息。"))
            else:
                count = push.mark_read(
                    actor=actor, notification_ids=chosen, up_to=int(upto) if upto.isdigit() else None
                )
                messages.success(
                    request,
                    ngettext("已将 %(n)d 条消息标为已读。", "已将 %(n)d 条消息标为已读。", count) % {"n": count},
                )
            return redirect("market:inbox")
        if form is not None and person is not None and form.is_valid():
            try:
                push.preference_save(actor=actor, person=person, **form.cleaned_data)
            except ValidationError as exc:
                attach(form, exc)
            else:
                messages.success(request, _("接收设置已保存。"))
                return redirect("market:inbox")
    notifications = selectors.inbox(actor=actor)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    newest = notifications.aggregate(newest=Max("pk"))["newest"]
    return render(request, "market/inbox.html", {"page": page, "form": form, "newest": newest})


@page_for(ActorKind.BUREAU, ActorKind.OPERATOR)
def policies(request: HttpRequest) -> HttpResponse:
    """The bureau's policy notices and the form to publish one to the students it concerns."""
    actor = _actor(request)
    bureau = directory.acting_organisation(actor, required=False)
    form = forms.PolicyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and bureau is not None and form.is_valid():
        data = form.cleaned_data
        try:
            notice = push.policy_publish(
                actor=actor, bureau=bureau, title=data["title"], body=data["body"],
                major_categories=data["major_categories"].replace("，", ",").split(","),
                class_levels=data["class_levels"],
            )  # fmt: skip
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("已发布，送达 %(n)d 名学生。") % {"n": notice.recipients})
            return redirect("market:policies")
    notices = selectors.policy_list(actor=actor).filter(bureau=bureau) if bureau else selectors.policy_list(actor=actor)
    return render(
        request,
        "market/policies.html",
        {
            "notices": notices[:100],
            "form": form if bureau and allowed(actor, "market.policy.publish", bureau) else None,
        },
    )


def policy_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = selectors.policy_get(actor=_actor(request), notice_id=notice_id)
    return render(request, "market/policy_detail.html", {"notice": notice})


@page_for(ActorKind.ENTERPRISE, ActorKind.SCHOOL, organisation=True)
def my_postings(request: HttpRequest) -> HttpResponse:
    """An enterprise's or a school's own postings in every state, and the form for a new one."""
    actor = _actor(request)
    owner = directory.acting_organisation(actor)
    allowed_kinds = ENTERPRISE_KINDS if owner.kind == "enterprise" else SCHOOL_KINDS
    form = forms.PostingForm(
        request.POST if request.method == "POST" else None,
        initial={"region_code": owner.region_code, "kind": allowed_kinds[0]},
    )
    kind_field = form.fields["kind"]
    assert isinstance(kind_field, django_forms.ChoiceField)
    kind_field.choices = [(k, PostingKind(k).label) for k in allowed_kinds]
    to_confirm = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data["occupation_code"] and not request.POST.get("occupation_confirmed"):
            to_confirm = services.occupation_suggestion(data["kind"], data["title"], data["description"])
        if to_confirm is not None and to_confirm.code and to_confirm.confidence < services.CONFIRM_BELOW_CONFIDENCE:
            # A low-confidence code is put in the field for the publisher to confirm or change;
            # nothing is saved until the form comes back with a code or with none on purpose.
            shown = request.POST.copy()
            shown["occupation_code"] = to_confirm.code
            form.data = shown
        else:
            to_confirm = None
            try:
                with transaction.atomic():
                    posting = services.posting_create(actor=actor, owner=owner, **data)
            except ValidationError as exc:
                attach(form, exc)
            else:
                messages.success(request, _("已提交，等待人社部门审核后发布。"))
                if not posting.occupation_code:
                    messages.warning(
                        request,
                        _(
                            "“%(title)s”还没有职业代码（标题不足以可靠判断）：请在“修改”中填写，求职者和推荐才能按职业找到它。"
                        )
                        % {"title": posting.title},
                    )
                # The form was posted to #posting-form; without a fragment of its own the browser
                # would keep that one and open the list scrolled past the message.
                return redirect(reverse("market:mine") + "#main")
    postings = selectors.own_postings(actor=actor, owner=owner)
    return render(
        request,
        "market/my_postings.html",
        {
            "owner": owner,
            "page": Paginator(postings, PAGE_SIZE).get_page(request.GET.get("page")),
            "form": form if allowed(actor, "market.posting.write", owner) else None,
            "to_confirm": to_confirm,
        },
    )


@login_required
def posting_edit(request: HttpRequest, posting_id: int) -> HttpResponse:
    actor = _actor(request)
    posting = selectors.posting_get(actor=actor, posting_id=posting_id)
    if not allowed(actor, "market.posting.write", posting.owner):
        raise PermissionDenied
    fields = [f for f in forms.PostingForm.base_fields if f != "kind"]
    form = forms.PostingForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": posting.kind, **{f: getattr(posting, f) for f in fields}},
    )
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.posting_update(
                actor=actor,
                posting=posting,
                expected_version=_int(request.POST.get("version")),
                **{f: form.cleaned_data[f] for f in fields},
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("已保存，重新提交人社部门审核。"))
            return redirect("market:posting_detail", posting_id=posting.pk)
    return render(request, "market/posting_edit.html", {"posting": posting, "form": form})


@require_POST
@login_required
def posting_close(request: HttpRequest, posting_id: int) -> HttpResponse:
    actor = _actor(request)
    posting = selectors.posting_get(actor=actor, posting_id=posting_id)
    if not allowed(actor, "market.posting.write", posting.owner):
        raise PermissionDenied
    services.posting_close(actor=actor, posting=posting)
    messages.success(request, _("已关闭。"))
    return redirect("market:mine")


@page_for(ActorKind.BUREAU, ActorKind.OPERATOR)
def moderation(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    queue = selectors.moderation_queue(actor=actor)
    return render(
        request,
        "market/moderation.html",
        {"page": Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))},
    )


@page_for(ActorKind.BUREAU, ActorKind.OPERATOR)
def archive_import(request: HttpRequest) -> HttpResponse:
    """A bureau records earlier years' closed postings from a spreadsheet (their demand history);
    every row is checked and nothing is written unless all pass."""
    actor = _actor(request)
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        refusal = upload_refusal(request, upload)
        if refusal:
            report = ArchiveReport(errors=[RowError(row=0, column="", message=refusal)])
        elif upload is not None:
            report = postings_archive_import(
                actor=actor, source=upload, filename=upload.name or "", dry_run=bool(request.POST.get("dry_run"))
            )
        template = "market/_archive_result.html" if request.headers.get("HX-Request") else "market/archive_import.html"
        return render(request, template, {"report": report, "posted": True})
    return render(request, "market/archive_import.html", {"report": None, "posted": False})


@page_for(ActorKind.BUREAU, ActorKind.OPERATOR)
def archive_template(request: HttpRequest) -> HttpResponse:
    """The blank workbook for the import, with a sheet explaining each column."""
    buffer = io.BytesIO()
    archive_template_write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="template-postings-archive.xlsx"'
    return response


@page_for(ActorKind.ENTERPRISE, organisation=True)
def profile(request: HttpRequest) -> HttpResponse:
    """An enterprise's profile: industry, size, flags, contacts."""
    actor = _actor(request)
    owner = directory.acting_organisation(actor)
    current = selectors.profile_of(actor=actor, organisation_id=owner.pk)
    initial: dict[str, Any] = {"version": current.version} if current else {}
    if current is not None:
        initial.update({f: getattr(current, f) for f in services.PROFILE_FIELDS})
    form = forms.ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.profile_save(actor=actor, organisation=owner, expected_version=version, **data)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("企业档案已保存。"))
            return redirect("market:profile")
    return render(request, "market/profile.html", {"owner": owner, "form": form, "profile": current})
