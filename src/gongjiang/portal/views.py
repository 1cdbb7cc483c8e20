"""Pages. Thin: each view asks selectors for what the actor may see and renders it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongjiang.core import selectors as core_selectors
from gongjiang.core.actors import Actor
from gongjiang.core.actors import request_actor as _actor
from gongjiang.core.masking import mask_id_number, mask_phone, mask_values
from gongjiang.core.paging import CappedPaginator
from gongjiang.core.policies import allowed
from gongjiang.core.scope import ActorKind
from gongjiang.credentials import selectors as credentials
from gongjiang.directory import selectors as directory
from gongjiang.directory import services as directory_services
from gongjiang.directory.models import OrganisationKind
from gongjiang.insight import selectors as insight
from gongjiang.market import selectors as market
from gongjiang.market.models import PostingStatus
from gongjiang.portal import two_factor
from gongjiang.refdata import selectors as refdata
from gongjiang.refdata.models import Scheme
from gongjiang.registry import selectors as registry
from gongjiang.registry.models import RegistrationStatus

BROWSABLE_SCHEMES = [
    Scheme.REGION,
    Scheme.INDUSTRY,
    Scheme.OCCUPATION,
    Scheme.MAJOR,
    Scheme.STATS_DIVISION,
    Scheme.REGION_HISTORY,
    Scheme.HEI,
]


# How long /healthz waits for SQLite's write lock: a poller wants an answer, not the 30 s that
# requests wait for their turn.
HEALTH_LOCK_WAIT_MS = 2000


def _database_accepts_writes() -> None:
    """Write one row and roll it back: raises DatabaseError when the database is read-only (a
    read-only PostgreSQL session or replica, SQLite with `query_only` or a read-only file)."""
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute(f"PRAGMA busy_timeout = {HEALTH_LOCK_WAIT_MS}")
        try:
            with transaction.atomic():
                # django_migrations has a row in every migrated database; the update changes
                # nothing and is rolled back, but the database must accept it as a write.
                cursor.execute(
                    "UPDATE django_migrations SET app = app WHERE id = (SELECT MIN(id) FROM django_migrations)"
                )
                transaction.set_rollback(True)
        finally:
            if sqlite:
                timeout = settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 5)
                cursor.execute(f"PRAGMA busy_timeout = {int(float(timeout) * 1000)}")


def healthz(request: HttpRequest) -> JsonResponse:
    """Up, and the database answers and accepts writes; 503 with the reason (never the
    database's own message, which may name hosts or users) otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        reason = _("数据库无法连接。")
        return JsonResponse({"status": "error", "database": "unreachable", "reason": reason}, status=503)
    try:
        _database_accepts_writes()
    except DatabaseError:
        reason = _("数据库只读，不能写入。")
        return JsonResponse({"status": "error", "database": "read_only", "reason": reason}, status=503)
    return JsonResponse({"status": "ok", "database": "writable", "vendor": connection.vendor})


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from, as the server saw it. Behind a reverse proxy the proxy
    must pass the client's address as REMOTE_ADDR (production guide); a header the client could
    set itself is never trusted for throttling."""
    return request.META.get("REMOTE_ADDR") or None


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入。注意密码区分大小写。"),
        "inactive": _("该账号已停用，请联系管理员。"),
        "locked": _(
            "登录失败次数过多，已暂时停止接受此账号或此地址的登录。请%(minutes)s分钟后再试，或请本单位管理员解锁。"
        ),
    }

    def clean(self) -> dict[str, Any]:
        """Refuse a locked name or address before the password is even checked; count a refusal."""
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request is not None else None
        if username and directory.signin_locked(username=username, address=address):
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.SIGNIN_WINDOW_SECONDS // 60},
            )
        try:
            return super().clean()
        except ValidationError as exc:
            if username and exc.code in ("invalid_login", "inactive"):
                directory_services.signin_failed(username=username, address=address)
            raise


class PortalLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        device = directory.two_factor_of(user)
        if device is not None and device.confirmed_at is not None:
            return two_factor.start_second_step(self.request, user)
        directory_services.signin_succeeded(user=user)
        response = super().form_valid(form)
        if directory.two_factor_required(user):
            self.request.session[two_factor.ENROL_REQUIRED] = True
            return redirect("portal:two_factor")
        return response


class PortalLogoutView(auth_views.LogoutView):
    pass


def _region_name(code: str) -> str:
    region = refdata.region_get(code)
    return region.name if region else code


def _todo(actor: Actor) -> list[tuple[str, int, str]]:
    """What waits for the actor's organisation, each with how many and where to act on it; only
    what is there (a count of 0 is not shown)."""
    items: list[tuple[str, int, str]] = []
    if actor.kind in (ActorKind.BUREAU, ActorKind.OPERATOR):
        items += [
            (
                str(_("待审核的专业备案和学籍申请")),
                registry.approval_queue(actor=actor).count(),
                reverse("registry:queue"),
            ),
            (str(_("待审核的供需信息")), market.moderation_queue(actor=actor).count(), reverse("market:moderation")),
        ]
    if actor.kind == ActorKind.SCHOOL:
        check = insight.quality_check_for(actor=actor, scope=insight.Scope("school", actor.organisation_code))
        items += [
            (
                str(_("等待人社部门审核的学籍注册")),
                registry.registration_list(actor=actor, status=RegistrationStatus.PENDING).count(),
                reverse("registry:registration_list") + "?status=pending",
            ),
            (str(_("数据质量错误")), check.errors if check else 0, reverse("insight:quality")),
        ]
    if actor.kind in (ActorKind.SCHOOL, ActorKind.ENTERPRISE) and actor.organisation_id is not None:
        own = market.posting_list(actor=actor).filter(owner_id=actor.organisation_id)
        items += [
            (str(_("待处理的申请")), market.new_applications(actor=actor), reverse("market:mine")),
            (
                str(_("被退回待修改的供需信息")),
                own.filter(status=PostingStatus.RETURNED).count(),
                reverse("market:mine"),
            ),
        ]
    return [item for item in items if item[1]]


def home(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not actor.is_authenticated:
        return render(request, "portal/landing.html", {"schemes": _scheme_summaries()})
    context: dict[str, Any] = {"region_name": _region_name(actor.region_code) if actor.region_code else ""}
    if actor.kind in (ActorKind.BUREAU, ActorKind.OPERATOR):
        orgs = directory.organisation_list(actor=actor)
        context.update(
            schools=orgs.filter(kind=OrganisationKind.SCHOOL),
            counts={str(label): orgs.filter(kind=kind).count() for kind, label in OrganisationKind.choices},
            region_names={
                o.region_code: _region_name(o.region_code) for o in orgs.filter(kind=OrganisationKind.SCHOOL)
            },
        )
        return render(request, "portal/home_bureau.html", {**context, "todo": _todo(actor)})
    if actor.kind == ActorKind.LEARNER:
        person = directory.person_of(actor=actor)
        context.update(
            person=person,
            masked_id=mask_id_number(person.id_number) if person else "",
            masked_phone=mask_phone(person.phone) if person and person.phone else "",
            registrations=registry.registration_list(actor=actor).order_by("-enrolled_on"),
            certificates=list(credentials.certificate_list(actor=actor).select_related("issuer")[:100]),
        )
        context["dual_with"] = credentials.dual_map(context["certificates"])
        return render(request, "portal/home_learner.html", context)
    org = directory.organisation_of(actor=actor)
    context.update(
        org=org,
        members=directory.membership_list(actor=actor, organisation=org) if org else [],
        todo=_todo(actor),
    )
    return render(request, "portal/home_organisation.html", context)


@require_POST
@login_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    """Act for another organisation the user is a member of; any other code answers 404."""
    code = request.POST.get("organisation", "")
    if not directory.memberships_of_user(actor=_actor(request)).filter(organisation__code=code).exists():
        raise Http404
    request.session[directory.ACTIVE_ORGANISATION_SESSION_KEY] = code
    return redirect("portal:home")


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    kind = request.GET.get("kind", "")
    q = refdata.normalise_query(request.GET.get("q", ""))
    orgs = directory.organisation_list(actor=actor, kind=kind or None, q=q)
    page = Paginator(orgs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/organisation_list.html",
        {"page": page, "kind": kind, "q": q, "kinds": OrganisationKind.choices},
    )


@login_required
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    org = directory.organisation_get(actor=actor, code=code)
    return render(
        request,
        "portal/organisation_detail.html",
        {
            "org": org,
            "region_name": _region_name(org.region_code),
            "members": directory.membership_list(actor=actor, organisation=org),
            "can_edit": allowed(actor, "organisation.update", org),
        },
    )


def _scheme_summaries() -> list[dict[str, Any]]:
    summaries = []
    for scheme in BROWSABLE_SCHEMES:
        version = refdata.current_version(scheme)
        summaries.append({"scheme": scheme, "label": scheme.label, "version": version})
    return summaries


def refdata_browser(request: HttpRequest) -> HttpResponse:
    try:
        scheme = Scheme(request.GET.get("scheme") or Scheme.OCCUPATION)
    except ValueError as exc:
        raise Http404 from exc
    q = refdata.normalise_query(request.GET.get("q", ""))
    results = refdata.concept_search(scheme, q, limit=100)
    context = {
        "schemes": _scheme_summaries(),
        "scheme": scheme,
        "version": refdata.current_version(scheme),
        "q": q,
        "results": results,
    }
    template = "portal/refdata_results.html" if request.headers.get("HX-Request") else "portal/refdata.html"
    return render(request, template, context)


def concept_detail(request: HttpRequest, scheme: str, code: str) -> HttpResponse:
    try:
        chosen = Scheme(scheme)
    except ValueError as exc:
        raise Http404 from exc
    concept = refdata.concept_get(chosen, code)
    if concept is None:
        raise Http404
    links: list[tuple[str, Scheme, list[Any]]] = []
    if chosen == Scheme.MAJOR:
        links.append(
            (
                str(_("对应职业")),
                Scheme.OCCUPATION,
                _concepts(Scheme.OCCUPATION, refdata.crosswalk_targets(Scheme.MAJOR_OCCUPATION, code)),
            )
        )
    if chosen == Scheme.OCCUPATION:
        links.append(
            (
                str(_("对应专业")),
                Scheme.MAJOR,
                _concepts(Scheme.MAJOR, refdata.crosswalk_sources(Scheme.MAJOR_OCCUPATION, code)),
            )
        )
        links.append(
            (
                str(_("对应行业")),
                Scheme.INDUSTRY,
                _concepts(Scheme.INDUSTRY, refdata.crosswalk_targets(Scheme.OCCUPATION_INDUSTRY, code)),
            )
        )
    if chosen == Scheme.INDUSTRY:
        links.append(
            (
                str(_("对应职业")),
                Scheme.OCCUPATION,
                _concepts(Scheme.OCCUPATION, refdata.crosswalk_sources(Scheme.OCCUPATION_INDUSTRY, code)),
            )
        )
    return render(
        request,
        "portal/concept_detail.html",
        {
            "scheme": chosen,
            "concept": concept,
            "path": refdata.ancestors(concept),
            "children": refdata.children(concept)[:500],
            "links": links,
        },
    )


def _concepts(scheme: Scheme, codes: list[str]) -> list[Any]:
    return [c for c in (refdata.concept_get(scheme, code) for code in codes) if c is not None]


@login_required
def audit_browser(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not allowed(actor, "audit.view"):
        raise PermissionDenied
    filters = {
        "action": request.GET.get("action", "").strip()[:64],
        "entity_type": request.GET.get("entity_type", "").strip()[:64],
        "username": request.GET.get("username", "").strip()[:150],
        "organisation_code": request.GET.get("organisation", "").strip()[:32],
    }
    since = parse_date_or_none(request.GET.get("since", ""))
    until = parse_date_or_none(request.GET.get("until", ""))
    entries = core_selectors.audit_list(actor=actor, since=since, until=until, **filters)
    page = CappedPaginator(entries, 50).get_page(request.GET.get("page"))
    # Personal values are masked here as everywhere; a bureau administrator may open one entry whole.
    rows = [(e, mask_values(e.before), mask_values(e.after)) for e in page]
    return render(
        request,
        "portal/audit.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "dates": {"since": since, "until": until},
            "can_reveal": allowed(actor, "audit.reveal"),
        },
    )


@require_POST
@login_required
def audit_reveal(request: HttpRequest, entry_id: int) -> HttpResponse:
    """One entry with its personal values whole; the read is recorded in the trail."""
    actor = _actor(request)
    entry = core_selectors.audit_reveal(actor=actor, entry_id=entry_id)
    return render(request, "portal/audit_entry.html", {"entry": entry})


def parse_date_or_none(value: str) -> dt.date | None:
    """A date typed in a filter box; anything unreadable is ignored rather than an error page."""
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _said_in_chinese(exception: Exception | None) -> str:
    """The reason a view gave, when it wrote one sentence for people (Django's own are English,
    for developers, and may carry the URL configuration)."""
    said = exception.args[0] if exception is not None and exception.args else ""
    if not isinstance(said, str):
        return ""
    return said if any("\u4e00" <= c <= "\u9fff" for c in said) else ""


def _for_a_program(request: HttpRequest) -> bool:
    """The API speaks JSON, whatever went wrong and wherever it was caught."""
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Nothing here, in the site's own page with its menu and a way back. No reason is shown:
    what does not exist and what is not the reader's must read the same."""
    if _for_a_program(request):
        return JsonResponse({"detail": str(_("未找到。"))}, status=404)
    return render(request, "404.html", {}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _for_a_program(request):
        return JsonResponse({"detail": _said_in_chinese(exception) or str(_("没有权限。"))}, status=403)
    return render(request, "403.html", {"reason": _said_in_chinese(exception)}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _for_a_program(request):
        return JsonResponse({"detail": str(_("请求无效。"))}, status=400)
    return render(request, "400.html", {}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if _for_a_program(request):
        return JsonResponse({"detail": str(_("服务器出错，请稍后再试；问题已记录。"))}, status=500)
    # Without the request's context: its processors read the database, which may be what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A write without its CSRF token: for a program, JSON saying what to send; for a person, the
    site's page asking to reload (a form kept open past its session's end)."""
    if _for_a_program(request):
        return JsonResponse(
            {
                "detail": str(
                    _("缺少或错误的 CSRF 令牌：请先登录，并在请求头 X-CSRFToken 中带上 csrftoken Cookie 的值。")
                )
            },
            status=403,
        )
    return render(request, "403.html", {"reason": _("页面已过期，请刷新后重新提交。")}, status=403)
