"""Pages of the credentials app.

Public: the trust registry (page and JSON), each filing with its history, status-list
credentials, issuers' `did:web` documents and share links. Signed in: the bureau files and
changes filings; issuers issue and change certificates (one by one, or a school's diplomas as a
batch with its progress); the holder downloads, prints and shares their own.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongjiang.core import clock
from gongjiang.core.actors import request_actor as _actor
from gongjiang.core.forms import attach
from gongjiang.core.pages import page_for
from gongjiang.core.paging import CappedPaginator
from gongjiang.core.policies import allowed
from gongjiang.core.scope import ActorKind
from gongjiang.credentials import forms, issuers, printing, selectors
from gongjiang.credentials.models import Certificate, CertificateKind, CertificateStatus, Filing
from gongjiang.credentials.public_verify import checks_for_display, verify_public
from gongjiang.credentials.services import certificates as issuing
from gongjiang.credentials.services import filing as filing_services
from gongjiang.credentials.services import sharing
from gongjiang.directory import selectors as directory
from gongjiang.directory.models import Organisation
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import crosswalk_targets
from gongjiang.registry import selectors as registry

PAGE_SIZE = 50
JSON_LIMIT = 5000


def _filing_json(filing: Filing) -> dict[str, Any]:
    return {
        "number": filing.number,
        "organisation": {"code": filing.organisation.code, "name": filing.organisation.name,
                         "uscc": filing.organisation.uscc or None},
        "bodyKind": filing.body_kind,
        "status": filing.status,
        "validFrom": filing.valid_from.isoformat(),
        "validUntil": filing.valid_until.isoformat(),
        "occupations": [{"code": o.occupation_code, "highestLevel": o.highest_level} for o in filing.occupations.all()],
        "filedBy": filing.filed_by.name,
    }  # fmt: skip


# -- the public registry ----------------------------------------------------------------------------


@require_GET
def registry_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")[:16]
    page = CappedPaginator(selectors.filing_list(actor=_actor(request), status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_file = _actor(request).kind in (ActorKind.BUREAU, ActorKind.OPERATOR)
    return render(request, "credentials/registry.html", {"filings": page, "status": status, "can_file": can_file})


@require_GET
def registry_json(request: HttpRequest) -> JsonResponse:
    """The machine-readable registry: every filing with its occupations, levels and window."""
    found = selectors.filing_list(actor=_actor(request))[:JSON_LIMIT]
    return JsonResponse({"filings": [_filing_json(f) for f in found]}, json_dumps_params={"ensure_ascii": False})


def filing_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = _actor(request)
    filing = selectors.filing_get(actor=actor, number=number[:24])
    may_change = actor.is_authenticated and allowed(actor, "credentials.filing.write", filing.organisation)
    form = forms.FilingStatusForm(initial={"version": filing.version})
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        form = forms.FilingStatusForm(request.POST)
        if form.is_valid():
            change = {"suspend": filing_services.filing_suspend, "reinstate": filing_services.filing_reinstate,
                      "end": filing_services.filing_end}[form.cleaned_data["action"]]  # fmt: skip
            try:
                change(actor=actor, filing=filing, version=form.cleaned_data["version"],
                       reason=form.cleaned_data["reason"])  # fmt: skip
            except ValidationError as exc:
                transaction.set_rollback(True)
                attach(form, exc)
            else:
                messages.success(request, _("备案状态已变更。"))
                return redirect("credentials:filing", number=filing.number)
    elif request.method != "GET":
        raise Http404
    return render(request, "credentials/filing_detail.html", {"filing": filing, "form": form if may_change else None})


@page_for(ActorKind.BUREAU, ActorKind.OPERATOR)
def filing_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = forms.FilingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = directory.organisation_get(actor=actor, code=data["organisation_code"])
            filing = filing_services.filing_create(
                actor=actor, organisation=organisation, body_kind=data["body_kind"], occupations=data["occupations"],
                valid_from=data["valid_from"], valid_until=data["valid_until"],
            )  # fmt: skip
        except Http404:
            form.add_error("organisation_code", _("没有该机构，或它不在本部门辖区内。"))
        except ValidationError as exc:
            transaction.set_rollback(True)
            attach(form, exc)
        else:
            messages.success(request, _("已备案，备案编号 %(number)s。") % {"number": filing.number})
            return redirect("credentials:filing", number=filing.number)
    return render(request, "credentials/filing_new.html", {"form": form})


# -- the 一体化 rule ---------------------------------------------------------------------------------


@login_required
def equivalence(request: HttpRequest) -> HttpResponse:
    """The bureau's 一体化 switch: the rule in force for its region, the history of switches over
    and under it, and (for its administrators) the switch with a date and a reason."""
    actor = _actor(request)
    if actor.kind not in (ActorKind.BUREAU, ActorKind.OPERATOR):
        raise PermissionDenied
    bureau = directory.organisation_of(actor=actor)
    may_switch = (
        bureau is not None and bureau.kind == "bureau" and allowed(actor, "credentials.equivalence.switch", bureau)
    )
    today = clock.today()
    form = forms.EquivalenceForm(request.POST or None, initial={"effective_on": today})
    if request.method == "POST":
        if not may_switch:
            raise PermissionDenied
        if form.is_valid():
            try:
                # The service writes in its own transaction: a refusal has left nothing behind,
                # and the page still reads the history below.
                filing_services.equivalence_switch(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                attach(form, exc)
            else:
                messages.success(request, _("一体化等效认定规则已切换，历史记录已保留。"))
                return redirect("credentials:equivalence")
    elif request.method not in ("GET", "HEAD"):
        raise Http404
    region = actor.region_code or ""
    history = selectors.equivalence_list(actor=actor, region_code=region or None)
    context = {
        "in_force": selectors.equivalence_in_force(region, today) if region else None, "today": today,
        "history": CappedPaginator(history, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form if may_switch else None,
    }  # fmt: skip
    return render(request, "credentials/equivalence.html", context)


# -- what verifiers fetch ---------------------------------------------------------------------------


@require_GET
def status_list(request: HttpRequest, slug: str) -> JsonResponse:
    signed = selectors.status_list_credential(issuers.status_list_url(slug[:32]))
    if signed is None:
        raise Http404
    response = JsonResponse(signed)
    # Re-read, not cached: a revocation shows at once.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def did_web(request: HttpRequest, code: str) -> JsonResponse:
    document = selectors.did_web_document(code[:32])
    if document is None:
        raise Http404
    return JsonResponse(document)


# -- certificates -------------------------------------------------------------------------------------


@login_required
def certificates(request: HttpRequest) -> HttpResponse:
    """Issued certificates as the actor sees them (an issuer its own, a bureau its region, a
    learner theirs) and, for issuers, what awaits issuing."""
    actor = _actor(request)
    kind = request.GET.get("kind", "")[:16]
    status = request.GET.get("status", "")[:16]
    context: dict[str, Any] = {
        "certificates": CappedPaginator(
            selectors.certificate_list(actor=actor, kind=kind or None, status=status or None), PAGE_SIZE
        ).get_page(request.GET.get("page")),
        "kind": kind, "status": status,
    }  # fmt: skip
    org = directory.organisation_of(actor=actor) if actor.organisation_id else None
    if org is not None and allowed(actor, "credentials.certificate.issue", org):
        context["awaiting"] = selectors.assessments_awaiting_certificate(actor=actor, evaluator=org)[:PAGE_SIZE]
        if org.kind == "school":
            context["graduates_waiting"] = selectors.graduates_without_diploma(actor=actor, school=org).count()
            context["batch"] = selectors.batch_latest(actor=actor, school=org)
    if request.method == "POST" and org is not None:
        try:
            if request.POST.get("form") == "assessment":
                assessment = selectors.assessment_awaiting_get(
                    actor=actor, evaluator=org, pk=_int(request.POST.get("assessment"))
                )
                made = issuing.certificate_issue_for_assessment(actor=actor, assessment=assessment)
                messages.success(request, _("已签发证书 %(number)s。") % {"number": made.number})
            elif request.POST.get("form") == "batch":
                issuing.batch_start(actor=actor, school=org, total=context.get("graduates_waiting", 0))
                messages.success(request, _("已开始批量签发毕业证书。"))
            else:
                raise Http404
        except ValidationError as exc:
            transaction.set_rollback(True)
            for message in exc.messages:
                messages.error(request, message)
        return redirect("credentials:certificates")
    if request.method not in ("GET", "HEAD", "POST"):
        raise Http404
    return render(request, "credentials/certificates.html", context)


# -- 双证书 ----------------------------------------------------------------------------------------


def _skill_label(c: Certificate) -> str:
    name = c.credential["credentialSubject"]["achievement"]["name"]
    return f"{c.number} {name}（{c.issuer.name}）"


def _dual_form(diploma: Certificate, candidates: list[Certificate], data: Any = None) -> forms.DualForm:
    return forms.DualForm(
        data, initial={"diploma": diploma.number}, choices=[(c.number, _skill_label(c)) for c in candidates]
    )


def _dual_post(request: HttpRequest, actor: Any) -> Certificate:
    """Link the posted diploma with the chosen skill certificates; refusals become messages."""
    diploma = selectors.certificate_get(actor=actor, number=str(request.POST.get("diploma", ""))[:24])
    candidates = selectors.dual_candidates(actor=actor, diploma=diploma)
    form = _dual_form(diploma, candidates, request.POST)
    if not allowed(actor, "credentials.certificate.link", diploma):
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return diploma
    held = {c.number: c for c in candidates}
    try:
        issuing.dual_link(actor=actor, diploma=diploma, skills=[held[n] for n in form.cleaned_data["skills"]])
    except ValidationError as exc:  # written in its own transaction: nothing was left behind
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已登记双证书：%(number)s。") % {"number": diploma.number})
    return diploma


@login_required
def duals(request: HttpRequest) -> HttpResponse:
    """Diplomas and their 双证书 records as the actor sees them; the school that issued a diploma
    links it with its graduate's skill certificates here."""
    actor = _actor(request)
    if request.method == "POST":
        _dual_post(request, actor)
        return redirect(request.get_full_path())
    if request.method not in ("GET", "HEAD"):
        raise Http404
    linked = {"yes": True, "no": False}.get(request.GET.get("linked", "")[:4])
    page = CappedPaginator(selectors.dual_list(actor=actor, linked=linked), PAGE_SIZE).get_page(request.GET.get("page"))
    diplomas = list(page)
    candidates = selectors.dual_candidates_for(actor=actor, diplomas=diplomas)
    linked_with = selectors.dual_map(diplomas)
    rows = [
        {
            "diploma": d, "skills": linked_with[d.pk],
            "form": _dual_form(d, candidates[d.pk]) if not linked_with[d.pk] and candidates.get(d.pk) else None,
        }
        for d in diplomas
    ]  # fmt: skip
    context = {"page": page, "rows": rows, "linked": request.GET.get("linked", "")[:4]}
    return render(request, "credentials/duals.html", context)


# -- the 一体化 rule, for the school -------------------------------------------------------------------


def _integrated_options(school: Organisation, registration: Any, today: dt.date) -> list[str]:
    """The occupations of the graduate's major the school is filed for today at the class level's
    skill level (the service checks again on the graduation date)."""
    school_class = registration.school_class
    level = issuing.CLASS_LEVEL_SKILL.get(school_class.class_level)
    if level is None:
        return []
    return [
        code
        for code in crosswalk_targets(Scheme.MAJOR_OCCUPATION, school_class.offering.major_code)
        if selectors.filing_covers(school, code, level, today) is not None
    ]


@login_required
def integrated(request: HttpRequest) -> HttpResponse:
    """The school issues skill certificates to graduates of its integrated courses once the bureau
    has switched the 一体化 rule on (ADR 0026): the class level's skill level, the graduation as
    evidence, under the school's filing for an occupation of the major."""
    actor = _actor(request)
    school = directory.organisation_of(actor=actor) if actor.kind == ActorKind.SCHOOL else None
    if school is None or not allowed(actor, "credentials.certificate.issue", school):
        raise PermissionDenied
    if request.method == "POST":
        registration = registry.registration_get(actor=actor, registration_id=_int(request.POST.get("registration")))
        try:
            made = issuing.certificate_issue_integrated(
                actor=actor,
                registration=registration,
                occupation_code=str(request.POST.get("occupation_code", ""))[:16],
            )
        except ValidationError as exc:  # issued in its own transaction: nothing was left behind
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已签发证书 %(number)s。") % {"number": made.number})
        return redirect(request.get_full_path())
    if request.method not in ("GET", "HEAD"):
        raise Http404
    today = clock.today()
    page = CappedPaginator(selectors.integrated_waiting(actor=actor, school=school), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [{"registration": r, "options": _integrated_options(school, r, today)} for r in page]
    context = {"page": page, "rows": rows, "in_force": selectors.equivalence_in_force(school.region_code, today)}
    return render(request, "credentials/integrated.html", context)


def _int(value: str | None) -> int:
    try:
        return int(str(value)[:12])
    except ValueError:
        raise Http404 from None


@login_required
@require_GET
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(actor=_actor(request), pk=pk)
    return render(request, "credentials/_batch.html", {"batch": batch})


@login_required
def certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = _actor(request)
    certificate = selectors.certificate_get(actor=actor, number=number)
    may_change = allowed(actor, "credentials.certificate.status", certificate)
    is_holder = actor.kind == ActorKind.LEARNER and actor.person_id == certificate.holder_id
    status_form = forms.CertificateStatusForm() if may_change else None
    share_form = forms.ShareForm() if is_holder else None
    new_link = ""
    if request.method == "POST":
        action = request.POST.get("form")
        if action == "status" and may_change:
            status_form = forms.CertificateStatusForm(request.POST)
            if status_form.is_valid():
                try:
                    issuing.certificate_set_status(actor=actor, certificate=certificate, **status_form.cleaned_data)
                except ValidationError as exc:
                    transaction.set_rollback(True)
                    attach(status_form, exc)
                else:
                    messages.success(request, _("证书状态已变更，状态列表已同步。"))
                    return redirect("credentials:certificate", number=certificate.number)
        elif action == "dual":
            _dual_post(request, actor)
            return redirect("credentials:certificate", number=certificate.number)
        elif action == "share" and is_holder:
            share_form = forms.ShareForm(request.POST)
            if share_form.is_valid():
                try:
                    _link, token = sharing.share_create(actor=actor, certificate=certificate, **share_form.cleaned_data)
                except ValidationError as exc:
                    transaction.set_rollback(True)
                    attach(share_form, exc)
                else:
                    # Shown once: only the token's hash is kept.
                    new_link = request.build_absolute_uri(reverse("credentials:shared", args=[token]))
        else:
            raise PermissionDenied
    context = {
        "certificate": certificate, "status_form": status_form, "share_form": share_form, "new_link": new_link,
        "is_holder": is_holder, "events": certificate.events.order_by("recorded_at"),
        "links": selectors.share_links(actor=actor, certificate=certificate) if is_holder else [],
        "achievement": certificate.credential["credentialSubject"]["achievement"],
        "dual_with": [(c, _skill_label(c)) for c in selectors.dual_of(actor=actor, certificate=certificate)],
    }  # fmt: skip
    if certificate.kind == CertificateKind.DIPLOMA and not context["dual_with"]:
        candidates = selectors.dual_candidates(actor=actor, diploma=certificate)
        context["dual_form"] = _dual_form(certificate, candidates) if candidates else None
    return render(request, "credentials/certificate_detail.html", context)


@login_required
@require_GET
def credential_json(request: HttpRequest, number: str) -> HttpResponse:
    certificate = selectors.certificate_get(actor=_actor(request), number=number)
    response = HttpResponse(
        json.dumps(certificate.credential, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.json"'
    return response


@login_required
@require_POST
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The printable certificate; its QR code is a new share link of the days the holder chose."""
    actor = _actor(request)
    certificate = selectors.certificate_get(actor=actor, number=number)
    form = forms.ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写 1 至 180 天的有效期。"))
        return redirect("credentials:certificate", number=certificate.number)
    try:
        _link, token = sharing.share_create(
            actor=actor, certificate=certificate, days=form.cleaned_data["days"], label=_("打印件二维码")
        )
        body = printing.certificate_pdf(
            certificate, request.build_absolute_uri(reverse("credentials:shared", args=[token]))
        )
    except (ValidationError, printing.FontMissingError) as exc:
        transaction.set_rollback(True)
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect("credentials:certificate", number=certificate.number)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response


@login_required
@require_POST
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    link = selectors.share_link_get(actor=actor, pk=pk)
    try:
        sharing.share_revoke(actor=actor, link=link)
    except ValidationError as exc:
        transaction.set_rollback(True)
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("分享链接已撤回。"))
    return redirect("credentials:certificate", number=link.certificate.number)


def shared(request: HttpRequest, token: str) -> HttpResponse:
    """What a share link (or the printed QR code) opens: the credential and its current status,
    each use recorded. An unknown, expired or revoked link says so in words."""
    if request.method not in ("GET", "HEAD"):
        raise Http404
    try:
        link = sharing.share_open(actor=_actor(request), token=token[:80])
    except ValidationError as exc:
        return render(request, "credentials/shared.html", {"refusal": "；".join(exc.messages)}, status=404)
    certificate = link.certificate
    if request.GET.get("format") == "json":
        return JsonResponse(certificate.credential, json_dumps_params={"ensure_ascii": False})
    # The same checks as the public verify page, on the credential as issued.
    report = verify_public(certificate.credential)
    context = {
        "certificate": certificate, "achievement": certificate.credential["credentialSubject"]["achievement"],
        "checks": checks_for_display(report), "verified": report.ok(),
        "credential_text": json.dumps(certificate.credential, ensure_ascii=False, indent=2),
        "expires_at": link.expires_at, "is_active": certificate.status == CertificateStatus.ACTIVE,
        "kinds": CertificateKind,
    }  # fmt: skip
    return render(request, "credentials/shared.html", context)
